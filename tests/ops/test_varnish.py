"""A real varnishd with deploy/varnish/newsroom.vcl in front of the site (issue #16):
anonymous pages are kept, signed-in readers pass, and each write purges exactly the
pages showing what it changed, after the commit. Skipped without varnishd and the
xkey vmod, except in CI (tests/ops/edge.py)."""

import datetime
import logging
import time
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import Token

from tests import factories
from tests.ops.edge import varnish
from tests.processes import TcpProxy

pytestmark = pytest.mark.django_db(transaction=True)

CSRF = "k" * 32  # a CSRF secret of our choosing, sent as cookie and form field


@pytest.fixture
def site():
    politics, science = (
        factories.make_topic("Politics"),
        factories.make_topic("Science"),
    )
    a = factories.make_article(title="Alpha explainer", topics=[politics])
    b = factories.make_article(title="Beta explainer", topics=[science])
    return {"a": a, "b": b, "politics": politics, "science": science}


@pytest.fixture
def edge(live_server, tmp_path, settings):
    """Varnish in front of the live server, purged by it; yields Varnish's base URL."""
    with varnish(urlsplit(live_server.url).port, tmp_path / "varnish") as base:
        settings.VARNISH_URLS = [base]
        yield base


def fetch(url, **kwargs):
    response = requests.get(url, timeout=10, **kwargs)
    assert response.status_code == 200, response.text[:300]
    return response


def state(url, **kwargs):
    return fetch(url, **kwargs).headers["X-Varnish-Cache"]


def warm(base, *paths):
    """Fetch each page until Varnish serves it from its cache."""
    for path in paths:
        fetch(base + path)
        assert state(base + path) == "HIT", path


def topic_path(topic):
    return f"/topics/{topic.slug}/"


def editor_token():
    return Token.objects.create(user=factories.make_user(role="editor")).key


def test_anonymous_pages_are_kept_and_signed_in_readers_pass(edge, site):
    url = edge + site["a"].get_absolute_url()
    assert state(url) == "MISS"
    second = fetch(url)
    assert second.headers["X-Varnish-Cache"] == "HIT"
    assert "xkey" not in second.headers  # keys stay between Varnish and the app
    # Tracking cookies are dropped: the same copy.
    assert state(url, cookies={"_ga": "GA1.2.3"}) == "HIT"
    client = Client()
    client.force_login(factories.make_reader(display_name="Rita Reader"))
    session = {"sessionid": client.cookies["sessionid"].value}
    signed_in = fetch(url, cookies=session)
    assert signed_in.headers["X-Varnish-Cache"] == "PASS"
    assert "Sign out" in signed_in.text
    assert "Sign out" not in fetch(url).text
    feed = edge + "/feeds/rss/"
    assert state(feed) == "MISS" and state(feed) == "HIT"


def test_an_api_edit_purges_the_explainer_and_its_lists_only(edge, site):
    a, b = site["a"], site["b"]
    pages = [
        a.get_absolute_url(),
        b.get_absolute_url(),
        "/",
        topic_path(site["politics"]),
        topic_path(site["science"]),
    ]
    warm(edge, *pages)
    response = requests.patch(
        f"{edge}/api/v1/articles/{a.slug}/",
        json={"title": "Alpha, revised"},
        headers={"Authorization": f"Token {editor_token()}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    page = fetch(edge + a.get_absolute_url())
    assert page.headers["X-Varnish-Cache"] == "MISS"
    assert "Alpha, revised" in page.text
    for path in ("/", topic_path(site["politics"])):
        listing = fetch(edge + path)
        assert listing.headers["X-Varnish-Cache"] == "MISS", path
        assert "Alpha, revised" in listing.text
    # The other explainer and its topic were not touched.
    assert state(edge + b.get_absolute_url()) == "HIT"
    assert state(edge + topic_path(site["science"])) == "HIT"


def test_a_comment_purges_only_that_thread(edge, site):
    a, b = site["a"], site["b"]
    warm(edge, a.get_absolute_url(), b.get_absolute_url(), "/")
    client = Client()
    client.force_login(factories.make_reader(display_name="Rita Reader"))
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}
    response = requests.post(
        f"{edge}{a.get_absolute_url()}comments/",
        data={"body": "Clear explainer, thanks.", "csrfmiddlewaretoken": CSRF},
        cookies=cookies,
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:300]
    page = fetch(edge + a.get_absolute_url())
    assert page.headers["X-Varnish-Cache"] == "MISS"
    assert "Clear explainer, thanks." in page.text
    assert state(edge + b.get_absolute_url()) == "HIT"
    assert state(edge + "/") == "HIT"


def test_a_scheduled_explainer_appears_on_time(edge, site):
    publish_at = timezone.now() + datetime.timedelta(seconds=3)
    factories.make_article(
        title="Gamma explainer", publish_at=publish_at, topics=[site["politics"]]
    )
    home = fetch(edge + "/")
    assert "Gamma explainer" not in home.text
    assert state(edge + "/") == "HIT"  # kept, but only until the publish time
    time.sleep(max(0, (publish_at - timezone.now()).total_seconds()) + 0.5)
    home = fetch(edge + "/")
    assert home.headers["X-Varnish-Cache"] == "MISS"
    assert "Gamma explainer" in home.text


def test_a_failed_purge_is_logged_and_retried(edge, site, settings, caplog):
    a = site["a"]
    path = a.get_absolute_url()
    port = urlsplit(edge).port
    proxy = TcpProxy("127.0.0.1", port)  # the app reaches Varnish through this
    settings.VARNISH_URLS = [f"http://127.0.0.1:{proxy.port}"]
    try:
        warm(edge, path)
        proxy.cut()
        with caplog.at_level(logging.WARNING, logger="articles.purge"):
            response = requests.patch(
                f"{edge}/api/v1/articles/{a.slug}/",
                json={"title": "Alpha, while unreachable"},
                headers={"Authorization": f"Token {editor_token()}"},
                timeout=10,
            )
            assert response.status_code == 200
        assert "edge purge failed, retry in 5s" in caplog.text
        assert f"a{a.pk}" in caplog.text
        stale = fetch(edge + path)
        assert stale.headers["X-Varnish-Cache"] == "HIT"
        assert "Alpha, while unreachable" not in stale.text
        # The worker runs the queued retry once Varnish can be reached again.
        retry = DBTaskResult.objects.get(task_path__endswith="edge_purge_retry")
        assert retry.run_after > timezone.now()
        proxy.restore()
        args = retry.args_kwargs["args"]
        assert retry.task.call(*args) == "purged"
        fresh = fetch(edge + path)
        assert fresh.headers["X-Varnish-Cache"] == "MISS"
        assert "Alpha, while unreachable" in fresh.text
    finally:
        proxy.close()


def test_a_purge_names_its_keys(edge):
    # (Purges from outside the VCL's `purgers` ACL: tests/ops/test_varnish_vcl.py.)
    assert requests.request("PURGE", edge + "/", timeout=10).status_code == 400
    answer = requests.request("PURGE", edge + "/", headers={"xkey": "a1"}, timeout=10)
    assert answer.status_code == 200
