"""The bulk append (issue 10 "Numbers": batch 核实无误 of 2,300 items ≤ 5 s): ``do_append_audit_many`` writes the
chain that as many ``do_append_audit`` calls write with the same inputs, all of its entries or none, and locks and
moves the chain head once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from kaohe.assessments.integrity import verify_all
from kaohe.assessments.models import Unit
from kaohe.audit.actions import AuditEntry, do_append_audit, do_append_audit_many, verify_chain
from kaohe.audit.models import AuditLog, ChainHead, canonical
from tests.world import TEST_AUDIT_KEY, World

NOON = dt.datetime(2025, 3, 1, 12, 0, 0, 250_000, tzinfo=dt.UTC)


def inputs(world: World) -> list[dict[str, Any]]:
    """One entry of each shape an action writes: an audited ``obj`` (snapshotted), rows given as a queryset, a row
    marked deleted, snapshots the caller read (``prepared``), old and new values, a reason, and a bare entry."""
    a, b = world.units["A"], world.units["B"]
    return [
        {"action": "admin.change", "obj": a, "what": "name", "old": {"name": "甲"}, "new": {"name": a.name}},
        {"action": "test.rows", "object_type": "x.y", "object_id": 7, "rows": [Unit.objects.filter(pk=b.pk)]},
        {
            "action": "test.deleted",
            "object_type": "assessments.unit",
            "object_id": 99,
            "deleted": [("assessments.unit", 99)],
        },
        {
            "action": "test.prepared",
            "object_type": "assessments.unit",
            "object_id": b.pk,
            "reason": "核定",
            "prepared": {"assessments.unit": {str(b.pk): {"name": "乙市"}}},
        },
        {"action": "test.bare"},
    ]


def chain() -> list[tuple[Any, ...]]:
    return list(
        AuditLog.objects.order_by("seq").values_list(
            "seq", "created_at", "actor_id", "actor_name", "action", "object_type", "object_id", "what",
            "old_value", "new_value", "reason", "rows", "key_id", "prev_hash", "hash",
        )
    )  # fmt: skip


def test_a_bulk_append_writes_the_chain_that_single_appends_write(world: World) -> None:
    alice = world.people["alice"]
    before = AuditLog.objects.count()
    with time_machine.travel(NOON, tick=False):
        with transaction.atomic():
            for kwargs in inputs(world):
                do_append_audit(acting_user=alice, **kwargs)
            singles = chain()
            transaction.set_rollback(True)  # the same chain once more, from the same head, in bulk
        assert AuditLog.objects.count() == before
        written = do_append_audit_many([AuditEntry(**kwargs) for kwargs in inputs(world)], acting_user=alice)
    bulk = chain()
    assert bulk == singles
    assert [e.seq for e in written] == [before + 1 + i for i in range(5)]
    assert all(e.pk for e in written)  # the returned entries are the saved rows
    # The rule itself: consecutive seq, each prev_hash the previous hash, each hash the HMAC of the payload.
    new = AuditLog.objects.filter(seq__gt=before).order_by("seq")
    prev = AuditLog.objects.get(seq=before).hash
    for entry in new:
        assert entry.prev_hash == prev
        assert entry.created_at == NOON.replace(microsecond=0)
        assert entry.actor_name == "alice"
        assert entry.hash == hmac.new(TEST_AUDIT_KEY.encode(), entry.payload(), hashlib.sha256).hexdigest()
        prev = entry.hash
    assert ChainHead.objects.get(pk=1).last_seq == before + 5 and ChainHead.objects.get(pk=1).last_hash == prev
    first, second, third, fourth, fifth = new
    assert (first.object_type, first.object_id) == ("assessments.unit", str(world.units["A"].pk))
    assert first.decoded_rows()["assessments.unit"][str(world.units["A"].pk)]["name"] == "甲市"
    assert list(second.decoded_rows()["assessments.unit"]) == [str(world.units["B"].pk)]
    assert third.rows == canonical({"assessments.unit": {"99": None}})
    assert fourth.rows == canonical({"assessments.unit": {str(world.units["B"].pk): {"name": "乙市"}}})
    assert fourth.reason == "核定"
    assert (fifth.object_type, fifth.object_id, fifth.old_value, fifth.new_value, fifth.rows) == ("", "", "", "", "")


def test_a_bulk_append_verifies_and_replays_clean(world: World) -> None:
    # Entries whose snapshots are the rows as they are: the chain and the replay of the data both hold.
    a, b = world.units["A"], world.units["B"]
    do_append_audit_many(
        [AuditEntry(action="admin.change", obj=a), AuditEntry(action="admin.change", obj=b)], acting_user=None
    )
    assert verify_chain().ok
    assert verify_all().ok
    assert list(AuditLog.objects.order_by("-seq").values_list("actor_name", flat=True)[:2]) == ["system", "system"]


def test_an_empty_bulk_append_writes_nothing(world: World) -> None:
    head = ChainHead.objects.get(pk=1)
    assert do_append_audit_many([], acting_user=None) == []
    assert ChainHead.objects.get(pk=1).last_hash == head.last_hash


def test_an_error_inside_a_bulk_append_rolls_back_every_entry(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    head = ChainHead.objects.get(pk=1)
    count = AuditLog.objects.count()
    unit = world.units["A"]
    original = ChainHead.save

    def fail(self: ChainHead, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the head cannot be moved")  # after the entries were inserted

    monkeypatch.setattr(ChainHead, "save", fail)
    # As an action calls it: its write, then the entries, in one transaction.
    with pytest.raises(RuntimeError, match="the head cannot be moved"), transaction.atomic():
        Unit.objects.filter(pk=unit.pk).update(name="改名")
        do_append_audit_many([AuditEntry(action=f"test.{i}", obj=unit) for i in range(4)], acting_user=None)
    assert AuditLog.objects.count() == count
    assert Unit.objects.get(pk=unit.pk).name == "甲市"  # the caller's write went with them
    # A caller that swallows the error cannot commit its write without the entries.
    with pytest.raises(TransactionManagementError), transaction.atomic():
        Unit.objects.filter(pk=unit.pk).update(name="改名")
        try:
            do_append_audit_many([AuditEntry(action="test.swallowed", obj=unit)], acting_user=None)
        except RuntimeError:
            pass
        Unit.objects.filter(pk=unit.pk).update(name="改名2")
    assert Unit.objects.get(pk=unit.pk).name == "甲市"
    # An entry that cannot be snapshotted (an unaudited model) stops the batch before anything is written.
    monkeypatch.setattr(ChainHead, "save", original)
    with pytest.raises(ValueError, match="not an audited model"), transaction.atomic():
        do_append_audit_many(
            [AuditEntry(action="test.ok"), AuditEntry(action="test.bad", rows=[AuditLog.objects.all()])],
            acting_user=None,
        )
    assert AuditLog.objects.count() == count
    fresh = ChainHead.objects.get(pk=1)
    assert (fresh.last_seq, fresh.last_hash) == (head.last_seq, head.last_hash)
    # The chain goes on from where it was.
    assert do_append_audit_many([AuditEntry(action="test.after")], acting_user=None)[0].seq == head.last_seq + 1
    assert verify_chain().ok and verify_all().ok


def chain_head_queries(run: Any) -> tuple[list[str], list[str]]:
    """(statements on audit_chainhead, INSERTs into audit_auditlog) that ``run()`` sends."""
    with CaptureQueriesContext(connection) as queries:
        run()
    statements = [q["sql"] for q in queries.captured_queries]
    head = [s for s in statements if "audit_chainhead" in s]
    inserts = [s for s in statements if s.startswith("INSERT") and "audit_auditlog" in s]
    return head, inserts


def test_a_bulk_append_locks_and_moves_the_head_once(world: World) -> None:
    head, inserts = chain_head_queries(
        lambda: do_append_audit_many([AuditEntry(action=f"test.{i}") for i in range(20)], acting_user=None)
    )
    assert len(head) == 2 and head[0].startswith("SELECT") and head[1].startswith("UPDATE")
    if connection.vendor == "postgresql":
        assert head[0].endswith("FOR UPDATE")
    assert len(inserts) == 1
    # One by one, the same entries lock and move it 20 times.
    singles, single_inserts = chain_head_queries(
        lambda: [do_append_audit(acting_user=None, action=f"test.{i}") for i in range(20)]
    )
    assert (len(singles), len(single_inserts)) == (40, 20)
    assert verify_chain().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_append_waits_for_a_concurrent_bulk_append_and_follows_it() -> None:
    """Two connections: a batch holds the head from its append until its transaction commits; an append started
    meanwhile waits, then continues the chain after the batch's last entry."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks between two connections (SQLite serialises whole-database writes)")
    do_append_audit(acting_user=None, action="test.first")  # the head row exists before the race
    appended = threading.Event()
    outcome: dict[str, Any] = {}

    def batch() -> None:
        try:
            with transaction.atomic():
                do_append_audit_many([AuditEntry(action=f"test.batch.{i}") for i in range(5)], acting_user=None)
                appended.set()
                time.sleep(0.5)  # hold the head while the other writer starts
            outcome["committed"] = time.monotonic()
        except Exception as exc:  # reported by the assertions below
            outcome["batch"] = exc
        finally:
            appended.set()
            connection.close()

    def single() -> None:
        appended.wait(5)
        try:
            do_append_audit(acting_user=None, action="test.single")
            outcome["single"] = time.monotonic()
        except Exception as exc:
            outcome["single"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=batch), threading.Thread(target=single)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert "batch" not in outcome and isinstance(outcome["single"], float)
    assert outcome["single"] >= outcome["committed"] - 0.05  # it waited for the batch's commit
    actions = list(AuditLog.objects.order_by("seq").values_list("seq", "action"))
    assert actions == [(1, "test.first"), *((2 + i, f"test.batch.{i}") for i in range(5)), (7, "test.single")]
    assert verify_chain().ok


def test_an_entrys_snapshots_are_read_without_a_streaming_cursor(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # A streaming read (a server-side cursor on PostgreSQL) costs three round trips instead of one; an entry's few
    # rows are read as a plain query (their snapshots are held in memory anyway).
    from django.db.models.query import QuerySet

    def no_streaming(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an entry's snapshots read through QuerySet.iterator")

    monkeypatch.setattr(QuerySet, "iterator", no_streaming)
    a, b = world.units["A"], world.units["B"]
    with transaction.atomic():
        log = do_append_audit(acting_user=None, action="test.rows", obj=a, rows=[Unit.objects.filter(pk=b.pk)])
    assert set(json.loads(log.rows)["assessments.unit"]) == {str(a.pk), str(b.pk)}
