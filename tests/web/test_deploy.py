"""Production that is safe by default (issue 8 §3): DEBUG off, plain Chinese error pages, login lockout, password
rules, session timeouts, the Content-Security-Policy, HTTPS from the environment, the request size limit and
``manage.py check --deploy``."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

import kaohe.web.settings as settings_module
from kaohe.web.middleware import SESSION_LOGIN_AT

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = settings_module.__file__

# The documented production variables (docs/deploy.md), with a database that needs no server.
PRODUCTION_ENV = {
    "SECRET_KEY": "k7#Qm2$wX9zL4pR8vN1tB6yH3jF5sD0aG2cE7uK9iO4lM8nQ1rT6",
    "ALLOWED_HOSTS": "kaohe.example.gov.cn",
    "KAOHE_HTTPS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("internal detail: SECRET_KEY=abc /etc/kaohe/settings.py")


urlpatterns = [path("boom/", boom)]


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    """The settings module as a fresh process would see it with exactly these variables."""
    for name in (
        "DEBUG",
        "SECRET_KEY",
        "KAOHE_HTTPS",
        "SESSION_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "KAOHE_CSP_REPORT_ONLY",
        "DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KAOHE_VAR_DIR", str(tmp_path / "var"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_FILE)


def test_debug_is_off_without_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(monkeypatch, tmp_path)
    assert loaded["DEBUG"] is False
    # No published fallback key: a random one is generated into the var directory, private to the owner.
    key_file = tmp_path / "var" / "secret.key"
    assert loaded["SECRET_KEY"] == key_file.read_text().strip() and len(loaded["SECRET_KEY"]) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    assert load_settings(monkeypatch, tmp_path)["SECRET_KEY"] == loaded["SECRET_KEY"]  # stable across starts


def test_https_is_one_switch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain = load_settings(monkeypatch, tmp_path)
    assert (plain["SESSION_COOKIE_SECURE"], plain["SECURE_SSL_REDIRECT"], plain["SECURE_HSTS_SECONDS"]) == (
        False,
        False,
        0,
    )
    https = load_settings(monkeypatch, tmp_path, KAOHE_HTTPS="1")
    assert https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"] and https["SECURE_SSL_REDIRECT"]
    assert https["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    report_only = load_settings(monkeypatch, tmp_path, KAOHE_CSP_REPORT_ONLY="1")
    assert "CONTENT_SECURITY_POLICY_REPORT_ONLY" in report_only and "CONTENT_SECURITY_POLICY" not in report_only


def test_check_deploy_with_the_documented_variables_is_clean(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(PRODUCTION_ENV, KAOHE_VAR_DIR=str(tmp_path / "var"))
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_a_missing_page_is_a_plain_chinese_page(db: Any) -> None:
    response = Client().get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page
    assert "URLconf" not in page and "urlpatterns" not in page and "kaohe.web.urls" not in page


@pytest.mark.urls("tests.web.test_deploy")
def test_a_server_error_shows_no_traceback_or_settings(db: Any) -> None:
    response = Client(raise_request_exception=False).get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统错误" in page
    for leak in ("Traceback", "RuntimeError", "SECRET_KEY", "internal detail", "settings.py"):
        assert leak not in page


def test_a_refused_form_is_explained_in_chinese(db: Any) -> None:
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "a", "password": "b"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in page and "CSRF" not in page and "DEBUG" not in page


def test_wrong_passwords_lock_the_account_for_that_address(db: Any) -> None:
    User.objects.create_user("alice", password="correct horse battery")
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(4):
        wrong = client.post("/login/", {"username": "alice", "password": "guess"})
        assert wrong.status_code == 200  # the form again, with its error
    assert client.post("/login/", {"username": "alice", "password": "guess"}).status_code == 429  # the 5th
    locked = client.post("/login/", {"username": "alice", "password": "correct horse battery"})
    assert locked.status_code == 429
    assert "登录已暂停" in locked.content.decode() and "15 分钟" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The same account from another address is not locked (nobody can lock a colleague out from elsewhere).
    other = Client(REMOTE_ADDR="10.0.0.8").post("/login/", {"username": "alice", "password": "correct horse battery"})
    assert other.status_code == 302


def test_passwords_need_twelve_characters_and_are_not_common() -> None:
    for weak in ("Kx9#mP2qL7w", "123456789012", "password1234"):  # 11 characters; only digits; a common one
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Kx9#mP2qL7wZ")  # 12 characters, none of the above


def test_the_session_ends_after_30_idle_minutes(db: Any) -> None:
    client = Client()
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as clock:
        client.force_login(User.objects.create_user("alice", password="x"))
        response = client.get("/public/")
        assert response.cookies["sessionid"]["max-age"] == 30 * 60  # 30 minutes after the last renewal
        clock.shift(30)  # renewed at most once a minute: no write for a request 30 s later
        assert "sessionid" not in client.get("/public/").cookies
        clock.shift(30)
        assert client.get("/public/").cookies["sessionid"]["max-age"] == 30 * 60
        clock.shift(29 * 60 + 50)  # 29 min 50 s after that renewal: still signed in, and renewed
        assert client.get("/todo/").status_code == 200
        clock.shift(30 * 60 + 1)  # then 30 idle minutes: ended
        response = client.get("/todo/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_session_ends_12_hours_after_login_however_active(db: Any) -> None:
    client = Client()
    client.force_login(User.objects.create_user("alice", password="x"))
    assert client.get("/public/").status_code == 200
    session = client.session
    session[SESSION_LOGIN_AT] = int(time.time()) - 12 * 3600 - 60
    session.save()
    response = client.get("/public/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_pages_carry_a_content_security_policy_without_inline_script(db: Any) -> None:
    response = Client().get("/login/")
    policy = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    page = response.content.decode()
    assert "onchange=" not in page and "onclick=" not in page
    assert "<script>" not in page  # every script has a src


def test_an_oversized_body_is_refused_before_it_is_read(
    db: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MAX_REQUEST_BODY_BYTES = 64 * 1024
    opened: list[str] = []
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler.new_file

        def new_file(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            opened.append(args[1] if len(args) > 1 else kwargs.get("file_name", "?"))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(handler, "new_file", new_file)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4 " + b"0" * (80 * 1024))
    response = Client().post("/login/", {"username": "a", "password": "b", "file": big})
    assert response.status_code == 413
    assert "内容过大" in response.content.decode() and f"{settings.EVIDENCE_MAX_MB} MB" in response.content.decode()
    assert opened == []  # no upload handler saw a byte of it
    small = SimpleUploadedFile("small.pdf", b"%PDF-1.4 small")
    assert Client().post("/login/", {"username": "a", "password": "b", "file": small}).status_code == 200
    assert opened == ["small.pdf"]
