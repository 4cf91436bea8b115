"""台账数据 into a cycle (issue 12 §2, the web part): the office previews what the registers give the cycle, then
pulls every value or none (audited); each pulled count links to the register rows it counts; and the path from a
register import to an explained score.

The registers, for the cycle's year 2024 (tests/data/registers_scheme.yaml reads rectification_tasks_late, rect_done,
rect_due and incident_pollution):

    甲市 220100   R1 deadline 2024-03-31, completed 2024-03-31   due, on time (the deadline day is on time)
                  R2 deadline 2024-06-30, completed 2024-07-15   due, late
                  R3 deadline 2024-09-30, not completed          due, late
                  R4 deadline 2024-12-31, completed 2025-01-10   due (31 December is in the year), late
                  R5 deadline 2025-06-30, completed 2024-05-01   not due in 2024
                  R6 deadline 2023-12-31, completed 2024-02-01   not due in 2024 (counted, late, in 2023)
                  ⇒ rect_due = 4 (R1–R4), rect_done = 1 (R1), rectification_tasks_late = 4 − 1 = 3 (R2, R3, R4)
                  E1 2024-08-01 较大                              ⇒ incident_pollution 否
    乙市 220200   S1 deadline 2024-05-31, completed 2024-05-20   ⇒ due 1, done 1, late 0
                  E2 2024-10-01 特别重大                          ⇒ incident_pollution 是
    丙县 220281   no rows                                         ⇒ 0, 0, 0, 否
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from kaohe.assessments import actions
from kaohe.assessments.actions import REGISTER_SOURCE
from kaohe.assessments.evaluation import explain_result
from kaohe.assessments.integrity import verify_all
from kaohe.assessments.models import Cycle, ImportedValue, Result
from kaohe.audit.models import AuditLog
from kaohe.ledgers import actions as ledger_actions
from kaohe.ledgers.imports import read_ledger_file
from kaohe.ledgers.models import RectificationProblem
from kaohe.ledgers.pull import check_pull_registers, plan_pull
from tests.ledgers.helpers import workbook
from tests.world import World

SCHEME = Path(__file__).parents[1] / "data" / "registers_scheme.yaml"


def _problem(unit: str, pid: str, deadline: str, completed: str = "") -> dict[str, Any]:
    return {
        "unit_id": unit,
        "problem_id": pid,
        "source": "中央生态环境保护督察",
        "level": "中央",
        "listed_by_nation": "否",
        "description": f"问题 {pid}",
        "deadline": deadline,
        "completed_on": completed,
        "closed_on": "",
    }


PROBLEMS = [
    _problem("220100", "R1", "2024-03-31", "2024-03-31"),
    _problem("220100", "R2", "2024-06-30", "2024-07-15"),
    _problem("220100", "R3", "2024-09-30"),
    _problem("220100", "R4", "2024-12-31", "2025-01-10"),
    _problem("220100", "R5", "2025-06-30", "2024-05-01"),
    _problem("220100", "R6", "2023-12-31", "2024-02-01"),
    _problem("220200", "S1", "2024-05-31", "2024-05-20"),
]
INCIDENTS = [
    {"unit_id": "220100", "incident_id": "E1", "date": "2024-08-01", "severity": "较大"},
    {"unit_id": "220200", "incident_id": "E2", "date": "2024-10-01", "severity": "特别重大"},
]
# by hand from the rows above (module docstring): unit → input → value
EXPECTED = {
    "220100": {"rect_late": 3, "rect_done": 1, "rect_due": 4, "major_incident": False},
    "220200": {"rect_late": 0, "rect_done": 1, "rect_due": 1, "major_incident": True},
    "220281": {"rect_late": 0, "rect_done": 0, "rect_due": 0, "major_incident": False},
}


def import_registers(world: World, problems: list[dict[str, Any]] | None = None) -> None:
    office = world.people["alice"]
    for kind, rows in (("rectification", problems or PROBLEMS), ("incidents", INCIDENTS)):
        table = read_ledger_file(kind, f"{kind}.xlsx", workbook(kind, rows))
        ledger_actions.check_import_register(table=table, acting_user=office)


def open_registers_cycle(world: World) -> Cycle:
    """A second 2024 cycle of the world's three units, under the scheme that reads the registers, and the registers
    of the module docstring imported by the office."""
    opened = actions.do_open_cycle(
        name="2024年度台账考核",
        year=2024,
        scheme_id="",
        units=world.units.values(),
        scheme_file=ContentFile(SCHEME.read_bytes(), name="registers_scheme.yaml"),
        acting_user=world.people["alice"],
    )
    import_registers(world)
    return opened


@pytest.fixture
def cycle(world: World) -> Cycle:
    return open_registers_cycle(world)


def stored(cycle: Cycle) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for iv in ImportedValue.objects.filter(cycle=cycle).select_related("unit"):
        out.setdefault(iv.unit.code, {})[iv.input_id] = iv.value
    return out


def test_the_preview_shows_each_units_counts_and_writes_nothing(world: World, cycle: Cycle) -> None:
    response = world.client("alice").get(f"/cycles/{cycle.pk}/registers/")
    assert response.status_code == 200
    plan = response.context["plan"]
    got = {(line.unit.code, line.spec.id): line.derived for line in plan.lines}
    assert got == {(u, i): v for u, values in EXPECTED.items() for i, v in values.items()}
    # 3 units × 4 register inputs, none stored yet
    assert (plan.new_count, plan.changed_count, plan.same_count) == (12, 0, 0)
    text = response.content.decode()
    assert "确认导入（12 个值）" in text and "督察整改台账、突发环境事件台账" in text
    assert ImportedValue.objects.filter(cycle=cycle).count() == 0  # a preview writes nothing


def test_the_pull_writes_every_value_audited_and_verify_stays_clean(world: World, cycle: Cycle) -> None:
    client = world.client("alice")
    fingerprint = client.get(f"/cycles/{cycle.pk}/registers/").context["plan"].fingerprint
    response = client.post(f"/cycles/{cycle.pk}/registers/apply/", {"fingerprint": fingerprint})
    assert response.status_code == 302
    assert stored(cycle) == EXPECTED
    assert set(ImportedValue.objects.filter(cycle=cycle).values_list("source", flat=True)) == {REGISTER_SOURCE}
    entries = AuditLog.objects.filter(action="registers.pull")
    assert entries.count() == 12
    late_value = ImportedValue.objects.get(cycle=cycle, unit__code="220100", input_id="rect_late")
    late = entries.get(object_id=str(late_value.pk))
    assert late.reason == "2024年度台账：未按时完成的整改任务项数"
    report = verify_all()
    assert report.ok, report.problems
    # pulled again: nothing changed, nothing to confirm
    again = client.get(f"/cycles/{cycle.pk}/registers/")
    assert (again.context["plan"].new_count, again.context["plan"].changed_count) == (0, 0)
    assert "台账数据与本周期已导入的数据一致" in again.content.decode()
    # a problem completed late now counts once more: one value changes, the preview says so
    table = read_ledger_file(
        "rectification", "r.xlsx", workbook("rectification", [_problem("220100", "R7", "2024-11-30", "2024-12-05")])
    )
    ledger_actions.check_import_register(table=table, acting_user=world.people["alice"])
    plan = plan_pull(cycle)
    assert [(line.unit.code, line.spec.id, line.current, line.derived) for line in plan.changed] == [
        ("220100", "rect_late", 3, 4),
        ("220100", "rect_due", 4, 5),
    ]


def test_a_bad_register_row_refuses_the_whole_pull(world: World, cycle: Cycle) -> None:
    client = world.client("alice")
    fingerprint = client.get(f"/cycles/{cycle.pk}/registers/").context["plan"].fingerprint
    # a word outside the register's list, written past the actions (a database edit)
    RectificationProblem.objects.filter(problem_id="R3").update(source="火星督察")
    response = client.post(f"/cycles/{cycle.pk}/registers/apply/", {"fingerprint": fingerprint})
    assert response.status_code == 400
    text = response.content.decode()
    assert "没有导入任何数据" in text and "督察整改台账 问题编号 R3" in text and "火星督察" in text
    assert ImportedValue.objects.filter(cycle=cycle).count() == 0
    assert not AuditLog.objects.filter(action="registers.pull").exists()
    assert client.get(f"/cycles/{cycle.pk}/registers/").status_code == 400


def test_a_register_changed_after_the_preview_is_not_pulled_unseen(world: World, cycle: Cycle) -> None:
    client = world.client("alice")
    fingerprint = client.get(f"/cycles/{cycle.pk}/registers/").context["plan"].fingerprint
    table = read_ledger_file(
        "rectification", "r.xlsx", workbook("rectification", [_problem("220281", "T1", "2024-02-01")])
    )
    ledger_actions.check_import_register(table=table, acting_user=world.people["alice"])
    response = client.post(f"/cycles/{cycle.pk}/registers/apply/", {"fingerprint": fingerprint}, follow=True)
    assert "预览之后台账或本周期的数据有变化" in response.content.decode()
    assert ImportedValue.objects.filter(cycle=cycle).count() == 0


def test_only_the_office_pulls_and_not_after_approval(world: World, cycle: Cycle) -> None:
    fingerprint = plan_pull(cycle).fingerprint
    for who in ("linda", "fay", "vera"):
        assert world.client(who).get(f"/cycles/{cycle.pk}/registers/").status_code == 403
        response = world.client(who).post(f"/cycles/{cycle.pk}/registers/apply/", {"fingerprint": fingerprint})
        assert response.status_code == 403
    with pytest.raises(actions.ActionError):
        check_pull_registers(cycle=cycle, fingerprint=None, acting_user=world.people["fay"])
    assert ImportedValue.objects.filter(cycle=cycle).count() == 0


def test_the_link_shows_exactly_the_rows_counted(world: World, cycle: Cycle) -> None:
    check_pull_registers(cycle=cycle, fingerprint=None, acting_user=world.people["alice"])
    page = world.client("alice").get(f"/cycles/{cycle.pk}/registers/").content.decode()
    link = "/ledgers/rectification/?unit=220100&amp;year=2024&amp;metric=rectification_tasks_late"
    assert link in page
    for who in ("alice", "vera", "fay"):  # the office, a verifier, the unit itself
        response = world.client(who).get(link.replace("&amp;", "&"))
        shown = [line["row"].problem_id for line in response.context["lines"]]
        assert shown == ["R2", "R3", "R4"], who  # the 3 late tasks, not R1 (on time), R5, R6 (other years)
        assert "计入甲市 2024 年度「未按时完成的整改任务项数」的台账记录：3 条" in response.content.decode()
    due = world.client("vera").get("/ledgers/rectification/?unit=220100&year=2024&metric=rect_due")
    assert [line["row"].problem_id for line in due.context["lines"]] == ["R1", "R2", "R3", "R4"]
    incident = world.client("vera").get("/ledgers/incidents/?unit=220200&year=2024&metric=incident_pollution")
    assert [line["row"].incident_id for line in incident.context["lines"]] == ["E2"]
    # another unit's person sees none of 甲市's rows through the link
    assert world.client("bob").get(link.replace("&amp;", "&")).context["lines"] == []


def fill(world: World, cycle: Cycle, code: str, values: dict[str, Any], who: str) -> None:
    assessment = cycle.assessments.get(unit__code=code)
    for item in assessment.items.all():
        raw = {k: values.get(k) for k in item.values}
        person = world.people[who]
        actions.check_save_self_evaluation(
            item=item, raw_values=raw, self_score=None, explanation="", version=item.version, acting_user=person
        )


def test_register_import_to_pull_to_score_to_explanation(world: World, cycle: Cycle) -> None:
    """The path of issue 12 §3: registers imported (the fixture) → pulled → verified beside the registers' count →
    scored → explained. 甲市's letter states 5 tasks due: the letter's target wins over the register's 4."""
    office = world.people["alice"]
    letter = cycle.letters.get(unit__code="220100")
    actions.check_issue_letter(letter=letter, raw={"rect_due": "5"}, acting_user=office)
    plan = plan_pull(cycle)
    due = next(line for line in plan.lines if line.unit.code == "220100" and line.spec.id == "rect_due")
    assert (due.derived, due.target, due.letter_wins) == (4, 5, True)
    preview = world.client("alice").get(f"/cycles/{cycle.pk}/registers/").content.decode()
    assert "目标责任书目标 5，计分以责任书为准" in preview
    check_pull_registers(cycle=cycle, fingerprint=plan.fingerprint, acting_user=office)

    # 甲市 reports no late task and 4 done on time; the registers say 3 late and 1
    fill(world, cycle, "220100", {"rect_late": 0, "rect_done": 4, "good_days": 90}, "fay")
    fill(world, cycle, "220200", {"rect_late": 0, "rect_done": 1, "good_days": 90}, "bob")
    fill(world, cycle, "220281", {"rect_late": 0, "rect_done": 0, "good_days": 90}, "carl")
    for code, head in (("220100", "hank"), ("220200", "bert"), ("220281", "cora")):
        actions.check_submit(assessment=cycle.assessments.get(unit__code=code), acting_user=world.people[head])
    unit_page = world.client("fay").get(f"/assessments/{cycle.assessments.get(unit__code='220100').pk}/")
    assert "台账数据：未按时完成的整改任务项数 3 项" in unit_page.content.decode()

    # the verifier opens 甲市's item 1: the registers' count beside the unit's figure, the form starts from the count
    item = cycle.assessments.get(unit__code="220100").items.get(indicator_id="1")
    vera = world.client("vera")
    page = vera.get(f"/items/{item.pk}/verify/")
    assert page.status_code == 200
    assert page.context["form"]["v_rect_late"].value() == 3
    assert page.context["form"]["reason"].value() == "以台账数据为准"
    link = "/ledgers/rectification/?unit=220100&amp;year=2024&amp;metric=rectification_tasks_late"
    assert link in page.content.decode()
    for unit_code in ("220100", "220200", "220281"):
        for it in cycle.assessments.get(unit__code=unit_code).items.all():
            verifier = "walt" if it.lead_unit == "水利局" else "vera"
            form = world.client(verifier).get(f"/items/{it.pk}/verify/").context["form"]
            data = {f.html_name: f.value() for f in form}
            data = {k: "" if v is None else v for k, v in data.items()}
            response = world.client(verifier).post(f"/items/{it.pk}/verify/", data)
            assert response.status_code == 302, response.content.decode()[:2000]
    actions.check_evaluate_cycle(cycle=cycle, acting_user=office)

    result = Result.objects.get(cycle=cycle, assessment__unit__code="220100")
    lines = {(line.indicator_id, line.delta, line.reason) for line in explain_result(result)}
    # 3 late tasks (R2, R3, R4) × 1 point: the deduct rule's line (counted in the input's unit, 项)
    assert ("1", -3.0, "未按时完成整改任务 3 项 ×1") in lines
    # 1 done on time (R1) of the letter's 5 due: 10 × 1/5 = 2 points, −8
    assert ("2", -8.0, "完成 1/5,按比例得分") in lines
    assert Result.objects.get(cycle=cycle, assessment__unit__code="220200").vetoed  # E2 特别重大
    report = verify_all()
    assert report.ok, report.problems
