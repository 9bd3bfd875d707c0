import logging
import sys
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles.api.exceptions import server_error as content_server_error

from .middleware import is_database_outage, unavailable_response

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("healthz: database check failed: %s", exc.__class__.__name__)
        return False
    return True


def _cache_ok() -> bool:
    key = "healthz:probe"
    token = uuid.uuid4().hex
    try:
        cache.set(key, token, timeout=30)
        return cache.get(key) == token
    except Exception as exc:  # Any backend error means the cache is unusable.
        logger.warning("healthz: cache check failed: %s", exc.__class__.__name__)
        return False


@require_safe
@never_cache
def healthz(request):
    """200 when the database answers a query and the cache keeps a key, 503 otherwise."""
    checks = {
        "database": "ok" if _database_ok() else "error",
        "cache": "ok" if _cache_ok() else "error",
    }
    failed = sorted(name for name, state in checks.items() if state != "ok")
    if failed:
        body = {"status": "unavailable", **checks, "failed": failed}
        return JsonResponse(body, status=503)
    return JsonResponse({"status": "ok", **checks})


def server_error(request):
    """handler500: a database outage is a 503 with Retry-After, anything else a 500."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_outage(exc):
        return unavailable_response(request)
    return content_server_error(request)
