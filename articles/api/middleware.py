"""API addresses answer with or without their trailing slash, without a redirect.

Django's APPEND_SLASH answers `POST /api/v1/articles` with a 301, which clients
follow as a GET, so the write is lost. For /api/ addresses this serves the
slashed address directly instead.
"""

from django.urls import Resolver404, resolve


class ApiTrailingSlashMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/api/") and not path.endswith("/"):
            try:
                resolve(path)
            except Resolver404:
                # The slashed address: a real endpoint, or the API's JSON 404.
                request.path_info = f"{path}/"
                request.path = f"{request.path}/"
        return self.get_response(request)
