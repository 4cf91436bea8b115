"""Django settings for kaohe.

Everything that differs between a laptop and a deployment comes from the environment through the small typed
helpers below (as healthchecks' ``hc/settings.py`` does). With no environment at all the project runs on SQLite in
``./var`` so that ``kaohe demo`` works straight after a checkout.
"""

from __future__ import annotations

import hashlib
import os
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


PACKAGE_DIR = Path(__file__).resolve().parent.parent
# State (database, uploads) lives under ./var of the working directory unless KAOHE_VAR_DIR says otherwise.
VAR_DIR = Path(envstr("KAOHE_VAR_DIR", str(Path.cwd() / "var")))

# The fallback key is only good for a laptop; a deployment must set SECRET_KEY (DEBUG off refuses to start).
SECRET_KEY = envstr("SECRET_KEY", "kaohe-insecure-development-key-change-me")
DEBUG = envbool("DEBUG", "True")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
if not DEBUG and SECRET_KEY.startswith("kaohe-insecure"):
    raise RuntimeError("set SECRET_KEY in the environment when DEBUG is off")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "ninja",
    "kaohe.audit",
    "kaohe.assessments",
    "kaohe.reports",
    "kaohe.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kaohe.web.middleware.ChosenLanguageMiddleware",
    "kaohe.web.pagecache.AnonymousPageCacheMiddleware",  # before sessions/CSRF/auth do any work
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    },
]

if not os.getenv("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite needs its folder; a checkout has none yet
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kaohe.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Tests create and drop their own database on the server. Django would call it test_<name> for every checkout;
    # named after the working directory instead, two checkouts testing against one server keep out of each other's
    # way. (SQLite tests stay in memory.)
    checkout = hashlib.sha256(str(Path.cwd().resolve()).encode()).hexdigest()[:10]
    DATABASES["default"]["TEST"] = {"NAME": f"test_kaohe_{checkout}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
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
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"  # never served directly: evidence goes through a permission-checking view
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
# The audit chain's HMAC key lives outside the database (kaohe.audit.keys; KAOHE_AUDIT_KEY overrides the file).
KAOHE_AUDIT_KEY_FILE = Path(envstr("KAOHE_AUDIT_KEY_FILE", str(VAR_DIR / "audit.key")))

# Evidence uploads (佐证材料): size limit in MB; the allowed types are fixed in kaohe.assessments.forms.
EVIDENCE_MAX_MB = envint("EVIDENCE_MAX_MB", "20")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "False")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
