"""Request plumbing for running in production: database outages and replica routing."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader

from articles.api.exceptions import error_body

from . import routers

logger = logging.getLogger("newsroom.availability")

RETRY_AFTER_SECONDS = 30


def is_database_outage(exc) -> bool:
    """True for errors that mean "the database is unreachable", not "this query is wrong"."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if not isinstance(exc, DatabaseError):
        return False
    # Some drivers report a dropped connection as a bare DatabaseError; count it as
    # an outage only when a connection has really gone.
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.is_usable():
            return True
    return False


def unavailable_response(request):
    """503 with Retry-After: JSON for the API, templates/503.html (no queries) elsewhere."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            error_body(
                "unavailable",
                "The service is briefly unavailable. Please retry shortly.",
            ),
            status=503,
        )
    else:
        # Rendered without the request, so no context processor touches the database.
        html = loader.get_template("503.html").render()
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 instead of 500 while the database cannot be reached.

    Errors raised by other middleware bypass `process_exception`; the root
    `handler500` (newsroom.views.server_error) gives them the same answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_outage(exception):
            return None
        logger.warning(
            "Database unavailable: %s",
            exception.__class__.__name__,
            extra={"request": request, "status_code": 503},
        )
        return unavailable_response(request)


class ReplicaRoutingMiddleware:
    """Start every request reading from the replica (see newsroom/routers.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        routers.reset()
        try:
            return self.get_response(request)
        finally:
            routers.reset()
