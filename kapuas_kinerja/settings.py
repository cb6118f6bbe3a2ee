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
    "ops",
    "identity",
    "dashboards",
    "bench",  # make bench's commands only
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise answers static files itself (already compressed), so GZip below never sees them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages gzipped for slow mobile connections (about a fifth of their size). BREACH:
    # Django's GZipMiddleware adds random bytes to each response's gzip header
    # ("Heal The Breach", Django 4.2+), and the CSRF token is masked anew per request.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kapuas_kinerja.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # An HTMX request whose session expired goes to the login page as a whole page, not into a table row.
    "kapuas_kinerja.middleware.HtmxLoginRedirectMiddleware",
    "kapuas_kinerja.middleware.AuditlogMiddleware",
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
                "identity.context_processors.regency",
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
# A refused form (an expired page, cookies off) gets an Indonesian page, not Django's English one.
CSRF_FAILURE_VIEW = "kapuas_kinerja.views.csrf_failure"
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
# Behind the regency's reverse proxy the client's address is the one the proxy
# appended to X-Forwarded-For; opd/client_ip.py trusts exactly this many hops
# (0: no proxy, the header is ignored, as a client can write it).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front")
AXES_CLIENT_IP_CALLABLE = "opd.client_ip.client_ip"

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes a gzip and a brotli copy beside each file; WhiteNoise serves the one the
    # browser accepts (htmx: 51 KB as sent, 16 KB gzipped). Not the manifest variant: its hashed
    # names need collectstatic before any page renders (tests included); vendored files carry
    # their version in their name instead.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
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
# Quotas per channel over the last minute, hour and day (rolling windows, counted
# from what the outbox sent, so every worker agrees): what is over waits for the
# next window, most urgent first (reminders.models.KIND_PRIORITY). 0 means no limit.
# Email: a regency's own mail server; a hosted one says its own (Google Workspace
# about 2,000 a day). WhatsApp: low, since gateways' numbers are banned for bursts.
EMAIL_MAX_PER_MINUTE = envint("EMAIL_MAX_PER_MINUTE", 60)
EMAIL_MAX_PER_HOUR = envint("EMAIL_MAX_PER_HOUR", 1000)
EMAIL_MAX_PER_DAY = envint("EMAIL_MAX_PER_DAY", 10000)
WHATSAPP_MAX_PER_MINUTE = envint("WHATSAPP_MAX_PER_MINUTE", 10)
WHATSAPP_MAX_PER_HOUR = envint("WHATSAPP_MAX_PER_HOUR", 200)
WHATSAPP_MAX_PER_DAY = envint("WHATSAPP_MAX_PER_DAY", 1000)
for _quota in ("EMAIL", "WHATSAPP"):
    for _window in ("MINUTE", "HOUR", "DAY"):
        if globals()[f"{_quota}_MAX_PER_{_window}"] < 0:
            raise ImproperlyConfigured(f"{_quota}_MAX_PER_{_window} must be 0 (no limit) or more")
# Raw BKN payloads (kept for checking a record against its source) are pruned after this.
PAYLOAD_RETENTION_DAYS = envint("PAYLOAD_RETENTION_DAYS", 400)
# How long an activation link in a reminder stays valid (it also dies once used).
ACTIVATION_MAX_AGE_DAYS = envint("ACTIVATION_MAX_AGE_DAYS", 14)
# Helpdesk: new tickets per person per hour, and per ticket its attachments' number and total size.
HELPDESK_MAX_TICKETS_PER_HOUR = envint("HELPDESK_MAX_TICKETS_PER_HOUR", 5)
HELPDESK_MAX_ATTACHMENTS_PER_TICKET = envint("HELPDESK_MAX_ATTACHMENTS_PER_TICKET", 10)
HELPDESK_MAX_TICKET_BYTES = envint("HELPDESK_MAX_TICKET_BYTES", 20 * 1024 * 1024)
# Password reset and activation requests per hour, per NIP asked for and per client address.
ACCOUNT_MAIL_MAX_PER_LOGIN_HOURLY = envint("ACCOUNT_MAIL_MAX_PER_LOGIN_HOURLY", 3)
ACCOUNT_MAIL_MAX_PER_ADDRESS_HOURLY = envint("ACCOUNT_MAIL_MAX_PER_ADDRESS_HOURLY", 10)

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

# What an uploaded export (import_bkn, the admin panel, roles CSV) may cost, checked before
# its rows are read: a 1.5 KB .xlsx can name a cell at XFD1048576, and a small zip can unpack
# to gigabytes. The reader holds rows x columns cells, so these bound its memory.
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_COLUMNS = envint("IMPORT_MAX_COLUMNS", 100)
IMPORT_MAX_UNPACKED_BYTES = envint("IMPORT_MAX_UNPACKED_BYTES", 250 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = envint("IMPORT_MAX_COMPRESSION_RATIO", 100)

# Records older than this are shown as stale on every page.
SYNC_STALE_AFTER_HOURS = envint("SYNC_STALE_AFTER_HOURS", 24)

# Watching it run (ops/): BKPSDM's admins are emailed when the data is older than
# SYNC_STALE_AFTER_HOURS, beat has not ticked for BEAT_SILENT_AFTER_MINUTES, or
# nothing has gone out of the outbox since a failure OUTBOX_FAILING_AFTER_MINUTES ago.
BEAT_SILENT_AFTER_MINUTES = envint("BEAT_SILENT_AFTER_MINUTES", 60)
OUTBOX_FAILING_AFTER_MINUTES = envint("OUTBOX_FAILING_AFTER_MINUTES", 60)
# The IT office's monitor reads /sehat/ in detail with this token (Authorization: Bearer …);
# without it /sehat/ only says the app is alive.
HEALTH_TOKEN = env("HEALTH_TOKEN")
if HEALTH_TOKEN and len(HEALTH_TOKEN) < 20:
    raise ImproperlyConfigured("HEALTH_TOKEN must be at least 20 characters (it guards the health detail)")

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

# Error reports to Sentry (or a compatible service such as GlitchTip), off unless
# SENTRY_DSN is set. No personal data: no user, address or cookie goes with a report.
SENTRY_DSN = env("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        # Errors only: performance tracing would send every request's timing out of the regency.
        traces_sample_rate=0,
    )
