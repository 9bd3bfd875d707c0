"""OpenAPI generation: every operation documents the error shape it can answer with,
and carries examples (articles/api/examples.py)."""

import re

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from . import example_errors, examples


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code.")
    message = serializers.CharField(help_text="A sentence for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages per input field; nested items as "key_facts.1.label".',
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `error.fields` names each bad field.",
    "401": (
        "Missing, invalid or revoked credentials (send `Authorization: Bearer "
        "<integration key>` or `Authorization: Token <user token>`)."
    ),
    "403": "Signed in, but not allowed to do this.",
    "404": "No such resource, or not visible to you.",
    "406": "Only application/json is offered.",
    "410": "It was published and has been withdrawn: remove your copy.",
    "412": "If-Match names a version that is no longer current: read it again.",
    "413": "The request body is too large.",
    "415": "Send the request body as application/json.",
    "429": "Too many requests: see the Retry-After header.",
}


def error_response(code):
    return OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])


class AutoSchema(openapi.AutoSchema):
    def _error_codes(self):
        codes = {"401", "406", "429"}
        if self.method in ("GET", "HEAD"):
            codes |= {"400", "404"}
            if self.path.endswith("/articles/{slug}/"):
                codes.add("410")
        else:
            codes |= {"400", "403", "413", "415"}
            if "{" in self.path:
                codes.add("404")
            if any(
                getattr(parameter, "name", None) == "If-Match"
                for parameter in self.get_override_parameters()
            ):
                codes.add("412")
        return codes

    def get_auth(self):
        auth = super().get_auth()
        if self.method in ("GET", "HEAD") and auth and {} not in auth:
            auth.append({})  # reads need no credentials
        return auth

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in sorted(self._error_codes()):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    error_response(code), code, direction=direction
                )
        return responses


# Examples ----------------------------------------------------------------------

METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
COMPONENT_REF = "#/components/schemas/"
PAGINATED = re.compile(r"Paginated(?P<item>\w+)List")
PATH_PARAMETER = re.compile(r"\{(\w+)\}")


def _component(media):
    ref = media.get("schema", {}).get("$ref", "")
    return ref.removeprefix(COMPONENT_REF) if ref.startswith(COMPONENT_REF) else None


def _response_example(name, status, address):
    """(summary, value) for a `name` body answered with `status`, or None."""
    if paginated := PAGINATED.fullmatch(name or ""):
        item = _response_example(paginated["item"], "200", address)
        if item is None:
            return None
        summary = f"A page of {paginated['item'].lower()}s"
        return summary, examples.page(item[1], address)
    summary, value = examples.RESPONSES_BY_STATUS.get(
        (name, status), examples.RESPONSES.get(name, (None, None))
    )
    if value is None:
        return None
    return summary, value() if callable(value) else value


def _request_example(name):
    name = (name or "").removesuffix("Request")
    return examples.REQUESTS.get(name) or examples.REQUESTS.get(
        name.removeprefix("Patched")
    )


def _resource_examples(paths):
    """The example of what each path's GET answers, by path."""
    found = {}
    for path, operations in paths.items():
        media = (
            operations.get("get", {})
            .get("responses", {})
            .get("200", {})
            .get("content", {})
            .get("application/json")
        )
        example = _response_example(_component(media or {}), "200", path)
        if example is not None:
            found[path] = example[1]
    return found


def _example_parameters(path, operation, resources):
    """Give each path parameter the value the example of its resource has: the
    resource at the address up to that parameter (`{slug}` of
    /articles/{slug}/publish/ is the example explainer's slug)."""
    values = {}
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "path":
            continue
        name = parameter["name"]
        marker = f"{{{name}}}/"
        owner = path[: path.find(marker) + len(marker)] if marker in path else None
        value = resources.get(owner, {}).get(name)
        if value is None:
            continue
        parameter.setdefault("example", value)
        values[name] = parameter["example"]
    return values


def _address(path, values):
    """`path` on the example site, with the example values of its parameters."""
    filled = PATH_PARAMETER.sub(lambda m: str(values.get(m[1], m[0])), path)
    return examples.SITE + filled


def _set_examples(media, summary, value):
    if "example" not in media and "examples" not in media:
        media["examples"] = {"example": {"summary": summary, "value": value}}


def postprocess_schema_examples(result, generator, request, public):
    """Attach a request and a response example to every operation.

    Bodies are matched by the component they refer to (articles/api/examples.py),
    errors by status code, so new operations get examples without a list of paths.
    An example already declared with extend_schema is kept.
    """
    paths = result.get("paths", {})
    resources = _resource_examples(paths)
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            address = _address(path, _example_parameters(path, operation, resources))
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                example = _request_example(_component(media))
                if example is not None:
                    _set_examples(media, *example)
            read = method in ("get", "head")
            for status, response in operation.get("responses", {}).items():
                for media in response.get("content", {}).values():
                    name = _component(media)
                    if name == "Error":
                        example = example_errors.error(status, read=read)
                    else:
                        example = _response_example(name, status, address)
                    if example is not None:
                        _set_examples(media, *example)
    return result
