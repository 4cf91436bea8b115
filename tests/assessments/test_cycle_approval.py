"""``Cycle.approved_at`` / ``approved_by`` (issue 9 §1): set by the approve action and logged with it, read by the
通报 from the cycle (not mined from the audit log), and filled for earlier approvals by migration 0003."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import time_machine
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection

from kaohe.assessments import actions
from kaohe.assessments.integrity import verify_all
from kaohe.assessments.models import Cycle
from kaohe.audit.models import AuditLog
from kaohe.reports.docx import notice_for
from tests.world import SCHEME_YAML, World

MIGRATION = "kaohe.assessments.migrations.0003_cycle_approved_at_approved_by"


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def approve(world: World) -> Cycle:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    with time_machine.travel("2025-03-10 09:30 +0800", tick=False):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    return Cycle.objects.get(pk=world.cycle.pk)


def test_the_approval_records_who_and_when_on_the_cycle_and_in_its_log_entry(world: World) -> None:
    cycle = approve(world)
    # 2025-03-10 09:30 Beijing time (UTC+8) is 01:30 UTC
    assert cycle.approved_at == dt.datetime(2025, 3, 10, 1, 30, tzinfo=dt.UTC)
    assert cycle.approved_by == world.people["linda"]
    entry = AuditLog.objects.get(action="cycle.approve")
    logged = entry.decoded_rows()["assessments.cycle"][str(cycle.pk)]
    assert logged["approved_by_id"] == world.people["linda"].pk
    assert logged["approved_at"].startswith("2025-03-10T01:30:00")
    report = verify_all()
    assert report.ok, report.problems


def test_the_notice_reads_the_approval_date_from_the_cycle(world: World) -> None:
    cycle = approve(world)
    assert "于2025年3月10日经领导审定" in notice_for(cycle).preamble
    # The field is what counts (the log is not read): a different approval time shows as such.
    cycle.approved_at = dt.datetime(2025, 4, 1, 2, 0, tzinfo=dt.UTC)
    assert "于2025年4月1日经领导审定" in notice_for(cycle).preamble
    cycle.approved_at = None
    assert "尚待领导审定" in notice_for(cycle).preamble


def test_migration_0003_fills_earlier_approvals_from_the_log_and_logs_the_new_fields(world: World) -> None:
    cycle = approve(world)
    later = actions.do_open_cycle(
        name="2025年度考核",
        year=2025,
        scheme_id="",
        units=world.units.values(),
        scheme_file=ContentFile(SCHEME_YAML.encode(), name="web_scheme.yaml"),
        acting_user=world.people["alice"],
    )
    # As a database approved before the fields existed: the rows hold nothing, the log holds the approval.
    sql("UPDATE assessments_cycle SET approved_at = NULL, approved_by_id = NULL")
    assert not verify_all().ok
    entries = AuditLog.objects.count()

    importlib.import_module(MIGRATION).fill(apps, None)

    entry = AuditLog.objects.get(action="cycle.approve")
    cycle.refresh_from_db()
    later.refresh_from_db()
    assert (cycle.approved_at, cycle.approved_by) == (entry.created_at, world.people["linda"])
    assert cycle.approved_at == dt.datetime(2025, 3, 10, 1, 30, tzinfo=dt.UTC)
    assert (later.approved_at, later.approved_by) == (None, None)  # never approved
    # One entry records the cycles' new snapshots, so the data still equals the log.
    assert AuditLog.objects.count() == entries + 1
    last = AuditLog.objects.order_by("-seq").first()
    assert last is not None and last.action == "cycle.migrate" and last.actor_name == "system"
    report = verify_all()
    assert report.ok, report.problems
