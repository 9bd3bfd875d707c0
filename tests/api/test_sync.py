"""What a partner keeping a copy needs: ids that never change, lists walked by cursor
while content changes, and the same filters on every list."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles import publishing, services
from articles.models import Article
from tests.factories import make_article, make_author, make_topic

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"


def walk(api, path, **params):
    """Follow `next` from the first page; return the slugs in the order received."""
    response = api.get(path, params)
    assert response.status_code == 200, response.content
    seen = []
    while True:
        page = response.json()
        seen += [item["slug"] for item in page["results"]]
        if page["next"] is None:
            return seen
        response = api.get(page["next"])
        assert response.status_code == 200, response.content


def _minutes(n):
    return timedelta(minutes=n)


# Ids ---------------------------------------------------------------------------


def test_an_explainer_is_fetched_by_id_with_the_same_answer_as_by_slug(api, article):
    by_slug = api.get(f"{LIST}{article.slug}/")
    by_id = api.get(f"{LIST}id/{article.pk}/")

    assert by_id.status_code == 200
    assert by_id.json() == by_slug.json()
    assert by_id["Content-Location"] == f"{LIST}{article.slug}/"
    assert api.get(f"{LIST}id/{article.pk}/", {"fields": "id,title"}).json() == {
        "id": article.pk,
        "title": article.title,
    }


def test_the_id_keeps_working_after_the_slug_changes(api, editor, article):
    services.article_save(user=editor, article=article, fields={"slug": "new-name"})

    response = api.get(f"{LIST}id/{article.pk}/")

    assert response.status_code == 200
    assert response.json()["slug"] == "new-name"


def test_a_draft_id_is_404_for_anonymous_and_shown_to_staff(api, api_as, editor):
    draft = make_article(status=Article.Status.DRAFT)

    assert api.get(f"{LIST}id/{draft.pk}/").status_code == 404
    assert api.get(f"{LIST}id/999999/").json()["error"]["code"] == "not_found"
    staff = api_as(editor).get(f"{LIST}id/{draft.pk}/")
    assert staff.status_code == 200 and staff.json()["status"] == "draft"


def test_a_withdrawn_explainer_is_410_by_id_too(api, editor):
    article = make_article()
    article_id = article.pk
    services.article_delete(article=article, user=editor)

    response = api.get(f"{LIST}id/{article_id}/")

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "gone"


def test_topics_and_authors_are_fetched_by_id(api):
    topic = make_topic("Energy")
    author = make_author("Sam Writer")

    topic_answer = api.get(f"/api/v1/topics/id/{topic.pk}/")
    author_answer = api.get(f"/api/v1/authors/id/{author.pk}/")

    assert topic_answer.json()["slug"] == "energy"
    assert topic_answer["Content-Location"] == "/api/v1/topics/energy/"
    assert author_answer.json()["name"] == "Sam Writer"
    assert api.get("/api/v1/authors/id/999999/").status_code == 404


# Cursors -----------------------------------------------------------------------


def test_a_cursor_walk_skips_nothing_while_content_changes(api, editor):
    start = timezone.now().replace(microsecond=0) - _minutes(60)
    articles = []
    for n in range(7):
        with time_machine.travel(start + _minutes(n)):
            articles.append(make_article(slug=f"item-{n}"))

    first = api.get(LIST, {"ordering": "updated_at", "page_size": 3}).json()
    assert [a["slug"] for a in first["results"]] == ["item-0", "item-1", "item-2"]
    assert "cursor=" in first["next"] and "page=" not in first["next"]
    # Meanwhile: a new explainer, an edit of one already sent, one not yet sent
    # withdrawn. With page numbers, each would shift the pages under the client.
    make_article(slug="item-new")
    services.article_save(user=editor, article=articles[0], fields={"dek": "Edited."})
    publishing.explainer_unpublish(article=articles[5], user=editor)

    rest = []
    response = api.get(first["next"])
    while True:
        page = response.json()
        rest += [a["slug"] for a in page["results"]]
        if page["next"] is None:
            break
        response = api.get(page["next"])

    # Everything after the cursor once, the edited one again with its change, and
    # the withdrawn one not at all (the change feed says it went).
    assert rest == ["item-3", "item-4", "item-6", "item-new", "item-0"]
    assert first["previous"] is None


def test_newest_changes_first_walk_by_cursor_too(api):
    for n in range(5):
        make_article(slug=f"item-{n}")

    assert walk(api, LIST, ordering="-updated_at", page_size=2) == [
        f"item-{n}" for n in reversed(range(5))
    ]


def test_cursor_mistakes_are_400_naming_the_parameter(api, article):
    cases = [
        ({"cursor": "bm9uc2Vuc2U"}, "cursor"),
        ({"ordering": "updated_at", "cursor": "%%%"}, "cursor"),
        ({"cursor": "abc"}, "cursor"),  # without a cursor ordering
        ({"ordering": "updated_at", "page": 2}, "page"),
    ]
    for params, field in cases:
        response = api.get(LIST, params)
        assert response.status_code == 400, params
        assert field in response.json()["error"]["fields"], params


def test_a_cursor_page_costs_the_same_queries_as_content_grows(
    api, django_assert_max_num_queries
):
    from django.core.cache import cache

    for _ in range(3):
        make_article(facts=2)
    cache.clear()
    with django_assert_max_num_queries(12) as small:
        api.get(LIST, {"ordering": "updated_at", "page_size": 2})
    for _ in range(10):
        make_article(facts=4, answers=2, faqs=2)
    cache.clear()
    with django_assert_max_num_queries(12) as large:
        api.get(LIST, {"ordering": "updated_at", "page_size": 2})
    assert len(large.captured_queries) == len(small.captured_queries)


# Every list ----------------------------------------------------------------------


def test_topics_and_authors_sync_like_explainers(api):
    start = timezone.now().replace(microsecond=0) - _minutes(60)
    with time_machine.travel(start):
        old = make_topic("Energy")
        make_author("Old Byline")
    with time_machine.travel(start + _minutes(10)):
        new = make_topic("Water")
        make_author("New Byline")
    middle = (start + _minutes(5)).isoformat()

    topics = api.get("/api/v1/topics/", {"updated_after": middle}).json()
    authors = api.get("/api/v1/authors/", {"updated_before": middle}).json()

    assert [t["slug"] for t in topics["results"]] == [new.slug]
    assert [a["name"] for a in authors["results"]] == ["Old Byline"]
    assert walk(api, "/api/v1/topics/", ordering="updated_at", page_size=1) == [
        old.slug,
        new.slug,
    ]
    assert api.get("/api/v1/topics/", {"ordering": "size"}).status_code == 400


def test_renaming_a_topic_moves_its_updated_at(api, editor_client):
    topic = make_topic("Energy")
    before = api.get(f"/api/v1/topics/id/{topic.pk}/").json()["updated_at"]
    topic.name = "Power"
    topic.save()

    after = api.get(f"/api/v1/topics/id/{topic.pk}/").json()["updated_at"]

    assert after > before


# Methods and errors -------------------------------------------------------------


def test_an_unacceptable_accept_header_is_406_in_the_error_shape(api, article):
    response = api.get(f"{LIST}{article.slug}/", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_acceptable"
