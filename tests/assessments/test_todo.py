"""待办 per role, 逾期 per step and party, and the order of a cycle's deadlines (issue 10 §1).

The world is tests/world.py's: 甲市 (A) and 乙市 (B) are cities (items 1, 2, 3, B1, D1: three base items, a bonus
and a deduction item), 丙县 (C) a county (items 1, 2, B1, D1). walt (水利局) verifies item 1 of every unit, vera
(生态环境局) items 2, B1 and D1, dora (发展改革委) item 3. The scheme's one finding is the yes/no 特别重大事件.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from unittest import mock

import pytest
import time_machine
from django.core.files.base import ContentFile

from kaohe.assessments import actions
from kaohe.assessments.forms import CycleForm
from kaohe.assessments.models import Cycle, State
from kaohe.assessments.todo import (
    Approval,
    DeadlineLine,
    QueueCycle,
    QueueRow,
    approver_todo,
    deadline_lines,
    filler_todo,
    head_todo,
    office_todo,
    verifier_todo,
)
from tests.world import SCHEME_YAML, World

COMMENT = "佐证材料不全，请补充断面监测报告原件"


def set_deadlines(world: World, self_ev: dt.date, verification: dt.date, evaluation: dt.date) -> Cycle:
    cycle = world.cycle
    cycle.self_evaluation_deadline, cycle.verification_deadline, cycle.evaluation_deadline = (
        self_ev,
        verification,
        evaluation,
    )
    cycle.save()
    return cycle


def return_item_1(world: World) -> None:
    """甲市 filled and submitted; walt returns its item 1 (水环境质量) with COMMENT."""
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    actions.check_return_item(item=item, comment=COMMENT, version=item.version, acting_user=world.people["walt"])


# ------------------------------------------------------------------------------------------------ unit people
def test_it_lists_the_fillers_empty_items_of_its_own_unit_only(world: World) -> None:
    todo = filler_todo(world.people["fay"])
    assert todo.returned == []
    assert [(r.unit_name, r.indicator) for r in todo.to_fill] == [
        ("甲市", "1 水环境质量"),
        ("甲市", "2 空气质量"),
        ("甲市", "3 重点工作"),
        ("甲市", "B1 国家表彰"),
        ("甲市", "D1 较大环境事件"),
    ]
    assert {r.unit_name for r in filler_todo(world.people["bob"]).to_fill} == {"乙市"}
    world.fill("A")
    assert filler_todo(world.people["fay"]).to_fill == []


def test_a_returned_item_comes_first_with_the_verifiers_comment(world: World) -> None:
    return_item_1(world)
    todo = filler_todo(world.people["fay"])
    assert [(r.unit_name, r.indicator, r.comment) for r in todo.returned] == [("甲市", "1 水环境质量", COMMENT)]
    assert todo.to_fill == []  # the other items were filled before submission
    page = world.client("fay").get("/todo/").content.decode()
    assert COMMENT in page and f"/assessments/{world.assessment('A').pk}/#item-{world.item('A', '1').pk}" in page
    assert page.index(COMMENT) < page.index("</main>")
    # 乙市's filler sees nothing of 甲市
    other = world.client("bob").get("/todo/").content.decode()
    assert COMMENT not in other and "甲市" not in other.split("<main>")[1] and "乙市" in other


def test_the_head_sees_what_waits_for_submission(world: World) -> None:
    [row] = head_todo(world.people["hank"])
    # 5 items; the 3 base items are empty (the bonus and deduction items may stay empty: check_submit)
    assert (row.unit_name, row.state, row.n_items, row.n_empty, row.n_returned, row.ready) == (
        "甲市",
        "填报中",
        5,
        3,
        0,
        False,
    )
    world.fill("A")
    [row] = head_todo(world.people["hank"])
    assert (row.n_empty, row.ready) == (0, True)
    world.submit("A")
    assert head_todo(world.people["hank"]) == []
    item = world.item("A", "1")
    actions.check_return_item(item=item, comment=COMMENT, version=item.version, acting_user=world.people["walt"])
    [row] = head_todo(world.people["hank"])
    assert (row.state, row.n_returned) == ("已退回", 1)
    assert "乙市" not in world.client("hank").get("/todo/").content.decode().split("<main>")[1]


# ------------------------------------------------------------------------------------------------ verifiers
def test_the_verifier_queue_counts_open_items_per_cycle_and_unit(world: World) -> None:
    assert verifier_todo(world.people["walt"]) == []  # nothing submitted yet
    for unit in ("A", "B"):
        world.fill(unit)
        world.submit(unit)
    cycle = world.cycle
    walt = verifier_todo(world.people["walt"], today=dt.date(2025, 1, 1))
    assert walt == [
        QueueCycle(
            cycle.pk,
            cycle.name,
            n_units=2,
            n_open=2,
            deadline=None,
            overdue=False,
            units=[
                QueueRow(cycle.pk, cycle.name, "220100", "甲市", 1, None, False),
                QueueRow(cycle.pk, cycle.name, "220200", "乙市", 1, None, False),
            ],
        )
    ]
    # vera leads 2, B1 and D1: three open items per city; 丙县 is still a draft and not listed
    [vera] = verifier_todo(world.people["vera"])
    assert (vera.n_units, vera.n_open, [(q.unit_name, q.n_open) for q in vera.units]) == (
        2,
        6,
        [("甲市", 3), ("乙市", 3)],
    )
    page = world.client("walt").get("/todo/").content.decode()
    assert f"/cycles/{cycle.pk}/verify/?unit=220100" in page and f"/cycles/{cycle.pk}/verify/?unit=220200" in page
    assert "2 个单位共 2 项待核实" in page
    item = world.item("A", "1")
    actions.check_verify_item(
        item=item, raw_values=item.values, score=None, reason="", version=item.version, acting_user=world.people["walt"]
    )
    [walt_now] = verifier_todo(world.people["walt"])
    assert [q.unit_name for q in walt_now.units] == ["乙市"]


def test_a_provinces_verifier_sees_the_units_with_most_open_items_and_a_link_for_the_rest(world: World) -> None:
    # With thousands of units the 待办 page names QUEUE_UNITS_SHOWN of them, most open items first (ties by code),
    # and sends the verifier to the queue for the others.
    for unit in ("A", "B"):
        world.fill(unit)
        world.submit(unit)
    item = world.item("A", "2")  # vera's: 甲市 now has 2 open items, 乙市 3
    actions.check_verify_item(
        item=item, raw_values=item.values, score=None, reason="", version=item.version, acting_user=world.people["vera"]
    )
    with mock.patch("kaohe.assessments.todo.QUEUE_UNITS_SHOWN", 1):
        [vera] = verifier_todo(world.people["vera"])
        assert (vera.n_units, vera.n_open, vera.more_units) == (2, 5, 1)
        assert [(q.unit_name, q.n_open) for q in vera.units] == [("乙市", 3)]
        page = world.client("vera").get("/todo/").content.decode()
    assert "其余 1 个单位见核实核证队列" in page and f'href="/cycles/{world.cycle.pk}/verify/"' in page
    assert "?unit=220100" not in page


# ------------------------------------------------------------------------------------------------ office, leader
def test_the_office_sees_open_findings_and_the_steps_still_owed(world: World) -> None:
    office = world.people["alice"]
    set_deadlines(world, dt.date(2025, 2, 28), dt.date(2025, 3, 31), dt.date(2025, 4, 30))
    world.fill("A")
    world.submit("A")
    todo = office_todo(today=dt.date(2025, 3, 5))
    # 3 units × the one yes/no finding, none decided yet
    [found] = todo.findings
    assert (found.n_undecided, found.n_units) == (3, 3)
    cycle = world.cycle
    assert todo.deadlines == [
        # after 28 Feb: B and C have not submitted (theirs to do); A's verification is due on 31 Mar
        DeadlineLine(cycle.pk, cycle.name, "自评", "被考核单位", dt.date(2025, 2, 28), 2, True),
        DeadlineLine(cycle.pk, cycle.name, "核实", "牵头单位", dt.date(2025, 3, 31), 1, False),
    ]
    assert todo.deadlines[0].text == "自评（被考核单位）：2 个单位尚未提交自评（截止 2025-02-28，已逾期）"
    actions.check_save_findings(cycle=cycle, unit_code="220100", raw={"major_incident": "false"}, acting_user=office)
    [found] = office_todo(today=dt.date(2025, 3, 5)).findings
    assert (found.n_undecided, found.n_units) == (2, 2)
    page = world.client("alice").get("/todo/").content.decode()
    assert f"/cycles/{cycle.pk}/findings/" in page and "2 个单位共 2 项未认定" in page


def test_the_office_sees_units_without_a_result_and_the_leader_what_awaits_approval(world: World) -> None:
    """A cycle under the block policy: 乙市's and 丙县's undecided 特别重大事件 leave them without a score."""
    office = world.people["alice"]
    world.cycle = actions.do_open_cycle(
        name="2025年度考核",
        year=2025,
        scheme_id="",
        units=world.units.values(),
        scheme_file=ContentFile(
            SCHEME_YAML.replace("total_points: 100\n", "total_points: 100\nmissing_policy: block\n").encode(),
            name="block.yaml",
        ),
        acting_user=office,
    )
    for letter in world.cycle.letters.all():
        actions.check_issue_letter(letter=letter, raw={"good_days_target": "85"}, acting_user=office)
    world.through_verified()
    actions.check_save_findings(
        cycle=world.cycle, unit_code="220100", raw={"major_incident": "false"}, acting_user=office
    )
    assert approver_todo() == []
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    blocked = office_todo().blocked
    reason = "缺少「特别重大事件」（特殊规则「特别重大事件」需要）"
    assert [(b.cycle_name, b.unit_name, b.reasons) for b in blocked] == [
        ("2025年度考核", "乙市", [reason]),
        ("2025年度考核", "丙县", [reason]),
    ]
    assert approver_todo() == [Approval(world.cycle.pk, "2025年度考核", 3)]
    page = world.client("linda").get("/todo/").content.decode()
    assert f"/cycles/{world.cycle.pk}/approval/" in page
    # nobody else is asked to approve
    assert f"/cycles/{world.cycle.pk}/approval/" not in world.client("fay").get("/todo/").content.decode()


def test_everyone_signed_in_lands_on_the_todo_page(world: World) -> None:
    from django.test import Client

    for who in ("alice", "linda", "fay", "hank", "vera"):
        response = Client().post("/login/", {"username": who, "password": "pw"}, follow=True)
        assert response.redirect_chain[-1][0] == "/todo/"
        assert 'href="/todo/"' in response.content.decode()  # in the header of every page
    assert world.client("anon").get("/todo/").status_code == 302


# ------------------------------------------------------------------------------------------------ 逾期
def test_overdue_is_per_step_and_party(world: World) -> None:
    set_deadlines(world, dt.date(2025, 2, 28), dt.date(2025, 3, 31), dt.date(2025, 4, 30))
    world.fill("A")
    world.submit("A")
    world.verify_all("A")  # 甲市 已核实
    world.fill("B")
    world.submit("B")  # 乙市 已提交; 丙县 填报中

    def steps(today: dt.date) -> dict[str, str]:
        return {u: world.assessment(u).overdue_step(today) for u in ("A", "B", "C")}

    assert steps(dt.date(2025, 2, 28)) == {"A": "", "B": "", "C": ""}  # the deadline day itself is in time
    assert steps(dt.date(2025, 3, 1)) == {"A": "", "B": "", "C": "self_evaluation"}
    # after the verification deadline 乙市's verification is late: the lead units', not the unit's
    assert steps(dt.date(2025, 4, 1)) == {"A": "", "B": "verification", "C": "self_evaluation"}
    # after the evaluation deadline the verified 甲市 is still not late: the evaluation is the office's step
    assert steps(dt.date(2025, 5, 1)) == {"A": "", "B": "verification", "C": "self_evaluation"}
    assert world.assessment("B").overdue_text(dt.date(2025, 4, 1)) == (
        "牵头单位核实逾期（核实截止 2025-03-31，非单位原因）"
    )
    assert world.assessment("C").overdue_text(dt.date(2025, 3, 1)) == "单位逾期未提交自评（自评截止 2025-02-28）"
    states = Counter(world.cycle.assessments.values_list("state", flat=True))
    late = {line.step: line.overdue for line in deadline_lines(world.cycle, states, dt.date(2025, 5, 1))}
    assert late == {"自评": True, "核实": True, "综合评价": True}
    late = {line.step: line.overdue for line in deadline_lines(world.cycle, states, dt.date(2025, 4, 30))}
    assert late == {"自评": True, "核实": True, "综合评价": False}


def test_the_dashboard_and_the_unit_page_say_who_is_late(world: World) -> None:
    set_deadlines(world, dt.date(2025, 2, 28), dt.date(2025, 3, 31), dt.date(2025, 4, 30))
    world.fill("A")
    world.submit("A")
    world.verify_all("A")
    world.fill("B")
    world.submit("B")
    with time_machine.travel("2025-05-02 10:00 +0800", tick=False):
        page = world.client("alice").get(f"/cycles/{world.cycle.pk}/").content.decode()
        # one line for the office's evaluation, never on 甲市's row
        assert 'id="evaluation-overdue"' in page
        assert "综合评价（考核办）：1 个单位已核实，尚未综合评价（截止 2025-04-30，已逾期）" in page
        assert page.count('<span class="overdue">') == 2
        assert "牵头单位核实逾期（核实截止 2025-03-31，非单位原因）" in page
        assert "单位逾期未提交自评（自评截止 2025-02-28）" in page
        # the verifiers follow the progress, the office's own line is for the office
        assert 'id="evaluation-overdue"' not in world.client("vera").get(f"/cycles/{world.cycle.pk}/").content.decode()
        a_page = world.client("fay").get(f"/assessments/{world.assessment('A').pk}/").content.decode()
        assert 'id="overdue"' not in a_page and "待考核办综合评价（截止 2025-04-30）" in a_page
        c_page = world.client("alice").get(f"/assessments/{world.assessment('C').pk}/").content.decode()
        assert "单位逾期未提交自评（自评截止 2025-02-28）" in c_page
    with time_machine.travel("2025-04-20 10:00 +0800", tick=False):
        page = world.client("alice").get(f"/cycles/{world.cycle.pk}/").content.decode()
        assert 'id="evaluation-overdue"' not in page


# ------------------------------------------------------------------------------------------------ deadline order
CYCLE_POST = {"name": "2026年度考核", "year": "2026", "scheme_id": "xx-city-2020"}


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        (
            ("2027-03-15", "2027-03-01", ""),
            "verification_deadline",
            "核实截止（2027-03-01）早于自评截止（2027-03-15），应在自评截止当天或之后",
        ),
        (
            ("2027-02-28", "2027-03-31", "2027-03-30"),
            "evaluation_deadline",
            "综合评价截止（2027-03-30）早于核实截止（2027-03-31），应在核实截止当天或之后",
        ),
        (  # without a verification deadline, the evaluation still comes after the self-evaluation
            ("2027-02-28", "", "2027-02-27"),
            "evaluation_deadline",
            "综合评价截止（2027-02-27）早于自评截止（2027-02-28），应在自评截止当天或之后",
        ),
    ],
)
def test_an_order_of_deadlines_that_cannot_work_is_refused(
    world: World, dates: tuple[str, str, str], field: str, message: str
) -> None:
    names = ("self_evaluation_deadline", "verification_deadline", "evaluation_deadline")
    form = CycleForm({**CYCLE_POST, "units": [world.units["A"].pk], **dict(zip(names, dates, strict=True))})
    assert not form.is_valid()
    assert form.errors[field] == [message]
    before = Cycle.objects.count()
    response = world.client("alice").post(
        "/cycles/new/", {**CYCLE_POST, "units": [world.units["A"].pk], **dict(zip(names, dates, strict=True))}
    )
    assert response.status_code == 200 and Cycle.objects.count() == before
    page = response.content.decode()
    # next to the field: the message comes right before the later date's input
    assert page.index(message) < page.index(f'name="{field}"') < page.index(message) + 600
    with pytest.raises(actions.ActionError, match="早于"):
        actions.check_open_cycle(
            name="2026年度考核",
            year=2026,
            scheme_id="xx-city-2020",
            units=[world.units["A"]],
            acting_user=world.people["alice"],
            **{n: dt.date.fromisoformat(d) if d else None for n, d in zip(names, dates, strict=True)},
        )
    assert Cycle.objects.count() == before


def test_equal_and_past_deadlines_are_accepted(world: World) -> None:
    """A cycle recorded afterwards has its deadlines in the past; two steps may be due on the same day."""
    form = CycleForm(
        {
            **CYCLE_POST,
            "units": [world.units["A"].pk],
            "self_evaluation_deadline": "2021-03-31",
            "verification_deadline": "2021-03-31",
            "evaluation_deadline": "2021-04-30",
        }
    )
    assert form.is_valid(), form.errors
    cycle = actions.check_open_cycle(acting_user=world.people["alice"], **form.action_kwargs())
    assert cycle.verification_deadline == dt.date(2021, 3, 31)
    with pytest.raises(actions.ActionError):
        actions.check_open_cycle(acting_user=world.people["fay"], **form.action_kwargs())


def test_a_verified_unit_is_never_late_itself(world: World) -> None:
    set_deadlines(world, dt.date(2025, 2, 28), dt.date(2025, 3, 31), dt.date(2025, 4, 30))
    world.fill("A")
    world.submit("A")
    world.verify_all("A")
    assert world.assessment("A").state == State.VERIFIED
    assert not world.assessment("A").is_overdue(dt.date(2025, 6, 1))
