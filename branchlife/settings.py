"""Branchlife settings: every value comes from the environment, with defaults that run locally."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} is {value!r}; it must be True or False")
    return value == "True"


def envint(name: str, default: str) -> int:
    try:
        return int(os.getenv(name, default))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number") from exc


def envsecret(name: str, default: str = "") -> str:
    """Reads NAME, or the file named by NAME_FILE (docker secrets)."""
    path = os.getenv(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.getenv(name, default)


DEBUG = envbool("DEBUG", "True")
SECRET_KEY = envsecret("SECRET_KEY", "dev-only-insecure-key-change-me-" + "x" * 32)
if not DEBUG and SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is False")
ALLOWED_HOSTS = os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")
# How long a one-time activation code (a paper slip) stays usable.
ACTIVATION_CODE_DAYS = envint("ACTIVATION_CODE_DAYS", "14")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "treebeard",
    "rules",
    "axes",
    "simple_history",
    "csp",
    "organizations",
    "accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "activities",
    "meetings",
    "evaluations",
    "rectification",
    "lifecycle",
    "filings",
    "notifications",
    "dashboard",
    "documents",
    "operations",
]

MIDDLEWARE = [
    # First: every record logged while a request runs, and every response, carry the request's id.
    "branchlife.logs.RequestIdMiddleware",
    # GET /healthz, answered before the HTTPS redirect, the ALLOWED_HOSTS check, sessions and CSRF.
    "branchlife.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below) on every response.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "branchlife.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-factor (accounts.two_factor): request.user.is_verified(), then idle sessions out (everyone's, shorter
    # for officers), then unverified officers to the authenticator pages.
    "django_otp.middleware.OTPMiddleware",
    # Records who made each change to people and roles (organizations' historical tables).
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.two_factor.middleware.IdleTimeoutMiddleware",
    "accounts.two_factor.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "branchlife.urls"
WSGI_APPLICATION = "branchlife.wsgi.application"

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
                "branchlife.context_processors.navigation",
            ],
        },
    },
]

# The worker, beat and web share the SQLite file: wait for locks instead of failing. secure_delete: SQLite
# overwrites deleted rows with zeros instead of leaving them in free pages, so a reshuffled anonymous
# opinion or a ballot rewritten by the seal leaves no old copy in the file (set by the app on every
# connection, not left to how SQLite was built).
SQLITE_OPTIONS = {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA secure_delete = ON;"}
if os.getenv("DB", "sqlite") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.getenv("DB_NAME", "branchlife"),
            "USER": os.getenv("DB_USER", "postgres"),
            "PASSWORD": envsecret("DB_PASSWORD", ""),
            "HOST": os.getenv("DB_HOST", "127.0.0.1"),
            "PORT": os.getenv("DB_PORT", "5432"),
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", "60"),
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": os.getenv("DB_TEST_NAME", "test_branchlife")},
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.getenv("DB_NAME", str(BASE_DIR / "branchlife.sqlite3")),
            "OPTIONS": SQLITE_OPTIONS,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins: five in a row lock that username from that address for 15 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = envbool("AXES_ENABLED", "True")

# Two-factor authentication (accounts.two_factor): officers must use a TOTP authenticator, secretaries may.
# A session idle this many minutes ends at its next request: everyone's, and an officer's sooner (the
# shorter of the two applies to officers; 0 turns that limit off). accounts.two_factor.middleware.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", "120")
OFFICER_IDLE_MINUTES = envint("OFFICER_IDLE_MINUTES", "30")
# The session cookie's lifetime, renewed while the session is in use (the idle stamp above is rewritten
# at most once a minute); Django's default is two weeks.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE_SECONDS", str(8 * 60 * 60))
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Branchlife"
# The admin's device pages never show a TOTP key or a recovery code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(BASE_DIR / "media")))
# No URL pattern serves MEDIA_ROOT: uploaded evidence is streamed by views that check permission.
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "branchlife.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REDIS_URL = os.getenv("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHE_BACKEND = os.getenv("CACHE_BACKEND", "locmem")
if CACHE_BACKEND == "redis":
    CACHES = {
        "default": {
            "BACKEND": "branchlife.cache.RedisCache",
            "LOCATION": os.getenv("CACHE_URL", REDIS_URL),
            # A cache that is down must not take pages down with it.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Issue 23: sessions read from the cache and written through to the database (`cached_db`: no session
# query on a page) wherever the cache is shared by every process (redis: docker-compose, scripts/run.sh).
# With the per-process locmem cache, a session changed (logged out) in one worker would live on in another's
# memory, so there the database alone. SESSION_ENGINE overrides either.
SESSION_ENGINE = os.getenv(
    "SESSION_ENGINE",
    "django.contrib.sessions.backends.cached_db" if CACHE_BACKEND == "redis" else "django.contrib.sessions.backends.db",
)

CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.getenv("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "False")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", "300")
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", "360")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must fail fast when Redis is down so that saving a page never hangs on it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}
CELERY_BEAT_SCHEDULE: dict = {}
# The worker and beat log through LOGGING below (its format, request/task id and admins' mail), not Celery's.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat wakes at least this often (seconds); each wake touches its heartbeat file (branchlife.beat).
CELERY_BEAT_MAX_LOOP_INTERVAL = 60

EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "branchlife@localhost")


def envadmins(name: str) -> list[tuple[str, str]]:
    """ADMINS="张三:zhang@example.org,li@example.org": comma-separated name:address (a bare address names itself)."""
    admins = []
    for entry in (e.strip() for e in os.getenv(name, "").split(",")):
        if not entry:
            continue
        person, _, address = entry.rpartition(":")
        if "@" not in address:
            raise ImproperlyConfigured(f"{name}: {entry!r} is not name:address")
        admins.append((person.strip() or address.strip(), address.strip()))
    return admins


# Who gets a mail with the traceback of every server error (500) and every error a worker logs, when
# DEBUG is False; nobody when empty. The mail goes out from SERVER_EMAIL through the settings above.
ADMINS = envadmins("ADMINS")
SERVER_EMAIL = os.getenv("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Branchlife] "
# Error reports (that mail) keep no user, address, header or variable of the anonymous routes (branchlife.errors).
DEFAULT_EXCEPTION_REPORTER = "branchlife.errors.ErrorReporter"

# How many reverse proxies of ours stand in front of the app (nginx in front of gunicorn: 1). Each appends the address it
# saw to X-Forwarded-For, so the client is that many entries from the right; anything further left was
# written by the client and is not believed. 0: the client is REMOTE_ADDR. branchlife.http.client_ip
# reads this for django-axes, the public opinion throttle and the receipt throttle alike.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "1" if envbool("USE_X_FORWARDED_FOR", "False") else "0")
AXES_CLIENT_IP_CALLABLE = "branchlife.http.client_ip"
RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", "True")

# Content-Security-Policy (django-csp's CSPMiddleware), in DEBUG too so that a violation shows while
# developing: scripts, styles, fonts and fetches come from this site only, with no inline script, event
# handler attribute, <style> or style attribute (they live in static/js and static/css; tests/test_csp.py
# scans templates/); images may also be data: URIs (the QR codes); no plugins; never inside a frame; forms
# post only here. The WeasyPrint templates (templates/**/pdf/) are rendered to PDF on the server and keep
# their <style>.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    # Cookies only over HTTPS; scripts/run.sh, serving plain HTTP on this machine with DEBUG off, sets
    # SECURE_COOKIES=False (a browser would not send a Secure cookie back from http://127.0.0.1 otherwise).
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "True")
    # HSTS: a year, for the host's subdomains too. SECURE_HSTS_PRELOAD only adds the `preload` token (the
    # host is in browsers' preload lists only if someone submits it); an intranet name may turn both off.
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "True")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "True")
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Logs go to stderr (`docker compose logs`), one line per record: time, level, logger, the request's id (in
# the worker: the task's) and the message; LOG_FORMAT=json writes the same as one JSON object per line
# (branchlife.logs). Errors also go to ADMINS by mail when DEBUG is False: at most one mail per error (where
# it was raised) per process every ERROR_MAIL_INTERVAL_SECONDS, so a Redis outage is not a mail a second.
LOG_FORMAT = os.getenv("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT is {LOG_FORMAT!r}; it must be text or json")
LOG_LEVEL = os.getenv("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "branchlife.logs.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "mail_throttle": {
            "()": "branchlife.logs.MailThrottleFilter",
            "seconds": envint("ERROR_MAIL_INTERVAL_SECONDS", "600"),
        },
    },
    "formatters": {
        "text": {"()": "branchlife.logs.TextFormatter"},
        "json": {"()": "branchlife.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
        # Sends nothing while ADMINS is empty. The mail's first line is the text format's (the request id).
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "formatter": "text",
            "filters": ["require_debug_false", "request_id", "mail_throttle"],
        },
    },
    "root": {"handlers": ["console", "mail_admins"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default handlers off: its records reach the root's handlers once (one mail per error).
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # A request for a host not in ALLOWED_HOSTS (scanners trying the address) is logged, not mailed.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
    },
}

# ---------------------------------------------------------------- deadline reminders (issue 8)
# Days before a deadline when the "due soon" reminder goes out, and days overdue before a rectification
# item is escalated from the branch secretary to the township's officers.
REMINDER_DUE_SOON_DAYS = envint("REMINDER_DUE_SOON_DAYS", "3")
# 三会一课 (issue 18): the secretary is told this many days before a month or quarter ends what is not recorded.
REMINDER_RHYTHM_DAYS = envint("REMINDER_RHYTHM_DAYS", "3")
REMINDER_ESCALATE_AFTER_DAYS = envint("REMINDER_ESCALATE_AFTER_DAYS", "7")
# A closed rectification item is due for its follow-up review (回头看) this many days after closing.
REMINDER_FOLLOW_UP_AFTER_DAYS = envint("REMINDER_FOLLOW_UP_AFTER_DAYS", "30")
# No email between these hours (Asia/Shanghai); in-app messages are not held back.
REMINDER_QUIET_START_HOUR = envint("REMINDER_QUIET_START_HOUR", "22")
REMINDER_QUIET_END_HOUR = envint("REMINDER_QUIET_END_HOUR", "7")
# A reminder handed to the broker but still unsent this long after is handed over again (lost message).
REMINDER_REQUEUE_AFTER_MINUTES = envint("REMINDER_REQUEUE_AFTER_MINUTES", "60")
# Attempts per channel before a failing channel (SMTP down) is given up for that reminder.
REMINDER_MAX_ATTEMPTS = envint("REMINDER_MAX_ATTEMPTS", "5")
REMINDER_CHANNELS = [
    c.strip()
    for c in os.getenv(
        "REMINDER_CHANNELS",
        "notifications.channels.InAppChannel,notifications.channels.EmailChannel,"
        "notifications.channels.SmsChannel,notifications.channels.RobotChannel",
    ).split(",")
    if c.strip()
]
# Notices of events (a self-review returned, an item assigned…) older than this are not sent: the first
# scan after an upgrade must not announce last year's history.
NOTICE_LOOKBACK_DAYS = envint("NOTICE_LOOKBACK_DAYS", "7")
# Issue 19 (上报审核): the level above a branch that reviews its meeting plan and report, unless a node on
# the branch's path names another (filings.ReviewRule): township, general_branch or county.
FILINGS_REVIEW_LEVEL = os.getenv("FILINGS_REVIEW_LEVEL", "township").strip()
if FILINGS_REVIEW_LEVEL not in ("township", "general_branch", "county"):
    raise ImproperlyConfigured("FILINGS_REVIEW_LEVEL must be township, general_branch or county")
# Outside channels (issue 16). SMS_BACKEND: "" (none), "generic" (SMS_URL/SMS_KEY/SMS_TEMPLATE_ID: any
# HTTP gateway that takes JSON) or "aliyun" (Alibaba Cloud SMS, SMS_ALIYUN_*). Add the channels to
# REMINDER_CHANNELS (all four by default; SMS sends nothing until SMS_BACKEND is set, a robot nothing
# until a branch's secretary enters its webhook).
SMS_BACKEND = os.getenv("SMS_BACKEND", "")
SMS_URL = os.getenv("SMS_URL", "")
SMS_KEY = envsecret("SMS_KEY", "")
SMS_TEMPLATE_ID = os.getenv("SMS_TEMPLATE_ID", "")
SMS_ALIYUN_ACCESS_KEY_ID = os.getenv("SMS_ALIYUN_ACCESS_KEY_ID", "")
SMS_ALIYUN_ACCESS_KEY_SECRET = envsecret("SMS_ALIYUN_ACCESS_KEY_SECRET", "")
SMS_ALIYUN_SIGN_NAME = os.getenv("SMS_ALIYUN_SIGN_NAME", "")
SMS_ALIYUN_TEMPLATE_CODE = os.getenv("SMS_ALIYUN_TEMPLATE_CODE", "")
SMS_ALIYUN_ENDPOINT = os.getenv("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_MONTHLY_BUDGET = envint("SMS_MONTHLY_BUDGET", "100")
CHANNEL_TIMEOUT_SECONDS = envint("CHANNEL_TIMEOUT_SECONDS", "5")
# Five cron fields (minute hour day month weekday) or "off"; `expires` drops a scan that waited so long
# in the queue that the next one is about to start.
REMINDER_SCAN_CRON = os.getenv("REMINDER_SCAN_CRON", "*/15 * * * *")
REMINDER_SCAN_EXPIRES = envint("REMINDER_SCAN_EXPIRES", "840")
if REMINDER_SCAN_CRON != "off":
    from celery.schedules import crontab

    try:
        _minute, _hour, _day, _month, _weekday = REMINDER_SCAN_CRON.split()
    except ValueError as exc:
        raise ImproperlyConfigured("REMINDER_SCAN_CRON needs five cron fields or 'off'") from exc
    CELERY_BEAT_SCHEDULE["reminders-scan"] = {
        "task": "notifications.reminders_scan",
        "schedule": crontab(
            minute=_minute, hour=_hour, day_of_month=_day, month_of_year=_month, day_of_week=_weekday
        ),
        "options": {"expires": REMINDER_SCAN_EXPIRES},
    }

# Evaluations seal themselves on the first read after their closing time; this is the safety net that
# seals (and so rewrites the ballot tables in random order) even when nobody opens the results.
CELERY_BEAT_SCHEDULE["evaluations-seal-due"] = {
    "task": "evaluations.tasks.evaluations_seal_due",
    "schedule": envint("EVALUATIONS_SEAL_EVERY_SECONDS", "300"),
    "options": {"expires": 240},
}
# 立即截止 below this share of the voters on the roll (those present, for 扫码测评) asks for a reason that
# goes into the record; a fraction as the local rule states it ("2/3") or a decimal ("0.6").
EVALUATION_MIN_TURNOUT = os.getenv("EVALUATION_MIN_TURNOUT", "2/3")
# How long 扫码测评 stays open unless the secretary closes it first.
IN_ROOM_VOTING_MINUTES = envint("IN_ROOM_VOTING_MINUTES", "120")
# A purge's rewrite waits this long for transactions older than itself (branchlife.db.tables_rewrite).
PURGE_WAIT_SECONDS = envint("PURGE_WAIT_SECONDS", "60")
# The anonymous opinions' superseded row versions (each submission reshuffles its day) leave the table's
# pages at most this long after they were written (meetings.services.opinions_purge).
CELERY_BEAT_SCHEDULE["opinions-purge"] = {
    "task": "meetings.tasks.opinions_purge",
    "schedule": envint("OPINIONS_PURGE_EVERY_SECONDS", "600"),
    "options": {"expires": 540},
}
# Print jobs whose first publish failed (broker down) are handed to the workers again.
CELERY_BEAT_SCHEDULE["print-jobs-resume"] = {
    "task": "rectification.tasks.print_jobs_resume",
    "schedule": envint("PRINT_JOBS_RESUME_EVERY_SECONDS", "600"),
    "options": {"expires": 540},
}

# How long a dashboard aggregate may be served from the cache; saves bump per-table versions, so this
# bounds only the staleness of bulk writes that skip model signals.
DASHBOARD_CACHE_SECONDS = envint("DASHBOARD_CACHE_SECONDS", "300")
# "重新统计" of a node with more branches than this runs in the worker, with progress on the page
# (dashboard.recount); a county of 3,000 branches is counted again inside the request in about 3 s.
DASHBOARD_RECOUNT_IN_REQUEST_BRANCHES = envint("DASHBOARD_RECOUNT_IN_REQUEST_BRANCHES", "5000")
# Keep the officers' home dashboards warm: more often than DASHBOARD_CACHE_SECONDS lets them expire.
CELERY_BEAT_SCHEDULE["dashboards-warm"] = {
    "task": "dashboard.tasks.dashboards_warm",
    "schedule": envint("DASHBOARDS_WARM_EVERY_SECONDS", "240"),
    "options": {"expires": 200},
}

# ---------------------------------------------------------------- Word and 公文 documents (issue 19.2, documents)
# The counties whose documents carry the 红头 (the issuing organ's name in red over a red line) unless a
# download says otherwise: comma-separated names of county nodes ("中共皋兰县委,中共安岳县委"), "*" for every
# county, empty for none. A download's ?red_header=1/0 and ?doc_number= (发文字号) override per document.
DOCUMENTS_RED_HEADER_COUNTIES = [c.strip() for c in os.getenv("DOCUMENTS_RED_HEADER_COUNTIES", "").split(",") if c.strip()]

# ---------------------------------------------------------------- backups (issue 22.4, operations.backup)
# Where `manage.py backup` and beat's nightly backup write their archives; how many of them beat keeps; the key
# file (32 random bytes in base64) that encrypts them, empty for none; the folder of pg_dump and pg_restore
# (empty: found on PATH; they must be at least the server's major version); the hour (Asia/Shanghai) of the
# nightly backup, empty to turn it off.
BACKUP_DIR = Path(os.getenv("BACKUP_DIR", str(MEDIA_ROOT.parent / "backups")))
BACKUP_KEEP = envint("BACKUP_KEEP", "14")
if BACKUP_KEEP < 1:
    raise ImproperlyConfigured("BACKUP_KEEP must be at least 1")
BACKUP_KEY_FILE = os.getenv("BACKUP_KEY_FILE", "")
BACKUP_PG_BIN = os.getenv("BACKUP_PG_BIN", "")
BACKUP_HOUR = envint("BACKUP_HOUR", "2") if os.getenv("BACKUP_HOUR", "2").strip() else None
if BACKUP_HOUR is not None:
    from celery.schedules import crontab

    if not 0 <= BACKUP_HOUR <= 23:
        raise ImproperlyConfigured("BACKUP_HOUR must be an hour from 0 to 23, or empty to turn the backup off")
    CELERY_BEAT_SCHEDULE["backup"] = {
        "task": "operations.tasks.backup_scheduled",
        "schedule": crontab(minute=0, hour=BACKUP_HOUR),
        # A backup that waited in the queue past the morning is dropped; the next night's runs.
        "options": {"expires": 6 * 3600},
    }
