"""Newsroom settings: one file, read from the environment with safe local defaults."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "django-insecure-local-development-key-never-deploy"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DEBUG is off. "
            "Set it, or set DJANGO_DEBUG=1 for local development."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Secure by default; DJANGO_HTTPS=1 adds what only makes sense behind TLS (off by
# default so plain http://127.0.0.1 works). The TLS-terminating proxy must set
# X-Forwarded-Proto and strip any copy the client sent.
HTTPS = env_bool("DJANGO_HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp 4). No inline script or style anywhere, so no
# 'unsafe-inline' and no nonces; JSON-LD blocks are data, which CSP does not run.
# Images: 'self' plus any https: origin, because Markdown bodies may show images
# hosted elsewhere (already limited to http/https/mailto URLs by articles/markup.py);
# data: covers the blank favicon and the admin's inline SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Any Permissions-Policy feature named here is switched off for every page.
PERMISSIONS_POLICY_DISABLED = (
    "accelerometer",
    "camera",
    "geolocation",
    "gyroscope",
    "interest-cohort",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "corsheaders",
    "allauth",
    "allauth.account",
    "reversion",
    "reversion_compare",
    "csp",
    "accounts",
    "articles",
    "comments",
    "django_tasks",
    "django_tasks_db",
    "integrations",
    "figures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A lost database answers 503 with a static page instead of 500 (newsroom/middleware.py).
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Anonymous page-cache hits are answered here, before the rest of the stack; the
    # entries it keeps carry the headers the middleware below adds (articles/cache.py).
    # /api/ addresses without their trailing slash are served, not redirected.
    "articles.api.middleware.ApiTrailingSlashMiddleware",
    "articles.cache.PageCacheMiddleware",
    # Surrogate keys and the edge lifetime of public responses (articles/surrogates.py).
    "articles.surrogates.SurrogateKeyMiddleware",
    # Scheduled working copies go live on the first request after their time.
    "articles.publishing.ScheduledChangesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the view's response first: Permissions-Policy, and the framing
    # exception for the /embed/ cards (newsroom/security.py).
    "newsroom.security.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"
ASGI_APPLICATION = "newsroom.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL, or a git-ignored SQLite file in the project.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = int(
        os.environ.get("DATABASE_CONN_MAX_AGE", "60")
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers on one file: write-ahead logging lets readers carry on
    # during a write, IMMEDIATE transactions queue writers instead of failing with
    # "database is locked", and a writer waits up to 20 s for its turn.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Kept open between requests: page-cache hits read the shared cache's table, and
    # opening the file (with its PRAGMAs) would cost more than the read.
    DATABASES["default"]["CONN_MAX_AGE"] = int(
        os.environ.get("DATABASE_CONN_MAX_AGE", "600")
    )

# Optional read replica: reads go there, writes (and a request's reads after its
# first write) to the primary; migrations run on the primary only.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=DATABASES["default"].get("CONN_HEALTH_CHECKS", False),
    )
    # Under test the replica is the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["newsroom.routers.ReplicaRouter"]
    MIDDLEWARE.insert(0, "newsroom.middleware.ReplicaRoutingMiddleware")

# Sessions in the database: every app process shares them, and losing or flushing
# the cache signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Reader accounts (django-allauth): sign in by username or email; email required.
# Verification is optional for signing in, but a comment stays pending until the
# address is verified (comments/services.py).
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
# The publication's public name: page titles, feeds, JSON-LD and e-mail subjects.
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{NEWSROOM_SITE_NAME}] "
ACCOUNT_FORMS = {
    "login": "accounts.forms.ReaderLoginForm",
    "signup": "accounts.forms.ReaderSignupForm",
}
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Five failed sign-ins for one account within five minutes lock it out for a while.
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"

# Comments: limits read by comments/services.py.
COMMENTS_RATE_PER_MINUTE = int(os.environ.get("COMMENTS_RATE_PER_MINUTE", "5"))
COMMENTS_MAX_LENGTH = int(os.environ.get("COMMENTS_MAX_LENGTH", "5000"))
COMMENTS_MIN_LENGTH = 2
COMMENTS_FLAG_THRESHOLD = int(os.environ.get("COMMENTS_FLAG_THRESHOLD", "3"))
COMMENTS_EDIT_MINUTES = 15
COMMENTS_DUPLICATE_SECONDS = 60

# Cache: Django's own Redis backend when REDIS_URL is set, otherwise a table in the
# default database, so every process on the machine shares the page cache's versions
# (docs/operations.md). The table is made by `migrate` (articles/apps.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_TABLE = "newsroom_cache"
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, reusing its client objects (newsroom/cache.py).
            "BACKEND": "newsroom.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            # Each write counts the rows; past MAX_ENTRIES it drops the expired ones,
            # then a third of the rest. About 8 entries per explainer read.
            "OPTIONS": {
                "MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "30000")),
                "CULL_FREQUENCY": 3,
            },
        }
    }

_validators = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_validators}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_validators}.MinimumLengthValidator"},
    {"NAME": f"{_validators}.CommonPasswordValidator"},
    {"NAME": f"{_validators}.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Media (hero images) in S3-compatible object storage when a bucket is named, so
# every app process sees the same files; static files stay with WhiteNoise.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            # Public media: plain URLs a CDN can cache, no expiring signatures.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH"),
            "file_overwrite": False,
            # e.g. "public-read" where the bucket uses object ACLs rather than a
            # public-read bucket policy.
            "default_acl": os.environ.get("AWS_DEFAULT_ACL") or None,
        },
    }

# Email: the console in development, SMTP from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or not os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Newsroom <newsroom@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Static files (paths under static/): the sharing image of a page without a hero
# image (og:image, twitter:image, JSON-LD image), about 1200x630, and the square
# publisher logo in JSON-LD.
NEWSROOM_SHARE_IMAGE = os.environ.get("NEWSROOM_SHARE_IMAGE", "img/share.png")
NEWSROOM_LOGO = os.environ.get("NEWSROOM_LOGO", "img/logo.png")

# Names the deployed code in cache keys (articles/versions.py release()); unset, a digest
# of the project's Python files and templates is used.
NEWSROOM_RELEASE = os.environ.get("NEWSROOM_RELEASE", "")
# Anonymous page cache (articles/cache.py). Its versions live in the shared cache
# (Redis, or the database table above), so it is on by default
# (newsroom/test_settings.py turns it off for the test run).
NEWSROOM_PAGE_CACHE = env_bool("NEWSROOM_PAGE_CACHE", default=True)
# Edge caches in front (articles/surrogates.py, articles/purge.py, docs/performance.md):
# how long they may keep a keyed public response, and where purges go. Each adapter
# is off until its variables are set; the API URLs only change in tests.
SURROGATE_MAX_AGE = int(os.environ.get("SURROGATE_MAX_AGE", "300"))
VARNISH_URLS = env_list("VARNISH_URLS")
# After a purge: fetch the purged explainer pages again through this origin (so the
# first reader gets a hit), and purge once more after this many seconds (0: never).
VARNISH_REWARM_URL = os.environ.get("VARNISH_REWARM_URL", "")
VARNISH_PURGE_AGAIN = float(os.environ.get("VARNISH_PURGE_AGAIN", "0"))
FASTLY_API_TOKEN = os.environ.get("FASTLY_API_TOKEN", "")
FASTLY_SERVICE_ID = os.environ.get("FASTLY_SERVICE_ID", "")
FASTLY_API_URL = os.environ.get("FASTLY_API_URL", "https://api.fastly.com")
CLOUDFLARE_API_TOKEN = os.environ.get("CLOUDFLARE_API_TOKEN", "")
CLOUDFLARE_ZONE_ID = os.environ.get("CLOUDFLARE_ZONE_ID", "")
CLOUDFLARE_API_URL = os.environ.get("CLOUDFLARE_API_URL", "https://api.cloudflare.com")
PURGE_TIMEOUT = float(os.environ.get("PURGE_TIMEOUT", "2"))

# One JSON object per line in production (newsroom/logging.py), plain text in DEBUG;
# DJANGO_LOG_FORMAT=json|plain chooses explicitly.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "newsroom.logging.JsonFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {
        "handlers": ["stdout"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    },
}

REST_FRAMEWORK = {
    # Token first, so an anonymous write is answered 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "articles.api.auth.TokenAuthentication",
        "integrations.auth.BearerKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "articles.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "articles.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "articles.api.throttling.AnonThrottle",
        "articles.api.throttling.UserThrottle",
        "articles.api.throttling.KeyThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "120/min"),
        "user": os.environ.get("API_THROTTLE_USER", "600/min"),
        # Per integration key, whatever its scope (integrations/keys.py).
        "key": os.environ.get("API_THROTTLE_KEY", "1200/min"),
    },
}

# Public reads of the content API from any origin; no cross-origin writes, no cookies.
# (django-cors-headers calls the path setting CORS_URLS_REGEX.)
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = ("accept", "accept-language", "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Retry-After", "Link")
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom content API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Published explainers, topics and authors, and a change feed to keep a copy "
        "in sync; editors write with a token, partners with an integration key.\n\n"
        "Reads need no credentials. To get a key, ask an editor: they create one in "
        "the admin under Integrations > Integration keys > Add, with a scope (read; "
        "read_drafts; or write, acting as a writer or editor they choose), and see "
        "it once, as nrk_<prefix>_<secret>. Send it on every request as "
        "`Authorization: Bearer <key>`. A user token, sent as "
        "`Authorization: Token <key>`, works too.\n\n"
        "Every error has one JSON shape, "
        '`{"error": {"code": ..., "message": ..., "fields": {...}}}`: `code` is '
        "stable and `fields` names each bad input. The OpenAPI document gives each "
        "operation an example of its request and of every answer."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "articles.models.Article.Status",
        "ChangeKindEnum": "articles.models.ChangeEvent.Kind",
        "CorrectionKindEnum": "articles.models.Correction.Kind",
        "WorkingCopyStatusEnum": "articles.models.WorkingCopy.Status",
        "ChartKindEnum": "figures.models.Chart.Kind",
    },
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Request and response examples on every operation (articles/api/examples.py).
        "articles.api.schema.postprocess_schema_examples",
    ],
}

# Background tasks (django-tasks): the queue lives in our database, run by
# `manage.py db_worker` (the Procfile's worker). Webhooks are its first user.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Webhooks (integrations/webhooks.py, docs/webhooks.md). Endpoints on private,
# loopback or link-local addresses are refused unless WEBHOOKS_ALLOW_PRIVATE=1
# (development and tests only). The public site address makes payload URLs.
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000")
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE")
WEBHOOKS_TIMEOUT = float(os.environ.get("WEBHOOKS_TIMEOUT", "10"))
# Seconds before each retry: 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h
# (about a day); after the last the endpoint is disabled.
WEBHOOKS_RETRY_DELAYS = [
    int(seconds)
    for seconds in env_list(
        "WEBHOOKS_RETRY_DELAYS", "30,120,600,1800,3600,7200,14400,28800,28800"
    )
]
# After a signing secret is rotated, deliveries carry a signature made with the
# replaced secret too, for this many hours, so the receiver can switch in its own
# time; 0 drops the replaced secret at once.
WEBHOOK_SECRET_GRACE_HOURS = float(os.environ.get("WEBHOOK_SECRET_GRACE_HOURS", "24"))
