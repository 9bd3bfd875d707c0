"""Without Redis, every process on the machine shares one page cache: its entries and
the versions that say whether they are current live in the database's cache table."""

import textwrap
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.processes import app_env, gunicorn, manage

HOST = "127.0.0.1"

# Run by `manage.py shell` in the site's own database: an editor's API token and a
# published explainer.
SEED = textwrap.dedent(
    """
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token
    from articles.models import Article
    editor = get_user_model().objects.create_superuser("editor", "e@example.org", "x")
    Article.objects.create(
        title="The first headline", slug="shared", body="The levee held.",
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timezone.timedelta(minutes=1),
    )
    print(Token.objects.create(user=editor).key)
    """
)
READER = textwrap.dedent(
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    reader = get_user_model().objects.create_user(
        "reader", "reader@example.org", "a long reader password"
    )
    EmailAddress.objects.create(
        user=reader, email=reader.email, primary=True, verified=True
    )
    """
)
COUNT_COMMENTS = "from comments.models import Comment; print(Comment.objects.count())"
COMMENTS = 20


def site_env(tmp_path, static_root):
    """A migrated SQLite site without Redis, with an editor and an explainer; returns
    (environment, the editor's API token)."""
    env = app_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        DJANGO_STATIC_ROOT=static_root,
        REDIS_URL="",
    )
    env.pop("NEWSROOM_PAGE_CACHE", None)  # as deployed: on by default
    # migrate alone makes the cache table (no createcachetable step to remember).
    migrated = manage("migrate", "--noinput", "-v0", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    seeded = manage("shell", "-c", SEED, env=env)
    assert seeded.returncode == 0, seeded.stderr
    return env, seeded.stdout.strip().splitlines()[-1]


def test_two_processes_without_redis_share_the_page_cache(tmp_path, static_root):
    env, token = site_env(tmp_path, static_root)
    page = "/explainers/shared/"

    def read(base):
        # One host name for both, as behind a proxy (entries are kept per host).
        response = requests.get(base + page, headers={"Host": HOST}, timeout=10)
        assert response.status_code == 200, response.text[:300]
        return response

    with (
        gunicorn(env, tmp_path / "a.log") as a,
        gunicorn(env, tmp_path / "b.log") as b,
    ):
        # Rendered by A, served to B from the shared entry.
        assert read(a).headers["X-Cache"] == "miss"
        from_b = read(b)
        assert from_b.headers["X-Cache"] == "hit"
        assert "The first headline" in from_b.text
        assert (
            read(b).headers["X-Cache"] == "hit"
        )  # now from B's own copy, still checked

        for title in ("The corrected headline", "The second correction"):
            edited = requests.patch(
                f"{a}/api/v1/articles/shared/",
                json={"title": title},
                headers={"Authorization": f"Token {token}"},
                timeout=10,
            )
            assert edited.status_code == 200, edited.text[:300]
            # B never saw the write, yet never serves the page from before it.
            seen_by_b = read(b)
            assert seen_by_b.headers["X-Cache"] == "miss"
            assert title in seen_by_b.text
            assert "The first headline" not in seen_by_b.text
            # ... and what B stored serves A.
            again = read(a)
            assert again.headers["X-Cache"] == "hit"
            assert again.text == seen_by_b.text


def sign_in(base) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "login": "reader",
            "password": "a long reader password",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:300]
    return session


def test_page_cache_writes_never_make_a_comment_post_fail(tmp_path, static_root):
    env, _token = site_env(tmp_path, static_root)
    assert manage("shell", "-c", READER, env=env).returncode == 0
    page = "/explainers/shared/"

    with (
        gunicorn(env, tmp_path / "a.log") as a,
        gunicorn(env, tmp_path / "b.log") as b,
    ):
        reader = sign_in(a)

        def post(n):
            response = reader.post(
                f"{a}{page}comments/",
                data={
                    "body": f"Comment number {n} on the levee.",
                    "csrfmiddlewaretoken": reader.cookies["csrftoken"],
                },
                allow_redirects=False,
                timeout=30,
            )
            return response.status_code

        def read(n):
            # A query string not seen before: a page-cache miss that writes an entry.
            response = requests.get(
                f"{b}{page}?reader={n}", headers={"Host": HOST}, timeout=30
            )
            return response.status_code

        # Posts one after another through A while B writes entries all along.
        with ThreadPoolExecutor(6) as pool:
            reads = pool.map(read, range(200))
            posts = [post(n) for n in range(COMMENTS)]
            read_statuses = list(reads)

        assert posts == [302] * COMMENTS
        assert set(read_statuses) == {200}
        counted = manage("shell", "-c", COUNT_COMMENTS, env=env)
        assert counted.stdout.split()[-1] == str(COMMENTS)
        latest = requests.get(b + page, headers={"Host": HOST}, timeout=10).text
        assert f"Comment number {COMMENTS - 1} on the levee." in latest


def test_the_cache_table_is_read_from_the_primary_even_with_a_replica():
    # A lagging replica would hand out old versions, and so pages from before a write.
    from django.core.cache.backends.db import DatabaseCache

    from newsroom.routers import ReplicaRouter

    entry = DatabaseCache("newsroom_cache", {}).cache_model_class
    assert ReplicaRouter().db_for_read(entry) == "default"
