"""Losing the database: a friendly 503 with Retry-After, and recovery without restart."""

import pytest
import requests
from django.db import DatabaseError, OperationalError, connections
from django.test import RequestFactory

from newsroom.views import server_error
from tests import factories
from tests.processes import (
    TcpProxy,
    app_env,
    database_url,
    gunicorn,
    on_postgresql,
    pg_address,
)

FRIENDLY = "We will be back in a moment"


def _database_down(*args, **kwargs):
    raise OperationalError("connection to server failed: Connection refused")


@pytest.fixture
def database_down(monkeypatch):
    """Every read of explainers fails as if the server had gone."""
    monkeypatch.setattr("articles.models.ArticleQuerySet.published", _database_down)


def test_a_page_answers_503_with_the_friendly_page_when_the_database_is_down(
    client, db, database_down
):
    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert FRIENDLY in html
    assert "css/site.css" in html
    assert "Traceback" not in html and "OperationalError" not in html


def test_the_api_answers_503_in_its_json_error_shape_when_the_database_is_down(
    client, db, database_down
):
    response = client.get("/api/v1/articles/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "unavailable"


def test_an_outage_outside_a_view_gets_the_same_503_from_handler500(db):
    request = RequestFactory().get("/explainers/anything/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)

    assert response.status_code == 503
    assert FRIENDLY in response.content.decode()


def _bare_database_error(*args, **kwargs):
    raise DatabaseError("server closed the connection")


def test_a_bare_database_error_on_a_dead_connection_is_an_outage(
    client, db, monkeypatch
):
    monkeypatch.setattr(
        "articles.models.ArticleQuerySet.published", _bare_database_error
    )
    monkeypatch.setattr(type(connections["default"]), "is_usable", lambda self: False)

    response = client.get("/")

    assert response.status_code == 503


def test_a_database_error_on_a_working_connection_stays_a_500(client, db, monkeypatch):
    monkeypatch.setattr(
        "articles.models.ArticleQuerySet.published", _bare_database_error
    )
    client.raise_request_exception = False

    response = client.get("/")

    assert response.status_code == 500
    assert FRIENDLY not in response.content.decode()


def test_other_errors_are_still_500(db):
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)

    assert response.status_code == 500


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_503_while_postgresql_is_unreachable_and_recovers(
    static_root, tmp_path
):
    if not on_postgresql():
        pytest.skip("needs PostgreSQL (runs in the PostgreSQL pass)")
    article = factories.make_article(title="Why the river flooded", facts=2)
    # Read only while the database is away, so no page cache can answer for it.
    unseen = factories.make_article(title="What the levee was for", faqs=1)
    proxy = TcpProxy(*pg_address())
    env = app_env(
        DATABASE_URL=database_url(port=proxy.port),
        DATABASE_CONN_MAX_AGE=60,
        DJANGO_STATIC_ROOT=static_root,
    )
    page = article.get_absolute_url()
    try:
        with gunicorn(env, tmp_path / "gunicorn.log") as base:
            assert requests.get(base + page, timeout=10).status_code == 200
            assert requests.get(base + "/healthz", timeout=10).json() == {
                "status": "ok",
                "database": "ok",
                "cache": "ok",
            }

            proxy.cut()

            down = requests.get(base + unseen.get_absolute_url(), timeout=10)
            assert down.status_code == 503
            assert down.headers["Retry-After"] == "30"
            assert FRIENDLY in down.text
            health = requests.get(base + "/healthz", timeout=10)
            assert health.status_code == 503
            assert health.json()["database"] == "error"
            assert health.json()["failed"] == ["database"]
            api = requests.get(base + "/api/v1/articles/?page=2", timeout=10)
            assert api.status_code == 503
            assert api.json()["error"]["code"] == "unavailable"
            # The stylesheet the page links to is still served (WhiteNoise, no DB).
            css = down.text.split('href="')[1].split('"')[0]
            assert requests.get(base + css, timeout=10).status_code == 200

            proxy.restore()

            back = requests.get(base + unseen.get_absolute_url(), timeout=10)
            assert back.status_code == 200
            assert "What the levee was for" in back.text
            assert requests.get(base + "/healthz", timeout=10).status_code == 200
    finally:
        proxy.close()


def test_healthz_names_the_cache_when_it_cannot_keep_a_key(client, db, monkeypatch):
    def refused(*args, **kwargs):
        raise ConnectionError("Connection refused")

    monkeypatch.setattr("newsroom.views.cache.set", refused)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "cache": "error",
        "failed": ["cache"],
    }


def test_healthz_is_ok_when_database_and_cache_answer(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]
