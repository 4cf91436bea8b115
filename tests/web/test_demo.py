"""The demo loader builds a province at every stage through the actions (a small province here)."""

from __future__ import annotations

from typing import Any

import pytest

from kaohe.assessments import actions
from kaohe.assessments.demo import load_demo
from kaohe.assessments.models import Assessment, Cycle, Result, State
from kaohe.audit.actions import verify_chain


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
    assert {login.username for login in logins} >= {"office", "leader", "verifier"}
    assert verify_chain().ok


def test_it_refuses_a_database_that_holds_data(db: Any) -> None:
    load_demo(cities=1, counties_per_city=1)
    with pytest.raises(actions.ActionError):
        load_demo(cities=1, counties_per_city=1)
