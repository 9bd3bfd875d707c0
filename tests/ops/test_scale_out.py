"""Two app processes on one PostgreSQL and one Redis behave as one site."""

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from rest_framework.authtoken.models import Token

from comments.models import Comment
from tests import factories
from tests.processes import app_env, database_url, gunicorn, on_postgresql

POSTS_PER_PROCESS = 12


def sign_in(base, username) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "login": username,
            "password": factories.PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def post_comment(base, cookies, url, body) -> int:
    session = requests.Session()
    session.cookies.update(cookies)
    response = session.post(
        f"{base}{url}comments/",
        data={"body": body, "csrfmiddlewaretoken": cookies["csrftoken"]},
        allow_redirects=False,
        timeout=20,
    )
    return response.status_code


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_edits_sign_ins_and_comments(static_root, tmp_path):
    if not (on_postgresql() and os.environ.get("REDIS_URL")):
        pytest.skip("needs PostgreSQL and Redis (runs in the PostgreSQL pass)")
    article = factories.make_article(title="The first headline", facts=1)
    token = Token.objects.create(user=factories.make_user(role="editor"))
    reader = factories.make_reader(username="two-process-reader")
    # The app processes know only the production hashers, not the tests' fast one.
    hasher = PBKDF2PasswordHasher()
    reader.password = hasher.encode(factories.PASSWORD, hasher.salt())
    reader.save(update_fields=["password"])
    env = app_env(DATABASE_URL=database_url(), DJANGO_STATIC_ROOT=static_root)
    page = article.get_absolute_url()

    with (
        gunicorn(env, tmp_path / "a.log") as a,
        gunicorn(env, tmp_path / "b.log") as b,
    ):
        # B has served (and may have cached) the page before A changes it.
        assert "The first headline" in requests.get(b + page, timeout=10).text
        edited = requests.patch(
            f"{a}/api/v1/articles/{article.slug}/",
            json={"title": "The corrected headline"},
            headers={"Authorization": f"Token {token.key}"},
            timeout=10,
        )
        assert edited.status_code == 200, edited.text
        seen_by_b = requests.get(b + page, timeout=10).text
        assert "The corrected headline" in seen_by_b
        assert "The first headline" not in seen_by_b

        # Signed in through A, recognised by B (a page only members may open).
        assert (
            requests.get(f"{b}/accounts/email/", allow_redirects=False).status_code
            == 302
        )
        member = sign_in(a, reader.username)
        assert member.get(
            f"{b}/accounts/email/", allow_redirects=False
        ).status_code == (200)

        # Comments through both at once: every accepted one is kept.
        cookies = member.cookies.get_dict()
        jobs = [
            (base, f"Comment {i} through {name}.")
            for i in range(POSTS_PER_PROCESS)
            for name, base in (("A", a), ("B", b))
        ]
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(
                pool.map(lambda job: post_comment(job[0], cookies, page, job[1]), jobs)
            )

    assert statuses == [302] * len(jobs)
    stored = set(Comment.objects.filter(article=article).values_list("body", flat=True))
    assert stored == {body for _, body in jobs}
