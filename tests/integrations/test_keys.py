"""Integration keys: made in the admin and shown once, sent as `Bearer`, scoped,
rate-limited per key, revocable."""

import datetime
import hashlib
import re

import pytest
import yaml
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Article, WorkingCopy
from integrations.keys import key_create
from integrations.models import IntegrationKey
from tests import factories

pytestmark = pytest.mark.django_db

ADMIN = "/admin/integrations/integrationkey/"
KEY = re.compile(r"nrk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def bearer(full_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {full_key}")
    return client


def detail(article, suffix=""):
    return f"/api/v1/articles/{article.slug}/{suffix}"


@pytest.fixture
def make_key(editor):
    """make_key(scope, acting_user=None) -> (key, full key)."""

    def make(scope="read", acting_user=None, name="Partner"):
        return key_create(
            name=name, scope=scope, acting_user=acting_user, created_by=editor
        )

    return make


@pytest.fixture
def article(db):
    return factories.make_article(title="Why the river flooded", facts=2)


@pytest.fixture
def draft(db):
    return factories.make_article(title="Secret draft about rivers", status="draft")


@pytest.fixture
def rates(settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {"anon": "2/min", "user": "2/min", "key": "4/min"}
    settings.REST_FRAMEWORK = rest
    cache.clear()


# The admin ---------------------------------------------------------------------


def test_the_admin_shows_a_new_key_once_and_stores_only_its_hash(editor_client, editor):
    response = editor_client.post(
        f"{ADMIN}add/", {"name": "Daily Planet", "scope": "read"}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    full = KEY.search(response.content.decode())[0]
    key = IntegrationKey.objects.get()
    assert (key.name, key.scope, key.created_by) == ("Daily Planet", "read", editor)
    assert full.startswith(f"nrk_{key.prefix}_")
    assert key.key_hash == hashlib.sha256(full.encode()).hexdigest()
    secret = full.split("_", 2)[2]
    stored = IntegrationKey.objects.values().get()
    assert not any(secret in str(value) for value in stored.values())
    # Never again: neither the list nor the key's own page shows it.
    for url in [ADMIN, f"{ADMIN}{key.pk}/change/"]:
        page = editor_client.get(url)
        assert page.status_code == 200
        assert key.prefix in page.content.decode()
        assert secret not in page.content.decode()
    assert bearer(full).get("/api/v1/articles/").status_code == 200


def test_only_editors_reach_the_key_admin(client, reader, writer, editor):
    assert client.get(ADMIN).status_code == 302  # to the sign-in page
    client.force_login(reader)
    assert client.get(ADMIN).status_code == 302
    client.force_login(writer)
    assert client.get(ADMIN).status_code == 403
    assert client.post(f"{ADMIN}add/", {"name": "X", "scope": "read"}).status_code == (
        403
    )
    client.force_login(editor)
    assert client.get(ADMIN).status_code == 200
    assert not IntegrationKey.objects.exists()


def test_a_write_key_needs_a_staff_acting_user(editor_client, reader, make_key):
    response = editor_client.post(f"{ADMIN}add/", {"name": "X", "scope": "write"})
    assert response.status_code == 200
    assert "A write key needs an acting user." in response.content.decode()
    response = editor_client.post(
        f"{ADMIN}add/", {"name": "X", "scope": "write", "acting_user": reader.pk}
    )
    assert "acting_user" in response.context["adminform"].form.errors
    assert not IntegrationKey.objects.exists()
    with pytest.raises(ValidationError, match="active staff"):
        make_key("write", acting_user=reader)
    with pytest.raises(ValidationError, match="Only write keys"):
        make_key("read", acting_user=reader)


def test_the_revoke_action_makes_the_key_401(editor_client, make_key, article):
    key, full = make_key()
    assert bearer(full).get(detail(article)).status_code == 200

    response = editor_client.post(
        ADMIN, {"action": "revoke", "_selected_action": [key.pk]}, follow=True
    )

    assert "Revoked 1 key" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    refused = bearer(full).get(detail(article))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"


# Authentication ----------------------------------------------------------------


@pytest.mark.parametrize(
    "sent",
    [
        "nrk_00000000_" + "A" * 43,  # well formed, unknown
        "nrk_short",
        "Token-looking-but-not",
    ],
)
def test_unknown_keys_are_401_in_the_error_envelope(sent, make_key, article):
    make_key()
    response = bearer(sent).get("/api/v1/articles/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_key_with_the_right_prefix_and_wrong_secret_is_401(make_key, article):
    _, full = make_key()
    wrong = full[:-1] + ("B" if full[-1] != "B" else "C")

    assert bearer(wrong).get(detail(article)).status_code == 401


def test_a_read_key_reads_published_content_but_not_drafts_and_cannot_write(
    make_key, article, draft
):
    _, full = make_key("read")
    client = bearer(full)

    listing = client.get("/api/v1/articles/")
    assert listing.status_code == 200
    assert [item["slug"] for item in listing.json()["results"]] == [article.slug]
    assert listing["Cache-Control"] == "private, no-cache"
    assert client.get(detail(draft)).status_code == 404
    assert client.get(detail(draft) + "?status=draft").status_code == 404
    response = client.patch(detail(article), {"dek": "Nope"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_read_drafts_key_sees_a_draft_that_anonymous_gets_404_for(make_key, draft):
    _, full = make_key("read_drafts")
    client = bearer(full)

    assert APIClient().get(detail(draft)).status_code == 404
    response = client.get(detail(draft))
    assert response.status_code == 200
    assert response.json()["title"] == "Secret draft about rivers"
    assert response["Cache-Control"] == "private, no-cache"
    # Read only: no writes, no publishing.
    assert client.patch(detail(draft), {"dek": "x"}, format="json").status_code == 403
    assert client.post(detail(draft, "publish/")).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_an_editor_write_key_acts_as_the_editor_and_can_publish(
    make_key, editor, draft
):
    _, full = make_key("write", acting_user=editor)

    response = bearer(full).post(detail(draft, "publish/"))

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"
    assert APIClient().get(detail(draft)).status_code == 200


def test_a_writer_write_key_change_to_a_live_explainer_waits_for_review(
    make_key, writer, article
):
    _, full = make_key("write", acting_user=writer)
    client = bearer(full)

    response = client.patch(detail(article), {"dek": "A partner's dek."}, format="json")

    assert response.status_code == 202, response.json()
    assert response.json()["working_copy"]["status"] == "review"
    assert APIClient().get(detail(article)).json()["dek"] != "A partner's dek."
    assert WorkingCopy.objects.get(article=article).status == "review"
    assert client.post(detail(article, "publish/")).status_code == 403


def test_a_write_key_of_a_deactivated_user_is_401(make_key, writer, article):
    _, full = make_key("write", acting_user=writer)
    writer.is_active = False
    writer.save()

    assert bearer(full).get(detail(article)).status_code == 401


def test_user_tokens_still_work_beside_keys(editor, make_key, draft):
    make_key()
    token = Token.objects.create(user=editor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get(detail(draft)).status_code == 200
    response = client.patch(detail(draft), {"dek": "By token."}, format="json")
    assert response.status_code == 200
    assert response.json()["dek"] == "By token."


def test_last_used_is_recorded_at_most_once_a_minute(make_key, article):
    key, full = make_key()
    assert key.last_used_at is None

    bearer(full).get(detail(article))
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None and timezone.now() - first < datetime.timedelta(seconds=5)

    recent = timezone.now() - datetime.timedelta(seconds=30)
    IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=recent)
    bearer(full).get(detail(article))
    key.refresh_from_db()
    assert key.last_used_at == recent

    stale = timezone.now() - datetime.timedelta(minutes=2)
    IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=stale)
    bearer(full).get(detail(article))
    key.refresh_from_db()
    assert key.last_used_at > recent


# Rate limits ----------------------------------------------------------------------


def test_a_key_has_its_own_rate_above_anonymous(make_key, rates, article):
    _, full = make_key()
    _, other = make_key(name="Other partner")
    anonymous = [APIClient().get("/api/v1/topics/").status_code for _ in range(3)]
    keyed = [bearer(full).get("/api/v1/topics/").status_code for _ in range(5)]

    assert anonymous == [200, 200, 429]
    assert keyed == [200] * 4 + [429]
    refused = bearer(full).get("/api/v1/topics/")
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    # Counted per key: another partner is not held back.
    assert bearer(other).get("/api/v1/topics/").status_code == 200


def test_a_write_key_counts_against_the_key_not_its_user(
    make_key, rates, writer, article
):
    _, full = make_key("write", acting_user=writer)

    codes = [bearer(full).get("/api/v1/topics/").status_code for _ in range(5)]

    assert codes == [200] * 4 + [429]


# Docs ------------------------------------------------------------------------------


def test_the_schema_documents_bearer_keys():
    schema = yaml.safe_load(APIClient().get("/api/schema/").content)

    scheme = schema["components"]["securitySchemes"]["BearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "admin" in scheme["description"]
    create = schema["paths"]["/api/v1/articles/"]["post"]
    assert {"BearerAuth": []} in create["security"]
    page = APIClient().get("/api/docs/").content.decode()
    assert "Authorization: Bearer nrk_" in page
