from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from articles import surrogates
from articles.cache import cache_anonymous
from articles.sitemaps import sitemaps

from . import views

# The admin signs people in through allauth's login, whose failed-attempt limits
# (ACCOUNT_RATE_LIMITS, kept in the shared cache) Django's own admin login lacks;
# that page greets staff on their way here (accounts.views.SignInView).
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Newsroom")
admin.site.site_title = _("Newsroom admin")
admin.site.index_title = _("The editor's desk")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(
        "sitemap.xml",
        surrogates.keyed(cache_anonymous(sitemap), surrogates.LISTS),
        {"sitemaps": sitemaps},
        name="sitemap",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/", include("articles.api.urls")),
    path("embed/", include("articles.api.embed_urls")),
    path("", include("comments.urls")),
    path("", include("articles.urls")),
]

# JSON for /api/ addresses, Django's default page (templates/500.html) elsewhere; a
# lost database is a 503 with Retry-After instead (newsroom/views.py).
handler500 = "newsroom.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
handler404 = "articles.api.exceptions.page_not_found"
