"""`Authorization: Bearer <key>` for the content API, with integration keys."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .keys import key_find, key_touch


class BearerKeyAuthentication(authentication.BaseAuthentication):
    """A read key reads as anonymous (request.auth carries the key, for its rate limit
    and, with read_drafts, unpublished explainers); a write key is its acting user."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the key as `Authorization: Bearer <key>`."
            )
        try:
            full = parts[1].decode("ascii")
        except UnicodeDecodeError:
            full = ""
        key = key_find(full)
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked key.")
        if key.scope != key.Scope.WRITE:
            user = AnonymousUser()
        elif key.acting_user.is_active:
            user = key.acting_user
        else:
            raise exceptions.AuthenticationFailed(
                "This key's acting user is deactivated."
            )
        key_touch(key)
        return user, key

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class BearerKeyScheme(OpenApiAuthenticationExtension):
    target_class = BearerKeyAuthentication
    name = "BearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "nrk_<prefix>_<secret>",
            "description": (
                "An integration key, sent as `Authorization: Bearer nrk_…`. An editor "
                "creates one per partner in the admin (Integrations → Integration "
                "keys) and it is shown once. Scopes: `read` (published content, a "
                "higher rate limit than anonymous), `read_drafts` (unpublished "
                "explainers too) and `write` (the rights of the key's acting user)."
            ),
        }
