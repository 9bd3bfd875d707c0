"""Security headers, the DJANGO_HTTPS switch and the rate-limited admin sign-in."""

import os
import secrets

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_article
from tests.processes import manage

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: https:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def csp_directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


def assert_common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "interest-cohort"):
        assert f"{feature}=()" in policy
    directives = csp_directives(response)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    return directives


@pytest.fixture
def article(db):
    return make_article(title="Why the tide turned", facts=2)


def page_urls(article):
    return [
        "/",
        article.get_absolute_url(),
        "/search/?q=tide",
        reverse("account_login"),
        "/api/v1/articles/",
        f"/api/v1/articles/{article.slug}/",
        reverse("api:docs"),
        "/feeds/rss/",
        "/sitemap.xml",
        "/does-not-exist/",
    ]


def test_pages_api_and_feeds_refuse_framing_and_carry_the_policy(client, article):
    for url in page_urls(article):
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        directives = assert_common_headers(response)
        for name, value in EXPECTED_CSP.items():
            assert directives[name] == value, (url, name)
        assert response["X-Frame-Options"] == "DENY", url


def test_admin_pages_carry_the_same_headers(editor_client, article):
    for url in (
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[article.pk]),
    ):
        response = editor_client.get(url)
        assert response.status_code == 200
        directives = assert_common_headers(response)
        assert directives["frame-ancestors"] == "'none'"
        assert directives["script-src"] == "'self'"
        assert response["X-Frame-Options"] == "DENY"


def test_only_the_embed_card_may_be_framed_by_other_sites(client, article):
    response = client.get(f"/embed/{article.slug}/key-facts/")
    assert response.status_code == 200
    directives = assert_common_headers(response)
    assert directives["frame-ancestors"] == "*"
    assert directives["script-src"] == "'self'"
    assert "X-Frame-Options" not in response

    missing = client.get("/embed/no-such-article/key-facts/")
    assert missing.status_code == 404
    assert "X-Frame-Options" not in missing


def test_plain_http_works_by_default(client, settings, article, editor):
    response = client.get("/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response

    signed_in = client.post(
        reverse("account_login"), {"login": editor.username, "password": PASSWORD}
    )

    # The session cookie comes back over plain HTTP and stays out of scripts' reach.
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert not session["secure"]


def _manage(args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    environment.update(env)
    return manage(*args, env=environment)


PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "news.example.org",
}


@pytest.mark.ops
def test_check_deploy_is_clean_with_https_on():
    result = _manage(["check", "--deploy"], DJANGO_HTTPS="1", **PRODUCTION)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


@pytest.mark.ops
def test_check_deploy_names_the_https_settings_when_it_is_off():
    result = _manage(["check", "--deploy"], **PRODUCTION)
    output = result.stdout + result.stderr
    for check in ("W004", "W008", "W012", "W016"):
        assert f"security.{check}" in output


@pytest.mark.ops
def test_https_switch_sets_hsts_cookies_and_redirect():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_HTTPONLY)"
    )
    result = _manage(["shell", "-c", code], DJANGO_HTTPS="1", **PRODUCTION)
    assert result.stdout.strip().splitlines()[-1].split(None, 6) == [
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https') True",
    ], result.stderr


def test_https_on_redirects_plain_http_and_sends_hsts(client, settings, article):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/"

    proxied = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"].startswith("max-age=31536000")


# Admin sign-in


def test_admin_login_goes_through_the_site_sign_in(client, editor):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    # Posting credentials to the admin's own form does not sign anyone in.
    response = client.post(
        "/admin/login/", {"username": editor.username, "password": PASSWORD}
    )
    assert client.get("/admin/").status_code == 302


def test_editor_signs_in_to_the_admin_normally(client, editor):
    response = client.post(
        reverse("account_login"),
        {"login": editor.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_repeated_failed_sign_ins_lock_out_even_the_right_password(client, editor):
    url = reverse("account_login")
    for _ in range(5):
        response = client.post(url, {"login": editor.username, "password": "wrong"})
        assert response.status_code == 200
        assert not response.wsgi_request.user.is_authenticated

    response = client.post(
        url, {"login": editor.username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_too_many_sign_in_requests_get_the_site_429_page(client, settings, editor):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    url = reverse("account_login")
    statuses = [
        client.post(url, {"login": f"nobody{i}", "password": "x"}).status_code
        for i in range(3)
    ]
    assert statuses == [200, 200, 200]

    response = client.post(url, {"login": editor.username, "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many attempts" in page
    assert 'href="#main"' in page  # in the site's layout, skip link and all
    assert client.get("/admin/").status_code == 302


def test_messages_show_on_any_page(client, editor):
    client.post(
        reverse("account_login"), {"login": editor.username, "password": PASSWORD}
    )
    page = client.get("/").content.decode()
    assert f"Successfully signed in as {editor.username}" in page
    # Shown once, then gone.
    assert "Successfully signed in" not in client.get("/").content.decode()
