"""The OpenAPI schema shows a request and a response example for every operation,
errors in their envelope, and how to get a key; every example fits its schema."""

import datetime
from urllib.parse import urlsplit

import jsonschema
import pytest

pytestmark = pytest.mark.django_db

METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
# The stable `error.code` each status answers with (docs/api.md, Errors).
ERROR_CODES = {
    "400": {"invalid", "parse_error"},
    "401": {"not_authenticated", "authentication_failed"},
    "403": {"permission_denied"},
    "404": {"not_found"},
    "405": {"method_not_allowed"},
    "406": {"not_acceptable"},
    "410": {"gone"},
    "412": {"precondition_failed"},
    "413": {"too_large"},
    "415": {"unsupported_media_type"},
    "429": {"throttled"},
    "500": {"server_error"},
    "501": {"not_implemented"},
}


# The two formats our schemas use, checked without jsonschema's optional extras.
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    return "T" in value and datetime.datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri")
def is_uri(value):
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def example_values(media):
    return [example["value"] for example in media.get("examples", {}).values()]


def json_schema(node):
    """OpenAPI 3.0's schema dialect as JSON Schema: `nullable` becomes a null branch;
    annotations that are no JSON Schema keywords go."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        key: json_schema(value)
        for key, value in node.items()
        if key not in ("nullable", "example", "readOnly", "writeOnly", "properties")
    }
    if "properties" in node:  # names, not keywords
        converted["properties"] = {
            name: json_schema(value) for name, value in node["properties"].items()
        }
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def validator_for(schema, target):
    document = {**json_schema(target), "components": json_schema(schema["components"])}
    return jsonschema.Draft202012Validator(document, format_checker=FORMATS)


def test_every_request_body_has_a_json_example(schema):
    def body_example(content):
        # A file upload takes multipart only (POST /api/v1/images/): its example.
        if "application/json" not in content and "multipart/form-data" in content:
            return example_values(content["multipart/form-data"])
        return example_values(content.get("application/json", {}))

    missing = [
        name
        for name, operation in operations(schema)
        if "requestBody" in operation
        and not body_example(operation["requestBody"]["content"])
    ]

    assert missing == []


def test_every_response_with_a_body_has_an_example(schema):
    missing = [
        f"{name} {status} {media_type}"
        for name, operation in operations(schema)
        for status, response in operation["responses"].items()
        for media_type, media in response.get("content", {}).items()
        if not example_values(media)
    ]

    assert missing == []


def test_every_path_parameter_of_a_write_has_an_example(schema):
    """With them, the examples of a write name one address: the write-key conformance
    test (tests/api/test_schema_conformance.py) sends them to rows it made."""
    writes = [
        (name, operation)
        for name, operation in operations(schema)
        if not name.startswith(("GET", "HEAD"))
    ]
    assert writes
    for name, operation in writes:
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert "example" in parameter, (name, parameter["name"])


def test_every_error_example_is_the_envelope_with_a_code_for_its_status(schema):
    checked = set()
    for name, operation in operations(schema):
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            for value in example_values(response["content"]["application/json"]):
                assert set(value) == {"error"}, (name, status)
                assert set(value["error"]) == {"code", "message", "fields"}
                assert value["error"]["message"]
                assert value["error"]["code"] in ERROR_CODES[status], (name, status)
                checked.add(status)

    assert {"400", "401", "403", "404", "410", "412", "429"} <= checked


def test_reads_and_writes_get_the_errors_that_fit_them(schema):
    articles = schema["paths"]["/api/v1/articles/"]

    def error(method, status):
        media = articles[method]["responses"][status]["content"]["application/json"]
        return example_values(media)[0]["error"]

    assert error("get", "400")["fields"]  # an unknown query parameter, named
    assert error("post", "400")["fields"]  # the body's bad fields, named
    assert error("get", "401")["code"] == "authentication_failed"  # a bad key
    assert error("post", "401")["code"] == "not_authenticated"


def test_every_example_fits_its_schema(schema):
    checked = set()
    for name, operation in operations(schema):
        bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
        bodies += [
            (status, response.get("content", {}))
            for status, response in operation["responses"].items()
        ]
        for where, content in bodies:
            for media in content.values():
                validator = validator_for(schema, media["schema"])
                for value in example_values(media):
                    errors = [e.message for e in validator.iter_errors(value)]
                    assert errors == [], (name, where, errors)
                    checked.add(name)
        for parameter in operation.get("parameters", []):
            if "example" in parameter:
                validator = validator_for(schema, parameter["schema"])
                validator.validate(parameter["example"])

    # Not vacuous: every operation had examples to check.
    assert checked == {name for name, _operation in operations(schema)}


def test_the_validation_is_not_vacuous(schema):
    article = {"$ref": "#/components/schemas/Article"}
    validator = validator_for(schema, article)
    value = example_values(
        schema["paths"]["/api/v1/articles/{slug}/"]["get"]["responses"]["200"][
            "content"
        ]["application/json"]
    )[0]

    assert validator.is_valid(value)
    assert not validator.is_valid({**value, "comment_count": "two"})
    assert not validator.is_valid({**value, "published_at": "yesterday"})
    assert not validator.is_valid({**value, "url": "/explainers/grid/"})
    assert validator.is_valid({**value, "published_at": None})
    assert not validator.is_valid({**value, "title": None})
    assert not validator.is_valid({k: v for k, v in value.items() if k != "slug"})


def test_the_schema_says_how_to_get_a_key_and_send_it(schema):
    description = schema["info"]["description"]

    assert "Integrations > Integration keys" in description
    assert "Authorization: Bearer <key>" in description
    assert "Authorization: Token <key>" in description
    assert '{"error": {"code"' in description
