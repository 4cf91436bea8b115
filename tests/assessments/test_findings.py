"""认定事项 are 是, 否 or 未认定; a unit left without a score is named, with why in words, and cannot be approved.

Issue 8 §1.2: in a new cycle the office had saved one unit's findings; the other units' veto input was undecided,
so under a ``block`` missing policy they had no score, yet 综合评价 said "完成" and the leader could 审定.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.base import ContentFile

from kaohe.assessments import actions
from kaohe.assessments.models import ImportedValue, Result, State
from kaohe.audit.models import AuditLog
from tests.world import SCHEME_YAML, World

# The web test scheme with the seed-001 style policy: a value missing anywhere leaves the unit without a result.
BLOCK_YAML = SCHEME_YAML.replace("total_points: 100\n", "total_points: 100\nmissing_policy: block\n")
# What the office must read for 乙市 and 丙县, from the scheme's words: the input 特别重大事件 (major_incident) is read
# by the veto rule named 特别重大事件 (R2). Never the ids.
REASON = "缺少「特别重大事件」（特殊规则「特别重大事件」需要）"


@pytest.fixture
def block_world(world: World) -> World:
    """The conftest's province in a second cycle under the block policy, every unit verified."""
    assert "missing_policy: block" in BLOCK_YAML
    world.cycle = actions.do_open_cycle(
        name="2025年度考核",
        year=2025,
        scheme_id="",
        units=world.units.values(),
        scheme_file=ContentFile(BLOCK_YAML.encode(), name="block.yaml"),
        acting_user=world.people["alice"],
    )
    for letter in world.cycle.letters.all():
        actions.check_issue_letter(letter=letter, raw={"good_days_target": "85"}, acting_user=world.people["alice"])
    world.through_verified()
    return world


def findings_url(world: World) -> str:
    return f"/cycles/{world.cycle.pk}/findings/"


def test_a_finding_is_yes_no_or_undecided_on_the_screen(block_world: World) -> None:
    world = block_world
    office = world.client("alice")
    office.post(findings_url(world), {"unit_id": "220100", "f_major_incident": "false"})
    office.post(findings_url(world), {"unit_id": "220200", "f_major_incident": "true"})
    page = office.get(findings_url(world)).content.decode()
    # one select per unit with the three states; 丙县 was never saved and shows 未认定 selected
    assert page.count('name="f_major_incident"') == 3
    assert 'type="checkbox"' not in page
    c_select = page[page.index("丙县 特别重大事件") :]
    c_select = c_select[: c_select.index("</select>")]
    assert '<option value="" selected>未认定</option>' in c_select
    a_select = page[page.index("甲市 特别重大事件") :]
    assert '<option value="false" selected>否</option>' in a_select[: a_select.index("</select>")]
    # back to 未认定: the row says null, it does not fall back to 否
    office.post(findings_url(world), {"unit_id": "220200", "f_major_incident": ""})
    assert ImportedValue.objects.get(cycle=world.cycle, unit=world.units["B"]).value is None
    entry = AuditLog.objects.filter(action="finding.save").latest("seq")
    assert json.loads(entry.new_value) == {
        "cycle_id": world.cycle.pk,
        "unit_id": world.units["B"].pk,
        "input_id": "major_incident",
        "value": None,
        "source": "考核办认定",
    }


def test_undecided_findings_leave_units_unscored_named_in_words_and_block_approval(block_world: World) -> None:
    world = block_world
    office, leader = world.client("alice"), world.client("linda")
    office.post(findings_url(world), {"unit_id": "220100", "f_major_incident": "false"})

    response = office.post(f"/cycles/{world.cycle.pk}/evaluate/", follow=True)
    page = response.content.decode()
    # 1 of 3 units scored; the other two are listed with the reason in words
    assert "综合评价完成：1 个单位已计分，2 个单位无法计分" in page
    assert f"乙市（{REASON}）" in page and f"丙县（{REASON}）" in page
    # no internal code in what the page says (attribute values such as a random CSRF token may contain "R2")
    words = re.sub(r'value="[^"]*"', "", page)
    assert "R2" not in words and "major_incident" not in words
    results = {
        r.assessment.unit.code: r for r in Result.objects.filter(cycle=world.cycle).select_related("assessment__unit")
    }
    assert results["220200"].blocked and results["220200"].final_score is None
    assert results["220100"].final_score == pytest.approx(97.0)  # 40 − 1 × 5 + 40 + 20, bonus 1 award × 2

    # the leader may not 审定: the action refuses naming the units, the page shows why and no 审定 button
    with pytest.raises(actions.ActionError, match="乙市.*丙县"):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    approval = leader.get(f"/cycles/{world.cycle.pk}/approval/").content.decode()
    assert "不能审定" in approval and "乙市" in approval and f"cycles/{world.cycle.pk}/approve/" not in approval
    leader.post(f"/cycles/{world.cycle.pk}/approve/")
    assert world.assessment("A").state == State.EVALUATED

    # 其余未认定事项均认定为否: the two undecided findings become 否, each audited with the reason
    response = office.post(findings_url(world), {"action": "remaining_no"}, follow=True)
    assert "已将其余 2 项未认定事项认定为否" in response.content.decode()
    stored = dict(ImportedValue.objects.filter(cycle=world.cycle).values_list("unit__code", "value"))
    assert stored == {"220100": False, "220200": False, "220281": False}
    entries = AuditLog.objects.filter(action="finding.save", reason="其余未认定事项均认定为否")
    assert entries.count() == 2

    # the stored results are those of the old data: approval waits for a new evaluation
    with pytest.raises(actions.ActionError, match="重新综合评价"):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    assert (
        "综合评价完成：3 个单位已计分"
        in office.post(f"/cycles/{world.cycle.pk}/evaluate/", follow=True).content.decode()
    )
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    assert world.assessment("C").state == State.APPROVED


def test_findings_close_once_the_results_are_approved(block_world: World) -> None:
    world = block_world
    office = world.client("alice")
    office.post(findings_url(world), {"action": "remaining_no"})
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    response = office.post(findings_url(world), {"unit_id": "220100", "f_major_incident": "true"}, follow=True)
    assert "不能再修改" in response.content.decode()
    assert ImportedValue.objects.get(cycle=world.cycle, unit=world.units["A"]).value is False
    page = office.get(findings_url(world)).content.decode()
    assert 'name="f_major_incident"' not in page and "其余未认定事项均认定为否" not in page
    letters = office.get(f"/cycles/{world.cycle.pk}/letters/").content.decode()
    assert "目标责任书不能再修改" in letters and 'name="t_good_days_target"' not in letters
    dashboard = office.get(f"/cycles/{world.cycle.pk}/").content.decode()
    assert f"/cycles/{world.cycle.pk}/import/" not in dashboard and f"/cycles/{world.cycle.pk}/publish/" in dashboard
    letter = world.cycle.letters.get(unit=world.units["A"])
    with pytest.raises(actions.ActionError, match="不能再修改"):
        actions.check_issue_letter(letter=letter, raw={"good_days_target": "99"}, acting_user=world.people["alice"])
    with pytest.raises(actions.ActionError, match="不能再修改"):
        actions.check_import_monitoring_values(
            cycle=world.cycle,
            rows=[{"unit_id": "220100", "good_days": 10}],
            source="late.csv",
            acting_user=world.people["alice"],
        )


def test_only_the_office_decides_findings(block_world: Any) -> None:
    world = block_world
    with pytest.raises(actions.ActionError, match="没有权限"):
        actions.check_decide_remaining_findings_no(cycle=world.cycle, acting_user=world.people["linda"])
    with pytest.raises(actions.ActionError, match="没有权限"):
        actions.check_save_findings(
            cycle=world.cycle, unit_code="220100", raw={"major_incident": "true"}, acting_user=world.people["hank"]
        )
    assert not ImportedValue.objects.filter(cycle=world.cycle).exists()
