"""The thread as readers get it: the cards on the explainer page and in the API."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from comments import services
from comments.models import Comment
from comments.templatetags.comment_thread import short_datetime
from tests.factories import make_reader
from tests.helpers import region, text_of

pytestmark = pytest.mark.django_db

PLACEHOLDER = "This comment was deleted."


def page_count(page):
    return int(re.search(r"data-comment-count>(\d+)<", page).group(1))


def api_thread(article):
    url = reverse("api:article-comments", kwargs={"slug": article.slug})
    return APIClient().get(url).json()


def api_count(article):
    detail = APIClient().get(f"/api/v1/articles/{article.slug}/").json()
    return detail["comment_count"]


# The attributes comments.js finds the thread's lists by.
LIST_HOOKS = ("data-comment-list", "data-comment-replies")


class _Lists(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open = []  # (tag, id or list hook) of the elements around the reader
        self.lists = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li":
            items = [name for tag, name in self.open if tag == "li"]
            kind = next(name for tag, name in reversed(self.open) if tag == "ol")
            key = (kind, items[-1] if items else None)
            self.lists.setdefault(key, []).append(attrs["id"])
        hook = next((name for name in LIST_HOOKS if name in attrs), None)
        self.open.append((tag, attrs.get("id") or hook))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass


def nesting(page):
    """{(list hook, enclosing comment id): [comment ids]} for the region's lists."""
    parser = _Lists()
    parser.feed(page[page.index("<ol class=") :])
    return parser.lists


def card(page, comment):
    """The markup of one comment's card, from its list item to its own </article>."""
    start = page.rindex("<li", 0, page.index(f'id="comment-{comment.pk}"'))
    return page[start : page.index("</article>", start)]


def card_text(page, comment):
    """What a reader sees of one comment's card."""
    return text_of(card(page, comment))


def test_card_shows_escaped_name_local_time_and_edited_and_featured_marks(
    client, article, editor, settings
):
    settings.TIME_ZONE = "Europe/Paris"
    author = make_reader(username="amy", display_name="Amy <b>& co</b>")
    comment = services.comment_post(article=article, author=author, body="Hi.")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=datetime(2026, 3, 4, 9, 5, tzinfo=UTC), edited_at=timezone.now()
    )
    services.comment_moderate(comment=comment, moderator=editor, action="feature")

    page = region(client.get(article.get_absolute_url()))

    markup = card(page, comment)
    assert 'aria-label="Comment by Amy &lt;b&gt;&amp; co&lt;/b&gt;"' in markup
    assert "<b>" not in markup  # the name is text, not markup
    assert (
        '<time datetime="2026-03-04T10:05:00+01:00">4 Mar 2026, 10:05</time>' in markup
    )
    assert f'href="#comment-{comment.pk}"' in markup  # a permalink to its anchor
    seen = card_text(page, comment)
    assert seen.startswith("Amy <b>& co</b>")  # the name as typed
    for shown in ("Featured", "4 Mar 2026, 10:05", "edited", "Hi."):
        assert shown in seen


def test_staff_badge_marks_staff_authors_only(client, article, verified_reader, editor):
    staff = services.comment_post(article=article, author=editor, body="From the desk")
    reader = services.comment_post(article=article, author=verified_reader, body="Hi")

    page = region(client.get(article.get_absolute_url()))

    assert "Staff" in card_text(page, staff).split()
    assert "Staff" not in card_text(page, reader).split()
    assert "edited" not in card_text(page, reader).split()


def test_pending_reply_is_marked_for_its_author_only(client, article, verified_reader):
    parent = services.comment_post(article=article, author=verified_reader, body="Top")
    other = make_reader(username="ben")
    reply = services.comment_post(
        article=article, author=other, body="Under review", parent=parent
    )
    Comment.objects.filter(pk=reply.pk).update(status=Comment.Status.PENDING)

    anonymous = region(client.get(article.get_absolute_url()))
    client.force_login(other)
    own = region(client.get(article.get_absolute_url()))

    assert "Under review" not in anonymous
    assert nesting(own)[("data-comment-replies", f"comment-{parent.pk}")] == [
        f"comment-{reply.pk}"
    ]
    assert "Pending review" in card_text(own, reply)
    assert page_count(own) == page_count(anonymous) == 1


def test_replies_sit_in_a_list_inside_their_parents_item(
    client, article, verified_reader, other_reader
):
    first = services.comment_post(article=article, author=verified_reader, body="One")
    second = services.comment_post(article=article, author=verified_reader, body="Two")
    replies = [
        services.comment_post(
            article=article, author=other_reader, body=f"Re {n}", parent=first
        )
        for n in range(2)
    ]

    page = region(client.get(article.get_absolute_url()))

    assert nesting(page) == {
        ("data-comment-list", None): [f"comment-{first.pk}", f"comment-{second.pk}"],
        ("data-comment-replies", f"comment-{first.pk}"): [
            f"comment-{reply.pk}" for reply in replies
        ],
    }


def test_deleted_comment_with_a_reply_is_a_placeholder_on_the_page_and_in_the_api(
    client, article, verified_reader, other_reader
):
    gone = services.comment_post(article=article, author=verified_reader, body="Gone")
    reply = services.comment_post(
        article=article, author=other_reader, body="Still here", parent=gone
    )
    services.comment_post(article=article, author=other_reader, body="Unrelated")
    services.comment_delete(comment=gone, user=verified_reader)

    page = region(client.get(article.get_absolute_url()))
    placeholder = card_text(page, gone)
    assert PLACEHOLDER in placeholder
    assert "Gone" not in page
    assert "edited" not in placeholder.split()
    assert f'id="comment-{reply.pk}"' in page
    assert page_count(page) == api_count(article) == 2

    data = api_thread(article)
    deleted = next(item for item in data["results"] if item["id"] == gone.pk)
    assert deleted["is_deleted"] is True
    assert deleted["body_html"] == ""
    assert [r["body_html"] for r in deleted["replies"]] == ["<p>Still here</p>"]


def test_a_placeholder_goes_once_no_reply_is_left_to_keep(
    client, article, verified_reader, other_reader, editor
):
    gone = services.comment_post(article=article, author=verified_reader, body="Gone")
    hidden = services.comment_post(
        article=article, author=other_reader, body="Hidden reply", parent=gone
    )
    deleted = services.comment_post(
        article=article, author=other_reader, body="Deleted reply", parent=gone
    )
    services.comment_delete(comment=gone, user=verified_reader)
    services.comment_moderate(comment=hidden, moderator=editor, action="hide")
    services.comment_delete(comment=deleted, user=other_reader)

    page = region(client.get(article.get_absolute_url()))

    assert PLACEHOLDER not in page
    assert "No comments yet." in page
    assert page_count(page) == api_count(article) == 0
    assert api_thread(article)["results"] == []


def test_a_deleted_reply_leaves_no_placeholder(
    client, article, verified_reader, other_reader
):
    top = services.comment_post(article=article, author=verified_reader, body="Top")
    reply = services.comment_post(
        article=article, author=other_reader, body="Oops", parent=top
    )
    services.comment_delete(comment=reply, user=other_reader)

    page = region(client.get(article.get_absolute_url()))

    assert f'id="comment-{reply.pk}"' not in page
    assert PLACEHOLDER not in page
    assert "data-comment-replies" not in page
    assert api_thread(article)["results"][0]["replies"] == []
    assert page_count(page) == api_count(article) == 1


def test_page_and_api_count_the_same_comments(
    client, article, verified_reader, other_reader, editor
):
    top = services.comment_post(article=article, author=verified_reader, body="Top")
    services.comment_post(article=article, author=other_reader, body="Re", parent=top)
    hidden = services.comment_post(article=article, author=other_reader, body="Hid")
    services.comment_post(
        article=article, author=verified_reader, body="Hid", parent=hidden
    )
    services.comment_moderate(comment=hidden, moderator=editor, action="hide")
    removed = services.comment_post(article=article, author=other_reader, body="Rem")
    services.comment_moderate(comment=removed, moderator=editor, action="remove")
    services.comment_post(
        article=article, author=make_reader(verified=False), body="Waiting"
    )

    page = region(client.get(article.get_absolute_url()))

    # The top comment and its reply; not the hidden one, its reply, the removed one
    # or the pending one.
    assert page_count(page) == api_count(article) == 2
    listing = APIClient().get("/api/v1/articles/").json()
    assert listing["results"][0]["comment_count"] == 2
    assert [item["id"] for item in api_thread(article)["results"]] == [top.pk]


def test_posting_with_fetch_returns_the_card_the_page_shows(
    client, article, verified_reader, other_reader
):
    top = services.comment_post(article=article, author=other_reader, body="Top")
    client.force_login(verified_reader)

    response = client.post(
        reverse("comments:post", kwargs={"slug": article.slug}),
        {"body": "A reply by script", "parent": top.pk},
        HTTP_ACCEPT="application/json",
    )

    html = response.json()["html"].strip()
    reply = Comment.objects.get(body="A reply by script")
    assert re.match(rf'<li [^>]*id="comment-{reply.pk}"', html)
    assert html.endswith("</li>")
    assert html.count("<li") == 1
    assert "data-comment-replies" not in html
    assert f'href="{reverse("comments:edit", args=[reply.pk])}"' in html
    page = region(client.get(article.get_absolute_url()))
    assert card(page, reply) in html


@pytest.mark.parametrize("language", ["en", "de", "fr", "ja"])
def test_card_time_reads_as_the_date_filter_would_in_every_language(language):
    # No page switches language yet (no LocaleMiddleware): the filter directly.
    moments = [
        datetime(2026, month, 3 + month, month, 7, tzinfo=UTC) for month in range(1, 13)
    ]
    with translation.override(language):
        for moment in moments:
            assert short_datetime(moment) == date(moment, "j M Y, H:i")
