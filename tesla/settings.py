"""Settings for the TeSLA server.

Every value that differs between a laptop and a deployment comes from an environment variable;
the defaults are safe for development (embedded SQLite, DEBUG on, a fixed development key so
tokens survive restarts). A deployment sets at least SECRET_KEY, DEBUG=false and ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# The development key is public on purpose: it only protects a local SQLite database. With DEBUG
# off the server refuses to start without a key of its own.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=false the server needs a secret key of its own: "
            "set SECRET_KEY to a long random string (e.g. the output of `openssl rand -hex 32`), "
            "or set DEBUG=true for a development server."
        )
    SECRET_KEY = "django-insecure-development-key-change-me-for-any-real-deployment"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "tesla",
    "institution",
    "vle",
    "reports",
    "vle.content",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tesla.middleware.BodySizeLimitMiddleware",
    "tesla.middleware.DatabaseUnavailableMiddleware",
    # Static files (admin, Swagger UI) from the app itself: from the apps' folders in DEBUG,
    # from STATIC_ROOT after `collectstatic` otherwise.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "tesla.middleware.TolerantPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Real clients POST to paths without the trailing slash; TolerantPathMiddleware serves them
# in place, so Django must never answer with a redirect that would drop the body.
APPEND_SLASH = False

ROOT_URLCONF = "tesla.urls"
WSGI_APPLICATION = "tesla.wsgi.application"
ASGI_APPLICATION = "tesla.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE_URL (PostgreSQL in production and CI); unset or empty means the embedded SQLite.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# One transaction per request: nothing is ever half written.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Timeouts, so that an unreachable server or one slow statement cannot hold every worker:
# connecting gives up after DATABASE_CONNECT_TIMEOUT seconds, a statement after
# DATABASE_STATEMENT_TIMEOUT_MS and a wait for a row lock after DATABASE_LOCK_TIMEOUT_MS
# (0 turns one off). While the database cannot answer, the API answers 503 with Retry-After.
DATABASE_RETRY_AFTER_SECONDS = int(os.environ.get("DATABASE_RETRY_AFTER_SECONDS", "5"))
DATABASE_STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "30000"))
DATABASE_LOCK_TIMEOUT_MS = int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", "10000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options.setdefault("connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")))
    _pg_options["options"] = (
        f"{_pg_options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
        f" -c lock_timeout={DATABASE_LOCK_TIMEOUT_MS}"
    ).strip()

# Shared by every worker (throttles live here): the database cache (its table is created by a
# migration), or Redis when REDIS_URL is set.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tesla_cache",
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "institution.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Request bodies: JSON and form bodies are capped by DATA_UPLOAD_MAX_MEMORY_SIZE (DRF >= 3.17.2
# applies it to JSON too). VLE attachments carry whole submissions as base64, so the cap is the
# attachment limit plus the base64 and JSON overhead.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(ATTACHMENT_MAX_BYTES * 4 / 3) + 1024 * 1024
# Every request body, multipart uploads included, is refused (413) beyond this size before it
# is read (tesla.middleware.BodySizeLimitMiddleware); the docker-compose nginx applies the same.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
IC_DOCUMENT_MAX_BYTES = int(os.environ.get("IC_DOCUMENT_MAX_BYTES", str(5 * 1024 * 1024)))

REST_FRAMEWORK = {
    # JWT for every client; the session lets a user logged in at /admin/ or /api-auth/ use the
    # browsable API. JWT comes first, so a 401 carries `WWW-Authenticate: JWT`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tesla.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # The project's role check reads each view's declarations (tesla.viewsets.TeslaViewSet):
    # a view that declares none is refused, so one that forgets the base class fails closed.
    # Views outside the role model name their permission class themselves.
    "DEFAULT_PERMISSION_CLASSES": ["tesla.permissions.RoleAccess"],
    "DEFAULT_PAGINATION_CLASS": "tesla.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 10,
    "DEFAULT_FILTER_BACKENDS": [
        "tesla.filters.FilterBackend",
        "tesla.filters.SearchFilter",
        "tesla.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # DRF's parsers, plus a 400 for NUL characters and for JSON nested too deeply.
    "DEFAULT_PARSER_CLASSES": [
        "tesla.parsers.JSONParser",
        "tesla.parsers.FormParser",
        "tesla.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "tesla.schema.TeslaAutoSchema",
    "EXCEPTION_HANDLER": "tesla.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
    # Failed attempts at /auth/login and /auth/approle, per account and per client address
    # (tesla.throttling). The client address is REMOTE_ADDR unless NUM_PROXIES trusted proxies
    # put it in X-Forwarded-For (1 behind the docker-compose nginx).
    "DEFAULT_THROTTLE_RATES": {
        "credentials": os.environ.get("CREDENTIALS_THROTTLE_RATE", "10/min")
    },
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "TeSLA server API",
    "DESCRIPTION": "Institution, VLE, provider and authentication API of the TeSLA e-assessment "
    "server.",
    "VERSION": "2.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v2",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"VLETypeEnum": "vle.models.VLE.Type"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tesla.schema.document_error_answers",
    ],
    # Swagger UI's scripts and styles come from this server (drf-spectacular-sidecar), so the
    # docs work offline and never change under a CDN's `@latest`.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Tokens. Access tokens are short; refresh windows depend on who logged in (DESIGN.md).
JWT_SIGNING_KEY = os.environ.get("JWT_SIGNING_KEY") or SECRET_KEY
JWT_ACCESS_MINUTES = int(os.environ.get("JWT_ACCESS_MINUTES", "15"))
JWT_REFRESH_MINUTES = {
    "admin": int(os.environ.get("JWT_REFRESH_MINUTES_ADMIN", "60")),
    "user": int(os.environ.get("JWT_REFRESH_MINUTES_USER", "1440")),
    "module": int(os.environ.get("JWT_REFRESH_MINUTES_MODULE", "120")),
}
SIMPLE_JWT = {
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=JWT_ACCESS_MINUTES),
    "REFRESH_TOKEN_LIFETIME": timedelta(minutes=JWT_REFRESH_MINUTES["user"]),
    "AUTH_HEADER_TYPES": ("JWT", "Bearer"),
    "USER_ID_CLAIM": "pk",
    "TOKEN_TYPE_CLAIM": "token_type",
    "JTI_CLAIM": "jti",
    "LEEWAY": 0,
}

# Key of the keyed hash (HMAC-SHA-256) that stores VLE and provider secrets. Changing it makes
# every issued secret_id invalid (issue new credentials), so it has its own variable.
CREDENTIALS_HMAC_KEY = os.environ.get("CREDENTIALS_HMAC_KEY") or SECRET_KEY

# Where the dashboard lives (launcher URLs point there) and the public base of this API.
DASHBOARD_URL = os.environ.get("DASHBOARD_URL", "http://127.0.0.1:8000").rstrip("/")
PUBLIC_API_URL = os.environ.get("PUBLIC_API_URL", "http://127.0.0.1:8000").rstrip("/")
# Where the browser plugin's static files (web-plugin.js, styles.css) are served from.
WEB_PLUGIN_URL = os.environ.get("WEB_PLUGIN_URL") or f"{DASHBOARD_URL}/web-plugin/"

# Static files: WhiteNoise serves them from the apps' folders while DEBUG is on (no
# collectstatic needed for `make run`), from STATIC_ROOT otherwise.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# CORS, for a dashboard served from another origin than this API: list its origins, e.g.
# CORS_ALLOWED_ORIGINS=https://dashboard.example.org. Nothing is allowed by default. The
# dashboard sends `Authorization: JWT ...` and JSON; the original also allowed `vleid`.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "")
CORS_URLS_REGEX = r"^/(api|lapi)/.*$"
CORS_ALLOW_HEADERS = (*default_headers, "vleid")

# Background work (tesla.celery, tesla.jobs). Without a broker, internal tasks run in-process
# after commit; with one, `celery -A tesla worker` and `celery -A tesla beat` run them.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "tesla")
# A task is acknowledged when it ends, so a worker that dies mid-task leaves it on the broker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up quickly when the broker is down: the outbox row stays and is re-sent.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULE = {
    "jobs-resend": {"task": "tesla.jobs.jobs_resend", "schedule": 30.0},
    # Providers' due notifications -> provider_notify on their queues (as the original did).
    "provider-notifications": {
        "task": "reports.tasks.provider_notifications_send",
        "schedule": 30.0,
    },
}
# Seconds before a published job whose work is still pending is sent again (doubling per
# attempt, capped at JOB_RESEND_MAX_SECONDS).
JOB_RESEND_SECONDS = int(os.environ.get("JOB_RESEND_SECONDS", "300"))
JOB_RESEND_MAX_SECONDS = int(os.environ.get("JOB_RESEND_MAX_SECONDS", "3600"))
# Pull-style providers (GET /provider/{p}/request/?claim=true): seconds after which a claimed
# request that got no answer is handed out again.
PROVIDER_CLAIM_SECONDS = int(os.environ.get("PROVIDER_CLAIM_SECONDS", "600"))

# Signed, expiring links for stored files (tesla.signing): what providers, the PDF viewer and
# other token-less fetchers use.
SIGNED_URL_MAX_AGE = int(os.environ.get("SIGNED_URL_MAX_AGE", "3600"))
# Providers: the largest model file a provider may upload, and the broker address handed to
# providers in their approle answer when they reach it differently from this server (default:
# CELERY_BROKER_URL).
MODEL_UPLOAD_MAX_BYTES = int(os.environ.get("MODEL_UPLOAD_MAX_BYTES", str(100 * 1024 * 1024)))
PROVIDER_BROKER_URL = os.environ.get("PROVIDER_BROKER_URL", "")

# Course Service preview player: how long a preview, once opened, may keep loading its files
# and recording statements (the link itself expires after the `expiry` its caller chose).
COURSE_PREVIEW_SESSION_SECONDS = int(os.environ.get("COURSE_PREVIEW_SESSION_SECONDS", "14400"))
# Where preview links point (e.g. https://preview.tesla.example.org, another name of this
# server), so course content runs on an origin that carries none of the admin site's cookies.
# Empty: the origin the VLE called.
COURSE_PREVIEW_URL = os.environ.get("COURSE_PREVIEW_URL", "").rstrip("/")

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    if not SECURE_SSL_REDIRECT:
        # Turned off only when the proxy in front already redirects plain HTTP to HTTPS
        # (README "Production settings"); the check would warn about the proxy's job.
        SILENCED_SYSTEM_CHECKS = ["security.W008"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Browsers send secure cookies over HTTPS only: a server reached over plain HTTP (a
    # trial on a LAN host name) sets SECURE_COOKIES=false, or the admin login fails its
    # CSRF check.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Course Service (vle.content): limits of imports, fetches and lists. See README "Course Service".
COURSE_UPLOAD_MAX_BYTES = int(os.environ.get("COURSE_UPLOAD_MAX_BYTES", str(500 * 1024 * 1024)))
COURSE_IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("COURSE_IMPORT_MAX_UNCOMPRESSED_BYTES", str(2 * 1024 * 1024 * 1024))
)
COURSE_IMPORT_MAX_ENTRIES = int(os.environ.get("COURSE_IMPORT_MAX_ENTRIES", "20000"))
COURSE_IMPORT_MAX_RATIO = int(os.environ.get("COURSE_IMPORT_MAX_RATIO", "100"))
COURSE_IMPORT_MAX_XML_BYTES = int(os.environ.get("COURSE_IMPORT_MAX_XML_BYTES", "10485760"))
COURSE_ASSET_MAX_BYTES = int(os.environ.get("COURSE_ASSET_MAX_BYTES", str(100 * 1024 * 1024)))
COURSE_FETCH_TIMEOUT_SECONDS = int(os.environ.get("COURSE_FETCH_TIMEOUT_SECONDS", "60"))
COURSE_FETCH_MAX_REDIRECTS = int(os.environ.get("COURSE_FETCH_MAX_REDIRECTS", "5"))
# Comma-separated CIDRs that fetch imports, asset imports and postbacks may reach although
# they are private, loopback or link-local (empty: none).
COURSE_FETCH_ALLOWED_NETWORKS = [
    cidr.strip()
    for cidr in os.environ.get("COURSE_FETCH_ALLOWED_NETWORKS", "").split(",")
    if cidr.strip()
]
COURSE_IMPORT_JOB_KEEP_DAYS = int(os.environ.get("COURSE_IMPORT_JOB_KEEP_DAYS", "7"))
COURSE_LIST_PAGE_SIZE = int(os.environ.get("COURSE_LIST_PAGE_SIZE", "100"))
COURSE_STATEMENT_PAGE_SIZE = int(os.environ.get("COURSE_STATEMENT_PAGE_SIZE", "100"))
COURSE_TOKEN_MAX_SECONDS = int(os.environ.get("COURSE_TOKEN_MAX_SECONDS", str(24 * 3600)))
CELERY_BEAT_SCHEDULE["content-import-jobs-purge"] = {
    "task": "content.import_jobs_purge",
    "schedule": 3600.0,
}
