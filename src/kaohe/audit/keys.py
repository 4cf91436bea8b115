"""The secret key of the audit chain (HMAC-SHA256), kept outside the database.

Where the key comes from, first match wins:

1. ``KAOHE_AUDIT_KEY`` in the environment (the current key) and ``KAOHE_AUDIT_OLD_KEYS`` (earlier keys,
   comma-separated) — for deployments that keep secrets in the environment or a secret store;
2. the key file ``settings.KAOHE_AUDIT_KEY_FILE`` (default ``<var dir>/audit.key``, mode 0600): the first
   non-empty line is the current key, the lines below it are earlier keys (``#`` starts a comment line).

A key is text of at least 32 characters; the HMAC key is its UTF-8 bytes. :func:`ensure_key` writes a fresh
random key file when there is no key at all (``migrate`` calls it on an empty log; see docs/audit.md). Each audit
entry records the :func:`key_id` of the key that signed it, so entries signed before a rotation verify with the
earlier key from the keyring.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

ENV_KEY = "KAOHE_AUDIT_KEY"
ENV_OLD_KEYS = "KAOHE_AUDIT_OLD_KEYS"
MIN_LENGTH = 32


class AuditKeyError(Exception):
    """No usable audit key; the message says where one is expected."""


def key_file() -> Path:
    from django.conf import settings

    configured = getattr(settings, "KAOHE_AUDIT_KEY_FILE", None)
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", Path.cwd() / "var")) / "audit.key"


def _check(text: str, where: str) -> bytes:
    if len(text) < MIN_LENGTH:
        raise AuditKeyError(f"the audit key in {where} is shorter than {MIN_LENGTH} characters")
    return text.encode()


_file_cache: dict[tuple[str, int, int], list[str]] = {}


def _file_lines(path: Path) -> list[str] | None:
    """The key lines of the key file (current first), or None when there is no file."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    cache_key = (str(path), stat.st_mtime_ns, stat.st_size)
    lines = _file_cache.get(cache_key)
    if lines is None:
        text = path.read_text(encoding="utf-8")
        lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
        _file_cache.clear()
        _file_cache[cache_key] = lines
    return lines


def load_key() -> bytes:
    """The current key (the one new entries are signed with). Raises AuditKeyError when there is none."""
    env = os.environ.get(ENV_KEY, "").strip()
    if env:
        return _check(env, ENV_KEY)
    path = key_file()
    lines = _file_lines(path)
    if not lines:
        raise AuditKeyError(f"no audit key: set {ENV_KEY} or create the key file {path} (see docs/audit.md)")
    return _check(lines[0], str(path))


def key_id(key: bytes | None = None) -> str:
    """A short fingerprint of ``key`` (default: the current key) that names it without revealing it."""
    material = load_key() if key is None else key
    return hashlib.sha256(b"kaohe-audit-key-id:" + material).hexdigest()[:12]


def keyring() -> dict[str, bytes]:
    """Every key this instance knows, by key id: the current one and the earlier ones kept for old entries."""
    texts: list[str] = []
    env = os.environ.get(ENV_KEY, "").strip()
    if env:
        texts.append(env)
        texts.extend(part.strip() for part in os.environ.get(ENV_OLD_KEYS, "").split(",") if part.strip())
    # The file's keys count too when the environment names the current key (a rotation may move between them).
    texts.extend(_file_lines(key_file()) or [])
    ring: dict[str, bytes] = {}
    for text in texts:
        if len(text) >= MIN_LENGTH:
            material = text.encode()
            ring.setdefault(key_id(material), material)
    return ring


def _write_new(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def ensure_key() -> Path | None:
    """Create the key file with a fresh random key when no key exists (environment or file). Returns the file
    created, or None when a key was already there."""
    if os.environ.get(ENV_KEY, "").strip():
        return None
    path = key_file()
    if _file_lines(path):
        return None
    header = "# kaohe audit key: first line signs new entries, lines below are earlier keys. Keep a copy offline.\n"
    _write_new(path, header + secrets.token_hex(32) + "\n")
    return path


def rotate_key() -> tuple[str, str]:
    """Put a fresh key on top of the key file, keeping the earlier keys below it. Returns (old id, new id).
    With the key in the environment the operator rotates there (new key in KAOHE_AUDIT_KEY, old one appended to
    KAOHE_AUDIT_OLD_KEYS)."""
    if os.environ.get(ENV_KEY, "").strip():
        raise AuditKeyError(
            f"the audit key comes from {ENV_KEY}: put the new key there and add the old one to {ENV_OLD_KEYS}"
        )
    path = key_file()
    lines = _file_lines(path)
    if not lines:
        raise AuditKeyError(f"no audit key file at {path} to rotate")
    old_id = key_id(_check(lines[0], str(path)))
    new = secrets.token_hex(32)
    header = "# kaohe audit key: first line signs new entries, lines below are earlier keys. Keep a copy offline.\n"
    _write_new(path, header + "\n".join([new, *lines]) + "\n")
    return old_id, key_id(new.encode())
