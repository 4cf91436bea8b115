"""Django settings for kaohe.

Everything that differs between a laptop and a deployment comes from the environment through the small typed
helpers below (as healthchecks' ``hc/settings.py`` does). With no environment at all the project runs on SQLite in
``./var`` so that ``kaohe demo`` works straight after a checkout. The defaults are the production ones (``DEBUG``
off, login lockout, password rules, session timeouts, a Content-Security-Policy); only ``kaohe demo`` turns
``DEBUG`` on. The production variables are listed in docs/deploy.md.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import dj_database_url


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envstr(name: str, default: str) -> str:
    return os.getenv(name) or default


def envlist(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.getenv(name, default).split(",") if part.strip()]


def read_or_create_secret(path: Path) -> str:
    """The secret in ``path``, created (mode 0600, 50 random characters) on first use. Two processes starting at
    once agree: the file appears atomically (link of a complete temporary file) and the loser reads the winner's."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        text = ""
    if text:
        return text
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48)[:50] + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text(encoding="utf-8").strip()


PACKAGE_DIR = Path(__file__).resolve().parent.parent
# State (database, uploads) lives under ./var of the working directory unless KAOHE_VAR_DIR says otherwise.
VAR_DIR = Path(envstr("KAOHE_VAR_DIR", str(Path.cwd() / "var")))

# SECRET_KEY from the environment, else a random key generated once into a file outside the repository (so no
# installation ever runs on a published key). Several app servers must share it: set SECRET_KEY or the file.
SECRET_KEY_FILE = Path(envstr("KAOHE_SECRET_KEY_FILE", str(VAR_DIR / "secret.key")))
SECRET_KEY = os.getenv("SECRET_KEY") or read_or_create_secret(SECRET_KEY_FILE)
# Off unless asked for: `kaohe demo` sets DEBUG=1 for itself; a deployment never shows tracebacks or settings.
DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "kaohe.web.middleware.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "ninja",
    "axes",
    "kaohe.audit",
    "kaohe.assessments",
    "kaohe.reports",
    "kaohe.notifications",
    "kaohe.maps",
    "kaohe.ledgers",
    "kaohe.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kaohe.web.middleware.RequestSizeLimitMiddleware",  # refuses an oversized body before anything reads it
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kaohe.web.middleware.ChosenLanguageMiddleware",
    "kaohe.web.pagecache.AnonymousPageCacheMiddleware",  # before sessions/CSRF/auth do any work
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kaohe.web.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kaohe.web.middleware.LostRaceMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "kaohe.web.urls"
WSGI_APPLICATION = "kaohe.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kaohe.web.context_processors.roles",
                "kaohe.notifications.context_processors.unread",
            ],
        },
    },
]

if not os.getenv("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite needs its folder; a checkout has none yet
# Caches need no service: "default" (per process) keeps the anonymous public pages (kaohe.web.pagecache); "pages"
# the pages people work in, per session and data version (kaohe.web.workcache), in files under var/ so that every
# server process shares them (a person's requests go to any of them).
CACHE_DIR = Path(envstr("KAOHE_CACHE_DIR", str(VAR_DIR / "cache")))  # shared by every app server of one site
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kaohe-default"},
    "pages": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR / "pages"),
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    "sessions": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR / "sessions"),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kaohe.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two writers at once: BEGIN IMMEDIATE takes the write lock when the transaction starts, so a second writer
    # waits (up to the busy timeout, in seconds) instead of failing with "database is locked" when a read
    # transaction tries to become a write one; WAL lets readers go on while one writer writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("KAOHE_SQLITE_TIMEOUT", "20"),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Tests create and drop their own database on the server. Django would call it test_<name> for every checkout;
    # named after the working directory instead, two checkouts testing against one server keep out of each other's
    # way. (SQLite tests stay in memory.)
    checkout = hashlib.sha256(str(Path.cwd().resolve()).encode()).hexdigest()[:10]
    DATABASES["default"]["TEST"] = {"NAME": f"test_kaohe_{checkout}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Object-level permissions (kaohe/assessments/rules.py) first; ModelBackend serves the admin's model perms.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# 考核 is a Chinese process: Chinese is the default, English is available through the language switch.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "web" / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it; `kaohe serve` fills it (collectstatic)
MEDIA_URL = "/media/"  # never served directly: evidence goes through a permission-checking view
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
# The audit chain's HMAC key lives outside the database (kaohe.audit.keys; KAOHE_AUDIT_KEY overrides the file).
KAOHE_AUDIT_KEY_FILE = Path(envstr("KAOHE_AUDIT_KEY_FILE", str(VAR_DIR / "audit.key")))

# Separation of duties: the person who ran the comprehensive evaluation may not approve it (审定). A one-person
# office turns it off with KAOHE_SEPARATION_OF_DUTIES=0.
KAOHE_SEPARATION_OF_DUTIES = envbool("KAOHE_SEPARATION_OF_DUTIES", "True")

# E-mail (kaohe.notifications sends each notification to the recipient's address): SMTP when KAOHE_EMAIL_HOST is
# set; otherwise the console under `kaohe demo` (DEBUG: the mails appear in its output) and no mail at all on a
# deployment that has not configured any (the notifications stay in the app). KAOHE_EMAIL_BACKEND overrides both.
EMAIL_HOST = envstr("KAOHE_EMAIL_HOST", "localhost")
EMAIL_BACKEND = envstr(
    "KAOHE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.getenv("KAOHE_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.dummy.EmailBackend",
)
EMAIL_PORT = envint("KAOHE_EMAIL_PORT", "25")
EMAIL_HOST_USER = envstr("KAOHE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envstr("KAOHE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("KAOHE_EMAIL_USE_TLS", "False")
EMAIL_USE_SSL = envbool("KAOHE_EMAIL_USE_SSL", "False")
EMAIL_TIMEOUT = envint("KAOHE_EMAIL_TIMEOUT", "10")
DEFAULT_FROM_EMAIL = envstr("KAOHE_EMAIL_FROM", "kaohe@localhost")
# The site's address as people reach it (https://kaohe.example.gov.cn): e-mails link to it; without it they carry
# the path only.
KAOHE_SITE_URL = envstr("KAOHE_SITE_URL", "").rstrip("/")

# Evidence uploads (佐证材料): size limit in MB; the allowed types are fixed in kaohe.assessments.forms.
EVIDENCE_MAX_MB = envint("EVIDENCE_MAX_MB", "20")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# A request body larger than this is refused with 413 before it is read (kaohe.web.middleware): one evidence file
# at its limit plus the form around it.
MAX_REQUEST_BODY_BYTES = (EVIDENCE_MAX_MB + 1) * 1024 * 1024

# Static files: collected by `kaohe serve` into STATIC_ROOT and served by WhiteNoise (compressed copies).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Passwords: Django's four validators, at least 12 characters.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("KAOHE_PASSWORD_MIN_LENGTH", "12")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after KAOHE_LOGIN_FAILURES wrong passwords for one account from one address,
# that account is locked for that address for KAOHE_LOGIN_COOLOFF_MINUTES. By account *and* address, so that
# nobody can lock a colleague out from elsewhere, and one office's shared address does not lock everybody.
AXES_FAILURE_LIMIT = envint("KAOHE_LOGIN_FAILURES", "5")
AXES_COOLOFF_TIME = envint("KAOHE_LOGIN_COOLOFF_MINUTES", "15") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
AXES_CLIENT_IP_CALLABLE = "kaohe.web.middleware.client_ip"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False
# Behind N reverse proxies that append to X-Forwarded-For, the client is the N-th address from the right.
KAOHE_PROXY_COUNT = envint("KAOHE_PROXY_COUNT", "0")

# Sessions: ended after KAOHE_SESSION_IDLE_MINUTES without a request (the session and its cookie are renewed by a
# request at most once a minute) and KAOHE_SESSION_MAX_HOURS after login whatever happens (kaohe.web.middleware).
SESSION_COOKIE_AGE = envint("KAOHE_SESSION_IDLE_MINUTES", "30") * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_MAX_AGE_SECONDS = envint("KAOHE_SESSION_MAX_HOURS", "12") * 3600
SESSION_COOKIE_HTTPONLY = True

# HTTPS. The app cannot know whether a TLS proxy stands in front of it, and a plain-HTTP intranet install would
# lock everybody out with Secure cookies, so this is one switch that a deployment turns on: KAOHE_HTTPS=1 gives
# Secure cookies, the redirect to https and HSTS; each can still be set on its own.
HTTPS = envbool("KAOHE_HTTPS", "False")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", str(HTTPS))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", str(HTTPS))
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(HTTPS))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(HTTPS))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
if envbool("KAOHE_PROXY_SSL_HEADER", "False"):
    # Only behind a proxy that sets X-Forwarded-Proto itself (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from this site (ECharts and the
# app's JS/CSS are local files). Inline style *attributes* stay allowed: the templates size bars and charts with
# them and ECharts writes its tooltips with them; inline scripts and <style> elements do not.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        **({"report-uri": [os.environ["KAOHE_CSP_REPORT_URI"]]} if os.getenv("KAOHE_CSP_REPORT_URI") else {}),
    }
}
if envbool("KAOHE_CSP_REPORT_ONLY", "False"):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
