"""Front Door's settings: every value is read from the environment through one typed reader.

A `.env` file in the project root is read if present (`make` creates one for development from
`.env.example`); real environment variables win over it. `<NAME>_FILE` variants read secrets
from files. Safe defaults exist only for development (DEBUG on); production refuses to start
without its secrets.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _secret(name: str, *, default: str | None = None) -> str | None:
    """A secret from `NAME`, or from the file named by `NAME_FILE`."""
    file_name = env.str(f"{name}_FILE", default="")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE names a file that cannot be read: {error}"
            ) from error
    return env.str(name, default=default)


def _development_secret(file_name: str, make: Callable[[], str]) -> str:
    """A random value kept in the git-ignored var/ folder, made on first use (development only)."""
    path = VAR_DIR / file_name
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(make(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = _secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _development_secret("secret_key", lambda: secrets.token_urlsafe(50))
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production: use 50 random characters.")

# Field encryption keys (accounts/encryption.py): "label:key" entries, the first seals, all
# open. Missing in production: the system check refuses start-up (deploy/start.sh runs it).
_field_keys = _secret("FIELD_ENCRYPTION_KEYS", default="")
if not _field_keys and DEBUG:
    _field_keys = _development_secret(
        "field_encryption_key",
        lambda: f"dev:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}",
    )
FIELD_ENCRYPTION_KEYS = [entry.strip() for entry in (_field_keys or "").split(",") if entry.strip()]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # accounts first: its `createsuperuser` (the agency by name) replaces django.contrib.auth's,
    # and its `auditlogflush` (refusing) replaces auditlog's.
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    # Below every app of ours: periodic jobs and the worker (jobs/schedule.py).
    "jobs",
    "auditlog",
    "casework",
    "referrals",
    "strategy",
    "notes",
    "quality",
    "workspace",
    "returns",
    "reports",
    # A top app (nothing imports it): turns the outbox's events into e-mails (issue 24).
    "notifications",
    "demo",
]

MIDDLEWARE = [
    # Security headers first, so that every response has them, static files included.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "accounts.sessions.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AuditMiddleware",
    # A restricted child's page asks for a reason first (issue 9, the break-glass page).
    "casework.middleware.RestrictedRecordMiddleware",
    "axes.middleware.AxesMiddleware",
    # Keeps a view's refusal for its one-line log entry (accounts.refusals.OneLineRefusals).
    "accounts.refusals.RememberRefusalMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "accounts.context_processors.service",
                "accounts.sessions.session_context",
            ],
        },
    },
]

# Database: an SQLite file under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'front-door.sqlite3'}"),
}
# Each request runs in one transaction opened by accounts.middleware.AuditMiddleware, which
# writes the request's audit entries last in it (so not ATOMIC_REQUESTS).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Tests use a file, not shared memory: the browser tests' server answers requests in
    # parallel (a background draft save beside a page), which shared memory refuses at once
    # ("table is locked") where a file waits its turn.
    # Beside the database file, so two checkouts' test runs never share one.
    # A covering index's included columns are PostgreSQL's (the timeliness report reads it
    # alone there); SQLite builds the same index on its key and says so on every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    _sqlite_file = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {
        "NAME": str(_sqlite_file.with_name(f"test-{_sqlite_file.name}"))
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles a query's expressions each time it runs one it thinks costly:
    # for this service's counts and reports that compiling took longer than it saved (31 of a
    # home page's 80 ms, measured at 1,000,000 contacts), so it is off for our connections
    # unless DATABASE_JIT=true.
    if not env.bool("DATABASE_JIT", default=False):
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Users, roles and object permissions.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out accounts
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
GUARDIAN_RAISE_403 = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout after failed sign-ins (django-axes, accounts/lockout.py): wrong passwords and wrong
# security codes counted per account and client address together, in the database (every
# process sees the same counts); at the limit sign-in is refused until SIGN_IN_LOCKOUT_MINUTES
# after the failure that locked, then starts again by itself. A name with no account counts
# alike under a keyed hash. `manage.py clear_sign_in_locks` clears every lock.
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.lockout.lock_key"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
SIGN_IN_LOCKOUT_MINUTES = env.int("SIGN_IN_LOCKOUT_MINUTES", default=15)
if SIGN_IN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("SIGN_IN_LOCKOUT_MINUTES must be 1 or more: a lock ends by itself.")
AXES_COOLOFF_TIME = timedelta(minutes=SIGN_IN_LOCKOUT_MINUTES)
# A refused attempt while locked does not move the stated time on.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out_response"
# The count clears after a full sign-in (the code too), not at the password (accounts.views).
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit trail
AXES_VERBOSE = False  # axes would log usernames
AXES_SENSITIVE_PARAMETERS = ["username", "password", "code"]
OTP_TOTP_ISSUER = env.str("SERVICE_NAME", default="Front Door")
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "accounts:signed-out"

# Audit trail: the project's own entry model, in place from the first migration.
AUDITLOG_LOGENTRY_MODEL = "accounts.AuditEntry"
# The library's own migrations would create its default table even though the model is swapped;
# without them no auditlog table is created (a swapped model is never synced).
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_CID_HEADER = None  # the correlation id is ours (AuditMiddleware), never the client's
# The header holding the client's address, set only behind a proxy that always overwrites it
# (e.g. "X-Real-IP"); empty: the connection's own address.
AUDIT_CLIENT_ADDRESS_HEADER = env.str("AUDIT_CLIENT_ADDRESS_HEADER", default="")
# The chain's HMAC key. Missing in production: the system check refuses start-up.
AUDIT_HMAC_KEY = _secret("AUDIT_HMAC_KEY", default="") or (
    _development_secret("audit_hmac_key", lambda: secrets.token_urlsafe(48)) if DEBUG else ""
)
# The audit tail's anchors (accounts/audit_anchors.py): signed with a key of their own, appended
# to a file the database's owner cannot rewrite (another mount, append-only) and logged.
# Missing key in production: the system check refuses start-up.
AUDIT_ANCHOR_KEY = _secret("AUDIT_ANCHOR_KEY", default="") or (
    _development_secret("audit_anchor_key", lambda: secrets.token_urlsafe(48)) if DEBUG else ""
)
AUDIT_ANCHOR_PATH = env.str(
    "AUDIT_ANCHOR_PATH", default=str(VAR_DIR / "audit-anchors.jsonl") if DEBUG else ""
)
AUDIT_ANCHOR_MINUTES = env.int("AUDIT_ANCHOR_MINUTES", default=60)

# Sessions and cookies.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=2 * 60)
SESSION_MAX_AGE_SECONDS = env.int("SESSION_MAX_AGE_SECONDS", default=10 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_MAX_AGE_SECONDS
DRAFT_KEEP_HOURS = env.int("DRAFT_KEEP_HOURS", default=24)
# Statutory returns (issue 22): made in the background into a folder outside the web root,
# readable by the service's user only, served only through the audited download; the hourly
# job `returns.tasks.purge_exports` removes files older than EXPORT_KEEP_HOURS.
EXPORTS_ROOT = env.str("EXPORTS_ROOT", default=str(VAR_DIR / "exports"))
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=72)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# Security headers (production values; `manage.py check --deploy` is clean with DEBUG off).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp 4): our own scripts and styles only, no inline code.
# (GOV.UK's `js-enabled` line is a file of its own, static/js/enabled.js, so needs no nonce.)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Permissions-Policy (django-permissions-policy): the pages use no camera, microphone, location,
# sensor, payment, full screen, clipboard or other powerful browser feature, so every one is
# refused to the pages and to anything they could embed. (The session time-out script uses
# fetch(), which needs no permission; nothing uses synchronous requests or unload handlers.)
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "browsing-topics",
        "camera", "clipboard-read", "clipboard-write", "display-capture", "document-domain",
        "encrypted-media", "fullscreen", "gamepad", "geolocation", "gyroscope", "hid",
        "identity-credentials-get", "idle-detection", "interest-cohort", "local-fonts",
        "magnetometer", "microphone", "midi", "otp-credentials", "payment",
        "picture-in-picture", "publickey-credentials-create", "publickey-credentials-get",
        "screen-wake-lock", "serial", "storage-access", "sync-xhr", "unload", "usb",
        "web-share", "window-management", "xr-spatial-tracking",
    )
}  # fmt: skip

# E-mail: e-mails carry a link and a count, never case content.
globals().update(  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, ... from one URL
    env.email("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="front-door@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Language, time zone: due dates are Europe/London local dates.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# Static files: our own, and the front end built from npm into build/static.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at every start without it

# Timescales (DOMAIN.md "Timescales"): working days from the event (day 0), as local standards.
# A due date is stored when its clock starts; changing a standard never moves an existing one.
TIMESCALE_WORKING_DAYS = {
    name: env.int(f"TIMESCALE_{name}_WORKING_DAYS", default=default)
    for name, default in {
        "CONTACT_DECISION": 1,
        "REFERRAL_DECISION": 1,
        "FEEDBACK_TO_REFERRER": 1,
        "STRATEGY_DISCUSSION": 1,
        "ASSESSMENT": 45,
        "INITIAL_CONFERENCE": 15,
        "FIRST_CORE_GROUP": 10,
        "LADO_REFERRAL": 1,
    }.items()
}
# Information requests (DESIGN.md "Information sharing and access"): red is due by the end of
# the same day, amber by the end of 1 working day later (local defaults).
INFORMATION_REQUEST_RED_WORKING_DAYS = env.int("INFORMATION_REQUEST_RED_WORKING_DAYS", default=0)
INFORMATION_REQUEST_AMBER_WORKING_DAYS = env.int(
    "INFORMATION_REQUEST_AMBER_WORKING_DAYS", default=1
)
# Partner grants on a strategy discussion end this many days after the later of its sign-off
# or cancellation and the agency's last open action being done (DESIGN.md).
PARTNER_GRANT_DAYS = env.int("PARTNER_GRANT_DAYS", default=30)
# Opening a restricted record with a reason (break glass) lasts this many hours.
BREAK_GLASS_HOURS = env.int("BREAK_GLASS_HOURS", default=8)
# A change that hands out access (an account's email, roles, agency, two-factor reset,
# reactivation, password reset, a new account) takes effect this long after a second person
# approves it, unless its holder reports it first (issue 16).
ACCOUNT_CHANGE_DELAY_SECONDS = env.int("ACCOUNT_CHANGE_DELAY_SECONDS", default=4 * 60 * 60)
# Where the authority has only one system administrator: the username of the manager who
# approves account changes with them (empty: administrators approve each other's).
ACCOUNT_CHANGE_APPROVING_MANAGER = env.str("ACCOUNT_CHANGE_APPROVING_MANAGER", default="")

# Caches. Throttles (the password-reset limits, one lockout notice per lock) count in
# "throttles", which every process of the service must share, and which
# `manage.py clear_sign_in_locks` clears: by default a table in the database (made by a
# migration), or THROTTLE_CACHE_URL, e.g. rediscache://127.0.0.1:6379/1 (Django's Redis
# backend needs the redis package). Nothing that must be shared lives in "default".
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
    "throttles": env.cache("THROTTLE_CACHE_URL", default="dbcache://front_door_throttles"),
}
RATELIMIT_USE_CACHE = "throttles"

# Background and periodic jobs: Django's tasks framework (the django-tasks backport), queued in
# the database (django-tasks-db), run by `manage.py run_worker` (jobs/schedule.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Notifications (issue 24): e-mails with a link and a count, never case content, sent by the
# job worker through GOV.UK Notify ("notify") or Django's e-mail backend above ("email").
NOTIFICATIONS_BACKEND = env.str("NOTIFICATIONS_BACKEND", default="email")
if NOTIFICATIONS_BACKEND not in {"notify", "email"}:
    raise ImproperlyConfigured('NOTIFICATIONS_BACKEND must be "notify" or "email"')
NOTIFY_API_KEY = _secret("NOTIFY_API_KEY", default="") or ""
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT_SECONDS = env.float("NOTIFY_TIMEOUT_SECONDS", default=10.0)
# One Notify template id per template name (notifications.models.Template), as
# "information_request=<uuid>,digest=<uuid>,...".
NOTIFY_TEMPLATE_IDS: dict[str, str] = env.dict("NOTIFY_TEMPLATE_IDS", default={})
NOTIFY_TEMPLATE_NAMES = (
    "information_request", "discussion_invitation", "discussion_rescheduled",
    "referral_feedback", "proposal_returned", "notice", "digest", "escalation",
)  # fmt: skip
if NOTIFICATIONS_BACKEND == "notify":
    if len(NOTIFY_API_KEY) < 74:
        raise ImproperlyConfigured(
            "NOTIFY_API_KEY (or NOTIFY_API_KEY_FILE) must be a GOV.UK Notify API key when "
            'NOTIFICATIONS_BACKEND is "notify"'
        )
    missing = [name for name in NOTIFY_TEMPLATE_NAMES if name not in NOTIFY_TEMPLATE_IDS]
    if missing:
        raise ImproperlyConfigured(f"NOTIFY_TEMPLATE_IDS has no id for: {', '.join(missing)}")
# Retries, ours (the tasks framework does not retry): the n-th failure waits
# NOTIFICATION_RETRY_SECONDS * 2^(n-1); after NOTIFICATION_MAX_ATTEMPTS it is failed.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_SECONDS = env.int("NOTIFICATION_RETRY_SECONDS", default=60)
# The service's address, for the links in e-mails sent by the worker (no request to ask).
SERVICE_URL = env.str("SERVICE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The morning digest is queued from this hour (Europe/London).
DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)

# Forms in GOV.UK markup.
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# The service's names, shown in the header and page titles.
SERVICE_NAME = env.str("SERVICE_NAME", default="Front Door")
COUNCIL_NAME = env.str("COUNCIL_NAME", default="Holmsey Council")
# The front door's phone number, given to partners who refer a child in immediate danger.
FRONT_DOOR_PHONE = env.str("FRONT_DOOR_PHONE", default="01632 960000")

# The CIN census header (DOMAIN.md "CIN census"): the authority's 3-digit LA code (`LEA`) and
# the software that made the return (`SoftwareCode`, `Release`).
CIN_CENSUS_LA_CODE = env.str("CIN_CENSUS_LA_CODE", default="921")
if not re.fullmatch(r"\d{3}", CIN_CENSUS_LA_CODE):
    raise ImproperlyConfigured("CIN_CENSUS_LA_CODE must be the authority's 3-digit LA code")
CIN_CENSUS_SOFTWARE_CODE = env.str("CIN_CENSUS_SOFTWARE_CODE", default="Front Door")
CIN_CENSUS_RELEASE = env.str("CIN_CENSUS_RELEASE", default="0.1.0")

# Error pages and reports never show local variables or posted values (they may hold decrypted
# confidential text).
DEFAULT_EXCEPTION_REPORTER_FILTER = "accounts.encryption.ConfidentialExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refusal (403, 404) is one line, who, what and why; real errors keep their tracebacks.
    "filters": {"one_line_refusals": {"()": "accounts.refusals.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Requests are logged by the web server; Django's own request logger would copy
        # URLs and errors into logs, so it stays at WARNING.
        "django.request": {"level": "WARNING", "filters": ["one_line_refusals"]},
    },
}
