"""Settings shared by every environment; the environment variables are listed in the README."""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = False
ALLOWED_HOSTS: list[str] = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "import_export",
    "django_htmx",
    "django_guid",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "practice",
    "reimburse",
    "privacy",
    "webhooks",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id, and the answer returns it.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    # A database that is down or timed out answers 503 + Retry-After (config/errors.py).
    "config.errors.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Writes made by an API view send no record.changed webhook (webhooks.origin).
    "webhooks.origin.ApiWritesMiddleware",
    # After the user is known: Dutch in Belgium or in the Netherlands, by the practice.
    "practice.middleware.PracticeLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# DATABASE_URL selects the database (postgres://… for PostgreSQL); SQLite needs no set-up.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A hung database must not hold every worker: give up connecting after a few seconds and
    # cancel a statement that runs too long (the request then answers 503). 0 turns a limit off
    # (e.g. DJANGO_DB_STATEMENT_TIMEOUT=0 for a long data migration).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": env_int("DJANGO_DB_CONNECT_TIMEOUT", 5),
            "options": f"-c statement_timeout={env_int('DJANGO_DB_STATEMENT_TIMEOUT', 20) * 1000}",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead log: pages keep reading while the task worker holds a long write transaction
    # (an import of a whole file is one); without it every reader waits for that transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Request bodies (not uploaded files) up to 2 MiB, the limit simulate states; over it the API
# answers 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Messages live in the session, not a signed cookie: a new API token's key is shown once
# through a message and must not travel in a readable cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Login rate limiting (django-axes): the standalone backend refuses a locked-out login before
# the model backend checks the password. Five failures for one username from one address lock
# that pair for 15 minutes, even with the right password; a success resets the count. The pair,
# not the address alone: a clinic's therapists share one public address, and locking by username
# alone would let anyone lock a therapist out from anywhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Attempts during a lockout do not restart it: else one wrong try every 15 minutes would keep
# a therapist locked out for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Behind a reverse proxy every request comes from the proxy's address, and one wrong password
# too many would lock the user out for everyone. DJANGO_TRUSTED_PROXY_COUNT is the number of
# proxies in front of gunicorn that append the client's address to X-Forwarded-For (1 for the
# documented nginx or Caddy); the client address is then taken from that header with
# django-ipware. A header with more entries than the proxies add (a client that sent its own)
# is not trusted: the attempt counts against the proxy's address instead. 0: REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT > 0:
    # ipware counts the proxies listed in the header beyond the client; the last proxy is the
    # peer itself (REMOTE_ADDR), not listed.
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Outgoing mail (password reset): SMTP configured by the environment; development prints it.
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    # Per-practice API tokens only; every 4xx answers {"errors": [{"field", "message"}]}.
    "DEFAULT_AUTHENTICATION_CLASSES": ["practice.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["practice.api.permissions.HasPracticeToken"],
    "EXCEPTION_HANDLER": "practice.api.exceptions.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "practice.api.schema.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "practice.api.filters.StrictOrderingFilter",
    ],
    # Page numbers, or a cursor for ?updated_since= (practice.api.pagination).
    "DEFAULT_PAGINATION_CLASS": "practice.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Physiotherapy reimbursement API",
    "DESCRIPTION": "Quotas, reimbursement and warnings for Belgian and Dutch physiotherapy.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from the sidecar package, served locally: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Internal base classes' docstrings (StrictMixin …) are not descriptions of API models.
    "GET_LIB_DOC_EXCLUDES": "practice.api.schema.lib_doc_excludes",
    # Separate request components, so read-only fields (id, created_at) are not inputs.
    "COMPONENT_SPLIT_REQUEST": True,
    # Two "status" fields with different meanings: name their enums apart.
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "practice.api.serializers.SESSION_STATUSES",
        "ReimbursementStatusEnum": "practice.api.serializers.REIMBURSEMENT_STATUSES",
        "WarningCodeEnum": "practice.api.serializers.WARNING_CODES",
        "DecisionStatusEnum": "practice.api.agreements.DECISION_STATUSES",
        "AgreementRequestStatusEnum": "practice.models.AgreementRequest.Status",
        "AgreementKindEnum": "practice.models.AgreementKind",
        "AnnexKindEnum": "practice.models.AnnexKind",
        "MissingCodeEnum": "practice.api.agreements.MISSING_CODES",
        "SessionKindEnum": "practice.models.TreatmentSession.Kind",
    },
}

# Request ids (django-guid): taken from the proxy's X-Request-ID when it is a UUID, else made
# here; returned in the same header and written on every log line as "request_id".
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
}

# One JSON object per line on stderr (python-json-logger), for journald or any log shipper.
# django.request logs every 5xx once with its traceback; config.errors the 503s it answers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {
            "()": "django_guid.log_filters.CorrelationId",
            "correlation_id_field": "request_id",
        },
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": "json",
        },
    },
    "root": {"handlers": ["stderr"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (mail_admins, the console in DEBUG) are replaced by stderr.
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django_guid": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Background work (large imports, the nightly Needs-attention refresh) on django-tasks, the
# backport of Django 6's tasks API. By default the queue is a table of this database and
# `manage.py db_worker` runs the tasks: no other server. DJANGO_TASKS_REDIS_URL moves it to
# Redis for larger deployments (django-tasks-rq; worker:
# `manage.py rqworker default --job-class django_tasks_rq.Job`).
TASKS_REDIS_URL = env_str("DJANGO_TASKS_REDIS_URL", "")
if TASKS_REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Webhooks (the webhooks app): deliveries are POSTed with this timeout in seconds. In
# production a subscription's URL must be https and its host a public address (no requests
# into the server's own network); development and tests allow http and 127.0.0.1.
WEBHOOKS_TIMEOUT = env_int("DJANGO_WEBHOOKS_TIMEOUT", 5)
WEBHOOKS_ALLOW_HTTP = env_bool("DJANGO_WEBHOOKS_ALLOW_HTTP", False)
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("DJANGO_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
# Imports (practice.imports): the uploaded files wait here for the worker, so the web server
# and the worker must share this folder (one machine, or a shared volume with Redis workers).
# Progress of a running import is written to a file cache beside them: the import's own
# database transaction stays open until the end, so it cannot carry its progress.
IMPORT_FILES_DIR = Path(env_str("DJANGO_IMPORT_FILES_DIR", str(BASE_DIR / "var" / "imports")))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "imports": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": IMPORT_FILES_DIR / "progress",
    },
}
