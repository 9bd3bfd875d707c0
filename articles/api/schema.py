"""OpenAPI generation: every operation documents the error shape it can answer with."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


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
                codes |= {"404", "412"}
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
