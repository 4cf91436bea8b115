"""Three consecutive failing years start 问责 in the web app (issue 8 §1.4; seed 002 第二十条 "连续3年未完成…年度目标
任务的，按规定启动问责程序").

The web test scheme says ``year: 2024``; it is reused for the cycles 2025, 2026 and 2027, as an office reuses its
rules. The count goes back from the cycle's year, over the cycles of the same scheme (same YAML ``id``) only.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from kaohe.assessments import actions
from kaohe.assessments.evaluation import history_frame
from kaohe.assessments.models import Cycle, Result
from tests.world import SCHEME_YAML, World

OTHER_YAML = SCHEME_YAML.replace("id: web-test", "id: other-test")


def run_cycle(world: World, year: int, vetoed: set[str], *, text: str = SCHEME_YAML, approve: bool = True) -> Cycle:
    """Open, fill, verify and evaluate a cycle of the three units; ``vetoed`` units have the veto finding (R2
    特别重大事件 ⇒ 不合格), the others 否. Approved (审定) unless ``approve`` is False."""
    office = world.people["alice"]
    cycle = actions.do_open_cycle(
        name=f"{year}年度考核",
        year=year,
        scheme_id="",
        units=world.units.values(),
        acting_user=office,
        scheme_file=ContentFile(text.encode(), name=f"rules-{year}.yaml"),
    )
    for letter in cycle.letters.all():
        actions.check_issue_letter(letter=letter, raw={"good_days_target": "85"}, acting_user=office)
    for unit in world.units.values():
        actions.check_save_findings(
            cycle=cycle,
            unit_code=unit.code,
            raw={"major_incident": "是" if unit.code in vetoed else "否"},
            acting_user=office,
        )
    world.cycle = cycle
    world.through_verified()
    actions.check_evaluate_cycle(cycle=cycle, acting_user=office)
    if approve:
        actions.check_approve_cycle(cycle=cycle, acting_user=world.people["linda"])
    return cycle


def test_three_failing_years_of_a_reused_scheme_start_accountability(world: World) -> None:
    C, B = "220281", "220200"  # 丙县 fails every year; 乙市 fails 2025 and 2027 in this series
    run_cycle(world, 2025, {C, B})
    run_cycle(world, 2026, {C})
    # another assessment (another scheme id) in 2026 where 乙市 failed: not a year of this series
    run_cycle(world, 2026, {B}, text=OTHER_YAML)
    current = run_cycle(world, 2027, {C, B}, approve=False)
    results = {
        r.assessment.unit.code: r for r in Result.objects.filter(cycle=current).select_related("assessment__unit")
    }
    assert results[C].grade == "不合格" and results[B].grade == "不合格"
    assert results[C].accountability  # 2025, 2026, 2027 不合格 in one series
    assert not results[B].accountability  # 2026 of this series was 优秀
    assert not results["220100"].accountability


def test_history_reads_the_same_series_and_approved_years_only(world: World) -> None:
    C = "220281"
    run_cycle(world, 2025, {C})
    run_cycle(world, 2025, {C}, text=OTHER_YAML)
    run_cycle(world, 2026, {C}, approve=False)  # evaluated, waiting for 审定: not yet a 考评结果
    later = actions.do_open_cycle(
        name="2027年度考核",
        year=2027,
        scheme_id="",
        units=world.units.values(),
        acting_user=world.people["alice"],
        scheme_file=ContentFile(SCHEME_YAML.encode(), name="rules-2027.yaml"),
    )
    history = history_frame(later)
    assert history is not None
    assert sorted(history.iter_rows()) == [("220100", 2025, "优秀"), ("220200", 2025, "优秀"), (C, 2025, "不合格")]
