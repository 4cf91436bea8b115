"""Who is told what (issue 10 §2), on the conftest's world: alice office, linda leader, fay/hank 甲市 (A),
bob/bert 乙市 (B), carl/cora 丙县 (C), vera 生态环境局 (indicators 2, B1, D1), walt 水利局 (1), dora 发展改革委 (3).
A notification exists exactly when its step happened: a refused step tells nobody."""

from __future__ import annotations

from typing import Any

import pytest

from kaohe.assessments import actions
from kaohe.notifications.models import Notification
from tests.world import World


def told(world: World, kind: str) -> dict[str, str]:
    """username → body of each notification of ``kind``."""
    names = {user.pk: name for name, user in world.people.items()}
    return {names[n.recipient_id]: n.body for n in Notification.objects.filter(kind=kind)}


def test_it_tells_the_verifiers_of_the_open_items_and_the_office_when_a_unit_submits(world: World) -> None:
    world.fill("A")
    world.submit("A")  # by hank, the head
    got = told(world, "unit_submitted")
    # 甲市's items: 1 水利局 (walt), 2/B1/D1 生态环境局 (vera), 3 发展改革委 (dora); the office sees the summary
    assert set(got) == {"walt", "vera", "dora", "alice"}
    assert "生态环境局牵头的指标 2、B1、D1 待核实" in got["vera"]
    assert "水利局牵头的指标 1 待核实" in got["walt"]
    assert "待核实：发展改革委 1 项；水利局 1 项；生态环境局 3 项" in got["alice"]


def test_it_tells_the_units_people_with_the_verifiers_comment_when_an_item_is_returned(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "2")
    actions.check_return_item(
        item=item, comment="请补充监测报告", version=item.version, acting_user=world.people["vera"]
    )
    got = told(world, "item_returned")
    assert set(got) == {"fay", "hank"}  # not bob (乙市), not vera herself
    assert "请补充监测报告" in got["fay"]
    n = Notification.objects.get(kind="item_returned", recipient=world.people["fay"])
    assert n.title == "退回补正：甲市 · 指标 2「空气质量」"
    assert n.link == f"/assessments/{item.assessment_id}/#item-{item.pk}" and n.cycle == world.cycle


def test_after_a_return_only_the_verifiers_of_the_items_still_open_are_told_again(world: World) -> None:
    p = world.people
    world.fill("A")
    world.submit("A")
    for indicator in ("2", "B1", "D1"):  # vera accepts her three items
        item = world.item("A", indicator)
        actions.check_verify_item(
            item=item, raw_values=item.values, score=None, reason="", version=item.version, acting_user=p["vera"]
        )
    item = world.item("A", "1")
    actions.check_return_item(item=item, comment="月数有误", version=item.version, acting_user=p["walt"])
    item = world.item("A", "1")
    actions.check_save_self_evaluation(
        item=item,
        raw_values={"water_months": 2},
        self_score=None,
        explanation="",
        version=item.version,
        acting_user=p["fay"],
    )
    before = set(Notification.objects.filter(kind="unit_submitted").values_list("pk", flat=True))
    world.submit("A")
    names = {user.pk: name for name, user in p.items()}
    again = {
        names[n.recipient_id]: n.body for n in Notification.objects.filter(kind="unit_submitted").exclude(pk__in=before)
    }
    # open now: item 1 (reopened, walt) and item 3 (never verified, dora); vera's items are done
    assert set(again) == {"walt", "dora", "alice"}
    assert "待核实：发展改革委 1 项；水利局 1 项" in again["alice"]


def test_it_tells_the_office_when_a_units_verification_is_complete(world: World) -> None:
    world.fill("A")
    world.submit("A")
    world.verify_all("A")
    got = told(world, "verification_complete")
    assert set(got) == {"alice"}
    assert got["alice"].startswith("甲市的全部指标已核实。还有 2 个单位未完成核实")
    assert Notification.objects.filter(kind="verification_complete").count() == 1  # once, at the last item


def evaluated(world: World) -> None:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])


def test_it_tells_the_office_the_leaders_comment_when_the_evaluation_is_sent_back(world: World) -> None:
    evaluated(world)
    actions.check_send_back_cycle(cycle=world.cycle, comment="请复核甲市水质数据", acting_user=world.people["linda"])
    got = told(world, "evaluation_sent_back")
    assert set(got) == {"alice"}
    assert got["alice"] == "linda退回了综合评价结果，意见：请复核甲市水质数据"


def test_approval_tells_the_office_and_every_unit_and_publication_every_unit(world: World) -> None:
    evaluated(world)
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    assert set(told(world, "cycle_approved")) == {"alice", "fay", "hank", "bob", "bert", "carl", "cora"}
    actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    assert set(told(world, "results_published")) == {"fay", "hank", "bob", "bert", "carl", "cora"}
    n = Notification.objects.filter(kind="results_published").first()
    assert n is not None and n.link == f"/public/{world.cycle.pk}/"


def test_an_inactive_account_is_not_told(world: World) -> None:
    world.fill("A")
    world.submit("A")
    hank = world.people["hank"]
    hank.is_active = False  # left the unit: accounts are deactivated, not deleted
    hank.save()
    item = world.item("A", "2")
    actions.check_return_item(item=item, comment="请补充", version=item.version, acting_user=world.people["vera"])
    assert set(told(world, "item_returned")) == {"fay"}


@pytest.mark.parametrize(
    "refused",
    [
        "fay submits (only the head may)",
        "hank submits with items left empty",
        "bob returns an item of 甲市",
        "vera returns with no comment",
        "alice approves (the leader's step)",
        "linda sends back with no comment",
        "fay publishes",
    ],
)
def test_no_notification_when_the_step_is_refused(world: World, refused: str) -> None:
    p = world.people
    if refused != "hank submits with items left empty":
        world.fill("A")
    attempts: dict[str, Any] = {
        "fay submits (only the head may)": lambda: actions.check_submit(
            assessment=world.assessment("A"), acting_user=p["fay"]
        ),
        "hank submits with items left empty": lambda: actions.check_submit(
            assessment=world.assessment("A"), acting_user=p["hank"]
        ),
        "bob returns an item of 甲市": lambda: actions.check_return_item(
            item=world.item("A", "2"), comment="x", version=world.item("A", "2").version, acting_user=p["bob"]
        ),
        "vera returns with no comment": lambda: actions.check_return_item(
            item=world.item("A", "2"), comment="  ", version=world.item("A", "2").version, acting_user=p["vera"]
        ),
        "alice approves (the leader's step)": lambda: actions.check_approve_cycle(
            cycle=world.cycle, acting_user=p["alice"]
        ),
        "linda sends back with no comment": lambda: actions.check_send_back_cycle(
            cycle=world.cycle, comment="", acting_user=p["linda"]
        ),
        "fay publishes": lambda: actions.check_publish_cycle(cycle=world.cycle, acting_user=p["fay"]),
    }
    if refused in ("bob returns an item of 甲市", "vera returns with no comment"):
        world.submit("A")
    if refused in ("alice approves (the leader's step)", "linda sends back with no comment", "fay publishes"):
        evaluated(world)
    before = Notification.objects.count()
    with pytest.raises(actions.ActionError):
        attempts[refused]()
    assert Notification.objects.count() == before
