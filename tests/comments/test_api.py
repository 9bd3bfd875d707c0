import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from articles.models import Article
from comments import services
from comments.models import Comment
from tests import factories
from tests.helpers import token_client

pytestmark = pytest.mark.django_db


def comments_url(article):
    return reverse("api:article-comments", kwargs={"slug": article.slug})


def detail_url(comment):
    return reverse("api:comment-detail", args=[comment.pk])


def test_list_nests_replies_and_shows_only_visible_comments(
    article, verified_reader, other_reader, editor
):
    top = services.comment_post(article=article, author=verified_reader, body="Top")
    services.comment_post(article=article, author=other_reader, body="Re", parent=top)
    hidden = services.comment_post(article=article, author=other_reader, body="Nope")
    services.comment_moderate(comment=hidden, moderator=editor, action="hide")
    factories.make_reader(verified=False)
    data = APIClient().get(comments_url(article)).json()
    assert data["count"] == 1
    [item] = data["results"]
    assert item["author"] == {"name": "Ada Reader", "is_staff": False}
    assert item["body_html"] == "<p>Top</p>"
    assert [r["body_html"] for r in item["replies"]] == ["<p>Re</p>"]
    assert "email" not in str(data)


def test_list_of_a_draft_is_a_json_404():
    draft = factories.make_article(status=Article.Status.DRAFT)
    response = APIClient().get(comments_url(draft))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_queries_do_not_grow_with_comments(article, other_reader):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert APIClient().get(comments_url(article)).status_code == 200
        return len(queries)

    top = services.comment_post(article=article, author=other_reader, body="Top")
    one = count_queries()
    for n in range(29):
        parent = top if n % 2 else None
        services.comment_post(
            article=article,
            author=factories.make_reader(),
            body=f"C {n}",
            parent=parent,
        )
    # The explainer, the count, the page of comments, the page's replies.
    assert count_queries() == one == 4


def test_article_api_counts_visible_comments_only(article, verified_reader, editor):
    kept = services.comment_post(article=article, author=verified_reader, body="One")
    services.comment_post(article=article, author=verified_reader, body="Two")
    removed = services.comment_post(article=article, author=editor, body="Three")
    services.comment_moderate(comment=removed, moderator=editor, action="remove")
    services.comment_post(
        article=article, author=factories.make_reader(verified=False), body="Pending"
    )
    assert kept.status == "published"
    data = APIClient().get(f"/api/v1/articles/{article.slug}/").json()
    assert data["comment_count"] == 2
    listing = APIClient().get("/api/v1/articles/").json()
    assert listing["results"][0]["comment_count"] == 2


def test_signed_in_reader_posts_through_the_same_rules(article, verified_reader):
    client = token_client(verified_reader)
    response = client.post(
        comments_url(article), {"body": "Via the API"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "published"
    assert response["Location"].endswith(f"#comment-{response.json()['id']}")
    reply = client.post(
        comments_url(article),
        {"body": "A reply", "parent": response.json()["id"]},
        format="json",
    )
    assert reply.json()["parent"] == response.json()["id"]


def test_session_posts_need_csrf(article, verified_reader):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(verified_reader)
    response = client.post(comments_url(article), {"body": "No token"}, format="json")
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_api_errors_use_the_shared_shape(article, closed_article, verified_reader):
    client = token_client(verified_reader)
    response = client.post(comments_url(article), {"body": "x"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["body"] == ["Write at least 2 characters."]
    response = client.post(comments_url(closed_article), {"body": "Hi"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"] == [
        "Comments are closed on this explainer."
    ]
    response = client.post(
        comments_url(article), {"body": "Hi", "parent": 999}, format="json"
    )
    assert response.json()["error"]["fields"]["parent"]


def test_anonymous_post_is_refused(article):
    response = APIClient().post(comments_url(article), {"body": "Hi"}, format="json")
    assert response.status_code == 401
    assert "error" in response.json()


def test_api_rate_limit_answers_429(article, verified_reader, settings):
    settings.COMMENTS_RATE_PER_MINUTE = 2
    client = token_client(verified_reader)
    for n in range(2):
        client.post(comments_url(article), {"body": f"N {n}"}, format="json")
    response = client.post(comments_url(article), {"body": "N 3"}, format="json")
    assert response.status_code == 429
    assert "2 comments a minute" in response.json()["error"]["message"]


def test_patch_and_delete_by_the_author_only(
    article, verified_reader, other_reader, editor
):
    comment = services.comment_post(
        article=article, author=verified_reader, body="Mine"
    )
    for intruder in (other_reader, editor):
        client = token_client(intruder)
        assert client.patch(detail_url(comment), {"body": "Theirs"}).status_code == 403
        assert client.delete(detail_url(comment)).status_code == 403
    assert APIClient().delete(detail_url(comment)).status_code == 401
    owner = token_client(verified_reader)
    response = owner.patch(detail_url(comment), {"body": "Mine, edited"}, format="json")
    assert response.status_code == 200
    assert response.json()["body_html"] == "<p>Mine, edited</p>"
    assert response.json()["edited_at"]
    assert owner.delete(detail_url(comment)).status_code == 204
    data = APIClient().get(detail_url(comment))
    assert data.status_code == 200
    assert data.json()["is_deleted"] is True
    assert data.json()["body_html"] == ""


def test_patch_after_the_edit_window_is_refused(article, verified_reader):
    import time_machine
    from django.utils import timezone

    comment = services.comment_post(article=article, author=verified_reader, body="Old")
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=20)):
        response = token_client(verified_reader).patch(
            detail_url(comment), {"body": "New"}, format="json"
        )
    assert response.status_code == 400
    assert "15 minutes" in response.json()["error"]["fields"]["non_field_errors"][0]


def test_hidden_comment_is_not_found_for_others(article, verified_reader, editor):
    comment = services.comment_post(article=article, author=verified_reader, body="X1")
    services.comment_moderate(comment=comment, moderator=editor, action="hide")
    assert APIClient().get(detail_url(comment)).status_code == 404
    assert token_client(verified_reader).get(detail_url(comment)).status_code == 200
