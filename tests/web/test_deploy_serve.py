"""`kaohe serve` is a production server: gunicorn, static files from WhiteNoise, DEBUG off, no Server banner."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_kaohe_serve_runs_gunicorn_with_static_files_and_no_banner(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["KAOHE_VAR_DIR"] = str(tmp_path / "var")  # a fresh SQLite database
    kaohe = Path(sys.executable).with_name("kaohe")
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [str(kaohe), "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, headers, page = fetch(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "kaohe serve did not answer within 90 s"
                time.sleep(0.3)
        assert status == 200 and "登录" in page
        assert "Server" not in headers and "server" not in {k.lower() for k in headers}
        assert "Content-Security-Policy" in headers

        status, headers, css = fetch(f"http://127.0.0.1:{port}/static/css/kaohe.css")
        assert status == 200 and ":root" in css
        assert "server" not in {k.lower() for k in headers}

        status, _, missing = fetch(f"http://127.0.0.1:{port}/no-such-page/")
        assert status == 404 and "页面不存在" in missing and "URLconf" not in missing

        log.seek(0)
        output = log.read()
        assert "gunicorn" in output.lower() and "Booting worker" in output  # gunicorn, not runserver
        assert "development server" not in output.lower()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
        log.close()
