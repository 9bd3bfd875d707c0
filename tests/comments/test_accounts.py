import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.forms import ReaderSignupForm
from comments.models import Comment
from tests import factories
from tests.helpers import region

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"
PASSWORD = "a-long-reader-passphrase-42"


def signup_data(**overrides):
    data = {
        "display_name": "Grace Reader",
        "email": "grace@example.org",
        "username": "grace",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def confirmation_path():
    body = mail.outbox[-1].body
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", body).group(1)


def test_reader_signs_up_verifies_signs_in_comments_replies_edits_and_deletes(
    client,
):
    article = factories.make_article(title="A tale of two budgets")
    comments_url = f"{article.get_absolute_url()}#comments"
    login_link = region(client.get(article.get_absolute_url()))
    assert "Sign in to leave a comment" in login_link

    page = client.get(f"{SIGNUP}?next={article.get_absolute_url()}%23comments")
    assert page.status_code == 200
    assert 'name="display_name"' in page.content.decode()
    response = client.post(
        SIGNUP, {**signup_data(), "next": comments_url}, follow=False
    )
    assert response.status_code == 302
    assert response["Location"] == comments_url
    user = get_user_model().objects.get(username="grace")
    assert user.display_name == "Grace Reader"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["grace@example.org"]

    # Before verifying, a comment is held.
    client.post(
        reverse("comments:post", kwargs={"slug": article.slug}),
        {"body": "Posted before verifying"},
    )
    held = Comment.objects.get()
    assert held.status == Comment.Status.PENDING
    assert "Pending review" in region(client.get(article.get_absolute_url()))

    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session

    confirm = confirmation_path()
    assert "Verify this address" in client.get(confirm).content.decode()
    client.post(confirm)
    held.refresh_from_db()
    assert held.status == Comment.Status.PUBLISHED  # released on verification

    response = client.post(
        LOGIN,
        {"login": "grace@example.org", "password": PASSWORD, "next": comments_url},
    )
    assert response["Location"] == comments_url

    response = client.post(
        reverse("comments:post", kwargs={"slug": article.slug}),
        {"body": "Now I am verified"},
    )
    comment = Comment.objects.get(body="Now I am verified")
    assert comment.status == Comment.Status.PUBLISHED
    assert response["Location"].endswith(f"#comment-{comment.pk}")

    client.post(
        reverse("comments:post", kwargs={"slug": article.slug}),
        {"body": "And a reply", "parent": comment.pk},
    )
    reply = Comment.objects.get(body="And a reply")
    assert reply.parent == comment

    client.post(reverse("comments:edit", args=[reply.pk]), {"body": "An edited reply"})
    client.post(reverse("comments:delete", args=[comment.pk]))
    client.post("/accounts/logout/")
    page = region(client.get(article.get_absolute_url()))
    assert "Grace Reader" in page
    assert "grace@example.org" not in page
    assert "This comment was deleted." in page
    assert "An edited reply" in page
    assert "Posted before verifying" in page


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Al", "at least 3 characters"),
        ("x" * 51, "Use at most 50 characters for your display name"),
        ("<b>Bold</b>", "Use only letters, digits, spaces"),
        ("taken name", "That display name is taken"),
    ],
)
def test_display_name_rules_give_clear_errors(client, name, message):
    factories.make_user(display_name="Taken Name")
    response = client.post(SIGNUP, signup_data(display_name=name))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username="grace").exists()


def test_a_display_name_taken_during_signup_is_a_form_error(client, monkeypatch):
    # Another reader claims the name between the form's check and the insert: the
    # check is made to pass as it would have a moment earlier.
    factories.make_user(display_name="Grace Reader")
    monkeypatch.setattr(
        ReaderSignupForm,
        "clean_display_name",
        lambda form: form.cleaned_data["display_name"],
    )

    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 200
    assert "That display name is taken" in response.content.decode()
    assert not get_user_model().objects.filter(username="grace").exists()
    assert not EmailAddress.objects.filter(email="grace@example.org").exists()
    assert mail.outbox == []


def test_a_username_taken_during_signup_is_a_form_error(client, monkeypatch):
    factories.make_user(username="grace", email="first@example.org")
    monkeypatch.setattr(
        ReaderSignupForm, "clean_username", lambda form: form.cleaned_data["username"]
    )

    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 200
    assert "A user with that username already exists" in response.content.decode()
    assert get_user_model().objects.filter(username="grace").count() == 1
    assert not EmailAddress.objects.filter(email="grace@example.org").exists()


def test_signup_requires_an_email_address(client):
    response = client.post(SIGNUP, signup_data(email=""))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_sign_in_by_username_works_too(client):
    factories.make_user(username="sam")
    response = client.post(
        LOGIN, {"login": "sam", "password": factories.PASSWORD}, follow=False
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_sign_out_needs_a_post(client, reader):
    client.force_login(reader)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert "_auth_user_id" in client.session
    assert 'method="post"' in page.content.decode()
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_failed_sign_ins_are_rate_limited(client):
    factories.make_user(username="target")
    for _ in range(5):
        client.post(LOGIN, {"login": "target", "password": "wrong-guess"})
    response = client.post(LOGIN, {"login": "target", "password": factories.PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signups_are_rate_limited_per_address(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    for n in range(2):
        client.post(
            SIGNUP,
            signup_data(
                username=f"bulk{n}",
                email=f"bulk{n}@example.org",
                display_name=f"Bulk {n}",
            ),
        )
        client.post("/accounts/logout/")
    response = client.post(
        SIGNUP,
        signup_data(username="bulk9", email="bulk9@example.org", display_name="Bulk 9"),
    )
    assert response.status_code == 429
    assert not get_user_model().objects.filter(username="bulk9").exists()


def test_account_pages_use_the_site_layout(client):
    for url in (LOGIN, SIGNUP, "/accounts/password/reset/"):
        html = client.get(url).content.decode()
        assert 'href="#main"' in html, url  # the layout's skip link
        assert "<style" not in html and "style=" not in html, url


def test_password_reset_sends_a_link(client, reader):
    client.post("/accounts/password/reset/", {"email": reader.email})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_signed_in_account_pages_use_the_site_layout(client, reader):
    client.force_login(reader)
    for url in ("/accounts/password/change/", "/accounts/email/", "/accounts/logout/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'href="#main"' in html, url  # the layout's skip link
        assert "<style" not in html and "style=" not in html, url
