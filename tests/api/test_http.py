"""HTTP behaviour around the API: caching, CORS, throttling, errors, schema and docs."""

import re

import pytest
import yaml
from django.core.cache import cache

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"


def test_list_and_detail_answer_304_to_a_matching_etag(api, article):
    for url in [LIST, f"{LIST}{article.slug}/", "/api/v1/topics/"]:
        first = api.get(url)
        assert first.status_code == 200
        etag = first["ETag"]

        again = api.get(url, HTTP_IF_NONE_MATCH=etag)

        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == etag


def test_etag_changes_when_the_article_changes(api, editor_api_client, article):
    etag = api.get(f"{LIST}{article.slug}/")["ETag"]

    editor_api_client.patch(f"{LIST}{article.slug}/", {"dek": "Changed"}, format="json")

    response = api.get(f"{LIST}{article.slug}/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["dek"] == "Changed"
    assert response["ETag"] != etag


def test_last_modified_answers_if_modified_since(api, article):
    first = api.get(f"{LIST}{article.slug}/")
    last_modified = first["Last-Modified"]

    assert (
        api.get(
            f"{LIST}{article.slug}/", HTTP_IF_MODIFIED_SINCE=last_modified
        ).status_code
        == 304
    )
    assert (
        api.get(
            f"{LIST}{article.slug}/",
            HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT",
        ).status_code
        == 200
    )


def test_cache_control_is_public_for_anonymous_and_private_for_signed_in(
    api, api_as, reader, article
):
    assert api.get(LIST)["Cache-Control"] == "public, max-age=60"
    private = api_as(reader).get(LIST)["Cache-Control"]
    assert private.startswith("private")
    assert "Authorization" in api.get(LIST)["Vary"]


def test_cors_allows_reads_from_any_origin(api, article):
    response = api.get(LIST, HTTP_ORIGIN="https://other.example")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_cors_preflight_does_not_allow_writes(api):
    response = api.options(
        LIST,
        HTTP_ORIGIN="https://other.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )

    allowed = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}
    allowed_headers = response["Access-Control-Allow-Headers"].lower()
    assert "authorization" not in allowed_headers
    assert "content-type" not in allowed_headers


def test_cors_does_not_reach_pages_outside_the_api(client, article):
    response = client.get("/healthz", HTTP_ORIGIN="https://other.example")

    assert "Access-Control-Allow-Origin" not in response


@pytest.fixture
def low_rates(settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {"anon": "3/min", "user": "5/min"}
    settings.REST_FRAMEWORK = rest
    cache.clear()


def test_anonymous_callers_are_throttled_with_retry_after(api, low_rates):
    codes = [api.get("/api/v1/topics/").status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
    response = api.get("/api/v1/topics/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"


def test_signed_in_callers_have_their_own_higher_rate(api_as, reader, low_rates):
    client = api_as(reader)

    codes = [client.get("/api/v1/topics/").status_code for _ in range(6)]

    assert codes == [200] * 5 + [429]


def test_unknown_api_address_is_a_json_404(api):
    for url in ["/api/v2/things/", "/api/v1/nothing-here/", "/api/whatever"]:
        response = api.get(url, follow=True)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_is_405_in_the_error_shape(api):
    response = api.post("/api/v1/topics/", {}, format="json")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_server_errors_under_api_are_json(rf):
    from articles.api.exceptions import server_error

    response = server_error(rf.get("/api/v1/articles/"))

    assert response.status_code == 500
    assert b'"server_error"' in response.content


def test_schema_describes_every_endpoint(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/articles/",
        "/api/v1/articles/{slug}/",
        "/api/v1/topics/",
        "/api/v1/topics/{slug}/",
        "/api/v1/authors/",
        "/api/v1/authors/{slug}/",
        "/api/oembed/",
    } <= set(schema["paths"])
    article = schema["components"]["schemas"]["Article"]
    assert article["properties"]["published_at"]["nullable"] is True
    assert article["properties"]["url"]["format"] == "uri"
    listing = schema["paths"]["/api/v1/articles/"]["get"]
    assert {"400", "404", "429"} <= set(listing["responses"])
    names = {p["name"] for p in listing["parameters"]}
    assert {"q", "topic", "author", "published_after", "ordering", "page_size"} <= names


def test_docs_page_lists_endpoints_without_outside_assets(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/articles/{slug}/" in html
    assert "List published explainers" in html
    # Nothing is loaded from another site: every asset is this site's.
    assets = re.findall(r'<(?:script|link|img)\b[^>]*(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith(("/", "data:")) for url in assets), assets
    # Bodies to copy: a request, its answer, and the error envelope.
    assert "Request body" in html and "Response 201" in html
    assert "&quot;slug&quot;: &quot;how-the-power-grid-keeps-time&quot;" in html
    assert "&quot;error&quot;: {" in html
