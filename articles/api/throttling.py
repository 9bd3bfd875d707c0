from rest_framework import throttling
from rest_framework.settings import api_settings

from integrations.models import IntegrationKey


class _RatesFromSettings:
    """Read the rate on every request, so settings overrides (tests) take effect.

    DRF copies DEFAULT_THROTTLE_RATES onto the class at import time.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


def _keyed(request) -> bool:
    return isinstance(request.auth, IntegrationKey)


class AnonThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    def get_cache_key(self, request, view):
        return None if _keyed(request) else super().get_cache_key(request, view)


class UserThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    def get_cache_key(self, request, view):
        return None if _keyed(request) else super().get_cache_key(request, view)


class KeyThrottle(_RatesFromSettings, throttling.SimpleRateThrottle):
    """Requests with an integration key count against the key, whoever it acts as."""

    scope = "key"

    def get_cache_key(self, request, view):
        if not _keyed(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
