"""The project's middleware: the display language, the request size limit, the absolute session lifetime and
lost write races.

Chinese unless the person chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show English to anyone whose browser
is set that way. An assessment office works in Chinese: only the language switch (the language cookie) changes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db import OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.codes else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


# ---------------------------------------------------------------------------------------------- request size
def _body_limit_message(limit: int) -> str:
    return (
        f"提交的内容过大（超过 {limit // (1024 * 1024)} MB），未予接收。"
        f"单个佐证材料文件不得超过 {settings.EVIDENCE_MAX_MB} MB，请压缩或拆分后重新上传。"
    )


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body (Content-Length) exceeds ``settings.MAX_REQUEST_BODY_BYTES`` with
    413, before Django's upload handlers read a byte of it: an oversized upload never reaches memory or disk.
    (Without a Content-Length, WSGI gives Django an empty body, so nothing larger can come in that way.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit: int = settings.MAX_REQUEST_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return _refusal(request, 413, "内容过大", _body_limit_message(limit))
        return self.get_response(request)


def _refusal(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    """A plain Chinese answer: JSON for the API, a small page otherwise (rendered without the database)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    html = render_to_string("web/refused.html", {"title": title, "message": message, "status": status})
    response = HttpResponse(html, status=status)
    response.headers["Connection"] = "close"  # the unread body is not worth reading to keep the connection
    return response


# ---------------------------------------------------------------------------------------------- sessions
SESSION_LOGIN_AT = "kaohe_login_at"


# The idle timeout (SESSION_COOKIE_AGE) is renewed by a request at most once a minute: saving the session on every
# request was a database write per page view, a quarter of a cached page's cost (benchmarks/web_load.py).
SESSION_SEEN_AT = "kaohe_seen_at"
SESSION_RENEW_SECONDS = 60


class SessionLifetimeMiddleware:
    """The absolute session lifetime: a session older than ``settings.SESSION_MAX_AGE_SECONDS`` since login is
    ended, however active it was. The idle timeout is SESSION_COOKIE_AGE after the last renewal: a request renews
    the session (and its cookie) when the last renewal is ``SESSION_RENEW_SECONDS`` old or more, so a session ends
    between 29 and 30 minutes after the last request with the default 30."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SESSION_LOGIN_AT)
            if started is None:
                request.session[SESSION_LOGIN_AT] = now
            elif now - int(started) > settings.SESSION_MAX_AGE_SECONDS:
                logout(request)
                messages.info(request, "登录已超过最长时限，请重新登录。")
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            seen = request.session.get(SESSION_SEEN_AT)
            if seen is None or now - int(seen) >= SESSION_RENEW_SECONDS:
                request.session[SESSION_SEEN_AT] = now  # modified: saved with a new expiry, the cookie reissued
        return self.get_response(request)


@receiver(user_logged_in)
def _stamp_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LOGIN_AT] = int(time.time())


# ---------------------------------------------------------------------------------------------- lost races
LOST_RACE_MESSAGE = "操作未执行：其他人正在同时保存，请刷新页面后重试"
# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
_PG_RACE_STATES = {"40001", "40P01", "55P03"}


def is_lost_race(exc: BaseException) -> bool:
    """A write that lost to a concurrent one: SQLite's busy/locked errors (after the busy timeout), PostgreSQL's
    serialization, deadlock and lock-timeout errors. Anything else is a real error."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in _PG_RACE_STATES:
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


class LostRaceMiddleware:
    """Two people saving at the same moment: the loser gets the usual 刷新后重试 message (409), not a 500. The
    transaction was rolled back, so nothing was written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_lost_race(exception):
            return None
        return _refusal(request, 409, "请刷新后重试", LOST_RACE_MESSAGE)


# ---------------------------------------------------------------------------------------------- client address
def client_ip(request: HttpRequest) -> str | None:
    """The client's address for login throttling: REMOTE_ADDR, or behind ``settings.KAOHE_PROXY_COUNT``
    proxies the address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, which a
    client can only prepend to)."""
    count: int = settings.KAOHE_PROXY_COUNT
    if count > 0:
        header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from an old or foreign page, in words (Django's page is English and says
    to turn DEBUG on); the reason stays in the server log."""
    return _refusal(request, 403, "页面已过期", "提交未被接受：页面已过期或不是从本系统打开的。请刷新页面后重新提交。")
