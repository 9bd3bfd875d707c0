from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request):
    """Answer 200 when the database answers a query, 503 with the reason otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {
                "status": "unavailable",
                "database": "error",
                "detail": exc.__class__.__name__,
            },
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})
