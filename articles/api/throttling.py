from rest_framework import throttling
from rest_framework.settings import api_settings


class _RatesFromSettings:
    """Read the rate on every request, so settings overrides (tests) take effect.

    DRF copies DEFAULT_THROTTLE_RATES onto the class at import time.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    pass


class UserThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    pass
