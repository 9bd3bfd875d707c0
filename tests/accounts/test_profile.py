"""The reader's profile page: changing the public display name."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.forms import ProfileForm
from tests.factories import make_article, make_reader, make_user
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def name_in_db(user):
    user.refresh_from_db()
    return user.display_name


def name_input(html):
    return re.search(r'<input[^>]*name="display_name"[^>]*>', html).group(0)


@pytest.fixture
def reader():
    return make_reader(display_name="Ada Reader")


def test_the_profile_address_is_named_account_profile():
    assert reverse("account_profile") == PROFILE


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(method, reader):
    data = {"display_name": "Hijacked"} if method == "post" else None
    response = getattr(Client(), method)(PROFILE, data)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PROFILE}"
    assert name_in_db(reader) == "Ada Reader"


def test_the_form_is_prefilled_with_the_current_name_and_labelled(reader):
    response = signed_in(reader).get(PROFILE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Your profile</h1>" in html
    field = name_input(html)
    assert 'value="Ada Reader"' in field
    assert 'id="id_display_name"' in field
    assert '<label for="id_display_name">Display name' in html
    assert 'aria-describedby="id_display_name_helptext"' in field
    assert 'id="id_display_name_helptext"' in html
    assert "csrfmiddlewaretoken" in html


def test_a_new_name_shows_beside_old_comments_on_the_cached_page_at_once(
    reader, settings
):
    settings.NEWSROOM_PAGE_CACHE = True
    article = make_article(title="Why the tide turned")
    client = signed_in(reader)
    client.post(
        reverse("comments:post", kwargs={"slug": article.slug}),
        {"body": "Moons pull on oceans."},
    )
    url = article.get_absolute_url()
    before = Client().get(url)
    assert b"Moons pull on oceans." in before.content
    assert b"Ada Reader" in before.content
    assert Client().get(url)["X-Cache"] == "hit"

    response = client.post(PROFILE, {"display_name": "Ada Renamed"})

    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert name_in_db(reader) == "Ada Renamed"
    after = Client().get(url)
    assert b"Ada Renamed" in after.content
    assert b"Ada Reader" not in after.content
    assert b"Ada Renamed" in Client().get(f"{url}?comments=newest").content


def test_after_saving_the_page_confirms_and_shows_the_new_name(reader):
    client = signed_in(reader)

    page = client.post(PROFILE, {"display_name": "  Ada   Spaced  "}, follow=True)

    assert page.redirect_chain == [(PROFILE, 302)]
    html = page.content.decode()
    assert "Your display name is now Ada Spaced." in html
    assert 'value="Ada Spaced"' in name_input(html)
    assert name_in_db(reader) == "Ada Spaced"
    # The message is shown once, not on the next visit.
    assert "Your display name is now" not in client.get(PROFILE).content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("Al", "Use at least 3 characters for your display name."),
        ("x" * 51, "Use at most 50 characters for your display name."),
        ("<b>Bold</b>", "Use only letters, digits, spaces, full stops, hyphens"),
        ("Ada/Reader", "Use only letters, digits, spaces, full stops, hyphens"),
    ],
)
def test_an_invalid_name_is_explained_beside_the_field_and_not_saved(
    reader, name, message
):
    response = signed_in(reader).post(PROFILE, {"display_name": name})

    assert response.status_code == 200
    html = response.content.decode()
    errors = re.search(
        r'<ul class="errorlist" id="id_display_name_error">.*?</ul>', html
    )
    assert errors and message in errors.group(0)
    field = name_input(html)
    assert 'aria-invalid="true"' in field
    assert "id_display_name_error" in re.search(r'aria-describedby="([^"]*)"', field)[1]
    assert "<b>Bold</b>" not in html
    assert "Your display name is now" not in html
    assert name_in_db(reader) == "Ada Reader"


def test_a_name_someone_else_has_in_another_case_is_refused(reader):
    make_reader(display_name="Ben Other")

    response = signed_in(reader).post(PROFILE, {"display_name": "bEN oTHER"})

    assert response.status_code == 200
    assert "That display name is taken. Please choose another." in (
        response.content.decode()
    )
    assert name_in_db(reader) == "Ada Reader"


@pytest.mark.parametrize("name", ["Ada Reader", "ADA reader"])
def test_keeping_your_own_name_or_changing_only_its_case_is_allowed(reader, name):
    make_reader(display_name="Ben Other")

    response = signed_in(reader).post(PROFILE, {"display_name": name})

    assert response.status_code == 302
    assert name_in_db(reader) == name


def test_a_name_claimed_by_someone_else_while_saving_is_refused_not_a_crash(
    reader, monkeypatch
):
    checked = ProfileForm.clean_display_name

    def rival_claims_it_right_after_the_check(form):
        name = checked(form)
        make_user(display_name=name.upper())
        return name

    monkeypatch.setattr(
        ProfileForm, "clean_display_name", rival_claims_it_right_after_the_check
    )

    response = signed_in(reader).post(PROFILE, {"display_name": "Cleo New"})

    assert response.status_code == 200
    assert "That display name is taken." in response.content.decode()
    assert name_in_db(reader) == "Ada Reader"


def test_a_post_without_the_csrf_token_is_refused(reader):
    client = signed_in(reader, enforce_csrf_checks=True)

    refused = client.post(PROFILE, {"display_name": "Forged Name"})

    assert refused.status_code == 403
    assert name_in_db(reader) == "Ada Reader"
    # The same browser with the form's token gets through.
    page = client.get(PROFILE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    accepted = client.post(
        PROFILE, {"display_name": "Real Name", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert name_in_db(reader) == "Real Name"


def test_the_header_links_to_the_profile_only_when_signed_in(reader, settings):
    settings.NEWSROOM_PAGE_CACHE = True
    home = reverse("articles:home")
    link = f'<a href="{PROFILE}">Profile</a>'

    assert link not in Client().get(home).content.decode()
    assert link in signed_in(reader).get(home).content.decode()
    assert link not in Client().get(home).content.decode()  # nor from the cache
    assert link in signed_in(reader).get(PROFILE).content.decode()
