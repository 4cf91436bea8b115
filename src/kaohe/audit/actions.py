"""Appending to and verifying the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from kaohe.audit.models import GENESIS_HASH, AuditLog, ChainHead, canonical


def do_append_audit(
    *,
    acting_user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    what: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> AuditLog:
    """Append one entry. Call it inside the caller's ``transaction.atomic`` so the entry and the change commit
    together; the head row is locked here until that transaction ends."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    user = acting_user if isinstance(acting_user, User) else None
    with transaction.atomic():
        # Migration 0002 creates the head row; get_or_create covers a database built without migrations.
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditLog(
            seq=head.last_seq + 1,
            # Microseconds dropped so the ISO text hashed here survives every database's round trip.
            created_at=timezone.now().replace(microsecond=0),
            actor=user,
            actor_name=user.get_username() if user is not None else "system",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            what=what,
            old_value="" if old is None else canonical(old),
            new_value="" if new is None else canonical(new),
            reason=reason,
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        head.last_seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str


@dataclass(frozen=True)
class ChainReport:
    entries: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain() -> ChainReport:
    """Walk the chain from the first entry and report the first one that was altered or removed."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in AuditLog.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(count, ChainProblem(expected_seq, f"entry #{expected_seq} was removed"))
        if entry.prev_hash != expected_prev:
            # The previous entry was rewritten with a freshly computed hash of its own: its hash no longer
            # matches what this entry recorded when it was appended.
            return ChainReport(
                count,
                ChainProblem(
                    entry.seq - 1, f"entry #{entry.seq - 1} was altered (entry #{entry.seq} recorded a different hash)"
                ),
            )
        if entry.compute_hash() != entry.hash:
            return ChainReport(count, ChainProblem(entry.seq, f"entry #{entry.seq} was altered (hash mismatch)"))
        expected_prev = entry.hash
        expected_seq += 1
    head = ChainHead.objects.filter(pk=1).first()
    last_seq = head.last_seq if head else 0
    last_hash = head.last_hash if head else GENESIS_HASH
    if last_seq != expected_seq - 1:
        return ChainReport(count, ChainProblem(expected_seq, f"entry #{expected_seq} was removed (the chain head names #{last_seq})"))
    if last_hash != expected_prev:
        return ChainReport(count, ChainProblem(last_seq, f"entry #{last_seq} differs from the hash the chain head recorded"))
    return ChainReport(count, None)
