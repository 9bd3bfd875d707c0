"""Surrogate keys: what each public response names, and what each write purges
(articles/surrogates.py, articles/purge.py). Purges go to a local recording server
standing in for Varnish; tests/ops/test_varnish.py runs the real one."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Topic
from articles.publishing import publish_due_changes
from comments import services as comment_services
from tests import factories
from tests.ops.edge import recording_server

pytestmark = pytest.mark.django_db


def keys(response):
    return set(response["xkey"].split())


@pytest.fixture
def site():
    """Two explainers in different topics, by different authors."""
    politics, science = (
        factories.make_topic("Politics"),
        factories.make_topic("Science"),
    )
    ana, ben = factories.make_author("Ana Ruiz"), factories.make_author("Ben Okoro")
    a = factories.make_article(title="A", topics=[politics], authors=[ana], facts=1)
    b = factories.make_article(title="B", topics=[science], authors=[ben])
    return {"a": a, "b": b, "politics": politics, "science": science, "ana": ana}


@pytest.fixture
def varnish_recorder(settings):
    with recording_server() as server:
        settings.VARNISH_URLS = [server.url]
        yield server


def purged(server):
    """Every key sent in PURGE requests so far."""
    assert all(r.method == "PURGE" for r in server.requests)
    return set().union(*(set(r.headers["xkey"].split()) for r in server.requests))


def test_pages_name_what_they_show(client, site):
    a, b, politics = site["a"], site["b"], site["politics"]
    home = client.get("/")
    assert keys(home) == {"lists", "chrome", f"a{a.pk}", f"a{b.pk}"}
    assert home["Surrogate-Key"] == home["xkey"]
    topic = client.get(reverse("articles:topic", kwargs={"slug": politics.slug}))
    assert keys(topic) == {f"t{politics.pk}", f"a{a.pk}", "chrome"}
    author = client.get(reverse("articles:author", kwargs={"slug": site["ana"].slug}))
    assert keys(author) == {f"p{site['ana'].pk}", f"a{a.pk}", "chrome"}
    # The explainer, its thread, and the topic its related list is drawn from.
    page = client.get(a.get_absolute_url())
    assert keys(page) == {f"a{a.pk}", f"c{a.pk}", f"t{politics.pk}", "chrome"}
    fact = a.key_facts.get()
    assert f"a{a.pk}" in keys(client.get(fact.get_absolute_url()))
    changes = client.get(reverse("articles:changes", kwargs={"slug": a.slug}))
    assert f"a{a.pk}" in keys(changes)
    for name in ("feed-rss", "corrections"):
        assert "lists" in keys(client.get(reverse(f"articles:{name}")))


def test_related_explainers_are_named_on_the_page_showing_them(client, site):
    a, politics = site["a"], site["politics"]
    other = factories.make_article(title="C", topics=[politics])
    assert f"a{other.pk}" in keys(client.get(a.get_absolute_url()))


def test_api_embeds_and_oembed_name_the_explainer(client, api, site):
    a, b = site["a"], site["b"]
    listing = api.get("/api/v1/articles/")
    assert {"lists", f"c{a.pk}", f"c{b.pk}"} <= keys(listing)
    detail = api.get(f"/api/v1/articles/{a.slug}/")
    assert keys(detail) == {f"a{a.pk}", f"c{a.pk}"}
    assert "lists" in keys(api.get("/api/v1/topics/"))
    embed = client.get(reverse("embed:key-facts", kwargs={"slug": a.slug}))
    assert f"a{a.pk}" in keys(embed)
    oembed = api.get(
        "/api/oembed/", {"url": f"http://testserver{a.get_absolute_url()}"}
    )
    assert keys(oembed) == {f"a{a.pk}"}


def test_edge_lifetime_is_capped_at_the_next_scheduled_publish(client, settings, site):
    assert client.get("/")["Surrogate-Control"] == "max-age=300"
    settings.SURROGATE_MAX_AGE = 900
    factories.make_article(
        title="Soon", publish_at=timezone.now() + datetime.timedelta(seconds=120)
    )
    lifetime = int(client.get("/")["Surrogate-Control"].removeprefix("max-age="))
    assert 100 < lifetime <= 120


def test_signed_in_and_private_answers_name_nothing(client, editor_api_client, site):
    client.force_login(factories.make_reader())
    page = client.get(site["a"].get_absolute_url())
    assert "xkey" not in page and "Surrogate-Control" not in page
    detail = editor_api_client.get(f"/api/v1/articles/{site['a'].slug}/")
    assert "xkey" not in detail


def test_nothing_is_purged_without_an_edge_cache(
    site, editor_api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        editor_api_client.patch(
            f"/api/v1/articles/{site['a'].slug}/", {"title": "New"}, format="json"
        )
    assert callbacks  # the page cache's own; no purge is queued
    assert all("purge" not in repr(callback) for callback in callbacks)


def test_an_edit_purges_the_explainer_and_its_lists_after_commit(
    site, editor_api_client, varnish_recorder, django_capture_on_commit_callbacks
):
    a, politics, ana = site["a"], site["politics"], site["ana"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = editor_api_client.patch(
            f"/api/v1/articles/{a.slug}/", {"title": "A, revised"}, format="json"
        )
        assert response.status_code == 200
    assert varnish_recorder.requests == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert purged(varnish_recorder) == {
        f"a{a.pk}",
        "lists",
        f"t{politics.pk}",
        f"p{ana.pk}",
    }


def test_a_comment_purges_only_its_thread(
    client, site, varnish_recorder, django_capture_on_commit_callbacks
):
    a = site["a"]
    client.force_login(factories.make_reader())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("comments:post", kwargs={"slug": a.slug}),
            {"body": "Clear, thanks."},
        )
    assert response.status_code == 302
    assert purged(varnish_recorder) == {f"c{a.pk}"}
    comment = a.comments.get()
    varnish_recorder.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_services.comment_moderate(
            comment=comment,
            moderator=factories.make_user(role="superuser"),
            action="hide",
        )
    assert purged(varnish_recorder) == {f"c{a.pk}"}


def test_topic_rename_purges_its_list_the_site_lists_and_its_explainers(
    site, varnish_recorder, django_capture_on_commit_callbacks
):
    politics = Topic.objects.get(pk=site["politics"].pk)
    politics.name = "Government"
    with django_capture_on_commit_callbacks(execute=True):
        politics.save()
    assert purged(varnish_recorder) == {f"t{politics.pk}", "lists", f"a{site['a'].pk}"}


def test_delete_and_unpublish_purge_the_explainer_and_its_lists(
    site, editor_api_client, varnish_recorder, django_capture_on_commit_callbacks
):
    b, science = site["b"], site["science"]
    with django_capture_on_commit_callbacks(execute=True):
        editor_api_client.patch(
            f"/api/v1/articles/{b.slug}/", {"status": "draft"}, format="json"
        )
    assert {f"a{b.pk}", "lists", f"t{science.pk}"} <= purged(varnish_recorder)
    varnish_recorder.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            editor_api_client.delete(f"/api/v1/articles/{b.slug}/").status_code == 204
        )
    assert {f"a{b.pk}", "lists", f"t{science.pk}"} <= purged(varnish_recorder)


def test_scheduled_working_copy_going_live_purges_the_explainer(
    site, editor_api_client, varnish_recorder, django_capture_on_commit_callbacks
):
    a = site["a"]
    response = editor_api_client.patch(
        f"/api/v1/articles/{a.slug}/?stage=1", {"title": "A, later"}, format="json"
    )
    assert response.status_code == 202
    copy = Article.objects.get(pk=a.pk).working_copy
    copy.publish_at = timezone.now() - datetime.timedelta(seconds=1)
    copy.save()
    varnish_recorder.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_due_changes() == 1
    assert {f"a{a.pk}", "lists"} <= purged(varnish_recorder)


@pytest.mark.usefixtures("page_cache_on")
def test_page_cache_hits_keep_their_keys_and_a_lifetime_that_still_holds(client, site):
    factories.make_article(
        title="Soon", publish_at=timezone.now() + datetime.timedelta(seconds=120)
    )
    url = site["a"].get_absolute_url()
    first = client.get(url)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60)):
        hit = client.get(url)
    assert (first["X-Cache"], hit["X-Cache"]) == ("miss", "hit")
    assert hit["xkey"] == first["xkey"]
    # A minute later the entry has a minute left before the scheduled publish.
    lifetime = int(hit["Surrogate-Control"].removeprefix("max-age="))
    assert 40 < lifetime <= 60
