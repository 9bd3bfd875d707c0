import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from reversion.models import Version

from articles.models import FAQ, Article, KeyFact
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"


def detail(slug):
    return f"/api/v1/articles/{slug}/"


def test_editor_creates_an_article_with_everything_in_one_request(
    editor_api_client, topic, author
):
    response = editor_api_client.post(
        LIST,
        {
            "title": "How tides work",
            "dek": "The moon, mostly.",
            "body": "## Tides\n\nThe <script>alert(1)</script> moon pulls.",
            "status": "published",
            "authors": [author.slug],
            "topics": [topic.slug],
            "source": {"url": "https://example.org/tides", "title": "Tide tables"},
            "key_facts": [
                {"label": "Cause", "text": "The moon."},
                {"label": "Period", "text": "About 12 hours."},
            ],
            "quick_answers": [{"question": "Twice a day?", "answer": "Yes."}],
            "faqs": [{"question": "Why?", "answer": "*Gravity*."}],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert response["Location"] == f"http://testserver/api/v1/articles/{data['slug']}/"
    assert data["slug"] == "how-tides-work"
    assert data["status"] == "published" and data["published_at"]
    assert "<script>" not in data["body_html"]
    assert [f["label"] for f in data["key_facts"]] == ["Cause", "Period"]
    assert all(f["anchor"] for f in data["key_facts"])
    assert data["faqs"][0]["answer_html"] == "<p><em>Gravity</em>.</p>"
    assert data["authors"][0]["slug"] == author.slug
    assert data["source"]["publisher"] == ""
    article = Article.objects.get(slug="how-tides-work")
    assert Version.objects.get_for_object(article).count() == 1
    assert api_readable(article.slug)


def api_readable(slug):
    return APIClient().get(detail(slug)).status_code == 200


def test_nested_lists_are_replaced_keeping_ids_and_anchors(editor_api_client, article):
    before = editor_api_client.get(detail(article.slug)).json()["key_facts"]
    first, second, third = before

    response = editor_api_client.patch(
        detail(article.slug),
        {
            "key_facts": [
                {"id": third["id"], "label": "Fact 2 renamed", "text": "New text."},
                {"label": "Brand new", "text": "Added."},
                {"id": first["id"], "label": first["label"], "text": first["text"]},
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    after = response.json()["key_facts"]
    assert [f["label"] for f in after] == ["Fact 2 renamed", "Brand new", "Fact 0"]
    assert after[0]["id"] == third["id"] and after[0]["anchor"] == third["anchor"]
    assert after[2]["id"] == first["id"] and after[2]["anchor"] == first["anchor"]
    assert not KeyFact.objects.filter(pk=second["id"]).exists()
    positions = list(
        KeyFact.objects.filter(article=article).values_list("label", "position")
    )
    assert positions == [("Fact 2 renamed", 0), ("Brand new", 1), ("Fact 0", 2)]
    # Lists that were not sent are untouched.
    assert len(response.json()["faqs"]) == 2


def test_sending_an_empty_list_clears_it(editor_api_client, article):
    response = editor_api_client.patch(
        detail(article.slug), {"faqs": [], "quick_answers": []}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["faqs"] == [] and response.json()["quick_answers"] == []
    assert len(response.json()["key_facts"]) == 3


def test_an_id_from_another_article_is_refused(editor_api_client, article):
    other = factories.make_article(facts=1)
    foreign = other.key_facts.get().pk

    response = editor_api_client.patch(
        detail(article.slug),
        {"key_facts": [{"id": foreign, "label": "x", "text": "y"}]},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["key_facts.0.id"]
    assert other.key_facts.get().label == "Fact 0"


def test_validation_errors_name_every_bad_field(editor_api_client):
    response = editor_api_client.post(
        LIST,
        {
            "title": "",
            "status": "nonsense",
            "published_at": "not a date",
            "authors": ["nobody-by-this-name"],
            "topics": ["no-topic", "nor-this"],
            "key_facts": [{"label": "ok", "text": "ok"}, {"label": "x" * 200}],
            "source": {"url": "ftp://example.org"},
        },
        format="json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {
        "title",
        "status",
        "published_at",
        "authors",
        "topics",
        "key_facts.1.label",
        "key_facts.1.text",
        "source.url",
    }
    assert "nobody-by-this-name" in error["fields"]["authors"][0]
    assert "no-topic" in error["fields"]["topics"][0]
    assert "nor-this" in error["fields"]["topics"][0]
    assert not Article.objects.exists()


def test_publishing_without_a_body_is_a_400_from_the_model(editor_api_client):
    response = editor_api_client.post(
        LIST, {"title": "Empty", "status": "published"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["body"]


def test_malformed_json_is_400_in_the_error_shape(editor_api_client):
    response = editor_api_client.generic(
        "POST", LIST, '{"title": "unfinished', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_form_encoded_body_is_415(editor_api_client):
    response = editor_api_client.post(LIST, {"title": "Form"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_put_is_not_offered_and_changes_nothing(editor_api_client, article):
    response = editor_api_client.put(
        detail(article.slug), {"title": "Renamed"}, format="json"
    )

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "PATCH" in response["Allow"] and "PUT" not in response["Allow"]
    article.refresh_from_db()
    assert article.title != "Renamed"


def test_writes_record_revisions_and_stamp_updated_at(editor_api_client, article):
    before = article.updated_at

    editor_api_client.patch(detail(article.slug), {"dek": "New dek"}, format="json")

    article.refresh_from_db()
    assert article.updated_at > before
    version = Version.objects.get_for_object(article).first()
    assert version.revision.comment == "Changed through the API."


def test_delete_keeps_a_recoverable_revision(editor_api_client, article):
    response = editor_api_client.delete(detail(article.slug))

    assert response.status_code == 204
    assert not Article.objects.filter(pk=article.pk).exists()
    assert Version.objects.get_deleted(Article).count() == 1


def test_writer_cannot_move_a_published_article_in_time(api_as, writer, article):
    response = api_as(writer).patch(
        detail(article.slug), {"published_at": "2099-01-01T00:00:00Z"}, format="json"
    )

    assert response.status_code == 403
    assert "permission" in response.json()["error"]["message"]


ROLES = ["anonymous", "reader", "writer", "editor"]
EXPECTED = {
    # action: status per role, in ROLES order
    "read": [200, 200, 200, 200],
    "create": [401, 403, 201, 201],
    # A writer's change to a published explainer waits for review (202).
    "update": [401, 403, 202, 200],
    "publish": [401, 403, 403, 200],
    "unpublish": [401, 403, 403, 200],
    "delete": [401, 403, 403, 204],
}


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(api_as, role, action):
    user = (
        None
        if role == "anonymous"
        else factories.make_user(role=None if role == "reader" else role)
    )
    client = api_as(user)
    published = factories.make_article(title="Published one")
    draft = factories.make_article(title="Draft one", status="draft")

    if action == "read":
        response = client.get(detail(published.slug))
    elif action == "create":
        response = client.post(LIST, {"title": "New"}, format="json")
    elif action == "update":
        response = client.patch(detail(published.slug), {"dek": "x"}, format="json")
    elif action == "publish":
        response = client.patch(
            detail(draft.slug), {"status": "published"}, format="json"
        )
    elif action == "unpublish":
        response = client.patch(
            detail(published.slug), {"status": "draft"}, format="json"
        )
    else:
        response = client.delete(detail(published.slug))

    expected = EXPECTED[action][ROLES.index(role)]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
        published.refresh_from_db()
        draft.refresh_from_db()
        assert (published.status, draft.status) == ("published", "draft")


def test_token_from_the_management_command_authenticates(editor):
    call_command("drf_create_token", editor.username)
    key = Token.objects.get(user=editor).key
    client = APIClient()

    response = client.post(
        LIST,
        {"title": "By token"},
        format="json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )

    assert response.status_code == 201
    bad = client.post(
        LIST, {"title": "x"}, format="json", HTTP_AUTHORIZATION="Token " + "0" * 40
    )
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "authentication_failed"


def test_session_writes_need_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    refused = client.post(LIST, {"title": "No CSRF"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]

    token = "a" * 32  # any well-formed secret, sent as cookie and header alike
    client.cookies["csrftoken"] = token
    accepted = client.post(
        LIST,
        {"title": "With CSRF"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 201


LONG_QUESTION = (
    "What is the primary concern regarding US dependency on foreign AI models?"
)


def test_an_anchor_made_from_a_long_question_ends_between_words(
    editor_api_client, article
):
    kept = article.faqs.first()
    # An anchor made before anchors were cut between words: it must not change.
    old_anchor = "faq-what-is-the-primary-concern-regarding-us-dependency-on-forei"
    FAQ.objects.filter(pk=kept.pk).update(anchor=old_anchor)

    response = editor_api_client.patch(
        detail(article.slug),
        {
            "faqs": [
                {"id": kept.pk, "question": kept.question, "answer": kept.answer},
                {"question": LONG_QUESTION, "answer": "Supply."},
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert [faq["anchor"] for faq in response.json()["faqs"]] == [
        old_anchor,
        "faq-what-is-the-primary-concern-regarding-us-dependency-on",
    ]
