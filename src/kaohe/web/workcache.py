"""Per-session cache of the pages people work in (issue 10 "Numbers": 待办, the dashboard, the verification queue
and a unit's self-evaluation page, with 3,000 units and 50 connections).

A GET answered 200 by a view wrapped in :func:`work_page` is kept for ``SECONDS``, for this session and URL, under
the **data version**: the audit chain's head (``ChainHead``: last sequence number and hash). Every write goes through
an audited action that moves the head in the same transaction, and the head row stays locked until that transaction
commits (``kaohe.audit.actions.do_append_audit``), so writes become visible in sequence order: a page kept under the
head that is current now shows every committed change. Notifications (the bell) are delivered and marked read by
audited actions too. A restore puts back another chain, whose head hash differs.

The key also holds what else a page depends on: the session (the person and their roles), the CSRF cookie (the
page's forms carry a token made from it), the language and the day (逾期 turns on the date). A page is neither
served from nor kept in the cache while a message waits for the person (messages are shown once), and only a plain
200 is kept. A change made outside kaohe's actions (a hand edit of the database, which ``kaohe audit verify``
reports) shows after at most ``SECONDS``.

The first request of a session still renders the page; the cache saves the repeated ones (the page reloaded, the
way back from an item to the queue), which is most of a working day.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from kaohe.audit.models import ChainHead

SECONDS = 60
CACHE = "pages"


def data_version() -> str:
    """The audit chain's head, "0" before the first entry."""
    head = ChainHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    return f"{head[0]}-{head[1][:16]}" if head else "0"


def _key(request: HttpRequest) -> str | None:
    """None when the page is not to be kept: no session, or no CSRF cookie yet (the page would set one, and its
    forms carry a token of that new cookie)."""
    session_key = request.session.session_key
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if not session_key or not csrf_cookie:
        return None
    parts = [
        session_key,
        csrf_cookie,
        get_language() or "",
        timezone.localdate().isoformat(),
        data_version(),
        request.get_full_path(),
    ]
    return "kaohe:work-page:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def work_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve and keep the view's GET answers per session under the data version (see the module's text)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET" or len(get_messages(request)):  # len() reads the messages without using them
            return view(request, *args, **kwargs)
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        cache = caches[CACHE]
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (response.content, response["Content-Type"]), SECONDS)
        return response

    return wrapper
