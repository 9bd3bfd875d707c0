"""The benchmark's bare Django floor: one URL answering constant bytes, settings made
here, no middleware, no apps, no database. scripts/bench.py serves it with the same
gunicorn.conf.py as the site, to show what the site's own stack costs.

    gunicorn -c gunicorn.conf.py scripts.loadlib.bare_app:application
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bare-floor-not-a-secret"),
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={},
    USE_TZ=True,
)


def floor(request):
    # The same bytes as the site's /bench/floor (bench_urls.py).
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path("bench/floor", floor)]

application = get_wsgi_application()
