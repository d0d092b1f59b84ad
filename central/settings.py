"""Django settings for CounterPoint central, read from environment variables.

Variables (all optional; parsing is strict, a bad value stops start-up with a clear error):

``DATABASE_URL``   ``postgres://user[:pw]@host:port/db`` (psycopg 3) or ``sqlite:///file``;
                   unset: SQLite file ``$CP_DATA_DIR/central.sqlite3``.
``CP_DATA_DIR``    directory for the SQLite file and collected static files
                   (default: ``var/`` at the top of the repository).
``SECRET_KEY``     required unless ``DEBUG`` is on or the process runs the test suite.
``DEBUG``          1/0, true/false, yes/no, on/off (default off).
``ALLOWED_HOSTS``  comma-separated (default ``localhost,127.0.0.1,[::1]``).
``CSRF_TRUSTED_ORIGINS`` comma-separated origins for the admin UI behind a proxy.
``CP_HTTPS``       served over HTTPS: secure cookies, http->https redirect, HSTS (default off).
``CP_BEHIND_PROXY`` trust X-Forwarded-Proto from a TLS-terminating proxy (default off).
``CP_DB_CONN_MAX_AGE`` seconds a PostgreSQL connection is reused (default 60).
``CP_DB_HEALTH_CHECKS`` check a reused connection before each request (default off).
``CP_DB_PREPARED`` prepare the sync API's fixed statements on PostgreSQL (default on).
``CP_PUBLIC_URL``  public base URL for citizen-facing links (default: the request's host).
``CP_ENROLMENT_CODE_TTL_HOURS`` lifetime of a new enrolment code (default 72).
"""

import importlib.util
import os
import sys
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from central.env import parse_bool, parse_database_url, parse_int, parse_list

env = os.environ

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent
DATA_DIR = Path(env.get("CP_DATA_DIR", "").strip() or REPO_DIR / "var")

DEBUG = parse_bool(env, "DEBUG", False)
# pytest >= 8.2 exports PYTEST_VERSION for the whole session (and to its subprocesses).
TESTING = bool(env.get("PYTEST_VERSION")) or sys.argv[1:2] == ["test"]

SECRET_KEY = env.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string (for example the output "
            "of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set "
            "DEBUG=1 for a development server."
        )
    SECRET_KEY = "insecure-dev-only-key-counterpoint-central-do-not-deploy"
elif len(SECRET_KEY) < 32 and not (DEBUG or TESTING):
    raise ImproperlyConfigured("SECRET_KEY is too short: use at least 32 random characters")

ALLOWED_HOSTS = parse_list(env, "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = parse_list(env, "CSRF_TRUSTED_ORIGINS", [])
# Served over HTTPS (directly or behind a TLS-terminating proxy that sets
# X-Forwarded-Proto): secure cookies, redirect http -> https, HSTS for a year.
CP_HTTPS = parse_bool(env, "CP_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = CP_HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if CP_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = CP_HTTPS
if parse_bool(env, "CP_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

_db_url = env.get("DATABASE_URL", "")
if not _db_url.strip():
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"CP_DATA_DIR {DATA_DIR} cannot be created: {exc}") from None
DATABASES = {
    "default": parse_database_url(
        _db_url,
        DATA_DIR,
        conn_max_age=parse_int(env, "CP_DB_CONN_MAX_AGE", 60),
        health_checks=parse_bool(env, "CP_DB_HEALTH_CHECKS", False),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "central.apps.CentralConfig",
    "central.directory",
    "central.catalogue",
    "central.fleet",
    "central.ratings",
    "central.insights",
    "central.audit",
    "central.comments",
]
# The admins' web UI lives in central/web (written separately); it is picked up when present.
if importlib.util.find_spec("central.web") is not None:
    INSTALLED_APPS.append("central.web")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "central.urls"
WSGI_APPLICATION = "central.wsgi.application"

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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing test users' passwords with PBKDF2 costs ~0.3 s each; not what we test.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
USE_I18N = True
TIME_ZONE = "Asia/Bangkok"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The Thai webfont and Leaflet are served from their PyPI packages (central/public/assets.py).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "central.public.assets.PackageAssetsFinder",
]

# Django refuses (RequestDataTooBig) bodies over this before any view runs; the kiosk API
# applies its own, smaller per-endpoint limits first (central.api.views).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"central": {"level": "INFO"}},
}

# CounterPoint
CP_PUBLIC_URL = env.get("CP_PUBLIC_URL", "").strip().rstrip("/")
if CP_PUBLIC_URL and not CP_PUBLIC_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"CP_PUBLIC_URL={CP_PUBLIC_URL!r} must start with https://")
CP_ENROLMENT_CODE_TTL_HOURS = parse_int(env, "CP_ENROLMENT_CODE_TTL_HOURS", 72, minimum=1)
# Public directory: published results need at least this many ratings (90 days) per figure.
CP_PUBLIC_MIN_RATINGS = parse_int(env, "CP_PUBLIC_MIN_RATINGS", 20, minimum=1)

# Internationalisation (docs/i18n.md): the project's own catalogues come first, before the
# apps' and Django's, so they can also correct Django's Thai where it is incomplete
# (locale_django: Django's and the admin's own strings, kept apart from makemessages).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_django"]

# Browser libraries installed from npm by scripts/setup.sh (never copied into the repo),
# served as static files like Django's own: /static/vendor/chart.js/chart.umd.js.
_CHART_JS = REPO_DIR / "node_modules" / "chart.js" / "dist"
if not _CHART_JS.is_dir():  # an installed wheel: installer/build.py puts it in the package
    _CHART_JS = BASE_DIR / "vendor" / "chart.js"
STATICFILES_DIRS = [("vendor/chart.js", _CHART_JS)]

# Insights: exports up to this many rows stream at once; bigger ones become background jobs
# (python -m central insights_worker). Alert digests go through Django's e-mail backend
# (console in development; set EMAIL_HOST etc. for SMTP in production).
CP_EXPORT_INLINE_MAX_ROWS = parse_int(env, "CP_EXPORT_INLINE_MAX_ROWS", 200_000, minimum=1)
if DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "counterpoint@localhost")

# Hardening (docs/operations.md, security): a NUL byte anywhere in a URL or form is a 400.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "central.web.middleware.RejectNulBytes",
)

# The language: Thai unless the user chose English with the switch (a cookie), never the
# browser's Accept-Language (docs/i18n.md).
MIDDLEWARE[MIDDLEWARE.index("django.middleware.locale.LocaleMiddleware")] = (
    "central.web.middleware.ThaiFirstLocaleMiddleware"
)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = CP_HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Admin sessions: 8 hours at most, and they end when the browser closes.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling and lockout (django-axes): 5 failed logins for one username from one
# address lock that pair out for 15 minutes (429); a successful login clears the count.
# Every login, failed login and lockout is also in the audit log (central.web.login_audit).
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = parse_int(env, "CP_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=parse_int(env, "CP_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_VERBOSE = False
# Behind nginx, REMOTE_ADDR is already the client's (central.proxy.RealIpMiddleware).

# Content-Security-Policy (django-csp): scripts and styles only from our own static files
# (no inline code), map tiles from OpenStreetMap, nothing may frame the site.
MIDDLEWARE.append("csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https://tile.openstreetmap.org"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Deployment (issue 12: WhiteNoise, request ids and JSON logs, read replica) ---------
# Static files (admin CSS/JS) straight from gunicorn: WhiteNoise right after
# SecurityMiddleware, serving STATIC_ROOT (filled by `python -m central collectstatic`),
# with compressed, content-hashed (forever-cacheable) names; no separate file server.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
MIDDLEWARE.insert(0, "central.logs.RequestIdMiddleware")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING
        else "central.staticstorage.StaticStorage"
    },
}
# The middleware of the kiosk sync API and /health (central/wsgi.py): no sessions, CSRF,
# auth, messages, locale or frame options; the host check is CommonMiddleware's.
API_MIDDLEWARE = [
    "central.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
# One access line per request from RequestIdMiddleware (logger central.request).
CP_ACCESS_LOG = parse_bool(env, "CP_ACCESS_LOG", True)
LOGGING["formatters"] = {"json": {"()": "central.logs.JsonFormatter"}}
LOGGING["handlers"]["console"]["formatter"] = "json"
LOGGING["loggers"]["central.request"] = {"level": "INFO" if CP_ACCESS_LOG else "WARNING"}

# A streaming replica for dashboards and exports (central/db.py): reads go there only
# when a caller asks with .using(read_replica()), the replica streams and lags at most
# CP_REPLICA_MAX_LAG_S seconds (checked every CP_REPLICA_CHECK_S); otherwise the primary.
_replica_url = env.get("DATABASE_REPLICA_URL", "").strip()
if _replica_url:
    if not _replica_url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL")
    DATABASES["replica"] = parse_database_url(
        _replica_url, DATA_DIR, conn_max_age=parse_int(env, "CP_DB_CONN_MAX_AGE", 60)
    )
    DATABASES["replica"]["OPTIONS"].setdefault("connect_timeout", "2")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["central.db.PrimaryReplicaRouter"]
CP_REPLICA_MAX_LAG_S = parse_int(env, "CP_REPLICA_MAX_LAG_S", 30)
CP_REPLICA_CHECK_S = parse_int(env, "CP_REPLICA_CHECK_S", 5)
if TESTING:
    # No collected STATIC_ROOT under the test suite: look files up as they are requested.
    WHITENOISE_AUTOREFRESH = True
# Prepared statements (psycopg 3) for the sync path's fixed statements
# (central/api/sync_sql.py): PostgreSQL parses and plans each of them once per connection
# instead of on every request. The ORM's queries keep Django's client-side binding. Set
# CP_DB_PREPARED=0 behind a transaction-pooling pgbouncer, which cannot keep prepared
# statements across transactions. See docs/operations.md "Capacity".
CP_DB_PREPARED = parse_bool(env, "CP_DB_PREPARED", True)
# Behind nginx: the client's address from X-Real-IP, trusted only from the proxy's own
# address (central/proxy.py), for the fleet's last IP and the audit log.
CP_PROXY_ADDRESSES = parse_list(env, "CP_PROXY_ADDRESSES", ["127.0.0.0/8", "::1/128"])
if parse_bool(env, "CP_BEHIND_PROXY", False):
    for _chain in (MIDDLEWARE, API_MIDDLEWARE):
        _chain.insert(1, "central.proxy.RealIpMiddleware")
# The kiosk API's own chain refuses a NUL byte in its URL too (its JSON bodies are checked
# by its schemas).
API_MIDDLEWARE.insert(
    API_MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "central.web.middleware.RejectNulBytes",
)
