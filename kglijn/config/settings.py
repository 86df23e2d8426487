"""Settings read from the environment, with an embedded default for `make run`.

KGLIJN_ENV=production switches on the secure settings and refuses to start without a real
SECRET_KEY; anything else is the embedded development set-up (SQLite under var/).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KGLIJN_VAR_DIR", BASE_DIR.parent / "var"))

ENV = os.environ.get("KGLIJN_ENV", "development")
PRODUCTION = ENV == "production"


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


_DEV_SECRET = "dev-only-insecure-secret-key-change-me-" + "x" * 20
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("KGLIJN_ENV=production needs SECRET_KEY (50+ random characters).")

# The telephony platform signs its call events with this (HMAC-SHA256, docs/telephony.md).
_DEV_TELEPHONY_SECRET = "dev-only-telephony-secret-change-me-" + "x" * 28
KGLIJN_TELEPHONY_SECRET = os.environ.get(
    "KGLIJN_TELEPHONY_SECRET", "" if PRODUCTION else _DEV_TELEPHONY_SECRET
)
if PRODUCTION and (
    not KGLIJN_TELEPHONY_SECRET
    or KGLIJN_TELEPHONY_SECRET == _DEV_TELEPHONY_SECRET
    or len(KGLIJN_TELEPHONY_SECRET) < 32
):
    raise ImproperlyConfigured(
        "KGLIJN_ENV=production needs KGLIJN_TELEPHONY_SECRET (32+ random characters)."
    )

# How the telephony webhook applies call events (ADR 0009): "inline" derives calls, contacts
# and rollups inside the request; "background" stores and acknowledges (202) and the applier
# thread of `kglijn serve` derives in batches. Production defaults to background.
KGLIJN_TELEPHONY_APPLY = os.environ.get(
    "KGLIJN_TELEPHONY_APPLY", "background" if PRODUCTION else "inline"
)
# A callback number (personal data) is erased this many days after its call (telephony/jobs.py).
KGLIJN_CALLBACK_RETENTION_DAYS = int(os.environ.get("KGLIJN_CALLBACK_RETENTION_DAYS", "30"))
if KGLIJN_TELEPHONY_APPLY not in ("inline", "background"):
    raise ImproperlyConfigured("KGLIJN_TELEPHONY_APPLY must be 'inline' or 'background'.")

# Off unless DEBUG=1 is set explicitly: Django's debug page shows settings and paths (issue 13).
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",  # login throttling; before kglijn.accounts, whose admin narrows axes' admin
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the app itself (no CDN)
    "kglijn.core",
    "kglijn.outbox",
    "kglijn.accounts",
    "kglijn.contacts",
    "kglijn.demo",
    "kglijn.reports",
    "kglijn.telephony",
    "kglijn.surveys",
    "kglijn.feedback",
    "kglijn.mail",
    "kglijn.knowledge",
    "kglijn.opgroeipunt",
    "kglijn.webform",
    "kglijn.chat",
    "kglijn.servicelevels",
    "kglijn.steering",
    "kglijn.campaigns",
    "kglijn.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kglijn.core.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: turns a locked-out login into the lockout page (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kglijn.config.urls"
WSGI_APPLICATION = "kglijn.config.wsgi.application"
ASGI_APPLICATION = "kglijn.config.asgi.application"

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
                "kglijn.accounts.context_processors.roles",
                "kglijn.config.menu.main_menu",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'kglijn.sqlite3'}"
# No persistent connections: kglijn serves ASGI, where Django cannot close a thread's idle
# connection (under load they piled up to PostgreSQL's "too many clients"). PostgreSQL gets a
# connection pool per server process instead (psycopg_pool): a request borrows a connection
# and returns it, no connection set-up per request.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "8")),
        # Seconds a request waits for a free connection before failing: with the database
        # down a request fails within this, not after a minute (issue 13).
        "timeout": int(os.environ.get("DB_POOL_TIMEOUT", "5")),
    }
    # libpq's connect timeout (seconds); without it a connection to an unreachable host waits
    # for the operating system's TCP timeout.
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "3"))
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database's directory: made on first use, so a fresh KGLIJN_VAR_DIR does
    # not end in SQLite's bare "unable to open database file".
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the server read while `kglijn demo` or an import writes; 20 s busy timeout.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The throttle first (it refuses locked accounts and clients), then the normal password check.
AUTHENTICATION_BACKENDS = [
    "kglijn.accounts.throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# --- Login throttling (django-axes, issue 13, docs/security.md) ----------------------------
# Counted separately per account (username, from any client) and per client (IP address, any
# account): either reaching the limit within the cool-off locks it. The client is REMOTE_ADDR
# only; `kglijn serve` sets it from X-Forwarded-For only for KGLIJN_TRUSTED_PROXIES.
AXES_FAILURE_LIMIT = int(os.environ.get("KGLIJN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("KGLIJN_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "kglijn.accounts.throttle.client_ip"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]  # in case django-ipware gets installed
AXES_LOCKOUT_CALLABLE = "kglijn.accounts.throttle.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# A success does not wipe the client's failures (else one valid account resets the spraying
# count of its whole client); failures expire with the cool-off.
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not kept; failures are (AccessAttempt)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # shared by all server processes
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # the desk, or Opgroeipunt's cases for its roles (config/home.py)
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nl-be"
LANGUAGES = [("nl-be", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dutch whatever the browser says; English only when chosen with the NL/EN switch, which sets
# this cookie for a year (kglijn.core.language, docs/voice.md).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "servestatic.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# ServeStatic (the ASGI-capable WhiteNoise fork) serves static files from the app itself:
# from the finders in development, from collectstatic's manifest in production.
SERVESTATIC_USE_FINDERS = not PRODUCTION

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every login at INFO; lockouts reach kglijn's audit log instead.
        "axes": {"level": "WARNING"},
    },
}

# --- kglijn business settings -------------------------------------------------------------
# Opening hours per office: weekday numbers (Mon=0) -> (open, close) as "HH:MM".
KGLIJN_OPENING_HOURS: dict[str, dict[int, tuple[str, str]]] = {
    "front": dict.fromkeys(range(5), ("08:00", "20:00")),
    "pgjo": dict.fromkeys(range(5), ("09:00", "17:00")),
    "childcare": dict.fromkeys(range(5), ("09:00", "17:00")),
}
# Closing days on top of Belgian public holidays: (month, day) every year, e.g. 11 July, the
# Flemish community holiday. Single dates are kept in the app (core.ClosingDay).
KGLIJN_EXTRA_CLOSING_DAYS: list[tuple[int, int]] = [(7, 11)]
# E-mail service level: answered within this many working days (kglijn/servicelevels/mail.py).
KGLIJN_EMAIL_NORM_WORKING_DAYS = int(os.environ.get("KGLIJN_EMAIL_NORM_WORKING_DAYS", "2"))

# --- Mail and `kglijn worker` (survey invitations, ADR 0008) -------------------------------
# SMTP when EMAIL_HOST is set (always in production); else the console backend prints mails.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION or os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "K&G-Lijn <tevredenheid@kindengezin.be>")
# Links in mails are absolute: the address citizens reach kglijn's public pages at.
KGLIJN_PUBLIC_BASE_URL = os.environ.get(
    "KGLIJN_PUBLIC_BASE_URL", "" if PRODUCTION else "http://127.0.0.1:8000"
).rstrip("/")
# Jobs `kglijn worker` runs in turn: dotted paths to callables `job(*, now) -> int`.
KGLIJN_WORKER_JOBS: list[str] = [
    "kglijn.surveys.invitations.invitations_schedule",
    "kglijn.telephony.jobs.callback_numbers_expire",
    "kglijn.chat.jobs.chat_transcripts_purge",
    "kglijn.chat.jobs.chat_presence_sweep",
    "kglijn.mail.imap.mailbox_poll",
    "kglijn.outbox.services.outbox_send",
    "kglijn.core.tasks.tasks_run",
    "kglijn.opgroeipunt.cases.jobs.urgent_escalate",
    "kglijn.opgroeipunt.sync.jobs.sync_daily",
    "kglijn.opgroeipunt.risk.jobs.risk_daily",
    "kglijn.opgroeipunt.sync.outgoing.outgoing_deliver",
    "kglijn.campaigns.sampling.mailing.reminders_schedule",
]
# Every mail kglijn sends goes through the one outbox (kglijn/outbox, ADR 0013); each kind of
# mail is a purpose that builds its mail when it is claimed and follows its outcome.
KGLIJN_OUTBOX_PURPOSES: list[str] = [
    "kglijn.mail.outbound.ANSWER",
    "kglijn.surveys.invitations.sending.INVITATION",
    "kglijn.opgroeipunt.cases.mail.URGENT",
    "kglijn.opgroeipunt.cases.mail.ESCALATION",
    "kglijn.campaigns.sampling.mailing.CAMPAIGN_MAIL",
]
# One-off background work ("send this mail now") goes through the Tasks API (django-tasks,
# ADR 0013): `immediate` runs it at once in the process that asks (make run, tests);
# `database` stores it for `kglijn worker` (job kglijn.core.tasks.tasks_run) to run.
_TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
KGLIJN_TASKS_BACKEND = os.environ.get(
    "KGLIJN_TASKS_BACKEND", "database" if PRODUCTION else "immediate"
)
if KGLIJN_TASKS_BACKEND not in _TASKS_BACKENDS:
    raise ImproperlyConfigured(
        f"KGLIJN_TASKS_BACKEND must be one of {', '.join(_TASKS_BACKENDS)}, "
        f"not {KGLIJN_TASKS_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": _TASKS_BACKENDS[KGLIJN_TASKS_BACKEND]}}

# The panels other apps contribute to the contact page, in page order (kglijn/contacts/panels.py):
# `panel(*, user, contact) -> ContactPanel`. The register imports no channel (issue 14).
KGLIJN_CONTACT_PANELS: list[str] = [
    "kglijn.mail.panels.mail_contact_panel",
    "kglijn.surveys.panels.survey_contact_panel",
    "kglijn.opgroeipunt.cases.panels.opgroeipunt_contact_panel",
]

# The background parts `kglijn serve` starts in its (supervising) process, like the worker's
# jobs: `start() -> stop | None` (None: nothing to run in this configuration). `kglijn serve
# --no-applier` starts none of them. Core imports no app: they are named here.
KGLIJN_SERVER_BACKGROUND: list[str] = [
    "kglijn.telephony.applier.applier_start",
]

# What `kglijn demo` loads after the register's demo, from apps above it (the demo imports no
# higher app): `extra(*, seed, years, scale) -> str`, a line for the demo's summary.
KGLIJN_DEMO_EXTRAS: list[str] = [
    "kglijn.steering.demo.steering_demo_load",
    "kglijn.campaigns.demo.campaigns_demo_load",
]

# --- Steering the front office (issue 19, ADR 0017, docs/steering.md) -------------------------
# "Voldoende bereikbaar" on a day: the front office's service level met its norm and at most
# this share of the offered calls was abandoned (%).
KGLIJN_REACHABILITY_MAX_ABANDON_PCT = float(
    os.environ.get("KGLIJN_REACHABILITY_MAX_ABANDON_PCT", "10")
)

# --- Opgroeipunt (docs/opgroeipunt.md, ADR 0015) ----------------------------------------------
# The urgent lane's response term, in hours on the clock (a danger situation does not wait for
# Monday).
KGLIJN_OPGROEIPUNT_URGENT_HOURS = int(os.environ.get("KGLIJN_OPGROEIPUNT_URGENT_HOURS", "4"))
# The public intake form (/melden/): accepted submissions per client per window (like the web
# contact form's limit, counted apart).
KGLIJN_OPGROEIPUNT_FORM_LIMIT = int(os.environ.get("KGLIJN_OPGROEIPUNT_FORM_LIMIT", "5"))
KGLIJN_OPGROEIPUNT_FORM_WINDOW = int(os.environ.get("KGLIJN_OPGROEIPUNT_FORM_WINDOW", "600"))
# Synchronisation in (docs/opgroeipunt-sync.md, issue 18): each source is pulled from its HTTPS
# address, else read from files dropped in <drop dir>/<source>/; unset: not configured. The
# daily job runs at SYNC_AT (Brussels time) and retries a failed run every RETRY_MINUTES.
KGLIJN_OPGROEIPUNT_SYNC_DOSSIER_URL = os.environ.get("KGLIJN_OPGROEIPUNT_SYNC_DOSSIER_URL", "")
KGLIJN_OPGROEIPUNT_SYNC_INSPECTION_URL = os.environ.get(
    "KGLIJN_OPGROEIPUNT_SYNC_INSPECTION_URL", ""
)
KGLIJN_OPGROEIPUNT_SYNC_DOSSIER_TOKEN = os.environ.get("KGLIJN_OPGROEIPUNT_SYNC_DOSSIER_TOKEN", "")
KGLIJN_OPGROEIPUNT_SYNC_INSPECTION_TOKEN = os.environ.get(
    "KGLIJN_OPGROEIPUNT_SYNC_INSPECTION_TOKEN", ""
)
KGLIJN_OPGROEIPUNT_SYNC_DROP_DIR = os.environ.get("KGLIJN_OPGROEIPUNT_SYNC_DROP_DIR", "")
KGLIJN_OPGROEIPUNT_SYNC_AT = os.environ.get("KGLIJN_OPGROEIPUNT_SYNC_AT", "02:30")
KGLIJN_OPGROEIPUNT_SYNC_RETRY_MINUTES = int(
    os.environ.get("KGLIJN_OPGROEIPUNT_SYNC_RETRY_MINUTES", "60")
)
# Each page of a pull: ATTEMPTS tries, waiting BACKOFF, 2 x BACKOFF, ... seconds (at most 60)
# in between, TIMEOUT seconds per request.
KGLIJN_OPGROEIPUNT_SYNC_ATTEMPTS = int(os.environ.get("KGLIJN_OPGROEIPUNT_SYNC_ATTEMPTS", "5"))
KGLIJN_OPGROEIPUNT_SYNC_BACKOFF = float(os.environ.get("KGLIJN_OPGROEIPUNT_SYNC_BACKOFF", "2"))
KGLIJN_OPGROEIPUNT_SYNC_TIMEOUT = float(os.environ.get("KGLIJN_OPGROEIPUNT_SYNC_TIMEOUT", "30"))
# A PEM file of the certificate authorities to trust for the sources' https addresses (e.g. the
# Flemish government's own CA); empty: the system's trust store.
KGLIJN_OPGROEIPUNT_SYNC_CA_FILE = os.environ.get("KGLIJN_OPGROEIPUNT_SYNC_CA_FILE", "")
# Synchronisation out (docs/opgroeipunt-sync-out.md): the dossier system's signed webhook and/or
# its drop directory for JSON Lines batches; empty: the changes wait in OutgoingChange.
KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_URL = os.environ.get(
    "KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_URL", ""
)
KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_SECRET = os.environ.get(
    "KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_SECRET", ""
)
KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_TIMEOUT = float(
    os.environ.get("KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_TIMEOUT", "10")
)
KGLIJN_OPGROEIPUNT_DOSSIER_DROP_DIR = os.environ.get("KGLIJN_OPGROEIPUNT_DOSSIER_DROP_DIR", "")
KGLIJN_OPGROEIPUNT_OUTGOING_STALE_SECONDS = float(
    os.environ.get("KGLIJN_OPGROEIPUNT_OUTGOING_STALE_SECONDS", "300")
)
# Plain http is refused; only tests and local development may pull from localhost over http.
KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP = (
    os.environ.get("KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP", "") == "1"
)

# --- Chat (docs/chat.md, ADR 0011) -------------------------------------------------------------
# Websocket messages between server processes go through Redis when REDIS_URL is set (production,
# several `kglijn serve` workers or hosts); else through memory (the embedded default: one process).
REDIS_URL = os.environ.get("REDIS_URL", "")
CHANNEL_LAYERS = (
    {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py >= 6 times socket reads out after 5 s, exactly channels-redis' blocking
            # receive (BZPOPMIN, 5 s): a loaded server then lost consumers to TimeoutError.
            # A console gets a queue event per change: room for bursts (default 100 a channel).
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
                "prefix": "kglijn",
                "capacity": 1000,
            },
        }
    }
    if REDIS_URL
    else {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
)
KGLIJN_CHAT_MAX_PER_NURSE = int(os.environ.get("KGLIJN_CHAT_MAX_PER_NURSE", "3"))
KGLIJN_CHAT_RETENTION_DAYS = int(os.environ.get("KGLIJN_CHAT_RETENTION_DAYS", "90"))
# "office": open during the PGJO office hours of the business calendar; "always": demo/bench only.
KGLIJN_CHAT_HOURS = os.environ.get("KGLIJN_CHAT_HOURS", "office")
# Seconds a waiting or running chat survives without its parent connected (a reload or a
# network blip comes back well within it); then it is ended as "the parent left".
KGLIJN_CHAT_PRESENCE_TIMEOUT = int(os.environ.get("KGLIJN_CHAT_PRESENCE_TIMEOUT", "45"))

# --- The e-mail channel (issue 6, ADR 0010, docs/mail.md) ----------------------------------
# The mailbox `kglijn worker` polls (IMAP4rev1); no host = no polling.
KGLIJN_IMAP_HOST = os.environ.get("KGLIJN_IMAP_HOST", "")
KGLIJN_IMAP_SSL = _env_bool("KGLIJN_IMAP_SSL", True)
KGLIJN_IMAP_PORT = int(os.environ.get("KGLIJN_IMAP_PORT", "993" if KGLIJN_IMAP_SSL else "143"))
KGLIJN_IMAP_USER = os.environ.get("KGLIJN_IMAP_USER", "")
KGLIJN_IMAP_PASSWORD = os.environ.get("KGLIJN_IMAP_PASSWORD", "")
KGLIJN_IMAP_MAILBOX = os.environ.get("KGLIJN_IMAP_MAILBOX", "INBOX")
# Optional: move processed messages to this folder (else they stay, flagged $KGLijnProcessed).
KGLIJN_IMAP_PROCESSED_MAILBOX = os.environ.get("KGLIJN_IMAP_PROCESSED_MAILBOX", "")
KGLIJN_IMAP_TIMEOUT = int(os.environ.get("KGLIJN_IMAP_TIMEOUT", "30"))
# Answers from the desk: sender, where replies go, and the domain of our Message-IDs.
KGLIJN_MAIL_FROM = os.environ.get("KGLIJN_MAIL_FROM", "Kind en Gezin-Lijn <info@kindengezin.be>")
KGLIJN_MAIL_REPLY_TO = os.environ.get("KGLIJN_MAIL_REPLY_TO", "info@kindengezin.be")
KGLIJN_MAIL_MESSAGE_ID_DOMAIN = os.environ.get("KGLIJN_MAIL_MESSAGE_ID_DOMAIN", "kindengezin.be")
# Received mail: attachments are stored here; limits per message and per attachment (bytes).
KGLIJN_MAIL_DIR = Path(os.environ.get("KGLIJN_MAIL_DIR", VAR_DIR / "mail"))
KGLIJN_MAIL_MAX_MESSAGE_BYTES = int(os.environ.get("KGLIJN_MAIL_MAX_MESSAGE_BYTES", "31457280"))
KGLIJN_MAIL_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("KGLIJN_MAIL_MAX_ATTACHMENT_BYTES", "10485760")
)

# --- Hardening (issue 13, docs/security.md): shared cache, proxies, origins, public limits -------
# Rate-limit counters and used form tokens live in the cache, so every server process must see
# the same one: Redis when REDIS_URL is set, else this process's memory (one process only).
CACHES = (
    {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kglijn",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    if REDIS_URL
    else {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kglijn",
        }
    }
)
# The reverse proxies in front of `kglijn serve` (IPs or CIDRs, comma separated). Only from these
# is X-Forwarded-For believed; empty (the default): REMOTE_ADDR is the connecting peer.
KGLIJN_TRUSTED_PROXIES = _env_list("KGLIJN_TRUSTED_PROXIES", "")
# Websocket origins allowed besides the page's own (scheme://host[:port]); CSRF_TRUSTED_ORIGINS
# count too.
KGLIJN_ALLOWED_ORIGINS = _env_list("KGLIJN_ALLOWED_ORIGINS", "")
# Public chat: chat starts per client per window (0 = no limit), and waiting chats in all.
KGLIJN_CHAT_START_LIMIT = int(os.environ.get("KGLIJN_CHAT_START_LIMIT", "3"))
KGLIJN_CHAT_START_WINDOW = int(os.environ.get("KGLIJN_CHAT_START_WINDOW", "600"))
KGLIJN_CHAT_MAX_WAITING = int(os.environ.get("KGLIJN_CHAT_MAX_WAITING", "30"))
# Public web form: accepted submissions per client per window.
KGLIJN_WEBFORM_LIMIT = int(os.environ.get("KGLIJN_WEBFORM_LIMIT", "5"))
KGLIJN_WEBFORM_WINDOW = int(os.environ.get("KGLIJN_WEBFORM_WINDOW", "600"))

# --- The integration API (issue 15, docs/api.md) ---------------------------------------------
# Token authentication only (a token acts as its user, with that user's role); JSON only; one
# error shape, the webhooks' own ({"errors": [{"field", "message"}]}).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["kglijn.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kglijn.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "kglijn API",
    "DESCRIPTION": (
        "The contact register of the Kind en Gezin-Lijn for other systems (token auth) and the "
        "telephony platform's signed webhooks. Guide: docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Enums stay inline: the model and the input serializers choose from different sets (blank
    # allowed or not), which the enum-component hook can only name by hash.
    "POSTPROCESSING_HOOKS": [
        "kglijn.api.schema.postprocess",
    ],
}
