"""Rate limits for anonymous submissions on pages (DRF's throttles do the same for the API):
DRF's SimpleRateThrottle, keyed by the client address, counting in the Redis cache. Rates are
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class _PageThrottle(SimpleRateThrottle):
    def __init__(self, scope):
        self.scope = scope
        super().__init__()

    def get_rate(self):
        # read at call time (the class attribute THROTTLE_RATES is frozen at import)
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def anonymous_submission_allowed(request, scope: str) -> bool:
    """Count one submission of ``scope`` from this address; False once the rate is exceeded."""
    return _PageThrottle(scope).allow_request(request, None)
