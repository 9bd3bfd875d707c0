"""The Fastly and Cloudflare purge adapters (articles/purge.py), against a local HTTP
server that records what they send: their real APIs cannot be reached from here."""

import json
import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from articles import purge
from tests import factories
from tests.ops.edge import recording_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return factories.make_article(title="Alpha", topics=[factories.make_topic()])


def write(client, article, capture):
    """A reader's comment: a write whose keys are known ({c<id>})."""
    client.force_login(factories.make_reader())
    with capture(execute=True):
        response = client.post(
            reverse("comments:post", kwargs={"slug": article.slug}), {"body": "Thanks."}
        )
    assert response.status_code == 302


def test_fastly_purges_by_surrogate_key_with_its_token(
    client, settings, article, django_capture_on_commit_callbacks
):
    with recording_server() as fastly:
        settings.FASTLY_API_URL = fastly.url
        settings.FASTLY_API_TOKEN = "fastly-token"
        settings.FASTLY_SERVICE_ID = "SVC123"
        write(client, article, django_capture_on_commit_callbacks)
    (sent,) = fastly.requests
    assert (sent.method, sent.path) == ("POST", "/service/SVC123/purge")
    assert sent.headers["fastly-key"] == "fastly-token"
    assert sent.headers["surrogate-key"] == f"c{article.pk}"


def test_cloudflare_purges_by_cache_tag_with_its_token(
    client, settings, article, django_capture_on_commit_callbacks
):
    with recording_server() as cloudflare:
        settings.CLOUDFLARE_API_URL = cloudflare.url
        settings.CLOUDFLARE_API_TOKEN = "cf-token"
        settings.CLOUDFLARE_ZONE_ID = "zone9"
        write(client, article, django_capture_on_commit_callbacks)
        # Responses carry the Cache-Tag header Cloudflare reads.
        page = client.get(article.get_absolute_url())
    (sent,) = cloudflare.requests
    assert (sent.method, sent.path) == ("POST", "/client/v4/zones/zone9/purge_cache")
    assert sent.headers["authorization"] == "Bearer cf-token"
    assert json.loads(sent.body) == {"tags": [f"c{article.pk}"]}
    assert "cache-tag" not in page  # signed in: nothing to keep


def test_anonymous_responses_carry_cache_tags_when_cloudflare_is_on(
    client, settings, article
):
    settings.CLOUDFLARE_ZONE_ID = "zone9"
    page = client.get(article.get_absolute_url())
    assert set(page["Cache-Tag"].split(",")) == set(page["xkey"].split())


def test_large_purges_are_sent_in_batches_each_api_accepts(settings):
    keys = [f"a{n}" for n in range(70)]
    with recording_server() as fastly, recording_server() as cloudflare:
        settings.FASTLY_API_URL, settings.CLOUDFLARE_API_URL = (
            fastly.url,
            cloudflare.url,
        )
        settings.FASTLY_API_TOKEN = settings.CLOUDFLARE_API_TOKEN = "token"
        settings.FASTLY_SERVICE_ID = settings.CLOUDFLARE_ZONE_ID = "id"
        purge.purge_now(keys)
    assert len(fastly.requests) == 1
    sizes = [len(json.loads(r.body)["tags"]) for r in cloudflare.requests]
    assert sizes == [30, 30, 10]


def test_an_adapter_refusing_is_logged_and_queued_again_until_it_gives_up(
    settings, caplog
):
    with recording_server(status=503) as fastly:
        settings.FASTLY_API_URL = fastly.url
        settings.FASTLY_API_TOKEN, settings.FASTLY_SERVICE_ID = "token", "id"
        with caplog.at_level(logging.WARNING, logger="articles.purge"):
            purge.purge_now(["a1"])
            assert "edge purge failed, retry in 5s: fastly keys=a1" in caplog.text
            (retry,) = DBTaskResult.objects.all()
            assert retry.args_kwargs["args"] == ["fastly", ["a1"], 1]
            # The last retry gives up with an error; the edge lifetime bounds it.
            last = len(purge.RETRY_DELAYS)
            assert purge.purge_retry("fastly", ["a1"], last) == "abandoned"
            assert "edge purge abandoned" in caplog.text
    assert len(fastly.requests) == 2


def test_purge_edge_command_invalidates_keys_by_hand(
    settings, django_capture_on_commit_callbacks
):
    with recording_server() as varnish:
        settings.VARNISH_URLS = [varnish.url]
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("purge_edge", "chrome", "a7", stdout=out)
        with pytest.raises(CommandError, match="Not surrogate keys: everything"):
            call_command("purge_edge", "everything")
    assert "Invalidated: a7 chrome" in out.getvalue()
    (sent,) = varnish.requests
    assert (sent.method, sent.headers["xkey"]) == ("PURGE", "a7 chrome")
