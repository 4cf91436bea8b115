"""The demo loader builds a province at every stage through the actions (a small province here)."""

from __future__ import annotations

from typing import Any

import pytest

from kaohe.assessments import actions
from kaohe.assessments.demo import load_demo
from kaohe.assessments.integrity import verify_all
from kaohe.assessments.models import Assessment, Cycle, ImportedValue, Result, State
from kaohe.audit.models import AuditLog


def test_it_builds_three_cycles_at_different_stages(db: Any) -> None:
    logins = load_demo(cities=3, counties_per_city=2)
    cycles = {c.year: c for c in Cycle.objects.all()}
    assert set(cycles) == {2021, 2022, 2023}
    assert cycles[2021].is_published
    assert set(cycles[2022].assessments.values_list("state", flat=True)) == {State.EVALUATED}
    stages = set(cycles[2023].assessments.values_list("state", flat=True))
    assert {State.DRAFT, State.SUBMITTED, State.VERIFIED} <= stages
    assert set(Assessment.objects.filter(cycle=cycles[2021]).values_list("sequence", flat=True)) == {"city", "county"}
    scored = Result.objects.filter(cycle=cycles[2022], final_score__isnull=False).count()
    assert scored == cycles[2022].assessments.count()  # the office's findings leave nothing blocked
    assert {login.username for login in logins} >= {"office", "leader", "verifier", "admin"}
    report = verify_all()  # the chain, and every row replayed against the log (kaohe audit verify)
    assert report.ok, report.problems[:5]


def test_the_demo_office_is_an_ordinary_office_member_and_not_the_approver(db: Any) -> None:
    """Issue 8 §2.1: the office login is an office member as do_add_membership makes one (no superuser); a separate
    ``admin`` superuser holds no role; the approver of the published cycle is not the person who evaluated it."""
    from django.contrib.auth.models import User

    from kaohe.assessments.demo import ADMIN_LABEL
    from kaohe.audit.models import AuditLog

    logins = load_demo(cities=1, counties_per_city=1)
    office, admin = User.objects.get(username="office"), User.objects.get(username="admin")
    assert not office.is_superuser and office.is_staff and office.groups.filter(name="考核办").exists()
    assert admin.is_superuser and not admin.memberships.exists()
    assert [login.role for login in logins if login.username == "admin"] == [ADMIN_LABEL]
    published = Cycle.objects.get(year=2021)
    evaluated = AuditLog.objects.filter(action="cycle.evaluate", object_id=str(published.pk)).latest("seq")
    approved = AuditLog.objects.filter(action="cycle.approve", object_id=str(published.pk)).latest("seq")
    assert (evaluated.actor_name, approved.actor_name) == ("office", "leader")


def test_it_refuses_a_database_that_holds_data(db: Any) -> None:
    load_demo(cities=1, counties_per_city=1)
    with pytest.raises(actions.ActionError):
        load_demo(cities=1, counties_per_city=1)


def test_the_demo_deadlines_fit_each_cycles_state(db: Any) -> None:
    """Issue 10 §1: only the units of the cycle in progress that have not submitted are 逾期 (theirs to submit);
    the finished cycles and every verification and evaluation are in time."""
    import datetime as dt

    today = dt.date(2026, 12, 6)
    load_demo(cities=2, counties_per_city=2, today=today)
    late = {
        (a.cycle.year, a.state, a.overdue_step(today))
        for a in Assessment.objects.select_related("cycle")
        if a.is_overdue(today)
    }
    assert late == {(2023, State.DRAFT, "self_evaluation"), (2023, State.RETURNED, "self_evaluation")}
    current = Cycle.objects.get(year=2023)
    assert current.self_evaluation_deadline == dt.date(2026, 12, 3)  # three days before the demo was loaded
    assert current.verification_deadline is not None and current.verification_deadline > today
    assert current.evaluation_deadline is not None and current.evaluation_deadline > current.verification_deadline


def test_the_demo_cycles_take_their_register_counts_from_the_demo_registers(db: Any) -> None:
    """Issue 12 §3: the registers hold late and on-time rows, written through the audited actions, and each cycle's
    register inputs are the counts the 台账数据 pull derived from them (the same as deriving them now)."""
    from kaohe.assessments.actions import REGISTER_SOURCE
    from kaohe.ledgers.models import Complaint, Incident, Notice, RectificationProblem
    from kaohe.ledgers.pull import plan_pull

    load_demo(cities=3, counties_per_city=2)
    problems = RectificationProblem.objects.all()
    assert problems.count() > 20 and Complaint.objects.count() > 20 and Notice.objects.exists()
    assert Incident.objects.filter(severity="特别重大").count() == 3  # one a year of the cycles: 2021–2023
    due = problems.exclude(deadline__isnull=True).exclude(completed_on__isnull=True)
    late = [p for p in due if p.completed_on > p.deadline]  # type: ignore[operator]
    assert late and len(late) < due.count()  # late and on-time cases
    assert AuditLog.objects.filter(action="ledger.import").count() == sum(
        m.objects.count() for m in (RectificationProblem, Complaint, Notice, Incident)
    )
    assert AuditLog.objects.filter(action="rectification.accept").count() == 1
    for cycle in Cycle.objects.all():
        plan = plan_pull(cycle)  # derived again from the registers now: nothing differs from what was pulled
        assert plan.lines and not plan.changed, cycle.year
        pulled = ImportedValue.objects.filter(cycle=cycle, source=REGISTER_SOURCE)
        assert pulled.count() == len(plan.lines)
    # the letters state the tasks due as the registers count them
    letter = Cycle.objects.get(year=2022).letters.select_related("unit").first()
    assert letter is not None
    count = ImportedValue.objects.get(cycle=letter.cycle, unit=letter.unit, input_id="rect_due").value
    assert letter.targets["rect_due"] == count
    # the year's 特别重大 incident vetoes its unit, through the pull
    vetoed = Result.objects.filter(cycle__year=2022, vetoed=True).select_related("assessment__unit")
    assert {r.assessment.unit.code for r in vetoed} == set(
        Incident.objects.filter(date__year=2022, severity="特别重大").values_list("unit__code", flat=True)
    )
    report = verify_all()
    assert report.ok, report.problems[:5]
