from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, reverse

# What every page's head, header and footer link to. A reverse() or a static() costs
# tens of microseconds and a page shows about ten, so they are worked out once per
# process and script prefix.
SITE_URLS = {
    "home": "articles:home",
    "search": "articles:search",
    "feed_rss": "articles:feed-rss",
    "feed_atom": "articles:feed-atom",
    "login": "account_login",
    "logout": "account_logout",
    "profile": "account_profile",
    "admin": "admin:index",
}
SITE_ASSETS = {"css": "css/site.css", "js": "js/site.js"}
# Static files named by settings: the default sharing image and the publisher logo.
SITE_IMAGES = {"share_image": "NEWSROOM_SHARE_IMAGE", "logo": "NEWSROOM_LOGO"}


@lru_cache(maxsize=8)
def _site_urls(prefix):
    urls = {}
    for name, route in SITE_URLS.items():
        try:
            urls[name] = reverse(route)
        except NoReverseMatch:
            urls[name] = ""
    for name, path in SITE_ASSETS.items():
        urls[name] = static(path)
    for name, setting in SITE_IMAGES.items():
        urls[name] = static(getattr(settings, setting))
    return urls


def site_url(name):
    """One of the site's addresses above (a path), e.g. "logo" or "home"."""
    return _site_urls(get_script_prefix())[name]


@receiver(setting_changed, dispatch_uid="newsroom-site-urls-reset")
def _forget_site_urls(setting, **kwargs):
    if setting in {
        "ROOT_URLCONF",
        "STATIC_URL",
        "STORAGES",
        "FORCE_SCRIPT_NAME",
        *SITE_IMAGES.values(),
    }:
        _site_urls.cache_clear()


def site(request):
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_urls": _site_urls(get_script_prefix()),
    }
