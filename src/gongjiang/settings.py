"""Gongjiang settings: one file, every knob from the environment.

See docs/operations.md for the full list of variables.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_bool("GONGJIANG_TESTING")

DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(os.environ.get("GONGJIANG_DATA_DIR", "gongjiang-data")).resolve()

# Commands that only read the code (no request is served, nothing is signed, no personal datum is
# written) may run without keys, so a fresh checkout can check its migrations; everything else
# refuses to start without them outside DEBUG and the test suite.
_KEYLESS = {
    "makemigrations",
    "showmigrations",
    "compilemessages",
    "makemessages",
    "help",
    "version",
}
_command = (
    sys.argv[1]
    if len(sys.argv) > 1 and Path(sys.argv[0]).name in ("gongjiang", "manage.py")
    else ""
)
_KEYS_OPTIONAL = DEBUG or TESTING or _command in _KEYLESS

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if _KEYS_OPTIONAL:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production-0123456789"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(at least 50 random characters) or run with DEBUG=1 for development."
        )

# Field encryption keys for personal data (core.crypto), newest first: the newest encrypts and
# hashes, all decrypt and match; `gongjiang rotate-keys` moves stored data to the newest.
# FIELD_ENCRYPTION_KEY (one key, or several separated by commas) is read when FIELD_ENCRYPTION_KEYS
# is not set. Without a key the keyed hash of a citizen ID would change with SECRET_KEY and the
# one-record-per-person rule would silently break, so production refuses to start.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS") or env_list("FIELD_ENCRYPTION_KEY")
FIELD_ENCRYPTION_KEY = ",".join(FIELD_ENCRYPTION_KEYS)
if not FIELD_ENCRYPTION_KEYS and not _KEYS_OPTIONAL:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS is not set. Set it to a Fernet key (newest first when several), "
        "generated with: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())' — or run with DEBUG=1 for development."
    )
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        from cryptography.fernet import Fernet as _Fernet

        _Fernet(_key.encode())
    except ValueError as _exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from _exc

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
if TESTING:
    ALLOWED_HOSTS = ["*"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The address the public reaches the platform at (https://gongjiang.example.cn): QR codes on
# certificates and links in PDFs point here, never at the host a request happened to use.
# GONGJIANG_PUBLIC_URL is the older name of the same knob. Development and the demo default to the
# address `gongjiang demo` serves; tests to Django's test client host.
PUBLIC_BASE_URL = (
    (os.environ.get("PUBLIC_BASE_URL") or os.environ.get("GONGJIANG_PUBLIC_URL") or "")
    .strip()
    .rstrip("/")
)
if not PUBLIC_BASE_URL and TESTING:
    PUBLIC_BASE_URL = "http://testserver"
elif not PUBLIC_BASE_URL and DEBUG:
    PUBLIC_BASE_URL = "http://127.0.0.1:8000"

# The domain apps, in the order their pages, API routers, navigation and demo data are loaded
# (core comes first and is not listed). A new app is added here and nowhere else.
GONGJIANG_APPS = (
    "workforce",
    "learning",
    "certification",
    "competitions",
    "reform",
    "congress",
    "surveys",
    "assistance",
    "innovation",
    "careers",
    "members",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from its own static files (otherwise from a CDN)
    "axes",
    "django_tasks",
    "django_tasks_db",
    "gongjiang.core",
    *(f"gongjiang.{app}" for app in GONGJIANG_APPS),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongjiang.core.middleware.SecurityHeadersMiddleware",
    # the exam answer save's fast path: answers a save on a pinned session in one statement
    "gongjiang.learning.exams.api.AnswerSaveMiddleware",
    # one-time submissions' fast paths (a contest entry, a survey's answers): core/hotpath.py
    "gongjiang.core.hotpath.HotPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gongjiang.core.middleware.RequestContextMiddleware",
    "gongjiang.core.middleware.SessionActivityMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongjiang.urls"
WSGI_APPLICATION = "gongjiang.wsgi.application"

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
                "gongjiang.core.context_processors.navigation",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{DATA_DIR / 'gongjiang.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_SQLITE
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=15000;",
        "transaction_mode": "IMMEDIATE",
    }
    if TESTING:
        DATABASES["default"]["TEST"] = {"NAME": ""}
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # psycopg prepares a statement run this many times on a connection through a server-binding
    # cursor; only the exam answer save uses one (Django's own cursors bind on the client and are
    # never prepared). "off" behind a pooler in transaction mode that cannot keep prepared
    # statements (PgBouncer before 1.21, or without max_prepared_statements).
    _prepare = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5").strip().lower()
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and _prepare not in (
        "",
        "0",
        "off",
        "none",
    ):
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", int(_prepare))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.backend.DatabaseBackend",
        )
    }
}
# Background jobs (core/jobs.py): a running job renews its lease every JOB_HEARTBEAT_SECONDS; one
# not renewed for JOB_LEASE_SECONDS (its worker died) is failed by the periodic core.jobs_fail_stale.
# Job files (uploads, reports; encrypted at rest) are deleted JOB_FILE_RETENTION_DAYS after the job
# finished, by the daily core.job_files_prune.
JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "30"))
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "300"))
JOB_FILE_RETENTION_DAYS = int(os.environ.get("JOB_FILE_RETENTION_DAYS", "7"))
# Periodic work run by `gongjiang worker` (core/schedule.py; `gongjiang schedule` lists it):
# learning.exam_autosubmit every 30 s, reform.remind daily 07:00, workforce.rollups_rebuild daily
# 02:30, core.prune_task_results daily 03:30, core.job_files_prune daily 03:45 (local time, TIME_ZONE),
# core.jobs_fail_stale every 60 s. SCHEDULE="name=value,…" changes an entry: `off` switches it off,
# `HH:MM` runs it daily at that local time, `30s`/`10m`/`1h` runs it at that interval.
# e.g. SCHEDULE="reform.remind=off,workforce.rollups_rebuild=03:15"
SCHEDULE = {
    name.strip(): value.strip()
    for name, _sep, value in (item.partition("=") for item in env_list("SCHEDULE"))
}

# --- auth, sessions, security ----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # user name / pinyin name / birth date / ID digits + digits (lock5lock5), Chinese common passwords
    {"NAME": "gongjiang.core.passwords.PersonalInfoValidator"},
    {"NAME": "gongjiang.core.passwords.ChineseCommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CSRF_FAILURE_VIEW = "gongjiang.core.views.csrf_failure"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Roster imports need a second person's approval: whoever uploads and checks a roster asks, another
# admin or officer of the enterprise (or above it) approves it before the rows are written.
ROSTER_IMPORT_APPROVAL = env_bool("GONGJIANG_ROSTER_IMPORT_APPROVAL", False)
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", "1800"))
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
# Django's database sessions, read with one plain statement instead of an ORM query (every
# authenticated request reads its session): see core/sessions.py.
SESSION_ENGINE = "gongjiang.core.sessions"
# An active session is re-saved (its expiry slid forward) at most once a minute, not on every
# request: see core.middleware.SessionActivityMiddleware.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_INTERVAL = int(os.environ.get("SESSION_TOUCH_INTERVAL", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username"]]
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG or TESTING else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# preload lists are hard to leave (every subdomain must serve HTTPS for good): opt in explicitly
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# core.middleware.SecurityHeadersMiddleware: every asset is local (intranets are offline), so
# scripts come only from this site — no inline script, no event attributes, no eval.
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
PERMISSIONS_POLICY = os.environ.get(
    "PERMISSIONS_POLICY",
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=(self)",
)

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_UPLOAD_SIZE = int(os.environ.get("MAX_UPLOAD_SIZE", str(200 * 1024 * 1024)))
# Spreadsheets read from users (core/spreadsheets.py, docs/operations.md#limits-on-uploaded-files):
# the used area of the first sheet, the unpacked size and compression ratio of a workbook, and the
# memory (address space) and CPU seconds of the child process that reads a workbook.
SPREADSHEET_MAX_ROWS = int(os.environ.get("SPREADSHEET_MAX_ROWS", "1100000"))
SPREADSHEET_MAX_COLUMNS = int(os.environ.get("SPREADSHEET_MAX_COLUMNS", "200"))
SPREADSHEET_MAX_CELLS = int(os.environ.get("SPREADSHEET_MAX_CELLS", "30000000"))
SPREADSHEET_MAX_UNPACKED = int(os.environ.get("SPREADSHEET_MAX_UNPACKED", str(1024 * 1024 * 1024)))
SPREADSHEET_MAX_RATIO = int(os.environ.get("SPREADSHEET_MAX_RATIO", "100"))
SPREADSHEET_READER_MEMORY = int(
    os.environ.get("SPREADSHEET_READER_MEMORY", str(4 * 1024 * 1024 * 1024))
)
SPREADSHEET_READER_SECONDS = int(os.environ.get("SPREADSHEET_READER_SECONDS", "900"))

# --- i18n ----------------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", str(DATA_DIR / "static")))
# the shared assets (Bootstrap, htmx, icons, ECharts, site.css) live in gongjiang/static, which is not
# an app's static directory: without this, collectstatic and the finders never see them
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gongjiang@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Lockout is per account, not per address: union offices and factories share one NAT address,
# and locking an address would lock out a whole workshop (docs/operations.md).
SILENCED_SYSTEM_CHECKS: list[str] = ["axes.W006"]
if not SECURE_HSTS_PRELOAD:
    # HSTS preload is opt-in (SECURE_HSTS_PRELOAD=1, docs/operations.md): leaving a browser's
    # preload list takes months, so it is never switched on for a site that has not chosen it
    SILENCED_SYSTEM_CHECKS.append("security.W021")
