"""``kaohe backup OUT`` and ``kaohe restore IN``: one consistent snapshot of an instance, on SQLite or PostgreSQL.

A backup is one zip file:

    manifest.json              format, time, kaohe version, database vendor, applied migrations, row counts,
                               the audit key *reference* (its id and where it is kept — never the key), media list
    data/<app>.<model>.jsonl   every row of every table (one JSON array per line, columns as in the manifest)
    media/<path>               every file a row refers to (evidence, uploaded schemes), with its SHA-256

The rows are read in one read-only transaction that sees a single point in time: REPEATABLE READ on PostgreSQL,
a deferred read transaction on SQLite (with WAL, writers go on meanwhile). The files copied are exactly those the
snapshot's rows name, so rows and files agree. The format does not depend on the database: a SQLite backup
restores into PostgreSQL and the other way round (Django's field conversions on both sides).

Restoring needs the same database schema (the same applied migrations), an empty database (unless ``force``)
and writes every row with its original primary key in one transaction, then resets the sequences. The audit key
is not in the backup: restore warns when the key this instance uses is not the one the backup names.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.duration import duration_iso_string

from kaohe.core.exceptions import UserInputError
from kaohe.core.guards import zip_archive
from kaohe.web.consistent_read import ConsistentReadError, consistent_read

FORMAT = "kaohe-backup"
FORMAT_VERSION = 1
# Sessions are not data: a restored instance starts with nobody signed in.
SKIPPED = {"sessions.session"}
# Rows that `migrate` itself writes into an empty database (replaced by the backup's on restore).
MIGRATE_ROWS = {"contenttypes.contenttype", "auth.permission", "audit.chainhead"}
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Outcome:
    rows: int = 0
    tables: int = 0
    files: int = 0
    warnings: list[str] = field(default_factory=list)


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in SKIPPED and not model._meta.proxy and model._meta.managed
    ]


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


# ------------------------------------------------------------------------------------------------ values
def _encode(fld: models.Field[Any, Any], obj: models.Model) -> Any:
    if isinstance(fld, models.FileField):
        return getattr(obj, fld.attname).name or ""
    value = getattr(obj, fld.attname)
    if value is None or isinstance(fld, models.JSONField):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decode(fld: models.Field[Any, Any], value: Any) -> Any:
    if value is None or isinstance(fld, models.JSONField | models.FileField):
        return value
    return fld.to_python(value)


def audit_key_reference() -> dict[str, Any]:
    """Which audit key signs this instance's log: its id (a fingerprint) and where it is kept, never the key.
    (kaohe.audit.keys is imported here, lazily, so that a backup works whatever state the keyed log is in.)"""
    try:
        from kaohe.audit import keys
    except ImportError:  # pragma: no cover - the keyed audit log predates this module in practice
        return {"id": None, "kept_in": str(settings.KAOHE_AUDIT_KEY_FILE)}
    kept_in = keys.ENV_KEY if os.environ.get(keys.ENV_KEY, "").strip() else str(keys.key_file())
    try:
        return {"id": keys.key_id(), "kept_in": kept_in}
    except keys.AuditKeyError:
        return {"id": None, "kept_in": kept_in}


def _applied_migrations() -> list[list[str]]:
    recorder = MigrationRecorder(connection)
    return sorted([app, name] for app, name in recorder.applied_migrations())


# ------------------------------------------------------------------------------------------------ backup
@contextmanager
def _snapshot() -> Iterator[None]:
    """A read-only transaction that sees the database at one point in time (writers go on meanwhile)."""
    with ExitStack() as stack:
        try:
            stack.enter_context(consistent_read(join_open_transaction=False))
        except ConsistentReadError as exc:
            raise BackupError(f"backup: {exc}") from None
        yield


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def backup(out: Path, *, overwrite: bool = False) -> Outcome:
    if out.exists() and not overwrite:
        raise BackupError(f"{out} exists already (choose another name, or --force to replace it)")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    outcome = Outcome()
    media_root = Path(settings.MEDIA_ROOT)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            with _snapshot():
                tables: dict[str, dict[str, Any]] = {}
                referenced: set[str] = set()
                for model in _models():
                    columns = _columns(model)
                    file_columns = [c for c in columns if isinstance(c, models.FileField)]
                    count = 0
                    name = f"data/{model._meta.label_lower}.jsonl"
                    with archive.open(name, "w") as handle:
                        rows = model._base_manager.order_by("pk").iterator(chunk_size=2000)
                        for obj in rows:
                            line = json.dumps([_encode(c, obj) for c in columns], ensure_ascii=False)
                            handle.write(line.encode() + b"\n")
                            count += 1
                            for c in file_columns:
                                stored = getattr(obj, c.attname).name
                                if stored:
                                    referenced.add(stored)
                    tables[model._meta.label_lower] = {
                        "table": model._meta.db_table,
                        "columns": [c.attname for c in columns],
                        "rows": count,
                    }
                    outcome.rows += count
                    outcome.tables += 1
                media = []
                for stored in sorted(referenced):
                    source = media_root / stored
                    if not source.is_file():
                        raise BackupError(f"the file {stored} that the database refers to is missing from {media_root}")
                    archive.write(source, f"media/{stored}", compress_type=zipfile.ZIP_STORED)
                    media.append({"path": stored, "size": source.stat().st_size, "sha256": _sha256(source)})
                migrations = _applied_migrations()
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "kaohe_version": _kaohe_version(),
                "database": {"vendor": connection.vendor},
                "migrations": migrations,
                "tables": tables,
                "media": media,
                "audit_key": audit_key_reference(),
            }
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        outcome.files = len(media)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return outcome


def _kaohe_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kaohe")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


# ------------------------------------------------------------------------------------------------ restore
def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    except KeyError:
        raise BackupError("not a kaohe backup (no manifest.json)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError("not a kaohe backup (unknown format)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format {manifest.get('format_version')} is not supported (this kaohe reads {FORMAT_VERSION})"
        )
    return manifest


def _not_empty() -> list[str]:
    """Tables holding data that `migrate` did not write."""
    found = []
    for model in _models():
        label = model._meta.label_lower
        if label == "audit.chainhead":
            if model._base_manager.exclude(last_seq=0).exists():
                found.append(label)
        elif label not in MIGRATE_ROWS and model._base_manager.exists():
            found.append(label)
    return found


def _safe_media_path(stored: str) -> PurePosixPath:
    path = PurePosixPath(stored)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"the backup names an unsafe file path: {stored!r}")
    return path


def restore(source: Path, *, force: bool = False) -> Outcome:
    """Restore ``source`` into this instance's database (migrated already) and media folder."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.models import Session
    from django.core.cache import caches

    try:  # before anything is read from it: a directory, a damaged zip, a zip bomb, a member path with ..
        zip_archive(source, required="manifest.json", what="a kaohe backup")
    except UserInputError as exc:
        raise BackupError(str(exc)) from None
    outcome = Outcome()
    with zipfile.ZipFile(source) as archive:
        manifest = read_manifest(archive)
        here = _applied_migrations()
        theirs = manifest["migrations"]
        if here != theirs:
            newer = sorted({tuple(m) for m in theirs} - {tuple(m) for m in here})
            older = sorted({tuple(m) for m in here} - {tuple(m) for m in theirs})
            detail = (
                f"the backup has migrations this kaohe does not know ({', '.join('.'.join(m) for m in newer[:5])})"
                if newer
                else f"this kaohe has newer migrations ({', '.join('.'.join(m) for m in older[:5])})"
            )
            raise BackupError(
                f"the database schema differs from the backup's: {detail}; restore with the kaohe "
                f"version that made it ({manifest.get('kaohe_version')}), then upgrade"
            )
        current = {m._meta.label_lower: m for m in _models()}
        for label, table in manifest["tables"].items():
            model = current.get(label)
            if model is None or [c.attname for c in _columns(model)] != table["columns"]:
                raise BackupError(
                    f"the table {label} differs from the backup's; restore with the kaohe version "
                    f"that made it ({manifest.get('kaohe_version')})"
                )
        occupied = _not_empty()
        if occupied and not force:
            raise BackupError(
                f"the database is not empty ({', '.join(occupied[:6])}{' …' if len(occupied) > 6 else ''}): restore "
                "into a new database, or add --force to replace everything in it"
            )
        media_root = Path(settings.MEDIA_ROOT)
        for entry in manifest["media"]:
            target = media_root / _safe_media_path(entry["path"])
            if target.exists() and not force and _sha256(target) != entry["sha256"]:
                raise BackupError(
                    f"the media folder already holds a different {entry['path']} (add --force to replace it)"
                )

        with transaction.atomic():
            for model in current.values():
                model._base_manager.all()._raw_delete(model._base_manager.db)
            for label in manifest["tables"]:
                model = current[label]
                columns = _columns(model)
                batch: list[models.Model] = []
                size = max(1, connection.ops.bulk_batch_size(columns, [None] * 1000) or 500)
                with archive.open(f"data/{label}.jsonl") as handle:
                    for raw in handle:
                        values = json.loads(raw)
                        batch.append(model(**{c.attname: _decode(c, v) for c, v in zip(columns, values, strict=True)}))
                        if len(batch) >= size:
                            model._base_manager._insert(batch, fields=columns, raw=True)  # type: ignore[attr-defined]
                            outcome.rows += len(batch)
                            batch = []
                if batch:
                    model._base_manager._insert(batch, fields=columns, raw=True)  # type: ignore[attr-defined]
                    outcome.rows += len(batch)
                outcome.tables += 1
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), list(current.values())):
                    cursor.execute(statement)
            connection.check_constraints()
        ContentType.objects.clear_cache()
        # Sessions and the pages kept for them (kaohe.web.workcache) belong to the data just replaced: whoever was
        # signed in signs in again.
        Session.objects.all().delete()
        for alias in ("sessions", "pages"):
            caches[alias].clear()

        for entry in manifest["media"]:
            relative = _safe_media_path(entry["path"])
            target = media_root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            tmp = target.with_name(f".{target.name}.restoring")
            with archive.open(f"media/{relative}") as src, tmp.open("wb") as dst:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
            if digest.hexdigest() != entry["sha256"]:
                tmp.unlink()
                raise BackupError(f"the backup's copy of {relative} is damaged (SHA-256 differs from the manifest)")
            os.chmod(tmp, settings.FILE_UPLOAD_PERMISSIONS or 0o640)
            os.replace(tmp, target)
            outcome.files += 1

    wanted = manifest.get("audit_key", {}).get("id")
    mine = audit_key_reference()
    if wanted and wanted != mine["id"] and wanted not in _keyring_ids():
        outcome.warnings.append(
            f"the audit log was signed with key {wanted}, but this instance uses "
            f"{mine['id'] or 'no key'} ({mine['kept_in']}): put the key file of {wanted} in place "
            "(KAOHE_AUDIT_KEY_FILE or KAOHE_AUDIT_KEY), or `kaohe audit verify` will report every entry"
        )
    return outcome


def _keyring_ids() -> set[str]:
    try:
        from kaohe.audit import keys
    except ImportError:  # pragma: no cover
        return set()
    return set(keys.keyring())
