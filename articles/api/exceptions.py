"""One JSON error shape for the whole API: {"error": {"code", "message", "fields"}}."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"


def error_body(code, message, fields=None):
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def flatten_errors(detail, prefix=""):
    """Turn DRF's nested error detail into {"key_facts.1.label": ["..."]}."""
    flat = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = (
                NON_FIELD if key in ("__all__", NON_FIELD) and not prefix else str(key)
            )
            flat.update(flatten_errors(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            if detail:
                flat[prefix or NON_FIELD] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    flat.update(flatten_errors(item, f"{prefix}.{index}"))
    else:
        flat[prefix or NON_FIELD] = [str(detail)]
    return flat


def django_validation_error_detail(exc, rename=None):
    """A Django ValidationError as DRF detail, model field names mapped to API names."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        return {
            rename.get(field, NON_FIELD if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {NON_FIELD: exc.messages}


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than this API accepts."
    default_code = "too_large"


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        exc = TooLarge()
    elif isinstance(exc, DjangoValidationError):
        view = context.get("view")
        rename = getattr(view, "model_field_names", None)
        exc = exceptions.ValidationError(django_validation_error_detail(exc, rename))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        names = ", ".join(sorted(fields))
        response.data = error_body(
            "invalid", f"Some fields are not valid: {names}.", fields
        )
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = getattr(exc, "detail", "")
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(code, str(detail))
    return response


def _api_path(request):
    return request.path.startswith("/api/")


@csrf_exempt  # a POST to an unknown address is a 404, not a CSRF failure
def not_found(request, exception=None):
    """JSON 404 for unknown /api/ addresses (the API's catch-all route)."""
    return JsonResponse(
        error_body("not_found", "Nothing is at this address."), status=404
    )


def page_not_found(request, exception):
    if _api_path(request):
        return not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _api_path(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side."),
            status=500,
        )
    return defaults.server_error(request)
