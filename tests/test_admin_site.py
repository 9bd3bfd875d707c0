"""The admin's name on its pages, and the sign-in page staff reach on their way in."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def test_admin_pages_carry_the_newsroom_name(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()

    assert "<title>The editor&#x27;s desk | Newsroom admin</title>" in html
    assert '<a href="/admin/">Newsroom</a>' in html
    assert "<h1>The editor&#x27;s desk</h1>" in html
    assert "Django administration" not in html


def test_the_way_into_the_admin_greets_staff_and_points_readers_elsewhere(client):
    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0].startswith(f"{LOGIN}?next=")
    html = response.content.decode()
    assert "<h1>Sign in to the newsroom</h1>" in html
    assert "editors and writers" in html
    assert f'<a href="{LOGIN}">sign in on the site</a>' in html
    assert "Create a reader account" not in html
    assert '<input type="hidden" name="next" value="/admin/">' in html


def test_a_failed_staff_sign_in_stays_on_the_staff_page(client, editor):
    response = client.post(
        LOGIN, {"login": editor.username, "password": "wrong", "next": "/admin/"}
    )

    assert response.status_code == 200
    assert "<h1>Sign in to the newsroom</h1>" in response.content.decode()

    response = client.post(
        LOGIN, {"login": editor.username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize("query", ["", "?next=/explainers/why/%23comments"])
def test_readers_keep_their_own_sign_in_page(client, query):
    html = client.get(f"{LOGIN}{query}").content.decode()

    assert "<h1>Sign in</h1>" in html
    assert "Create a reader account" in html
    assert "Sign in to the newsroom" not in html
