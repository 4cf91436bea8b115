"""Appending to and verifying the audit chain."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import models, transaction
from django.utils import timezone

from kaohe.audit import keys, snapshots
from kaohe.audit.models import GENESIS_HASH, AuditLog, ChainHead, canonical


class AuditKeyMissing(RuntimeError):
    """The log has entries but the key that must sign the next one is gone (see docs/audit.md)."""


def _signing_key(head: ChainHead) -> bytes:
    try:
        return keys.load_key()
    except keys.AuditKeyError:
        if head.last_seq:
            # A new key now would sign a chain the old key cannot vouch for: refuse, the operator restores the key.
            raise AuditKeyMissing(
                f"审计密钥缺失：审计日志已有 {head.last_seq} 条记录，请恢复密钥文件 {keys.key_file()} 或设置 "
                f"{keys.ENV_KEY}（见 docs/audit.md）"
            ) from None
        keys.ensure_key()  # first use of an empty log (a database built without `migrate`)
        return keys.load_key()


@dataclass(frozen=True)
class AuditEntry:
    """What one entry says, as :func:`do_append_audit`'s arguments of the same names describe it (the actor is the
    call's)."""

    action: str
    obj: Any = None
    object_type: str = ""
    object_id: str | int = ""
    what: str = ""
    old: Any = None
    new: Any = None
    reason: str = ""
    rows: Iterable[models.Model | models.QuerySet[Any]] = ()
    deleted: Iterable[models.Model | tuple[str, Any]] = ()
    prepared: snapshots.Rows | None = None

    def fields(self) -> dict[str, str]:
        """The entry's own fields of :class:`AuditLog` (all but the actor, the time and the chain's), its snapshots
        read from the database now."""
        object_type, object_id, obj = self.object_type, self.object_id, self.obj
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or obj.pk
        deleted = list(self.deleted)
        gone = {
            (snapshots.label_of(d), str(d.pk)) if isinstance(d, models.Model) else (d[0], str(d[1])) for d in deleted
        }
        rows = list(self.rows)
        if (
            isinstance(obj, models.Model)
            and snapshots.is_tracked(obj)
            and (snapshots.label_of(obj), str(obj.pk)) not in gone
        ):
            rows.append(obj)
        taken = snapshots.take(rows, deleted)
        if self.prepared:
            taken = snapshots.merge(self.prepared, taken)
        return {
            "action": self.action,
            "object_type": object_type,
            "object_id": str(object_id),
            "what": self.what,
            "old_value": "" if self.old is None else canonical(self.old),
            "new_value": "" if self.new is None else canonical(self.new),
            "reason": self.reason,
            "rows": canonical(taken) if taken else "",
        }


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
    rows: Iterable[models.Model | models.QuerySet[Any]] = (),
    deleted: Iterable[models.Model | tuple[str, Any]] = (),
    prepared: snapshots.Rows | None = None,
) -> AuditLog:
    """Append one entry. Call it inside the caller's ``transaction.atomic``, after the writes, so the entry and the
    change commit together; the head row is locked here until that transaction ends.

    The entry records the snapshot (``kaohe.audit.snapshots``) of ``obj`` when it is an audited model, of every
    row in ``rows`` (instances or querysets) and of ``prepared`` (snapshots the caller already read), and marks
    ``deleted`` rows (instances or (label, pk)) as gone: ``kaohe audit verify`` compares the current rows with the
    newest snapshot of each."""
    entry = AuditEntry(
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        what=what,
        old=old,
        new=new,
        reason=reason,
        rows=rows,
        deleted=deleted,
        prepared=prepared,
    )
    return do_append_audit_many([entry], acting_user=acting_user)[0]


def do_append_audit_many(
    entries: Iterable[AuditEntry], *, acting_user: AbstractBaseUser | AnonymousUser | None
) -> list[AuditLog]:
    """Append ``entries`` in their order, as consecutive entries of the chain, each exactly what
    :func:`do_append_audit` writes for the same arguments; all of them or none. The head row is locked and moved
    once, and the entries are inserted in one statement (or a few on SQLite), so a batch of actions in one
    transaction costs about the queries of one entry. Call it inside the caller's ``transaction.atomic``, after the
    writes; the head stays locked until that transaction ends."""
    entries = list(entries)
    if not entries:
        return []
    user = acting_user if isinstance(acting_user, User) else None
    # No savepoint of its own (two round trips per call): an error in here marks the caller's transaction for
    # rollback, so the caller's writes can never commit without their entries, nor some entries without the rest.
    with transaction.atomic(savepoint=False):
        # Read before the head is locked (the caller's transaction holds its own rows), so appends queue briefly.
        own = [entry.fields() for entry in entries]
        # Migration 0002 creates the head row; get_or_create covers a database built without migrations.
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        key = _signing_key(head)
        key_id = keys.key_id(key)
        # Microseconds dropped so the ISO text hashed here survives every database's round trip.
        created_at = timezone.now().replace(microsecond=0)
        actor_name = user.get_username() if user is not None else "system"
        logs: list[AuditLog] = []
        seq, prev_hash = head.last_seq, head.last_hash
        for fields in own:
            seq += 1
            log = AuditLog(
                seq=seq,
                created_at=created_at,
                actor=user,
                actor_name=actor_name,
                key_id=key_id,
                prev_hash=prev_hash,
                **fields,
            )
            log.hash = prev_hash = log.compute_hash(key)
            logs.append(log)
        AuditLog.objects.bulk_create(logs)  # bypasses AuditLog.save, whose append-only guard concerns updates
        head.last_seq, head.last_hash = seq, prev_hash
        head.save(update_fields=["last_seq", "last_hash"])
    return logs


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str


@dataclass(frozen=True)
class ChainReport:
    entries: int
    problems: tuple[ChainProblem, ...] = ()
    head_seq: int = 0

    @property
    def problem(self) -> ChainProblem | None:
        """The first problem (the earliest entry that was altered or removed)."""
        return self.problems[0] if self.problems else None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(on_entry: Callable[[AuditLog], None] | None = None) -> ChainReport:
    """Walk the chain from the first entry and report every entry that was altered, removed, forged or signed
    with a key this instance does not hold. ``on_entry`` sees each entry in order (the data replay reads the log
    in the same pass)."""
    ring = keys.keyring()
    problems: list[ChainProblem] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    prev_bad = False
    for entry in AuditLog.objects.order_by("seq").iterator(chunk_size=500):
        count += 1
        if entry.seq != expected_seq:
            gone = f"#{expected_seq}" if entry.seq == expected_seq + 1 else f"#{expected_seq}–#{entry.seq - 1}"
            problems.append(ChainProblem(expected_seq, f"审计记录 {gone} 已被删除"))
        elif entry.prev_hash != expected_prev and not prev_bad:
            # The previous entry was rewritten with a freshly computed hash of its own: its hash no longer matches
            # what this entry recorded when it was appended.
            problems.append(
                ChainProblem(
                    entry.seq - 1, f"审计记录 #{entry.seq - 1} 被改动（#{entry.seq} 记录的前一条哈希与之不符）"
                )
            )
        key = ring.get(entry.key_id)
        bad = True
        if not entry.key_id:
            problems.append(ChainProblem(entry.seq, f"审计记录 #{entry.seq} 没有密钥签名（不是本系统写入的记录）"))
        elif key is None:
            problems.append(
                ChainProblem(
                    entry.seq, f"审计记录 #{entry.seq} 的签名密钥 {entry.key_id} 不在密钥环中（见 docs/audit.md）"
                )
            )
        elif not hmac.compare_digest(entry.compute_hash(key), entry.hash):
            problems.append(ChainProblem(entry.seq, f"审计记录 #{entry.seq} 被改动或伪造（密钥签名不符）"))
        else:
            bad = False
        if on_entry is not None:
            on_entry(entry)
        prev_bad = bad
        expected_prev = entry.hash
        expected_seq = entry.seq + 1
    head = ChainHead.objects.filter(pk=1).first()
    last_seq = head.last_seq if head else 0
    last_hash = head.last_hash if head else GENESIS_HASH
    if last_seq > expected_seq - 1:
        gone = f"#{expected_seq}" if last_seq == expected_seq else f"#{expected_seq}–#{last_seq}"
        problems.append(ChainProblem(expected_seq, f"审计记录 {gone} 已被删除（链头记录的最新一条是 #{last_seq}）"))
    elif last_seq < expected_seq - 1 or last_hash != expected_prev:
        problems.append(
            ChainProblem(
                last_seq, f"审计链头被改动：链头记录 #{last_seq}，而日志最新一条是 #{expected_seq - 1}（哈希不符）"
            )
        )
    return ChainReport(count, tuple(problems), last_seq)
