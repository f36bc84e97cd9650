"""Settings shared by every environment, read from the environment (12-factor)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext
import phonenumbers
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from callpulse.envconf import env_bool, env_int, env_list, env_str
from callpulse.server_url import server_url

# Lets model admins and serializers be subscripted for the type checker (ModelAdmin[Client]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("CALLPULSE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("CALLPULSE_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where this server is reached, for the commands that print or call it (demo_logins,
# simulate_calls): CALLPULSE_SERVER_URL, else http://HOST:PORT as `make run` serves it.
CALLPULSE_SERVER_URL = server_url()

INSTALLED_APPS = [
    "callpulse.core.admin_site.CallpulseAdminConfig",  # django.contrib.admin, roles let in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "callpulse.core",
    "callpulse.crm",
    "callpulse.telephony",
    "callpulse.catalog",
    "callpulse.orders",
    "callpulse.sales",
    "callpulse.campaigns",
    "callpulse.workforce",
    "callpulse.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

# Content-Security-Policy: scripts and styles from our own origin only, no inline code, no eval,
# nothing framed. Behaviour lives in static files (callpulse/app.js: data-autosubmit, data-print);
# htmx runs with allowEval off and its indicator styles in app.css. The Swagger UI is the split
# view (its start-up script is a file too). See docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "callpulse.urls"
WSGI_APPLICATION = "callpulse.wsgi.application"
ASGI_APPLICATION = "callpulse.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "callpulse" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "callpulse.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'callpulse.sqlite3'}"),
        conn_max_age=env_int("CALLPULSE_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a management command share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Every password goes through the lockout (core/login_throttle.py): screens, admin, API tokens.
AUTHENTICATION_BACKENDS = ["callpulse.core.login_throttle.ThrottledModelBackend"]
# Failed sign-ins before an account, or an address (a whole floor behind one NAT), is locked,
# and for how long from the first failure.
CALLPULSE_LOGIN_FAILURES_PER_ACCOUNT = env_int("CALLPULSE_LOGIN_FAILURES_PER_ACCOUNT", 5)
CALLPULSE_LOGIN_FAILURES_PER_ADDRESS = env_int("CALLPULSE_LOGIN_FAILURES_PER_ADDRESS", 50)
CALLPULSE_LOGIN_LOCKOUT_MINUTES = env_int("CALLPULSE_LOGIN_LOCKOUT_MINUTES", 15)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: the UI ships English, Russian and Kazakh.
LANGUAGE_CODE = env_str("CALLPULSE_LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("kk", _("Kazakh"))]
LOCALE_PATHS = [BASE_DIR / "callpulse" / "locale"]
# Django has no number formats for Kazakh; ours write numbers as Kazakhstan does (1 234,5).
FORMAT_MODULE_PATH = ["callpulse.formats"]
USE_I18N = True
USE_TZ = True
# The center's own clock; clients carry their own time zone.
TIME_ZONE = env_str("CALLPULSE_TIME_ZONE", "Asia/Almaty")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "callpulse" / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "callpulse.core.auth.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "callpulse.core.pagination.CappedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": [
        "callpulse.core.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "callpulse.core.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "callpulse API",
    "DESCRIPTION": "The contact center's API: staff, clients, receivables, calls and orders.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # The schema and its docs are for staff and integrators who sign in: an anonymous visitor
    # learns nothing of the API's shape (core/roles.py, "decisions").
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AbsenceKindEnum": "callpulse.core.models.AbsenceKind",
        "ClientKindEnum": "callpulse.crm.models.ClientKind",
        "PhoneKindEnum": "callpulse.crm.models.PhoneKind",
        "CreditEventKindEnum": "callpulse.crm.models.CreditEventKind",
        "RoleEnum": "callpulse.core.roles.RoleCode",
        "OrderStatusEnum": "callpulse.orders.models.OrderStatus",
        "CallStatusEnum": "callpulse.telephony.models.CallStatus",
        "CallbackStatusEnum": "callpulse.telephony.models.CallbackStatus",
        "CommandStatusEnum": "callpulse.telephony.models.CommandStatus",
        "CommandKindEnum": "callpulse.telephony.models.CommandKind",
        "JobKindEnum": "callpulse.workforce.models.JobKind",
        "JobStatusEnum": "callpulse.workforce.models.JobStatus",
        "HistorySourceEnum": "callpulse.workforce.models.HistorySource",
        "OfferSourceEnum": "callpulse.orders.models.OfferSource",
        "ScheduleStatusEnum": "callpulse.workforce.models.ScheduleStatus",
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "callpulse@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CALLPULSE_LOG_LEVEL", "INFO")},
}

# Redis carries live events between app servers (and later the job queue); empty: in-process.
REDIS_URL = env_str("REDIS_URL", "")
# The default cache holds the website form's abuse counters: in Redis when there is one, so every
# worker and server counts together and a restart keeps the counts; per process otherwise.
# Short socket timeouts: a Redis that hangs makes the form answer 503 quickly (campaigns/public.py).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CALLPULSE_CACHE_KEY_PREFIX", "callpulse"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- callpulse's own knobs
# How long an API token's user is remembered per process (seconds; 0 turns the cache off).
CALLPULSE_TOKEN_CACHE_SECONDS = env_int("CALLPULSE_TOKEN_CACHE_SECONDS", 10)
# How long a process reuses its routing directory (staff, departments, absences, agent states):
# the most a break or an absence recorded in another process takes to affect routing.
CALLPULSE_ROUTING_SNAPSHOT_SECONDS = float(env_str("CALLPULSE_ROUTING_SNAPSHOT_SECONDS", "1.0"))
# Prepared statements for the phone system's hot reads on PostgreSQL (core/db.py); 0 for
# connection poolers that cannot pass them (PgBouncer before 1.21 in transaction mode).
CALLPULSE_PG_PREPARE = env_bool("CALLPULSE_PG_PREPARE", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and CALLPULSE_PG_PREPARE:
    # Django turns psycopg's prepared statements off (None), which refuses explicit ones too.
    # A threshold never reached keeps the ORM's statements unprepared, as Django intends, and
    # lets core/db.py prepare the few it asks for.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
# Who applies received CTI events to the call registry (telephony/cti.py): "background" (a
# thread in each server process), "inline" (the request, before it answers) or "worker" (only
# `manage.py cti_apply`).
CALLPULSE_CTI_APPLY = env_str("CALLPULSE_CTI_APPLY", "background")
if CALLPULSE_CTI_APPLY not in ("background", "inline", "worker"):
    raise ImproperlyConfigured("CALLPULSE_CTI_APPLY must be background, inline or worker.")
# ------------------------------------------------------------------------------------------
# Teams: one supervisor and between these many operators (PRODUCT.md: 3-20).
CALLPULSE_TEAM_MIN_OPERATORS = env_int("CALLPULSE_TEAM_MIN_OPERATORS", 3)
CALLPULSE_TEAM_MAX_OPERATORS = env_int("CALLPULSE_TEAM_MAX_OPERATORS", 20)
# A client with no order for this many days is dormant.
CALLPULSE_DORMANT_AFTER_DAYS = env_int("CALLPULSE_DORMANT_AFTER_DAYS", 60)
# The region numbers are parsed in when typed without a country code (8 701 ... in Kazakhstan).
CALLPULSE_PHONE_REGION = env_str("CALLPULSE_PHONE_REGION", "KZ")
# Routing: the operators' queue, the department of key accounts, where unknown callers go.
CALLPULSE_OPERATORS_QUEUE = env_str("CALLPULSE_OPERATORS_QUEUE", "operators")
CALLPULSE_KEY_ACCOUNTS_DEPARTMENT = env_str("CALLPULSE_KEY_ACCOUNTS_DEPARTMENT", "wholesale")
CALLPULSE_NEW_CLIENTS_DEPARTMENT = env_str("CALLPULSE_NEW_CLIENTS_DEPARTMENT", "wholesale")
# A missed or abandoned call is due for a callback this many minutes later.
CALLPULSE_CALLBACK_DUE_MINUTES = env_int("CALLPULSE_CALLBACK_DUE_MINUTES", 15)
# Orders: the column a client without a type column gets, how many cross-sell offers an order
# needs before it can be completed, the warehouse's weekly days off (0 = Monday), payment terms.
CALLPULSE_DEFAULT_PRICE_COLUMN = env_str("CALLPULSE_DEFAULT_PRICE_COLUMN", "retail")
CALLPULSE_MIN_OFFERS = env_int("CALLPULSE_MIN_OFFERS", 3)
CALLPULSE_WAREHOUSE_DAYS_OFF = [int(d) for d in env_list("CALLPULSE_WAREHOUSE_DAYS_OFF", ["6"])]
CALLPULSE_PAYMENT_TERMS_DAYS = env_int("CALLPULSE_PAYMENT_TERMS_DAYS", 14)
# Callbacks and outbound calls: the hours a client may be called on the client's own clock, the
# hours the center calls back (the website form offers only these), retries and the SLA.
CALLPULSE_CALLING_HOURS = env_list("CALLPULSE_CALLING_HOURS", ["09:00", "21:00"])
CALLPULSE_CENTER_HOURS = env_list("CALLPULSE_CENTER_HOURS", ["09:00", "20:00"])
CALLPULSE_CALLBACK_RETRY_MINUTES = env_int("CALLPULSE_CALLBACK_RETRY_MINUTES", 30)
CALLPULSE_CALLBACK_MAX_ATTEMPTS = env_int("CALLPULSE_CALLBACK_MAX_ATTEMPTS", 3)
CALLPULSE_CALLBACK_RESERVE_MINUTES = env_int("CALLPULSE_CALLBACK_RESERVE_MINUTES", 30)
CALLPULSE_CALLBACK_SLA_MINUTES = env_int("CALLPULSE_CALLBACK_SLA_MINUTES", 30)
# The website "call me back" form: the sites allowed to post it (CORS), and its abuse limits.
CALLPULSE_CALLBACK_FORM_ORIGINS = env_list("CALLPULSE_CALLBACK_FORM_ORIGINS", [])
CALLPULSE_CALLBACK_FORM_PER_IP = env_int("CALLPULSE_CALLBACK_FORM_PER_IP", 10)
CALLPULSE_CALLBACK_FORM_PER_NUMBER = env_int("CALLPULSE_CALLBACK_FORM_PER_NUMBER", 3)
# Toll fraud: the form takes only numbers the center means to dial: countries (ISO codes; +7 is
# Kazakhstan's and Russia's, the number's range decides) and phonenumbers' number types.
# Premium-rate and shared-cost numbers are refused whatever these say.
CALLPULSE_CALLBACK_FORM_COUNTRIES = [
    c.upper() for c in env_list("CALLPULSE_CALLBACK_FORM_COUNTRIES", [CALLPULSE_PHONE_REGION])
]
CALLPULSE_CALLBACK_FORM_NUMBER_TYPES = [
    t.upper()
    for t in env_list(
        "CALLPULSE_CALLBACK_FORM_NUMBER_TYPES", ["MOBILE", "FIXED_LINE", "FIXED_LINE_OR_MOBILE"]
    )
]
if unknown := set(CALLPULSE_CALLBACK_FORM_COUNTRIES) - phonenumbers.SUPPORTED_REGIONS:
    raise ImproperlyConfigured(f"CALLPULSE_CALLBACK_FORM_COUNTRIES: unknown {sorted(unknown)}.")
dialled_types = {"MOBILE", "FIXED_LINE", "FIXED_LINE_OR_MOBILE", "TOLL_FREE", "VOIP", "UAN"}
dialled_types |= {"PERSONAL_NUMBER", "PAGER", "VOICEMAIL", "UNKNOWN"}
if unknown := set(CALLPULSE_CALLBACK_FORM_NUMBER_TYPES) - dialled_types:
    raise ImproperlyConfigured(
        f"CALLPULSE_CALLBACK_FORM_NUMBER_TYPES: {sorted(unknown)} is not among "
        f"{sorted(dialled_types)} (premium-rate and shared-cost numbers are never called)."
    )
# Behind a proxy that sets X-Forwarded-For, rate limits count the client's address, not the proxy's.
CALLPULSE_BEHIND_PROXY = env_bool("CALLPULSE_BEHIND_PROXY", False)
# Sales plans: the sales team's weekly days off (0 = Monday) and the traffic-light thresholds (%).
CALLPULSE_SALES_DAYS_OFF = [int(d) for d in env_list("CALLPULSE_SALES_DAYS_OFF", ["5", "6"])]
CALLPULSE_SALES_LIGHT_GREEN = env_int("CALLPULSE_SALES_LIGHT_GREEN", 100)
CALLPULSE_SALES_LIGHT_YELLOW = env_int("CALLPULSE_SALES_LIGHT_YELLOW", 90)
# Workforce planning jobs: background threads per process, CP-SAT seconds per roster.
CALLPULSE_WFM_JOB_WORKERS = env_int("CALLPULSE_WFM_JOB_WORKERS", 2)
CALLPULSE_WFM_ROSTER_SECONDS = env_int("CALLPULSE_WFM_ROSTER_SECONDS", 20)
# The currency receivables are kept in.
CALLPULSE_CURRENCY = env_str("CALLPULSE_CURRENCY", "KZT")
# CSV/XLSX imports (catalog, campaign lists, call history): the largest file in bytes and the
# most data rows one import reads; bigger files are refused before they are parsed.
CALLPULSE_IMPORT_MAX_BYTES = env_int("CALLPULSE_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
CALLPULSE_IMPORT_MAX_ROWS = env_int("CALLPULSE_IMPORT_MAX_ROWS", 50_000)
