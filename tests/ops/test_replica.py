"""Read replica routing: reads on the replica, writes and read-after-write on the primary."""

import copy
import json
import textwrap

import pytest
from django.db import connections
from rest_framework.authtoken.models import Token

from tests import factories
from tests.processes import app_env, manage


@pytest.fixture
def replica(transactional_db, settings):
    """A "replica" alias on the test database itself (what TEST MIRROR gives in CI),
    with the router and its middleware on; every query is logged as (alias, sql)."""
    # Made once and then taken out of the settings, so Django's test case treats it
    # as a connection this test opened itself rather than a database it must guard.
    connections.settings["replica"] = copy.deepcopy(connections.settings["default"])
    connections["replica"] = connections.create_connection("replica")
    del connections.settings["replica"]
    settings.DATABASE_ROUTERS = ["newsroom.routers.ReplicaRouter"]
    settings.MIDDLEWARE = [
        "newsroom.middleware.ReplicaRoutingMiddleware",
        *settings.MIDDLEWARE,
    ]
    log = []

    def recorder(alias):
        def record(execute, sql, params, many, context):
            log.append((alias, sql))
            return execute(sql, params, many, context)

        return record

    with (
        connections["default"].execute_wrapper(recorder("default")),
        connections["replica"].execute_wrapper(recorder("replica")),
    ):
        yield log
    connections["replica"].close()
    del connections["replica"]


def test_a_page_is_read_from_the_replica(replica, client):
    article = factories.make_article(title="Read me from the replica", facts=2)
    replica.clear()

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Read me from the replica" in response.content.decode()
    assert {alias for alias, _ in replica} == {"replica"}


def test_reads_after_a_write_in_the_same_request_go_to_the_primary(replica, client):
    article = factories.make_article(title="Before the edit", facts=2)
    token = Token.objects.create(user=factories.make_user(role="editor"))
    replica.clear()

    # The API answers a PATCH with the saved explainer, read back after the write.
    response = client.patch(
        f"/api/v1/articles/{article.slug}/",
        {"title": "After the edit"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    queries = list(replica)

    assert response.status_code == 200
    assert response.json()["title"] == "After the edit"
    aliases = [alias for alias, _ in queries]
    assert aliases[0] == "replica"  # the token, before any write
    first_write = next(
        i
        for i, (_, sql) in enumerate(queries)
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    )
    assert queries[first_write][0] == "default"
    reads_after = [
        alias
        for alias, sql in queries[first_write:]
        if sql.lstrip().startswith("SELECT")
    ]
    assert reads_after and set(reads_after) == {"default"}

    # The next request starts on the replica again.
    replica.clear()
    assert client.get(article.get_absolute_url()).status_code == 200
    assert replica and {alias for alias, _ in replica} == {"replica"}


def test_database_replica_url_adds_the_alias_the_router_and_no_migrations(
    tmp_path,
):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    script = textwrap.dedent(
        """
        import json
        from django.conf import settings
        from django.db import router
        print(json.dumps({
            "aliases": sorted(settings.DATABASES),
            "mirror": settings.DATABASES["replica"]["TEST"]["MIRROR"],
            "routers": settings.DATABASE_ROUTERS,
            "first_middleware": settings.MIDDLEWARE[0],
            "migrate_replica": router.allow_migrate("replica", "articles"),
            "migrate_default": router.allow_migrate("default", "articles"),
        }))
        """
    )
    result = manage(
        "shell",
        "-c",
        script,
        env=app_env(DJANGO_DEBUG="1", DATABASE_URL=url, DATABASE_REPLICA_URL=url),
    )

    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts == {
        "aliases": ["default", "replica"],
        "mirror": "default",
        "routers": ["newsroom.routers.ReplicaRouter"],
        "first_middleware": "newsroom.middleware.ReplicaRoutingMiddleware",
        "migrate_replica": False,
        "migrate_default": True,
    }
