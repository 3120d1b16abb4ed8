"""Settings for the marketplace, read from the environment.

With nothing set the project runs on embedded defaults: SQLite, the in-memory
channel layer, eager Celery, console email, the database search backend and the
sandbox payments gateway. Each real server takes over when its URL or key is set
(DATABASE_URL, REDIS_URL, ELASTICSEARCH_URL, STRIPE_SECRET_KEY). Production
hardening switches on with DJANGO_ENV=production.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION = env("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to at least 50 characters.")
else:
    SECRET_KEY = env(
        "DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-0123456789"
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",
    # The back office theme; it overrides the admin's templates, so it comes before the admin.
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "marketplace",
    "accounts",
    "tasks",
    "bids",
    "contracts",
    "payments",
    "disputes",
    "contests",
    "piecework",
    "search",
    "frontend",
]

# Under ASGI the whole chain runs sync, in the one thread hop that runs the view
# (marketplace/asgi_handler.py): a middleware's mode does not matter for speed.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "marketplace.api_errors.ApiErrorBodyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "frontend.middleware.PageErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SignInLimitMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
# The floors of bench/hotpaths.py (an empty view and an empty API view); off unless benchmarking.
BENCH_FLOORS = env_bool("BENCH_FLOORS")
ASGI_APPLICATION = "marketplace.asgi.application"
WSGI_APPLICATION = "marketplace.wsgi.application"
SITE_ID = 1

# Django's form renderer with select boxes built in Python (marketplace/form_renderer.py).
FORM_RENDERER = "marketplace.form_renderer.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The site's templates first, so its allauth layouts win over allauth's own, and the back
        # office's overrides of admin templates win over the theme's (which is an app above ours).
        "DIRS": [BASE_DIR / "frontend" / "templates", BASE_DIR / "marketplace" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "frontend.context_processors.site",
            ],
        },
    }
]

# --- Database: SQLite by default, PostgreSQL when DATABASE_URL is set --------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "DATABASE_POOL", default=True
    ):
        # psycopg 3 pool, preferred over CONN_MAX_AGE under ASGI (each request may run in a new
        # thread, so persistent connections would pile up).
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": env_int("DATABASE_POOL_MIN", 2),
                "max_size": env_int("DATABASE_POOL_MAX", 20),
                "timeout": 10,
            }
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery broker --------------------------------------------------
REDIS_URL = env("REDIS_URL")
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", "mkt")
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis outage reads as an empty cache (marketplace/cache.py); short timeouts
            # keep a hung Redis from hanging requests.
            "BACKEND": "marketplace.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py's asyncio pool allows 100 connections by default; every socket's
                # group_send takes one for a moment, and hundreds of sockets in one process
                # then fail with "Too many connections" (bench/negotiation_load.py found it).
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env_int("REDIS_CHANNEL_MAX_CONNECTIONS", 1000),
                        # Longer than channels_redis's 5 s blocking pop, so a slow moment on a
                        # busy machine is not a read timeout that kills the socket's consumer.
                        "socket_timeout": 30,
                    }
                ],
                "prefix": f"{CACHE_KEY_PREFIX}:asgi",
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery: eager without a broker --------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "marketplace")
CELERY_TIMEZONE = "Asia/Shanghai"
# Sweepers: idempotent, each re-checks state under a row lock, so running late or twice is safe.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Search's copies (Elasticsearch and the database backend's) made equal to PostgreSQL.
    "search-repair-drift": {"task": "search.repair_drift", "schedule": 600.0},
    "close-due-bidding": {"task": "tasks.tasks.close_due_bidding", "schedule": 60.0},
    "auto-accept-due-deliveries": {
        "task": "contracts.tasks.auto_accept_due_deliveries",
        "schedule": 300.0,
    },
    "remind-deadlines": {"task": "contracts.tasks.remind_deadlines", "schedule": 3600.0},
    "sweep-signin-failures": {"task": "accounts.sweep_signin_failures", "schedule": 3600.0},
    # Compares each contract's ledger with the processor's objects; stores what differs.
    "reconcile-payments": {"task": "payments.tasks.reconcile_payments", "schedule": 3600.0},
    # Transfers owed to providers whose payout account is active but whose transfer failed.
    "retry-pending-payouts": {"task": "payments.tasks.retry_pending_payouts", "schedule": 600.0},
    "expire-vouchers": {"task": "payments.tasks.expire_vouchers", "schedule": 3600.0},
    # Voucher reservations behind a card payment that never succeeded go back to the voucher.
    "release-stale-voucher-reservations": {
        "task": "payments.tasks.release_stale_voucher_reservations",
        "schedule": 900.0,
    },
    # Disputes past a deadline: silent respondent or closed evidence → mediation; a decision
    # past its appeal window → executed.
    "advance-disputes": {"task": "disputes.tasks.advance_disputes", "schedule": 600.0},
    # Contest phases (submissions close, review over, announce and pay): every minute, each
    # move re-checked under the contest's lock.
    "advance-contests": {"task": "contests.tasks.advance_contests", "schedule": 60.0},
    # Piece-work: units past their review window are accepted (silence accepts) and paid, tasks
    # past their deadline with nothing left to review close and return what was not paid.
    "advance-piecework": {"task": "piecework.tasks.advance_piecework", "schedule": 60.0},
}

# --- Search and payments: embedded fallbacks unless configured -----------------------------------
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL")
ELASTICSEARCH_INDEX_PREFIX = env("ELASTICSEARCH_INDEX_PREFIX", "marketplace")
# "elasticsearch" or "database"; empty: Elasticsearch when ELASTICSEARCH_URL is set.
SEARCH_BACKEND = env("SEARCH_BACKEND", "")

STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
# Only for a local Stripe server such as stripe-mock; production talks to api.stripe.com.
STRIPE_API_BASE = env("STRIPE_API_BASE")
# The API version we speak; stripe-mock's bundled spec is checked against it in the tests.
STRIPE_API_VERSION = "2026-08-26.dahlia"
PAYMENTS_GATEWAY = "stripe" if STRIPE_SECRET_KEY else "sandbox"
# Receipts (payments/receipts.py): the platform as the seller on every receipt, the VAT rate
# (basis points; 600 = 6%, 现代服务) and the e-invoice issuer (a dotted path to a class with
# the payments.receipts.EInvoiceIssuer interface; the default only records "not issued").
RECEIPTS: dict[str, Any] = {
    "SELLER_NAME": env("RECEIPT_SELLER_NAME", "众包平台（演示）科技有限公司"),
    "SELLER_TAXPAYER_ID": env("RECEIPT_SELLER_TAXPAYER_ID", "91500000MA5U7DB0X9"),
    "TAX_RATE_BASIS_POINTS": env_int("RECEIPT_TAX_RATE_BASIS_POINTS", 600),
    "EINVOICE_ISSUER": env("EINVOICE_ISSUER", "payments.receipts.NotIssuedIssuer"),
}
# Providers' Connect Express accounts are opened in this country (Stripe has no CN accounts).
STRIPE_CONNECT_COUNTRY = env("STRIPE_CONNECT_COUNTRY", "HK")
# Seconds per Stripe request before it counts as failed and is retried with the same key.
STRIPE_REQUEST_TIMEOUT = env_int("STRIPE_REQUEST_TIMEOUT", 20)
# How long a voucher reservation waits for its card payment (Stripe's Payment Element left
# open, a bank's 3-D Secure page never finished) before the payment is cancelled and the
# voucher's value released (payments.tasks.release_stale_voucher_reservations).
VOUCHER_RESERVATION_SECONDS = env_int("VOUCHER_RESERVATION_SECONDS", 24 * 3600)

# --- Auth: custom user, email login through allauth ----------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id first, with OWASP's parameters (accounts/hashers.py): memory-hard, and a sign-in
# costs a fraction of PBKDF2's million rounds (the figures: bench/signin.py). The others still
# verify older hashes, which Django rewrites as Argon2id on the next successful sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "frontend:dashboard"
LOGOUT_REDIRECT_URL = "frontend:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# A duplicate email gets a clear form error at sign-up (the product asks for it); this reveals
# which addresses are registered, which the sign-up and reset rate limits below keep slow.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[众包] "
# Failed sign-ins are limited per client address and per account, on every sign-in path (web,
# API token), by accounts.services.signin, which counts them in the database: the limit holds
# while Redis is down. allauth's own cache-kept `login_failed` limit is replaced by it.
SIGN_IN_LIMITS = env("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key")
ACCOUNT_RATE_LIMITS = {
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# Sign-up, email confirmation (and its resend), sign-in and password reset over HTTP for apps,
# through allauth's headless API at /_allauth/app/v1/ (its OpenAPI spec: /_allauth/openapi.html).
# The same adapter, forms and limits as the web pages: the sign-in limit above holds there too.
HEADLESS_CLIENTS = ("app",)
HEADLESS_SERVE_SPECIFICATION = True
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF answers a missing or bad credential with the first class's
    # WWW-Authenticate challenge, so it is a 401 with "WWW-Authenticate: Token", not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        # An app signed in through allauth's headless API sends its X-Session-Token.
        "allauth.headless.contrib.rest_framework.authentication.XSessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "marketplace.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "marketplace.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "marketplace.throttling.AnonRateThrottle",
        "marketplace.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_RATE_ANON", "120/min"),
        "user": env("API_RATE_USER", "1200/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "众包 Marketplace API",
    "DESCRIPTION": "Tasks, bids, contracts and payments of the crowdsourcing marketplace.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files: no CDN (intranets, mainland networks).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Two choice sets share the field name "kind"; name their enums apart.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "marketplace.api_schema.add_shared_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "accounts.models.Organization.Kind",
        "TaskKindEnum": "tasks.models.Task.Kind",
        # A task's mode and a contract's carry the same choices.
        "TaskModeEnum": "tasks.models.Task.Mode",
        "UserRoleEnum": "accounts.models.User.Role",
        "MembershipRoleEnum": "accounts.models.Membership.Role",
        # Several outputs have a "status": each choice set gets its own name.
        "InvitationStatusEnum": ["pending", "expired", "accepted", "revoked"],
        "VoucherStateEnum": "payments.voucher_selectors.VoucherState",
        "VoucherSpendStatusEnum": "payments.models.VoucherSpend.Status",
        "NegotiationSideEnum": "bids.models.Side",
        "OfferStatusEnum": "bids.models.Offer.Status",
        "NegotiationMessageKindEnum": "bids.models.NegotiationMessage.Kind",
    },
}

# --- Internationalisation: zh-Hans first, English beside it --------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "frontend" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------------------------------
STATIC_URL = "/static/"
# Where collectstatic writes and WhiteNoise serves from when DEBUG is off.
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
if not PRODUCTION:
    # WhiteNoise warns about a missing root before the first collectstatic.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Verification evidence (licences, ID documents): never under MEDIA_URL, served by a view that
# checks the viewer is a verifier and logs the view (marketplace.files.PrivateStorage).
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email: console by default -------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "众包平台 <noreply@marketplace.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where a provider whose profile a moderator hid writes to appeal (shown on their profile page).
MODERATION_CONTACT_EMAIL = env("MODERATION_CONTACT_EMAIL", "moderation@marketplace.local")

# --- Personal data: ID numbers are encrypted at rest (PIPL treats them as sensitive) -------------
# Both keys are secrets of their own, never derived from SECRET_KEY: rotating SECRET_KEY (which
# signs sessions and tokens) must neither make stored ID numbers unreadable nor change their
# digests. The embedded defaults serve the demo and the tests only; production refuses to start
# without real ones. (The default Fernet key is the one earlier versions derived from the default
# SECRET_KEY, so demo databases written before stay readable.)
#
# A comma-separated list of Fernet keys; the first encrypts, all decrypt (for key rotation).
FIELD_ENCRYPTION_KEYS = env_list(
    "FIELD_ENCRYPTION_KEYS", [] if PRODUCTION else ["5Jf-JGvQdbWw9R_o-aToOAN-dXPW89NDxNaGp-NI0IU="]
)
# The HMAC key of the digest that finds an ID number verified twice without decrypting it. Unlike
# the Fernet keys it cannot be rotated: a new key gives every stored number a new digest, and the
# one-account-per-ID-number rule would stop seeing the old ones.
FIELD_DIGEST_KEY = env(
    "FIELD_DIGEST_KEY",
    "" if PRODUCTION else "field-digest:dev-only-insecure-key-do-not-use-in-production-0123456789",
)

# --- Security: hardened in production ------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    if not FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set in production.")
    if len(FIELD_DIGEST_KEY) < 32:
        raise ImproperlyConfigured("FIELD_DIGEST_KEY must be set to at least 32 characters.")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "elastic_transport": {"level": "WARNING"},
        "jieba": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "stripe": {"level": "WARNING"},
    },
}

# --- Product rules -------------------------------------------------------------------------------
MARKETPLACE: dict[str, Any] = {
    # Days the poster has to review a delivery before silence counts as acceptance.
    "REVIEW_WINDOW_DAYS": env_int("REVIEW_WINDOW_DAYS", 7),
    "MAX_CHANGE_ROUNDS": env_int("MAX_CHANGE_ROUNDS", 3),
    "ATTACHMENT_MAX_BYTES": env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024),
    # Portfolio (案例) documents, and the images of portfolio entries before re-encoding.
    "PORTFOLIO_FILE_MAX_BYTES": env_int("PORTFOLIO_FILE_MAX_BYTES", 10 * 1024 * 1024),
    "IMAGE_MAX_BYTES": env_int("IMAGE_MAX_BYTES", 5 * 1024 * 1024),
    "AVATAR_MAX_BYTES": env_int("AVATAR_MAX_BYTES", 2 * 1024 * 1024),
    # A verification document (a licence or one side of an ID document: PDF, PNG or JPEG).
    "EVIDENCE_MAX_BYTES": env_int("EVIDENCE_MAX_BYTES", 8 * 1024 * 1024),
    "PLATFORM_FEE_BASIS_POINTS": env_int("PLATFORM_FEE_BASIS_POINTS", 500),
    # Disputes (README "Disputes"): the respondent answers within DISPUTE_RESPONSE_DAYS, else it
    # goes to mediation on the evidence there is; after a response both sides add evidence for
    # DISPUTE_EVIDENCE_DAYS. A decision on DISPUTE_APPEAL_THRESHOLD fen or more waits
    # DISPUTE_APPEAL_WINDOW_DAYS for an appeal before the money moves.
    "DISPUTE_RESPONSE_DAYS": env_int("DISPUTE_RESPONSE_DAYS", 7),
    "DISPUTE_EVIDENCE_DAYS": env_int("DISPUTE_EVIDENCE_DAYS", 5),
    "DISPUTE_APPEAL_THRESHOLD": env_int("DISPUTE_APPEAL_THRESHOLD", 10_000_00),
    "DISPUTE_APPEAL_WINDOW_DAYS": env_int("DISPUTE_APPEAL_WINDOW_DAYS", 5),
    # Per-user limits of the talk: questions an hour, negotiation messages a minute (stored
    # rows are counted, so the limits hold across processes and while Redis is down).
    "QUESTIONS_PER_HOUR": env_int("QUESTIONS_PER_HOUR", 20),
    "NEGOTIATION_MESSAGES_PER_MINUTE": env_int("NEGOTIATION_MESSAGES_PER_MINUTE", 30),
    "NEGOTIATION_FILE_MAX_BYTES": env_int("NEGOTIATION_FILE_MAX_BYTES", 10 * 1024 * 1024),
}
# The largest multipart body the API reads (a delivery's ten files at their limit, plus the
# form); anything larger is a 413 before a byte is read. JSON bodies stop at
# DATA_UPLOAD_MAX_MEMORY_SIZE.
API_MAX_MULTIPART_BYTES = env_int(
    "API_MAX_MULTIPART_BYTES", 10 * MARKETPLACE["ATTACHMENT_MAX_BYTES"] + 1024 * 1024
)

# The back office (django-unfold over Django's admin); a staff member switches languages in the
# back office as on the site.
UNFOLD = {
    "SITE_TITLE": gettext_lazy("众包 back office"),
    "SITE_HEADER": gettext_lazy("众包 Marketplace back office"),
    "SITE_URL": "/",
    "SHOW_LANGUAGES": True,
    "SHOW_VIEW_ON_SITE": True,
    "SHOW_HISTORY": True,
    "DASHBOARD_CALLBACK": "marketplace.backoffice.dashboard_callback",
    # Our few classes unfold's compiled CSS lacks (the dispute page's timeline and form).
    "STYLES": ["marketplace.admin.backoffice_styles"],
}
