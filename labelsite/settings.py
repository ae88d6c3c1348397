"""labelsite settings: every value comes from the environment (see .env.example).

Defaults are safe for local use: DEBUG on, SQLite in var/, tasks run inline when no broker is
configured. A malformed value fails loudly with ImproperlyConfigured naming the variable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str) -> str:
    value = os.environ.get(name, default).strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"{name}={value!r} must be an http:// or https:// URL.")
    return value


# --- Core ------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - local development only
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "markdownx",
    "catalog",
    "clusters",
    "website",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "labelsite.urls"
WSGI_APPLICATION = "labelsite.wsgi.application"

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://user:pass@host:5432/name); default is SQLite.
# https://github.com/jazzband/dj-database-url#url-schema
DATA_DIR = Path(env_str("LABELSITE_DATA_DIR", str(BASE_DIR / "var")))
_default_db = f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60)}
except Exception as exc:  # dj-database-url raises ValueError or its own error types
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"].startswith(str(DATA_DIR)):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    # A file (not in-memory) test database, so a real Celery worker process can share it.
    # One file per test process, so parallel test runs never share (and destroy) each other's database.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("LABELSITE_TEST_DB", str(Path(tempfile.gettempdir()) / f"labelsite-test-{os.getpid()}.sqlite3"))
    }
    # WAL lets page reads continue while an import or refresh writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
# Page tables and charts are cached; catalog writes bump a version so caches never go stale.
REDIS_CACHE_URL = env_str("REDIS_CACHE_URL", "")
if REDIS_CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth, i18n -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
LOGIN_URL = "/admin/login/"

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
# Charts and scatter plots are written here once and served by the site (and copied by the export).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (production) -------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Preloading HSTS is a commitment for every subdomain that browsers ship and are slow to undo
    # (https://hstspreload.org/#removal): opt in with SECURE_HSTS_PRELOAD=true; until then the
    # deploy check's reminder about it is expected.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Celery -----------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
# Without a broker, tasks run inline in the calling process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True  # tasks are idempotent: a killed worker's task is redelivered
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
REFRESH_SCHEDULE_HOURS = env_int("REFRESH_SCHEDULE_HOURS", 24, minimum=0)
CELERY_BEAT_SCHEDULE = (
    {
        # Refresh the library from Spotify every REFRESH_SCHEDULE_HOURS hours (0 turns it off).
        "refresh-library": {
            "task": "catalog.tasks.refresh_library_scheduled",
            "schedule": REFRESH_SCHEDULE_HOURS * 60 * 60,
        }
    }
    if REFRESH_SCHEDULE_HOURS
    else {}
)

# --- Spotify ----------------------------------------------------------------------------------
SPOTIFY_CLIENT_ID = env_str("SPOTIFY_CLIENT_ID", "")
SPOTIFY_CLIENT_SECRET = env_str("SPOTIFY_CLIENT_SECRET", "")
# Spotify only accepts loopback IP literals or HTTPS redirect URIs (not "localhost").
SPOTIFY_REDIRECT_URI = env_str("SPOTIFY_REDIRECT_URI", "http://127.0.0.1:8000/spotify/callback/")
SPOTIFY_API_URL = env_url("SPOTIFY_API_URL", "https://api.spotify.com/v1")
SPOTIFY_ACCOUNTS_URL = env_url("SPOTIFY_ACCOUNTS_URL", "https://accounts.spotify.com")
SPOTIFY_PUSH_CURATIONS = env_bool("SPOTIFY_PUSH_CURATIONS", False)
# The refresh never sleeps on a 429: a Retry-After up to this many seconds retries the task after
# that delay; a longer one (or QUOTA_EXCEEDED) pauses the refresh until Spotify's resume time.
SPOTIFY_MAX_RETRY_AFTER = env_int("SPOTIFY_MAX_RETRY_AFTER", 60, minimum=0)
# HTTP: seconds to wait for Spotify, and retries with exponential backoff on 5xx and timeouts.
SPOTIFY_REQUESTS_TIMEOUT = env_int("SPOTIFY_REQUESTS_TIMEOUT", 10, minimum=1)
SPOTIFY_RETRIES = env_int("SPOTIFY_RETRIES", 3, minimum=0)
SPOTIFY_BACKOFF_FACTOR = 0.5  # seconds: 0.5, 1, 2 … (urllib3 Retry backoff_factor)
# A 403 on batch lookups or audio features is remembered this long before asking again.
SPOTIFY_CAPABILITY_RECHECK_DAYS = env_int("SPOTIFY_CAPABILITY_RECHECK_DAYS", 30, minimum=1)
# A running refresh with no progress for this long was abandoned (killed worker) and is taken over.
REFRESH_STALE_AFTER_SECONDS = env_int("REFRESH_STALE_AFTER_SECONDS", 600, minimum=10)

# --- Pages (thresholds from the original generator) -------------------------------------------
LABEL_PAGE_MIN_TRACKS = env_int("LABEL_PAGE_MIN_TRACKS", 10, minimum=1)
ARTIST_PAGE_MIN_TRACKS = env_int("ARTIST_PAGE_MIN_TRACKS", 50, minimum=1)
ARTIST_PAGE_MIN_TRACKS_WITH_LIKE = env_int("ARTIST_PAGE_MIN_TRACKS_WITH_LIKE", 10, minimum=1)
ARTIST_PAGE_MIN_LIKED = env_int("ARTIST_PAGE_MIN_LIKED", 5, minimum=1)
CLUSTERS_PAGE_MIN_TRACKS = env_int("CLUSTERS_PAGE_MIN_TRACKS", 10, minimum=2)
SITE_TITLE = env_str("SITE_TITLE", "labelsite")

# --- Markdown descriptions (django-markdownx) --------------------------------------------------
MARKDOWNX_MARKDOWNIFY_FUNCTION = "catalog.markdown.render_description"
MARKDOWNX_MEDIA_PATH = "markdownx/"
# Uploaded images are served from MEDIA_ROOT on the site's own origin: raster formats only (an SVG
# can carry script), and small.
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
