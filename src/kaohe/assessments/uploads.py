"""One way to keep an uploaded file (the assessments' evidence, 申诉材料, the registers' 调度记录附件): the row keeps
the person's file name only as data, the content type that ``forms.validate_evidence`` found, the size and the SHA-256
that ``kaohe audit verify`` later checks the stored file against; the file is stored under a generated name."""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile

# the files stored inside the innermost ``removed_on_failure`` block: (storage, name)
_STORED: ContextVar[list[tuple[Any, str]] | None] = ContextVar("stored_uploads", default=None)


@contextlib.contextmanager
def removed_on_failure() -> Iterator[None]:
    """Around an action's transaction: the files ``store_upload`` stored inside are deleted again when the block
    raises (the rows naming them were rolled back), so a failed step leaves no file without a row behind."""
    stored: list[tuple[Any, str]] = []
    token = _STORED.set(stored)
    try:
        yield
    except BaseException:
        for storage, name in stored:
            with contextlib.suppress(OSError):
                storage.delete(name)
        raise
    finally:
        _STORED.reset(token)


def store_upload(row: Any, upload: UploadedFile, content_type: str, folder: str) -> None:
    """Fill ``row``'s file fields (``original_name``, ``content_type``, ``size``, ``sha256``) from ``upload`` and store
    it as ``folder/<random hex><suffix>`` in ``row.file``; the row itself is not saved. Inside ``removed_on_failure``
    the file is deleted again if the block fails."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    row.original_name = PurePath(upload.name or "file").name[:255]
    row.content_type = content_type
    row.size = upload.size or 0
    row.sha256 = digest.hexdigest()
    suffix = PurePath(upload.name or "").suffix.lower()
    row.file.save(f"{folder}/{uuid.uuid4().hex}{suffix}", upload, save=False)
    stored = _STORED.get()
    if stored is not None:
        stored.append((row.file.storage, row.file.name))
