"""Who is told of a new comment and of an appeal (issue 10 §2), on the conftest's world: alice (Alice) office, linda
leader, fay filler and hank head of 甲市, bob/bert 乙市, vera 生态环境局 (indicators 2, B1, D1), walt 水利局 (1),
dora 发展改革委 (3). A comment goes to the item's other parties, never to its author; an appeal lodged to the office,
an appeal decided to the unit's fillers and head. A refused step tells nobody."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from kaohe.assessments import actions, appeals, comments
from kaohe.assessments.models import Appeal
from kaohe.notifications.models import Notification
from tests.world import World

DURING = "2025-03-12 10:00 +0800"  # inside the 7 days of 公示 from an approval on 2025-03-10


def told(world: World, kind: str) -> dict[str, str]:
    """username → body of each notification of ``kind``."""
    names = {user.pk: name for name, user in world.people.items()}
    return {names[n.recipient_id]: n.body for n in Notification.objects.filter(kind=kind)}


def say(world: World, who: str, indicator: str, text: str) -> None:
    comments.check_add_comment(item=world.item("A", indicator), text=text, acting_user=world.people[who])


def submitted(world: World) -> None:
    world.fill("A")
    world.submit("A")


def test_a_verifiers_comment_tells_the_units_fillers_and_head(world: World) -> None:
    submitted(world)
    say(world, "vera", "2", "请补充 3 月监测报告")
    got = told(world, "comment_added")
    assert set(got) == {"fay", "hank"}  # not vera herself, not bob (乙市), not walt or the office
    assert got["fay"] == "vera（核实人）留言：请补充 3 月监测报告"
    n = Notification.objects.get(kind="comment_added", recipient=world.people["hank"])
    assert n.title == "新留言：甲市 · 指标 2「空气质量」"
    item = world.item("A", "2")
    assert n.link == f"/assessments/{item.assessment_id}/#item-{item.pk}" and n.cycle == world.cycle


def test_the_offices_comment_on_a_draft_tells_the_unit(world: World) -> None:
    say(world, "alice", "2", "注意填报口径")
    assert told(world, "comment_added") == {
        "fay": "Alice（考核办）留言：注意填报口径",
        "hank": "Alice（考核办）留言：注意填报口径",
    }


def test_the_units_comment_tells_the_items_verifiers_only(world: World) -> None:
    submitted(world)
    say(world, "fay", "2", "已上传监测报告")
    assert told(world, "comment_added") == {"vera": "fay（单位）留言：已上传监测报告"}
    Notification.objects.all().delete()
    say(world, "hank", "1", "月数已核对")
    assert set(told(world, "comment_added")) == {"walt"}  # 水利局 leads indicator 1; fay is not told her head's words
    Notification.objects.all().delete()
    say(world, "fay", "3", "见附件")
    assert set(told(world, "comment_added")) == {"dora"}


def test_a_units_comment_on_its_draft_tells_nobody(world: World) -> None:
    say(world, "fay", "2", "草稿备注")  # the verifiers do not see a draft
    assert not Notification.objects.filter(kind="comment_added").exists()


@pytest.mark.parametrize("refused", ["bob comments on 甲市", "vera comments on walt's item", "an empty comment"])
def test_no_notification_when_a_comment_is_refused(world: World, refused: str) -> None:
    submitted(world)
    who, indicator, text = {
        "bob comments on 甲市": ("bob", "2", "x"),
        "vera comments on walt's item": ("vera", "1", "x"),
        "an empty comment": ("vera", "2", "  "),
    }[refused]
    before = Notification.objects.count()
    with pytest.raises(actions.ActionError):
        say(world, who, indicator, text)
    assert Notification.objects.count() == before


def approve(world: World) -> None:
    office = world.people["alice"]
    appeals.check_set_publicity_days(cycle=world.cycle, days=7, acting_user=office)
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    with time_machine.travel("2025-03-10 09:30 +0800", tick=False):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])


def lodge(world: World, who: str = "hank", reasons: str = "第 2 项优良天数比例核实有误") -> Appeal:
    with time_machine.travel(DURING, tick=False):
        return appeals.check_lodge_appeal(
            assessment=world.assessment("A"), reasons=reasons, files=[], acting_user=world.people[who]
        )


def test_an_appeal_lodged_tells_the_office(world: World) -> None:
    approve(world)
    lodge(world)
    assert told(world, "appeal_lodged") == {
        "alice": "甲市对公示的考核结果提出申诉，申诉理由：第 2 项优良天数比例核实有误"
    }
    n = Notification.objects.get(kind="appeal_lodged")
    assert n.title == "新申诉：甲市（2024年度考核）"
    assert n.link == f"/cycles/{world.cycle.pk}/appeals/" and n.cycle == world.cycle


@pytest.mark.parametrize(
    "decision,words,page",
    [
        ("rejected", "申诉驳回", "result/"),  # the draft result stays in 公示
        ("upheld", "申诉成立", ""),  # the approval is withdrawn: the unit's items, being verified again
    ],
)
def test_an_appeal_decided_tells_the_units_fillers_and_head_the_decision_and_reason(
    world: World, decision: str, words: str, page: str
) -> None:
    approve(world)
    appeal = lodge(world)
    with time_machine.travel(DURING, tick=False):
        appeals.check_decide_appeal(
            appeal=appeal, decision=decision, reason="监测数据无误", acting_user=world.people["alice"]
        )
    body = f"考核办已处理甲市的申诉：{words}。处理意见：监测数据无误"
    assert told(world, "appeal_decided") == {"fay": body, "hank": body}  # not 乙市, not the office
    n = Notification.objects.get(kind="appeal_decided", recipient=world.people["fay"])
    assert n.title == f"申诉已处理：{words}（2024年度考核）"
    assert n.link == f"/assessments/{world.assessment('A').pk}/{page}"
    with time_machine.travel(DURING, tick=False):
        assert world.client("fay").get(n.link).status_code == 200


@pytest.mark.parametrize(
    "refused", ["fay lodges (only the head may)", "hank lodges a second appeal", "alice decides with no reason"]
)
def test_no_notification_when_an_appeal_step_is_refused(world: World, refused: str) -> None:
    approve(world)
    if refused != "fay lodges (only the head may)":
        appeal = lodge(world)
    attempts: dict[str, Any] = {
        "fay lodges (only the head may)": lambda: lodge(world, who="fay"),
        "hank lodges a second appeal": lambda: lodge(world, reasons="再次申诉"),
        "alice decides with no reason": lambda: appeals.check_decide_appeal(
            appeal=appeal, decision="rejected", reason=" ", acting_user=world.people["alice"]
        ),
    }
    before = Notification.objects.count()
    with pytest.raises(actions.ActionError):
        attempts[refused]()
    assert Notification.objects.count() == before
