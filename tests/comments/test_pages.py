import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.models import BannedWord, Comment, CommentBan
from tests import factories
from tests.helpers import region

pytestmark = pytest.mark.django_db


def post_url(article):
    return reverse("comments:post", kwargs={"slug": article.slug})


def test_anonymous_reader_sees_comments_and_a_sign_in_link_back_to_them(
    client, article, verified_reader
):
    services.comment_post(article=article, author=verified_reader, body="Well put.")
    page = region(client.get(article.get_absolute_url()))
    assert "Well put." in page
    assert "data-comment-count>1<" in page
    login = f"/accounts/login/?next={article.get_absolute_url()}%23comments"
    assert f'href="{login}"' in page
    assert "Sign in to leave a comment" in page
    assert "<form" not in page


def test_anonymous_post_is_sent_to_sign_in_and_saves_nothing(client, article):
    response = client.post(post_url(article), {"body": "Hello there"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Comment.objects.exists()


def test_signed_in_reader_posts_and_lands_on_the_new_comment(
    client, article, verified_reader
):
    client.force_login(verified_reader)
    assert "<form" in region(client.get(article.get_absolute_url()))
    response = client.post(post_url(article), {"body": "Clear explainer, thanks."})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert comment.author == verified_reader
    assert comment.status == Comment.Status.PUBLISHED
    page = region(client.get(article.get_absolute_url()))
    assert f'id="comment-{comment.pk}"' in page
    assert "Ada Reader" in page
    assert verified_reader.email not in page


def test_get_on_the_post_address_is_refused(client, article, verified_reader):
    client.force_login(verified_reader)
    assert client.get(post_url(article)).status_code == 405


def test_comment_text_is_escaped_and_links_are_marked_as_user_content(
    client, article, verified_reader
):
    client.force_login(verified_reader)
    client.post(
        post_url(article),
        {"body": "<script>alert(1)</script> read https://example.org/a?b=1 now"},
    )
    page = region(client.get(article.get_absolute_url()))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page
    assert '<a href="https://example.org/a?b=1" rel="nofollow ugc noopener">' in page


def test_reply_to_a_reply_attaches_to_the_top_level_comment(
    client, article, verified_reader, other_reader
):
    top = services.comment_post(article=article, author=other_reader, body="Top")
    reply = services.comment_post(
        article=article, author=other_reader, body="Reply", parent=top
    )
    client.force_login(verified_reader)
    client.post(post_url(article), {"body": "Reply to reply", "parent": reply.pk})
    newest = Comment.objects.latest("pk")
    assert newest.parent == top
    page = region(client.get(article.get_absolute_url()))
    replies = page[page.index(f'id="comment-{top.pk}"') :]
    assert replies.index("Reply to reply") > replies.index("comment-replies")


def test_short_long_and_empty_comments_are_refused_with_clear_errors(
    client, article, verified_reader, settings
):
    settings.COMMENTS_MAX_LENGTH = 50
    client.force_login(verified_reader)
    response = client.post(post_url(article), {"body": "x"})
    assert response.status_code == 400
    assert "Write at least 2 characters." in response.content.decode()
    response = client.post(post_url(article), {"body": "y" * 51})
    assert response.status_code == 400
    assert (
        "Keep comments to 50 characters or fewer (this one has"
        in response.content.decode()
    )
    response = client.post(post_url(article), {"body": "   "})
    assert "Write something before posting." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_rejected_comment_keeps_the_readers_text(client, article, verified_reader):
    client.force_login(verified_reader)
    settings_text = "z" * 5001
    response = client.post(post_url(article), {"body": settings_text})
    assert response.status_code == 400
    assert settings_text in response.content.decode()


def test_double_submit_makes_one_comment(client, article, verified_reader):
    client.force_login(verified_reader)
    first = client.post(post_url(article), {"body": "Only once, please."})
    second = client.post(post_url(article), {"body": "Only once, please."})
    assert Comment.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_rate_limit_refuses_the_sixth_comment_in_a_minute(
    client, article, verified_reader
):
    client.force_login(verified_reader)
    for n in range(5):
        assert client.post(post_url(article), {"body": f"Point {n}"}).status_code == 302
    response = client.post(post_url(article), {"body": "One more point"})
    assert response.status_code == 429
    assert "You can post 5 comments a minute" in response.content.decode()
    assert Comment.objects.count() == 5


def test_unverified_readers_comment_is_pending_and_shown_only_to_them(client, article):
    newcomer = factories.make_reader(verified=False, display_name="New Comer")
    client.force_login(newcomer)
    client.post(post_url(article), {"body": "My first comment"})
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    own = region(client.get(article.get_absolute_url()))
    assert "My first comment" in own
    assert "Pending review" in own
    assert "verify your email address" in own
    assert "data-comment-count>0<" in own
    client.logout()
    assert "My first comment" not in region(client.get(article.get_absolute_url()))


def test_open_premoderated_and_closed_modes(
    client, article, premoderated_article, closed_article, verified_reader
):
    client.force_login(verified_reader)
    client.post(post_url(article), {"body": "Open mode"})
    assert Comment.objects.get(body="Open mode").status == Comment.Status.PUBLISHED

    page = region(client.get(premoderated_article.get_absolute_url()))
    assert "A moderator reviews comments" in page
    client.post(post_url(premoderated_article), {"body": "Held mode"})
    held = Comment.objects.get(body="Held mode")
    assert held.status == Comment.Status.PENDING
    assert held.held_reason == Comment.HeldReason.PREMODERATED
    assert "Pending review" in region(
        client.get(premoderated_article.get_absolute_url())
    )

    page = region(client.get(closed_article.get_absolute_url()))
    assert "Comments are closed" in page
    assert "<form" not in page
    response = client.post(post_url(closed_article), {"body": "Closed mode"})
    assert response.status_code == 400
    assert "Comments are closed on this explainer." in response.content.decode()
    assert not Comment.objects.filter(body="Closed mode").exists()


def test_comments_on_drafts_are_refused(client, verified_reader):
    draft = factories.make_article(status=Article.Status.DRAFT)
    client.force_login(verified_reader)
    assert client.post(post_url(draft), {"body": "Sneaky"}).status_code == 404
    assert not Comment.objects.exists()


def test_banned_words_hold_a_comment_for_review(client, article, verified_reader):
    BannedWord.objects.create(word="Buy Pills")
    client.force_login(verified_reader)
    client.post(post_url(article), {"body": "Cheap: buy   PILLS here"})
    client.post(post_url(article), {"body": "Nothing to see"})
    held = Comment.objects.get(body__startswith="Cheap")
    assert held.status == Comment.Status.PENDING
    assert held.held_reason == Comment.HeldReason.BANNED_WORDS
    assert Comment.objects.get(body="Nothing to see").status == "published"


def test_banned_reader_cannot_comment(client, article, verified_reader):
    CommentBan.objects.create(user=verified_reader)
    client.force_login(verified_reader)
    response = client.post(post_url(article), {"body": "Let me in"})
    assert response.status_code == 400
    assert "may no longer post comments" in response.content.decode()
    assert not Comment.objects.exists()


def test_author_edits_within_fifteen_minutes_and_it_is_marked_edited(
    client, article, verified_reader
):
    client.force_login(verified_reader)
    client.post(post_url(article), {"body": "Frist"})
    comment = Comment.objects.get()
    edit = reverse("comments:edit", args=[comment.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"body": "First"})
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.body == "First"
    assert comment.edited_at is not None
    assert "edited" in region(client.get(article.get_absolute_url()))


def test_edit_after_the_window_is_refused(client, article, verified_reader):
    client.force_login(verified_reader)
    client.post(post_url(article), {"body": "Original"})
    comment = Comment.objects.get()
    edit = reverse("comments:edit", args=[comment.pk])
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert f'href="{edit}"' not in region(client.get(article.get_absolute_url()))
        response = client.post(edit, {"body": "Changed"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Original"


def test_editing_in_a_banned_word_holds_the_comment(client, article, verified_reader):
    BannedWord.objects.create(word="rude")
    client.force_login(verified_reader)
    client.post(post_url(article), {"body": "Polite"})
    comment = Comment.objects.get()
    client.post(reverse("comments:edit", args=[comment.pk]), {"body": "Rude now"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_author_deletes_and_replies_stay_under_a_placeholder(
    client, article, verified_reader, other_reader
):
    top = services.comment_post(article=article, author=verified_reader, body="Gone")
    services.comment_post(
        article=article, author=other_reader, body="Still here", parent=top
    )
    client.force_login(verified_reader)
    delete = reverse("comments:delete", args=[top.pk])
    assert client.get(delete).status_code == 200
    client.post(delete)
    page = region(client.get(article.get_absolute_url()))
    assert "This comment was deleted." in page
    assert "Gone" not in page
    assert "Still here" in page
    assert "data-comment-count>1<" in page


def test_deleted_comment_without_replies_disappears(client, article, verified_reader):
    top = services.comment_post(article=article, author=verified_reader, body="Oops")
    client.force_login(verified_reader)
    client.post(reverse("comments:delete", args=[top.pk]))
    page = region(client.get(article.get_absolute_url()))
    assert "This comment was deleted." not in page
    assert "No comments yet." in page


def test_edit_and_delete_are_for_the_author_only(
    client, article, verified_reader, other_reader, editor
):
    comment = services.comment_post(
        article=article, author=verified_reader, body="Mine"
    )
    edit = reverse("comments:edit", args=[comment.pk])
    delete = reverse("comments:delete", args=[comment.pk])
    assert client.post(delete)["Location"].startswith("/accounts/login/")
    for intruder in (other_reader, editor):
        client.force_login(intruder)
        assert client.post(edit, {"body": "Hijacked"}).status_code == 403
        assert client.post(delete).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine"
    assert comment.deleted_at is None


def test_flags_hide_a_comment_at_the_threshold(client, article, verified_reader):
    comment = services.comment_post(article=article, author=verified_reader, body="Hm")
    flag = reverse("comments:flag", args=[comment.pk])
    flaggers = [factories.make_reader() for _ in range(3)]
    for n, flagger in enumerate(flaggers):
        client.force_login(flagger)
        assert client.get(flag).status_code == 200
        client.post(flag, {"reason": "spam"})
        client.post(
            flag, {"reason": "abuse"}
        )  # a second flag from one reader counts once
        if n < 2:
            assert "You flagged this" in region(client.get(article.get_absolute_url()))
    comment.refresh_from_db()
    assert comment.flags.count() == 3
    assert comment.status == Comment.Status.HIDDEN
    assert "Hm" not in region(client.get(article.get_absolute_url()))


def test_readers_cannot_flag_their_own_comment(client, article, verified_reader):
    comment = services.comment_post(article=article, author=verified_reader, body="Me")
    client.force_login(verified_reader)
    response = client.post(
        reverse("comments:flag", args=[comment.pk]), {"reason": "spam"}
    )
    assert response.status_code == 400
    assert "You cannot flag your own comment." in response.content.decode()


def test_staff_badge_featured_first_and_newest_order(
    client, article, verified_reader, editor
):
    first = services.comment_post(article=article, author=verified_reader, body="One")
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=5)):
        services.comment_post(article=article, author=editor, body="Two")
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=10)):
        third = services.comment_post(
            article=article, author=verified_reader, body="Three"
        )
    services.comment_moderate(comment=third, moderator=editor, action="feature")
    page = region(client.get(article.get_absolute_url()))
    assert "badge--staff" in page
    order = re.findall(r"<p>(One|Two|Three)</p>", page)
    assert order == ["Three", "One", "Two"]
    newest = region(client.get(article.get_absolute_url() + "?comments=newest"))
    assert re.findall(r"<p>(One|Two|Three)</p>", newest) == ["Three", "Two", "One"]
    assert first.get_absolute_url().endswith(f"#comment-{first.pk}")


def test_deleting_a_user_keeps_the_thread_readable(client, article, other_reader):
    leaver = factories.make_reader(display_name="Leaving Soon")
    top = services.comment_post(article=article, author=leaver, body="Goodbye text")
    services.comment_post(article=article, author=other_reader, body="Bye", parent=top)
    services.comment_flag(comment=top, user=other_reader)
    services.comment_flag(comment=top, user=factories.make_reader())
    get_user_model().objects.filter(pk=leaver.pk).delete()
    page = region(client.get(article.get_absolute_url()))
    assert "[deleted user]" in page
    assert "Goodbye text" in page
    assert "Leaving Soon" not in page
    assert "Bye" in page


def test_permalink_redirects_to_the_comment_and_hides_hidden_ones(
    client, article, verified_reader, editor
):
    comment = services.comment_post(article=article, author=verified_reader, body="Hi")
    response = client.get(reverse("comments:permalink", args=[comment.pk]))
    assert response["Location"] == comment.get_absolute_url()
    services.comment_moderate(comment=comment, moderator=editor, action="hide")
    assert (
        client.get(reverse("comments:permalink", args=[comment.pk])).status_code == 404
    )


def test_post_with_fetch_gets_json_and_the_rendered_comment(
    client, article, verified_reader
):
    client.force_login(verified_reader)
    response = client.post(
        post_url(article), {"body": "Via script"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "published"
    assert f'id="comment-{data["id"]}"' in data["html"]
    bad = client.post(post_url(article), {"body": "x"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["body"][0]["message"] == "Write at least 2 characters."


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_article_page_queries_do_not_grow_with_comments(
    client, article, verified_reader, other_reader, monkeypatch, signed_in
):
    url = article.get_absolute_url()
    if signed_in:
        client.force_login(verified_reader)
    client.get(url)  # warm session and content types
    top = services.comment_post(article=article, author=other_reader, body="Top 0")
    counts = {}
    counts[1] = _page_queries(client, url)
    for n in range(29):
        author = factories.make_reader()
        parent = top if n % 2 else None
        services.comment_post(
            article=article, author=author, body=f"Comment {n}", parent=parent
        )
    counts[30] = _page_queries(client, url)
    monkeypatch.setattr(
        "articles.fragments.comments_region", lambda request, a, **options: None
    )
    without_region = _page_queries(client, url)
    assert counts[1] == counts[30]
    assert counts[30] - without_region == (2 if signed_in else 1)


def test_a_new_comment_changes_the_article_pages_etag(
    client, article, verified_reader, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_post(article=article, author=verified_reader, body="News!")
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "News!" in region(response)


def test_deleting_an_explainer_takes_its_comments_and_flags(
    article, verified_reader, other_reader
):
    comment = services.comment_post(article=article, author=verified_reader, body="Hi")
    services.comment_flag(comment=comment, user=other_reader)
    article.delete()
    assert not Comment.objects.exists()
    get_user_model().objects.filter(pk=other_reader.pk).delete()


def test_a_comment_posted_with_windows_line_endings_is_stored_with_lf(
    client, article, verified_reader
):
    client.force_login(verified_reader)
    client.post(post_url(article), {"body": "First line\r\nsecond line.\r\n\r\nMore."})
    assert Comment.objects.get().body == "First line\nsecond line.\n\nMore."
