"""Django settings, read from the environment.

Two shapes, one module:

* the **embedded default** (no environment needed): SQLite in ``var/``, mail kept in the in-app
  outbox, a secret key generated once into ``var/secret_key``; DEBUG stays off unless asked for,
  so people never see a traceback;
* **production** (``BRIDGEWORK_PRODUCTION=1``, set by ``bridgework serve --production``):
  ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL`` are required, cookies are secure,
  HTTPS is enforced and ``manage.py check --deploy`` is clean.

Every variable is documented in ``docs/configuration.md``; a test keeps the two in step.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from bridgework.datasets.limits import file_limits as _file_limits
from bridgework.datasets.limits import upload_limits as _upload_limits
from bridgework.server.cache_config import caches as _caches

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable (1/true/yes/on are true)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole-number environment variable, refusing anything else by name."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


PRODUCTION = env_bool("BRIDGEWORK_PRODUCTION")
DEBUG = env_bool("DEBUG")
DATA_DIR = Path(os.environ.get("BRIDGEWORK_DATA_DIR", Path.cwd() / "var")).resolve()


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment in production.")
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

if PRODUCTION:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment in production.")
    if not os.environ.get("DATABASE_URL"):
        raise ImproperlyConfigured("DATABASE_URL must be set in the environment in production.")
else:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_tasks",
    "django_tasks_db",
    "axes",
    # django-ninja's templates and static files: its Swagger UI assets come from the package,
    # never from a CDN.
    "ninja",
    "bridgework.accounts",
    "bridgework.directory",
    "bridgework.mail",
    "bridgework.scim",
    "bridgework.waves",
    "bridgework.surveys",
    "bridgework.programmes",
    "bridgework.ona",
    "bridgework.audit",
    "bridgework.governance",
    "bridgework.jobs",
    "bridgework.api",
    "bridgework.web",
    "bridgework.charts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bridgework.web.middleware.ContentSecurityPolicyMiddleware",
    "bridgework.web.middleware.NetworkTimeZoneMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's Accept-Language for coordinators; personal links switch to the person's.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bridgework.server.urls"
WSGI_APPLICATION = "bridgework.server.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bridgework.web.context_processors.navigation",
                "bridgework.web.context_processors.languages",
            ],
        },
    },
]

FORM_RENDERER = "bridgework.web.forms.GovukFormRenderer"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'bridgework.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the worker share the file safely.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    # First: refuses any sign-in, by password or single sign-on, while the account or the
    # address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on (OpenID Connect): answers only the sign-on callback, never a password.
    "bridgework.accounts.sso.SingleSignOnBackend",
]

# Single sign-on with OpenID Connect (mozilla-django-oidc), on when OIDC_RP_CLIENT_ID is set
# with OIDC_ISSUER (endpoints discovered from /.well-known/openid-configuration) or the four
# OIDC_OP_* endpoints. See docs/sso.md; bridgework.accounts.sso reads these.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip()
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "").strip()
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "").strip()
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "").strip()
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "").strip()
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "").strip() or "RS256"
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "").strip() or "openid email profile"
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "").strip() or "your organisation"
# The claim that says the provider has verified the address (Entra ID: xms_edov).
OIDC_EMAIL_VERIFIED_CLAIM = (
    os.environ.get("OIDC_EMAIL_VERIFIED_CLAIM", "").strip() or "email_verified"
)
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE")
OIDC_AUTH_REQUEST_EXTRA_PARAMS = (
    {"acr_values": os.environ["OIDC_ACR_VALUES"].strip()}
    if os.environ.get("OIDC_ACR_VALUES", "").strip()
    else {}
)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10, minimum=1)
OIDC_CREATE_USER = False  # single sign-on never makes a login: an invitation does
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
OIDC_STORE_ID_TOKEN = False
OIDC_STORE_ACCESS_TOKEN = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
#: The languages pages and emails are offered in (docs/languages.md tells how to add one).
#: A person's directory record names theirs; coordinators get theirs from the browser.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = (DATA_DIR / "static") if PRODUCTION else None
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve static files from the app directories without collectstatic outside production.
WHITENOISE_USE_FINDERS = not PRODUCTION

# Uploads: every limit on a file (bytes, rows, columns, cells) is in bridgework.datasets.limits
# (docs/limits.md). A file over BRIDGEWORK_MAX_UPLOAD_BYTES is dropped as it arrives; smaller
# ones over 2.5 MB go to a temporary file rather than memory. Form fields other than files
# stay under Django's 2.5 MB.
FILE_UPLOAD_HANDLERS = [
    "bridgework.directory.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A mistyped limit stops the app at start (with the variable named), not at the first upload.
_file_limits(), _upload_limits()

# Mail: every message is recorded in the outbox; EMAIL_BACKEND delivers it. The embedded
# default keeps mail in the outbox only; set EMAIL_URL (smtp://user:pass@host:587?tls=1) or
# the EMAIL_HOST family to deliver by SMTP.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Bridgework <bridgework@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The ORGANIZER of coffee introductions' calendar invitations: where Accept/Decline replies go.
CALENDAR_ORGANIZER_EMAIL = os.environ.get("CALENDAR_ORGANIZER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_URL = os.environ.get("EMAIL_URL", "")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_URL or EMAIL_HOST:
    from bridgework.server.email_config import smtp_settings

    globals().update(smtp_settings(EMAIL_URL, os.environ))
else:
    EMAIL_BACKEND = "bridgework.mail.backends.OutboxBackend"

# Background work: django-tasks with its database backend; ``bridgework worker`` runs jobs.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "email"],
    }
}

# Bulk actions (sending a wave's invitations, importing people) run in the worker in batches,
# each committed with the job's progress; a job without a heartbeat for JOBS_STALE_AFTER
# seconds is resumed by the worker's scheduler.
JOBS_BATCH_SIZE = int(os.environ.get("BRIDGEWORK_JOBS_BATCH_SIZE", "500"))
JOBS_STALE_AFTER = int(os.environ.get("BRIDGEWORK_JOBS_STALE_AFTER", "300"))
# A running job's worker keeps its heartbeat fresh for at most this many seconds: a run that
# takes longer is taken for hung, and the scheduler hands the job to another worker.
JOBS_LONGEST_RUN = int(os.environ.get("BRIDGEWORK_JOBS_LONGEST_RUN", str(6 * 60 * 60)))
# An uploaded file larger than this many bytes is stored by the request and checked (read,
# validated, previewed) by a job in the worker, so no upload holds a request for long.
UPLOAD_INLINE_BYTES = env_int("BRIDGEWORK_UPLOAD_INLINE_BYTES", 1024 * 1024)
# A download (people list, audit log) of more rows than this is built by a job into a stored
# file, kept for EXPORT_KEEP_HOURS hours and then deleted by the retention sweep.
EXPORT_INLINE_ROWS = env_int("BRIDGEWORK_EXPORT_INLINE_ROWS", 5000)
EXPORT_KEEP_HOURS = env_int("BRIDGEWORK_EXPORT_KEEP_HOURS", 24, minimum=1)
# A network survey's analysis (betweenness, communities) over more people than this is not
# computed while a page waits: a job computes it into the shared cache and the page shows
# its progress; the worker's scheduler also prepares the usual views after each release.
ANALYSIS_INLINE_PEOPLE = env_int("BRIDGEWORK_ANALYSIS_INLINE_PEOPLE", 2000)

# A cache every server process shares (rate limits count across them): a table in the
# database by default (``createcachetable`` runs with ``migrate``), Redis with
# CACHE_URL=redis://host:6379/0.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
CACHES = _caches(CACHE_URL)

# The client address: X-Forwarded-For is believed only through this many reverse proxies
# (0: use the connection's own address). See bridgework.web.client_ip.
TRUSTED_PROXY_COUNT = env_int("BRIDGEWORK_TRUSTED_PROXIES", 0)

# Requests per hour per client address (and, for the colleague search, per personal link)
# before a 429 page; 0 switches a limit off. See bridgework.web.ratelimit.
RATE_LIMITS = {
    "personal-link": env_int("BRIDGEWORK_RATE_LIMIT_LINKS", 600),
    "colleague-search": env_int("BRIDGEWORK_RATE_LIMIT_SEARCH", 60),
    "signup": env_int("BRIDGEWORK_RATE_LIMIT_SIGNUPS", 20),
}

# Sign-in lockout (django-axes, state in the database so every process agrees): after
# BRIDGEWORK_LOGIN_FAILURE_LIMIT failed sign-ins for one account, or from one address, both
# wait BRIDGEWORK_LOGIN_COOLOFF_MINUTES.
AXES_ENABLED = env_bool("BRIDGEWORK_LOGIN_LOCKOUT", True)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("BRIDGEWORK_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("BRIDGEWORK_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "bridgework.web.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "bridgework.accounts.views.locked_out"
AXES_USERNAME_CALLABLE = "bridgework.accounts.views.sign_in_username"

# Public base URL used in links inside emails (invitations, survey links).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 60 * 60)))
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Load balancers and container platforms probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Personal links never reach a log line: the filter removes them from every record.
    "filters": {"redact_links": {"()": "bridgework.mail.redaction.RedactingFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_links"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
CSRF_FAILURE_VIEW = "bridgework.web.views.errors.csrf_failure"
