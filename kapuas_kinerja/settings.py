"""Settings for Kinerja Kapuas, read from environment variables only.

With none of them set the portal runs embedded: SQLite under var/, Celery
tasks run in-process, mail printed to the console. Setting DATABASE_URL,
REDIS_URL or EMAIL_HOST switches to the real services.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env(name, default=""):
    return os.environ.get(name, default)


def envbool(name, default="0"):
    """Read a boolean loudly: a typo must not silently turn DEBUG on or off."""
    value = env(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def envint(name, default):
    value = env(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def envlist(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "0")
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env("DATABASE_URL"):
        raise ImproperlyConfigured("SECRET_KEY must be set when running on a real database")
    # Embedded/demo mode only: a fixed key is harmless where nothing is real.
    SECRET_KEY = "insecure-embedded-only-key-set-SECRET_KEY-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "auditlog",
    "django_celery_beat",
    "opd",
    "skp",
    "reminders",
    "tpp",
    "reports",
    "helpdesk",
    "axes",
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
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kapuas_kinerja.urls"
WSGI_APPLICATION = "kapuas_kinerja.wsgi.application"

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
                "opd.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kinerja.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        # A kept connection is checked before each request, so a restarted database
        # costs no failed request once it is back.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the dashboard queries anew each time (about 100 ms
    # measured) to save a few ms of execution: a loss for short queries like ours.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A covering index's extra columns only matter on PostgreSQL; on the embedded
# SQLite they are ignored, which is fine (skp.MonthlyRecord's Meta says why).
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "opd.User"
# Axes first: a locked NIP or address is refused before its password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "opd.backends.RoleBackend"]
# Argon2 for new and changed passwords; older hashes still verify and are upgraded at login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Office PCs are shared: a session ends when the browser closes, and after 8 hours at most.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes): 5 failures lock a NIP for 15 minutes from any
# address, 20 failures from one address lock that address. Axes has one limit,
# so opd/lockout.py weighs each failure on a NIP four times.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = 20
AXES_NIP_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "opd.lockout.LockoutHandler"
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# Behind the regency's reverse proxy, the client's address is in X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# HTTPS and browser protections, on unless DEBUG. A loopback load test turns
# off the two that need TLS with SECURE_SSL_REDIRECT=0 and SECURE_COOKIES=0.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "0" if DEBUG else "1")
# The container's health check calls the app directly over HTTP.
SECURE_REDIRECT_EXEMPT = [r"^sehat/$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("TLS_PROXY", "0"):
    # Only behind a proxy that sets this header itself (and drops it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content Security Policy (django-csp): our own scripts and styles only, no
# inline script or style anywhere (htmx's indicator styles are off in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Always Indonesian, whatever language an office PC's browser asks for (so no
# LocaleMiddleware). Source strings are English, so English can follow later.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
# Django's Indonesian locale abbreviates months ("15 Apr 2025"); the regency
# writes them in full ("15 April 2025").
FORMAT_MODULE_PATH = ["kapuas_kinerja.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"  # filled by collectstatic, served by WhiteNoise
MEDIA_ROOT = VAR_DIR / "media"
# Signed recaps and built reports: never served by a URL, only by views that check scope.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

# Mail: SMTP when EMAIL_HOST is set, otherwise printed to the console.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Kinerja Kapuas <noreply@kapuaskab.go.id>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# The portal's own address, for the links in emails and WhatsApp messages.
PORTAL_URL = env("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
# WhatsApp through an HTTP gateway (Indonesian gateways take a POST with the
# target number and the text); off unless the URL is set.
WHATSAPP_GATEWAY_URL = env("WHATSAPP_GATEWAY_URL")
WHATSAPP_GATEWAY_TOKEN = env("WHATSAPP_GATEWAY_TOKEN")
# A message claimed for sending and not confirmed after this long is "uncertain":
# it may or may not have gone out, and waits for BKPSDM to decide.
OUTBOX_CLAIM_TIMEOUT_MINUTES = envint("OUTBOX_CLAIM_TIMEOUT_MINUTES", 15)
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 5)
# Raw BKN payloads (kept for checking a record against its source) are pruned after this.
PAYLOAD_RETENTION_DAYS = envint("PAYLOAD_RETENTION_DAYS", 400)
# How long an activation link in a reminder stays valid (it also dies once used).
ACTIVATION_MAX_AGE_DAYS = envint("ACTIVATION_MAX_AGE_DAYS", 14)

# Redis: the Celery broker and the shared cache when REDIS_URL is set.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Embedded mode: no broker, so every task runs in-process when it is queued.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# The schedule lives in the database (skp's migrations install the defaults), editable in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Longer than the longest task, so a late-acked task is not handed out twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}

# BKN sources (used by the sync; with none set, the portal takes its data from imports alone).
EKINERJA_BASE_URL = env("EKINERJA_BASE_URL")
EKINERJA_TOKEN = env("EKINERJA_TOKEN")
SIASN_APIM_URL = env("SIASN_APIM_URL")
SIASN_API_URL = env("SIASN_API_URL")
SIASN_SSO_URL = env("SIASN_SSO_URL")
SIASN_CONSUMER_KEY = env("SIASN_CONSUMER_KEY")
SIASN_CONSUMER_SECRET = env("SIASN_CONSUMER_SECRET")
SIASN_CLIENT_ID = env("SIASN_CLIENT_ID")
SIASN_USERNAME = env("SIASN_USERNAME")
SIASN_PASSWORD = env("SIASN_PASSWORD")

# The project's BKN simulator answers sync_bkn and the scheduled syncs only when asked for
# (BKN_SIMULATOR=1: make run does). Never a silent fallback: with neither BKN configured nor
# the simulator asked for, the portal is import-only. Refused next to a real BKN and in
# production (DEBUG off on a real database): nothing fake may reach a real database.
BKN_SIMULATOR = envbool("BKN_SIMULATOR", "0")
if BKN_SIMULATOR:
    _real_bkn = sorted(name for name in os.environ if name.startswith(("EKINERJA_", "SIASN_")) and env(name))
    if _real_bkn:
        raise ImproperlyConfigured(f"BKN_SIMULATOR=1 next to a real BKN ({', '.join(_real_bkn)}): unset one of them")
    if not DEBUG and env("DATABASE_URL"):
        raise ImproperlyConfigured(
            "BKN_SIMULATOR=1 in production (DEBUG off, DATABASE_URL set): the simulator's made-up data "
            "must not reach a real database. Unset BKN_SIMULATOR, or set DEBUG=1 for a development database."
        )
# The simulator's data, from the same generator as seed_demo (keep these equal to seed_demo's --asn/--seed).
BKN_SIMULATOR_ASN = envint("BKN_SIMULATOR_ASN", 8000)
BKN_SIMULATOR_SEED = envint("BKN_SIMULATOR_SEED", 2025)

# Records older than this are shown as stale on every page.
SYNC_STALE_AFTER_HOURS = envint("SYNC_STALE_AFTER_HOURS", 24)

# How long the OPD dashboard's rendered parts are kept (skp/pagecache.py); 0 turns it off.
# They are renewed at once when the data changes: this only bounds a missed renewal.
DASHBOARD_CACHE_SECONDS = envint("DASHBOARD_CACHE_SECONDS", 600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # httpx logs every request at INFO: too much for a sync of thousands of calls.
    # WeasyPrint narrates every step and page of a PDF at INFO.
    "loggers": {
        "httpx": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # axes narrates every login at INFO; lockouts still show at WARNING.
        "axes": {"level": "WARNING"},
    },
}
