"""An API that never silently ignores: unknown parameters and fields, wrong types."""

import pytest

from tests.factories import png_bytes

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"


def detail(article):
    return f"/api/v1/articles/{article.slug}/"


def test_unknown_query_parameters_are_400_naming_them(api, article):
    response = api.get(LIST, {"updated_sinse": "2030-01-01T00:00:00Z", "topic": "x"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["updated_sinse"]
    assert api.get(detail(article), {"colour": "red"}).status_code == 400
    assert api.get("/api/v1/topics/", {"sort": "name"}).status_code == 400
    # Known ones still work, on lists and details alike.
    assert api.get(LIST, {"topic": "climate", "page_size": 5}).status_code == 200
    assert api.get(detail(article), {"format": "json"}).status_code == 200


def test_every_read_endpoint_refuses_a_parameter_it_does_not_know(api, article):
    page = f"http://testserver/explainers/{article.slug}/"
    endpoints = {
        "/api/v1/": {},
        "/api/v1/changes/": {"after": 0, "limit": 5},
        "/api/oembed/": {"url": page, "maxwidth": 480},
        f"/api/v1/articles/{article.slug}/comments/": {"page": 1},
        f"/api/v1/articles/id/{article.pk}/": {"fields": "id"},
        "/api/v1/authors/": {"ordering": "name"},
    }
    for address, known in endpoints.items():
        assert api.get(address, known).status_code == 200, address
        response = api.get(address, {**known, "colour": "red"})
        assert response.status_code == 400, address
        assert list(response.json()["error"]["fields"]) == ["colour"], address
    # The comment list pages by number: a cursor is not one of its parameters.
    comments = f"/api/v1/articles/{article.slug}/comments/"
    assert api.get(comments, {"cursor": "abc"}).status_code == 400


def test_unknown_body_fields_are_400_and_nothing_changes(editor_api_client, article):
    for body, field in (
        ({"title": "New", "foo": 1}, "foo"),
        ({"source": {"url": "https://example.org", "colour": "red"}}, "source.colour"),
        (
            {"key_facts": [{"label": "A", "text": "B", "weight": 2}]},
            "key_facts.0.weight",
        ),
        ({"corrections": [{"note": "x", "colour": 1}]}, "corrections.0.colour"),
    ):
        response = editor_api_client.patch(detail(article), body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["error"]["fields"], response.json()
    article.refresh_from_db()
    assert article.title == "Why the river flooded"


def test_text_sent_as_another_json_type_is_400(editor_api_client, article):
    for body, field in (
        ({"title": 123}, "title"),
        ({"dek": ["a"]}, "dek"),
        ({"key_facts": [{"label": 1, "text": "B"}]}, "key_facts.0.label"),
    ):
        response = editor_api_client.patch(detail(article), body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["error"]["fields"]


def test_anchors_are_writable(editor_api_client, article):
    fact = article.key_facts.first()
    response = editor_api_client.patch(
        detail(article),
        {
            "key_facts": [
                {
                    "id": fact.pk,
                    "label": "Cost",
                    "text": "Kept.",
                    "anchor": "fact-cost",
                },
                {"label": "New", "text": "Added.", "anchor": "fact-new-one"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    anchors = [item["anchor"] for item in response.json()["key_facts"]]
    assert anchors == ["fact-cost", "fact-new-one"]


def test_write_responses_carry_the_etag_a_read_would(editor_api_client, article):
    response = editor_api_client.patch(detail(article), {"dek": "One."}, format="json")
    etag = response["ETag"]
    assert etag == editor_api_client.get(detail(article))["ETag"]
    # Chained without a read in between.
    response = editor_api_client.patch(
        detail(article), {"dek": "Two."}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200
    created = editor_api_client.post(LIST, {"title": "Fresh"}, format="json")
    assert created.status_code == 201 and created["ETag"].startswith('"')


def test_the_v1_index_lists_every_resource(api):
    response = api.get("/api/v1/")
    assert response.status_code == 200
    resources = response.json()["resources"]
    assert resources["articles"]["url"] == "http://testserver/api/v1/articles/"
    assert resources["changes"]["url"] == "http://testserver/api/v1/changes/"
    for resource in resources.values():
        assert api.get(
            resource["url"].removeprefix("http://testserver")
        ).status_code in {
            200,
            400,  # oEmbed without its url parameter
        }


def test_fields_selects_what_is_sent(api, article):
    response = api.get(LIST, {"fields": "id,slug,title"})
    assert response.status_code == 200
    assert set(response.json()["results"][0]) == {"id", "slug", "title"}
    one = api.get(detail(article), {"fields": "title,updated_at"}).json()
    assert set(one) == {"title", "updated_at"}
    bad = api.get(LIST, {"fields": "id,colour"})
    assert bad.status_code == 400 and "fields" in bad.json()["error"]["fields"]


def test_addresses_without_the_trailing_slash_answer_without_a_redirect(
    api, editor_api_client, article
):
    assert api.get("/api/v1/articles").status_code == 200
    assert api.get(f"/api/v1/articles/{article.slug}").json()["id"] == article.pk
    response = editor_api_client.post(
        "/api/v1/articles", {"title": "Posted without a slash"}, format="json"
    )
    assert response.status_code == 201
    missing = api.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_a_body_over_the_limit_is_a_json_413(editor_api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = editor_api_client.post(
        LIST, {"title": "Big", "body": "x" * 5000}, format="json"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_the_api_carries_what_the_page_shows(api, editor_api_client, article):
    response = editor_api_client.patch(
        detail(article),
        {
            "seo": {"title": "Floods, explained", "description": "Why rivers rise."},
            "comments_mode": "premoderated",
            "hero_image": {"alt": "A flooded street", "credit": "River Agency"},
            "corrections": [{"kind": "correction", "note": "We misdated the flood."}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = api.get(detail(article)).json()
    assert data["seo"] == {
        "title": "Floods, explained",
        "description": "Why rivers rise.",
    }
    assert data["comments_mode"] == "premoderated"
    assert data["created_at"]
    assert data["hero_image"] is None  # words only: the picture is chosen in the admin
    notes = [c["note"] for c in data["corrections"]]
    assert "We misdated the flood." in notes
    # The factory's correction is kept: a live explainer's record only grows.
    assert len(notes) == 2
    correction = data["corrections"][-1]
    assert correction["anchor"] == f"correction-{correction['id']}"
    page = api.get(f"/explainers/{article.slug}/").content.decode()
    assert f'id="{correction["anchor"]}"' in page


def test_the_hero_image_comes_with_its_size(api, article, media):
    from django.core.files.base import ContentFile

    image = png_bytes(size=(64, 36), colour="navy")
    article.hero_image.save("harbour.png", ContentFile(image), save=False)
    article.hero_alt = "A harbour"
    article.save()
    from articles.services import article_changed

    article_changed(article)
    hero = api.get(detail(article)).json()["hero_image"]
    assert hero["width"] == 64 and hero["height"] == 36
    assert hero["url"].startswith("http://testserver/") and hero["alt"] == "A harbour"


def test_a_model_error_on_a_nested_field_is_named_as_the_api_names_it(
    editor_api_client, article, media
):
    from django.core.files.base import ContentFile

    article.hero_image.save("harbour.png", ContentFile(b"not read here"), save=False)
    article.hero_alt = "A harbour"
    article.save()

    response = editor_api_client.patch(
        detail(article), {"hero_image": {"alt": " "}}, format="json"
    )

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["hero_image.alt"]
    assert "Describe the hero image" in fields["hero_image.alt"][0]
