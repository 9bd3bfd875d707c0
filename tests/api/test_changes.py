"""The change feed, 410 Gone, and list validators that never move backwards."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django.utils.http import parse_http_date

from articles import publishing, services
from articles.models import Article
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

FEED = "/api/v1/changes/"


def feed(api, after=0, **params):
    response = api.get(FEED, {"after": after, **params})
    assert response.status_code == 200, response.content
    return response.json()


def kinds(page):
    return [(event["kind"], event["explainer"]["slug"]) for event in page["results"]]


def test_the_feed_lists_public_changes_in_order_and_never_drafts(api, editor):
    start = feed(api)["cursor"]
    draft = make_article(status=Article.Status.DRAFT, slug="secret-draft")
    live = make_article(slug="tides")
    services.article_save(user=editor, article=live, fields={"dek": "New dek."})
    # A working copy is not public either.
    state = publishing.current_state(live)
    state["fields"]["dek"] = "Staged only."
    publishing.explainer_save(article=live, state=state, user=editor)
    publishing.explainer_unpublish(article=live, user=editor)
    publishing.explainer_publish(article=draft, user=editor)
    services.article_delete(article=draft, user=editor)

    page = feed(api, after=start)
    assert kinds(page) == [
        ("published", "tides"),
        ("updated", "tides"),
        ("unpublished", "tides"),
        ("published", "secret-draft"),
        ("deleted", "secret-draft"),
    ]
    event = page["results"][0]
    assert event["explainer"]["url"] == "http://testserver/explainers/tides/"
    assert event["explainer"]["id"] == live.pk and event["time"]
    ids = [event["id"] for event in page["results"]]
    assert ids == sorted(ids)
    # Up to date: the cursor gives nothing more.
    assert feed(api, after=page["cursor"])["results"] == []
    assert page["next"] is None


def test_the_cursor_pages_through_without_skips_or_repeats(api):
    start = feed(api)["cursor"]
    for n in range(5):
        make_article(slug=f"page-{n}")
    seen, after = [], start
    while True:
        page = feed(api, after=after, limit=2)
        seen += [event["explainer"]["slug"] for event in page["results"]]
        after = page["cursor"]
        if page["next"] is None:
            break
        assert f"after={after}" in page["next"]
    assert seen == [f"page-{n}" for n in range(5)]


def test_bad_cursor_and_limit_are_400(api):
    for params in ({"after": "x"}, {"after": -1}, {"limit": 0}, {"limit": 501}):
        response = api.get(FEED, params)
        assert response.status_code == 400
        assert response.json()["error"]["fields"]


def test_a_scheduled_explainer_enters_the_feed_at_its_time(api):
    start = feed(api)["cursor"]
    moment = timezone.now() + timedelta(hours=1)
    make_article(slug="embargoed", publish_at=moment)
    assert feed(api, after=start)["results"] == []
    with time_machine.travel(moment + timedelta(seconds=1)):
        assert kinds(feed(api, after=start)) == [("published", "embargoed")]


def test_a_withdrawn_explainer_is_410_and_a_never_public_one_404(api, editor):
    live = make_article(slug="withdrawn")
    draft = make_article(status=Article.Status.DRAFT, slug="never-public")
    publishing.explainer_unpublish(article=live, user=editor)

    response = api.get("/api/v1/articles/withdrawn/")
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "gone"
    assert Client().get("/explainers/withdrawn/").status_code == 410
    assert api.get(f"/api/v1/articles/{draft.slug}/").status_code == 404
    assert Client().get(f"/explainers/{draft.slug}/").status_code == 404
    assert api.get("/api/v1/articles/no-such-thing/").status_code == 404
    # Published again: back to 200.
    publishing.explainer_publish(article=live, user=editor)
    assert api.get("/api/v1/articles/withdrawn/").status_code == 200


def test_list_last_modified_never_moves_backwards(api, editor):
    older = make_article(title="Older")
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        newer = make_article(title="Newer")
        before = parse_http_date(api.get("/api/v1/articles/")["Last-Modified"])
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        publishing.explainer_unpublish(article=newer, user=editor)
        after = parse_http_date(api.get("/api/v1/articles/")["Last-Modified"])
    assert after > before
    assert older.pk


def test_updated_after_and_before_filter_the_list(api, editor):
    old = make_article(title="Old news")
    cut = timezone.now() + timedelta(minutes=1)
    stale = make_article(title="Untouched")
    with time_machine.travel(cut + timedelta(minutes=1)):
        services.article_save(user=editor, article=old, fields={"dek": "Revised."})
        fresh = make_article(title="Fresh")
        listed = api.get(
            "/api/v1/articles/",
            {"updated_after": cut.isoformat(), "ordering": "updated_at"},
        ).json()["results"]
        assert [a["title"] for a in listed] == ["Old news", "Fresh"]
        before = api.get("/api/v1/articles/", {"updated_before": cut.isoformat()})
        assert {a["title"] for a in before.json()["results"]} == {"Untouched"}
    assert fresh.pk and stale.pk


def test_a_mirror_that_follows_the_feed_equals_the_api(api, editor):
    mirror, after = {}, feed(api)["cursor"]
    for article in Article.objects.published():  # the starting copy
        mirror[article.pk] = api.get(f"/api/v1/articles/{article.slug}/").json()

    def follow():
        nonlocal after
        page = feed(api, after=after)
        for event in page["results"]:
            ref = event["explainer"]
            if event["kind"] in {"published", "updated"}:
                response = api.get(f"/api/v1/articles/{ref['slug']}/", follow=True)
                if response.status_code == 200:
                    mirror[ref["id"]] = response.json()
            else:
                mirror.pop(ref["id"], None)
        after = page["cursor"]

    a = make_article(slug="first")
    b = make_article(slug="second")
    follow()
    services.article_save(user=editor, article=a, fields={"slug": "first-renamed"})
    publishing.explainer_unpublish(article=b, user=editor)
    c = make_article(slug="third")
    services.article_delete(article=c, user=make_user(role="editor"))
    follow()

    listed = api.get("/api/v1/articles/", {"page_size": 100}).json()["results"]
    assert {item["id"]: item["slug"] for item in listed} == {
        pk: item["slug"] for pk, item in mirror.items()
    }
    assert mirror[a.pk]["slug"] == "first-renamed"
