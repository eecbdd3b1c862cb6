"""ipps settings, read from the environment (see docs/configuration.md)."""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


TESTING = "pytest" in sys.modules or os.environ.get("IPPS_TESTING") == "1"

DATA_DIR = Path(os.environ.get("IPPS_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("IPPS_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("IPPS_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("IPPS_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("IPPS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves Swagger UI from its bundled static files instead of a CDN
    "huey.contrib.djhuey",
    "ipps.core",
    "ipps.accounts",
    "ipps.network",
    "ipps.enterprises",
    "ipps.ledger",
    "ipps.casework",
    "ipps.reporting",
    "ipps.assessment",
    "ipps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "ipps.urls"
WSGI_APPLICATION = "ipps.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ipps.core.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite under the data dir unless DATABASE_URL names another.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'ipps.sqlite3'}",
        # Persistent connections: opening one per request costs more than most requests, and on
        # SQLite closing the last connection checkpoints the WAL.
        conn_max_age=int(os.environ.get("IPPS_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with a queue for writers: see ipps/core/sqlite/base.py.
    DATABASES["default"]["ENGINE"] = "ipps.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA cache_size=-65536;"
            # Checkpoints run after commit, outside the writers' queue (ipps/core/sqlite/base.py);
            # SQLite's automatic one only past 16 MB of log.
            "PRAGMA wal_autocheckpoint=4000;"
        ),
    }

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "ipps.accounts.passwords.CharacterClassValidator"},
    {"NAME": "ipps.accounts.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["ipps.accounts.backends.LockoutBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

IPPS_LOCKOUT_THRESHOLD = int(os.environ.get("IPPS_LOCKOUT_THRESHOLD", "5"))
IPPS_LOCKOUT_MINUTES = int(os.environ.get("IPPS_LOCKOUT_MINUTES", "15"))
# Idle timeout: the session cookie is renewed on every request and expires after this many minutes.
SESSION_COOKIE_AGE = int(os.environ.get("IPPS_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("IPPS_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("IPPS_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [("bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IPPS_IMPORT_MAX_BYTES = int(os.environ.get("IPPS_IMPORT_MAX_MB", "100")) * 1024 * 1024
# SQLite page cache of a connection while it bulk-writes the ledger (import, demo): the indexes of
# a ledger of tens of millions of rows outgrow the everyday 64 MiB, and every miss is a read.
IPPS_BULK_CACHE_MB = int(os.environ.get("IPPS_BULK_CACHE_MB", "1024"))

# Background jobs: huey in SQLite by default, Redis when REDIS_URL is set; immediate in tests.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "ipps",
        "url": REDIS_URL,
        "immediate": TESTING,
        "utc": False,  # periodic tasks (report reminders…) run on Beijing time
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "ipps",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": TESTING,
        "utc": False,  # periodic tasks (report reminders…) run on Beijing time
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("IPPS_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 1000

# Office hours of the working calendar (local time): morning and afternoon sessions.
# Answers built by `ipps.core.api.respond` are also built by pydantic and compared (tests).
IPPS_API_VERIFY_DUMPS = TESTING or env_bool("IPPS_API_VERIFY_DUMPS")
IPPS_OFFICE_HOURS = os.environ.get("IPPS_OFFICE_HOURS", "09:00-12:00,13:30-17:30")
# Count weekends only (and say so) when the working calendar has no data for a year.
IPPS_CALENDAR_WEEKEND_FALLBACK = env_bool("IPPS_CALENDAR_WEEKEND_FALLBACK")
# Attachments: largest file and accepted types.
IPPS_ATTACHMENT_MAX_BYTES = int(os.environ.get("IPPS_ATTACHMENT_MAX_MB", "20")) * 1024 * 1024
IPPS_ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}
