"""Micro-cache of the published pages for anonymous visitors.

Published results do not change, and the public pages are what everybody opens the day a 通报 comes out.
For a GET without a session cookie on one of ``PATHS``, the first 200 answer is kept for ``SECONDS`` (per
process, in Django's cache) with its headers, and served to every later anonymous visitor in the same language
before sessions, CSRF, authentication and the view run. Anything else — signed-in users, other pages, answers
other than 200 (a cycle not yet published) — passes through untouched. Master-data edits (a unit renamed in
the admin) show on these pages after at most ``SECONDS``.

The cached page carries the first visitor's CSRF token in the language form, so ``set_language`` is exempt
from CSRF (switching the display language changes nothing of value).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

PATHS = re.compile(r"^/(public/\d+|assessments/\d+/result)/$")
SECONDS = 60
_SKIPPED_HEADERS = {"set-cookie", "vary", "content-length"}


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method != "GET"
            or request.GET
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or not PATHS.match(request.path)
        ):
            return self.get_response(request)
        key = f"kaohe:anon-page:{getattr(request, 'LANGUAGE_CODE', '')}:{request.path}"
        hit = cache.get(key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content)
            for name, value in headers:
                response.headers[name] = value
            response.headers["Content-Length"] = str(len(content))  # keep-alive clients need it (no chunking)
            return response
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies.get(settings.SESSION_COOKIE_NAME)
        ):
            headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIPPED_HEADERS]
            cache.set(key, (response.content, headers), SECONDS)
        return response
