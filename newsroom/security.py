"""Response headers Django and django-csp do not set on their own."""

from django.conf import settings

# URL namespaces whose pages other sites may frame (the embeddable cards).
FRAMEABLE_NAMESPACES = frozenset({"embed"})


def permissions_policy(features):
    """`camera=(), microphone=()`: each named browser feature off for every origin."""
    return ", ".join(f"{feature}=()" for feature in features)


class SecurityHeadersMiddleware:
    """Add Permissions-Policy; let the embed cards, and only them, be framed anywhere.

    Sits after XFrameOptionsMiddleware and CSPMiddleware in MIDDLEWARE so that it
    handles the view's response before they do.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY_DISABLED)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        match = request.resolver_match
        if match is not None and match.namespace in FRAMEABLE_NAMESPACES:
            response.xframe_options_exempt = True
            response._csp_replace = {"frame-ancestors": ["*"]}
        return response
