"""VARNISH_REWARM_URL: after a purge the site fetches the purged explainer's page
through Varnish again, so the first reader after a write gets a hit showing the new
version. A real varnishd, skipped without it (tests/ops/edge.py)."""

import threading
from urllib.parse import urlsplit

import pytest
import requests
from rest_framework.authtoken.models import Token

from articles import purge
from tests import factories
from tests.ops.edge import varnish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def edge(live_server, tmp_path, settings, monkeypatch):
    """Varnish in front of the live server, purged and re-warmed by it; yields its
    base URL and an event set once a re-warm has finished."""
    with varnish(urlsplit(live_server.url).port, tmp_path / "varnish") as base:
        settings.VARNISH_URLS = [base]
        settings.VARNISH_REWARM_URL = base  # readers reach Varnish at this address
        done = threading.Event()
        rewarm = purge.VarnishPurger.rewarm

        def spy(self, paths, public):
            rewarm(self, paths, public)
            done.set()

        monkeypatch.setattr(purge.VarnishPurger, "rewarm", spy)
        yield base, done


def get(url):
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text[:300]
    return response


def edit(base, article, token, title):
    response = requests.patch(
        f"{base}/api/v1/articles/{article.slug}/",
        json={"title": title},
        headers={"Authorization": f"Token {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def test_the_first_reader_after_an_edit_gets_a_hit_with_the_new_version(edge):
    base, done = edge
    article = factories.make_article(title="Alpha explainer")
    token = Token.objects.create(user=factories.make_user(role="editor")).key
    assert done.wait(10)  # publishing it was a purge and a re-warm too
    done.clear()
    url = base + article.get_absolute_url()
    get(url)
    assert get(url).headers["X-Varnish-Cache"] == "HIT"

    edit(base, article, token, "Alpha, revised")
    assert done.wait(10), "no re-warm after the purge"

    first = get(url)
    assert first.headers["X-Varnish-Cache"] == "HIT"
    assert "Alpha, revised" in first.text


def test_a_draft_is_not_fetched_again(edge):
    base, done = edge
    article = factories.make_article(title="Alpha explainer")
    token = Token.objects.create(user=factories.make_user(role="editor")).key
    assert done.wait(10)  # publishing it was a purge and a re-warm too
    done.clear()
    response = requests.patch(
        f"{base}/api/v1/articles/{article.slug}/",
        json={"status": "draft"},
        headers={"Authorization": f"Token {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text

    assert not done.wait(1)
    assert (
        requests.get(base + article.get_absolute_url(), timeout=10).status_code == 410
    )
