"""The site's URLs plus the benchmark's floor (bench_settings.py)."""

from django.http import HttpResponse
from django.urls import path

from newsroom.urls import handler404, handler500
from newsroom.urls import urlpatterns as site_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def floor(request):
    """The cost of the stack itself: 3 constant bytes (the same as bare_app.py)."""
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path("bench/floor", floor, name="bench-floor"), *site_urlpatterns]
