"""The registers' writes (issue 12 §1): the rectification workflow (进展报告, 申请销号 → 验收销号 or 退回, 同意延期),
complaint handling, who may do each step, and that every step leaves an audit entry that ``kaohe audit verify``
replays clean, while a direct database edit of a register row is reported in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection

from kaohe.assessments.actions import ActionError
from kaohe.assessments.integrity import verify_all
from kaohe.audit.models import AuditLog
from kaohe.ledgers import actions
from kaohe.ledgers.imports import parse_ledger_frame
from kaohe.ledgers.models import Complaint, Flag, RectificationProblem, RectificationReport
from tests.ledgers.helpers import FUTURE_DEADLINE, import_rectification, problem
from tests.world import World

State = RectificationProblem.State
TODAY = dt.date(2025, 3, 1)


@pytest.fixture
def ledger(world: World) -> World:
    import_rectification(world)
    return world


def clean() -> None:
    report = verify_all()
    assert report.ok, report.problems


def test_an_import_writes_one_audit_entry_per_row_and_verifies_clean(ledger: World) -> None:
    assert RectificationProblem.objects.count() == 3
    entries = AuditLog.objects.filter(action="ledger.import")
    assert entries.count() == 3
    assert problem("P-B1").state == State.CLOSED  # a 销号日期 in the file closes the problem
    assert problem("P-A2").listed_by_nation is True
    clean()


@time_machine.travel(dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC))
def test_the_unit_applies_for_closure_and_the_office_accepts(ledger: World) -> None:
    fay, alice = ledger.people["fay"], ledger.people["alice"]
    p = problem("P-A1")
    actions.check_report_progress(problem=p, date=TODAY, text="完成管网排查 12 公里", acting_user=fay)
    actions.check_apply_closure(problem=p, completed_on=TODAY, text="管网改造完成，附验收报告", acting_user=fay)
    assert problem("P-A1").state == State.APPLIED
    assert problem("P-A1").completed_on == TODAY
    actions.check_accept_closure(problem=problem("P-A1"), closed_on=TODAY, text="现场核查属实", acting_user=alice)
    p = problem("P-A1")
    assert (p.state, p.closed_on) == (State.CLOSED, TODAY)
    kinds = list(p.reports.values_list("kind", flat=True))
    assert kinds == ["progress", "apply", "accept"]
    assert [e.action for e in AuditLog.objects.order_by("seq")][-3:] == [
        "rectification.progress",
        "rectification.apply",
        "rectification.accept",
    ]
    clean()


@time_machine.travel(dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC))
def test_a_send_back_reopens_the_problem_and_clears_the_claimed_completion(ledger: World) -> None:
    fay, alice = ledger.people["fay"], ledger.people["alice"]
    actions.check_apply_closure(problem=problem("P-A1"), completed_on=TODAY, text="已完成", acting_user=fay)
    actions.check_send_back_closure(problem=problem("P-A1"), reason="佐证材料不足", acting_user=alice)
    p = problem("P-A1")
    assert (p.state, p.completed_on) == (State.OPEN, None)
    entry = AuditLog.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "rectification.send_back" and entry.reason == "佐证材料不足"
    clean()


def test_an_extension_keeps_the_deadline_it_replaces_and_needs_a_reason(ledger: World) -> None:
    alice = ledger.people["alice"]
    with pytest.raises(ActionError, match="延期理由"):
        actions.check_extend_deadline(
            problem=problem("P-A2"), new_deadline=dt.date(2024, 9, 30), reason=" ", acting_user=alice
        )
    with pytest.raises(ActionError, match="应晚于"):
        actions.check_extend_deadline(
            problem=problem("P-A2"), new_deadline=dt.date(2024, 1, 1), reason="汛期", acting_user=alice
        )
    actions.check_extend_deadline(
        problem=problem("P-A2"), new_deadline=dt.date(2024, 9, 30), reason="汛期无法施工", acting_user=alice
    )
    report = RectificationReport.objects.get(kind="extend")
    assert (report.previous_deadline, report.new_deadline) == (dt.date(2024, 6, 30), dt.date(2024, 9, 30))
    assert problem("P-A2").deadline == dt.date(2024, 9, 30)
    clean()


@pytest.mark.parametrize(
    ("who", "step"),
    [
        ("bob", "progress"),  # another unit's person
        ("vera", "progress"),  # a verifier reads, never writes
        ("alice", "apply"),  # the office does not apply for the unit
        ("fay", "accept"),  # the unit does not accept its own closure
        ("fay", "extend"),
    ],
)
def test_each_step_is_refused_to_everyone_else(ledger: World, who: str, step: str) -> None:
    user = ledger.people[who]
    p = problem("P-A1")
    calls: dict[str, Any] = {
        "progress": lambda: actions.check_report_progress(problem=p, date=TODAY, text="x", acting_user=user),
        "apply": lambda: actions.check_apply_closure(problem=p, completed_on=TODAY, text="x", acting_user=user),
        "accept": lambda: actions.check_accept_closure(problem=p, closed_on=TODAY, text="x", acting_user=user),
        "extend": lambda: actions.check_extend_deadline(
            problem=p, new_deadline=FUTURE_DEADLINE + dt.timedelta(days=1), reason="x", acting_user=user
        ),
    }
    before = AuditLog.objects.count()
    with pytest.raises(ActionError, match="没有权限"):
        calls[step]()
    assert AuditLog.objects.count() == before


def test_a_closed_problem_takes_no_more_reports(ledger: World) -> None:
    with pytest.raises(ActionError, match="没有权限"):
        actions.check_report_progress(problem=problem("P-B1"), date=TODAY, text="x", acting_user=ledger.people["bob"])


def test_rows_are_flagged_overdue_and_due_soon() -> None:
    p = RectificationProblem(deadline=dt.date(2025, 3, 20))
    assert p.flag(dt.date(2025, 1, 1)) == ""
    assert p.flag(dt.date(2025, 2, 20)) == Flag.DUE_SOON  # 28 days before
    assert p.flag(dt.date(2025, 3, 20)) == Flag.DUE_SOON  # on the deadline day: still in time
    assert p.flag(dt.date(2025, 3, 21)) == Flag.OVERDUE
    p.completed_on = dt.date(2025, 3, 25)
    assert p.flag(dt.date(2025, 4, 1)) == ""  # done (late): no longer warned
    c = Complaint(due_on=dt.date(2025, 3, 10))
    assert c.flag(dt.date(2025, 3, 3)) == Flag.DUE_SOON
    assert c.flag(dt.date(2025, 3, 11)) == Flag.OVERDUE
    assert c.flag_text(dt.date(2025, 3, 11)) == "逾期"


@time_machine.travel(dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC))
def test_the_unit_handles_and_closes_its_complaint(world: World) -> None:
    import polars as pl

    frame = pl.DataFrame(
        {
            "unit_id": ["220100"],
            "case_id": ["C-1"],
            "channel": ["12369热线"],
            "category": ["噪声"],
            "assigned_by": [""],
            "received_on": ["2025-02-01"],
            "due_on": ["2025-03-03"],
            "closed_on": [""],
        }
    )
    table = parse_ledger_frame("complaints", frame, file="信访.xlsx")
    actions.check_import_register(table=table, acting_user=world.people["alice"])
    case = Complaint.objects.get(case_id="C-1")
    with pytest.raises(ActionError, match="没有权限"):
        actions.check_handle_complaint(
            complaint=case, handling="x", reply="", closed_on=None, acting_user=world.people["bob"]
        )
    with pytest.raises(ActionError, match="答复情况"):
        actions.check_handle_complaint(
            complaint=case, handling="已责令整改", reply="", closed_on=TODAY, acting_user=world.people["fay"]
        )
    actions.check_handle_complaint(
        complaint=case, handling="已责令整改", reply="已电话答复", closed_on=TODAY, acting_user=world.people["fay"]
    )
    assert Complaint.objects.get(case_id="C-1").closed_on == TODAY
    clean()


# --------------------------------------------------------------------------------------------- direct edits
def sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_verify_reports_a_direct_sql_edit_of_a_register_row(ledger: World) -> None:
    clean()
    sql(
        "UPDATE ledgers_rectificationproblem SET closed_on = %s, state = %s WHERE problem_id = %s",
        ["2024-06-30", "closed", "P-A2"],
    )
    report = verify_all()
    assert not report.ok
    text = "\n".join(report.problems)
    assert "甲市（220100） · 督察整改问题「P-A2」" in text
    assert "销号日期 记录为 （空），现为 2024-06-30" in text
    assert "状态 记录为 整改中，现为 已销号" in text


def test_verify_reports_a_register_row_written_without_an_action(ledger: World) -> None:
    RectificationProblem.objects.create(unit=ledger.units["B"], problem_id="P-X", source="其他")
    RectificationProblem.objects.filter(problem_id="P-A1").update(deadline=FUTURE_DEADLINE + dt.timedelta(days=1))
    text = "\n".join(verify_all().problems)
    assert "乙市（220200） · 督察整改问题「P-X」：没有任何审计记录" in text
    later = FUTURE_DEADLINE + dt.timedelta(days=1)
    assert f"整改时限 记录为 {FUTURE_DEADLINE.isoformat()}，现为 {later.isoformat()}" in text
