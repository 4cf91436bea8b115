"""The audit log.

Each :class:`AuditLog` row carries ``prev_hash`` (the previous row's ``hash``) and its own ``hash``, an HMAC-SHA256
over its content and ``prev_hash`` with the audit key (``kaohe.audit.keys``, kept outside the database, named by
``key_id``), so that a database writer cannot recompute it; ``seq`` numbers the rows 1, 2, 3 … without gaps.
:class:`ChainHead` is a single row holding the last ``seq`` and ``hash``: appending locks it (``SELECT … FOR
UPDATE``), so two concurrent writers cannot fork the chain, and removing the newest rows is detected because the head
still names them.

``rows`` holds the snapshots (``kaohe.audit.snapshots``) of the rows the action left behind, as canonical JSON
``{"app.model": {"pk": {field: value, …} | null}}`` (null: the row was deleted); ``kaohe audit verify`` replays them
against the current rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


def canonical(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the same value always hashes the same."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


class AuditLog(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    # The actor's username is copied into the row (and the hash): deleting or renaming a user cannot rewrite history.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    what = models.CharField(max_length=255, blank=True)
    old_value = models.TextField(blank=True)  # canonical JSON
    new_value = models.TextField(blank=True)  # canonical JSON
    reason = models.TextField(blank=True)
    rows = models.TextField(blank=True)  # canonical JSON snapshots of the rows the action wrote (module docstring)
    key_id = models.CharField(max_length=16, blank=True)  # kaohe.audit.keys.key_id of the key that signed the entry
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_type}:{self.object_id}"

    def payload(self) -> bytes:
        """The bytes the entry's hash covers: every field but the hash itself (and the actor's id, whose name is
        copied into ``actor_name``)."""
        return canonical(
            [
                self.seq,
                self.created_at.isoformat(),
                self.actor_name,
                self.action,
                self.object_type,
                self.object_id,
                self.what,
                self.old_value,
                self.new_value,
                self.reason,
                self.rows,
                self.key_id,
                self.prev_hash,
            ]
        ).encode()

    def compute_hash(self, key: bytes | None = None) -> str:
        """HMAC-SHA256 of :meth:`payload` with ``key`` (default: the key the entry names, from the keyring)."""
        if key is None:
            from kaohe.audit.keys import AuditKeyError, keyring

            key = keyring().get(self.key_id)
            if key is None:
                raise AuditKeyError(f"the audit key {self.key_id or '(none)'} is not in the keyring")
        return hmac.new(key, self.payload(), hashlib.sha256).hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("audit entries are append-only")

    def decoded_new(self) -> Any:
        return json.loads(self.new_value) if self.new_value else None

    def decoded_rows(self) -> dict[str, dict[str, Any]]:
        return json.loads(self.rows) if self.rows else {}


class ChainHead(models.Model):
    """The one row (pk=1) naming the newest entry of the chain."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"
