"""``kaohe serve``: the web app under gunicorn, static files from WhiteNoise.

gunicorn runs in this process (its master) with the app module ``kaohe.web.wsgi``. gunicorn answers every request
with ``Server: gunicorn``; the line is removed here before the workers are forked, so that no answer names the
server software.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.http import wsgi as gunicorn_wsgi


def _drop_server_header() -> None:
    original = gunicorn_wsgi.Response.default_headers
    if getattr(original, "_kaohe_no_banner", False):
        return

    def default_headers(self: Any) -> list[str]:
        return [line for line in original(self) if not line.lower().startswith("server:")]

    default_headers._kaohe_no_banner = True  # type: ignore[attr-defined]
    gunicorn_wsgi.Response.default_headers = default_headers


class KaoheServer(BaseApplication):  # type: ignore[misc]  # gunicorn is untyped
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from kaohe.web.wsgi import application

        return application


def run(*, host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    _drop_server_header()
    KaoheServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
            "timeout": timeout,
            "accesslog": "-",
            "errorlog": "-",
            "limit_request_line": 8190,
        }
    ).run()
