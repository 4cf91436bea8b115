"""The verifier's queue (issue 10 §1): filters, sort orders, pages, batch 核实无误; and a return that holds back the
returned item only, never the unit's other items.

People as in tests/world.py: vera verifies 2, B1 and D1 (生态环境局), walt 1 (水利局), dora 3 (发展改革委).
甲市 and 乙市 (sequence city) have items 1, 2, 3, B1, D1; 丙县 (county) has 1, 2, B1, D1. So vera's queue of the
three submitted units holds 3 × 3 = 9 items.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kaohe.assessments import actions, views
from kaohe.assessments.batch import check_verify_items_unchanged
from kaohe.assessments.integrity import verify_all
from kaohe.assessments.models import Membership, SelfEvaluation, State, Verification
from kaohe.audit.models import AuditLog
from tests.world import World

OPEN, ACCEPTED = SelfEvaluation.ItemStatus.OPEN, SelfEvaluation.ItemStatus.ACCEPTED


def submitted(world: World) -> World:
    for unit in ("A", "B", "C"):
        world.fill(unit)
        world.submit(unit)
    return world


def queue(world: World, who: str, **params: Any) -> Any:
    response = world.client(who).get(f"/cycles/{world.cycle.pk}/verify/", params)
    assert response.status_code == 200
    return response


def rows(response: Any) -> list[tuple[str, str]]:
    """(unit code, indicator id) of every row on the page, in order."""
    return [(item.assessment.unit.code, item.indicator_id) for item in response.context["items"]]


def batch(world: World, who: str, follow: bool = False, **data: Any) -> Any:
    return world.client(who).post(f"/cycles/{world.cycle.pk}/verify/batch/", data, follow=follow)


def entries(item: SelfEvaluation) -> list[AuditLog]:
    return list(
        AuditLog.objects.filter(
            action="verification.save", object_type="assessments.selfevaluation", object_id=str(item.pk)
        )
    )


# ------------------------------------------------------------------------------------------------ the queue
def test_the_queue_shows_only_the_verifiers_open_items_by_default(world: World) -> None:
    submitted(world)
    response = queue(world, "vera")
    assert response.context["page_obj"].paginator.count == 9
    assert {i for _, i in rows(response)} == {"2", "B1", "D1"}


def test_it_filters_by_unit_indicator_state_and_lead(world: World) -> None:
    submitted(world)
    vera = world.people["vera"]
    # vera also speaks for 水利局 now: the lead filter chooses between her two lead units
    actions.do_add_membership(user=vera, role=Membership.Role.VERIFIER, lead_unit="水利局", acting_user=None)
    assert rows(queue(world, "vera", unit="220100")) == [("220100", i) for i in ("1", "2", "B1", "D1")]
    assert rows(queue(world, "vera", indicator="2")) == [("220100", "2"), ("220200", "2"), ("220281", "2")]
    assert rows(queue(world, "vera", lead="水利局")) == [("220100", "1"), ("220200", "1"), ("220281", "1")]
    item = world.item("B", "2")
    actions.check_verify_item(
        item=item, raw_values=item.values, score=None, reason="", version=item.version, acting_user=vera
    )
    assert rows(queue(world, "vera", state="accepted")) == [("220200", "2")]
    assert queue(world, "vera", state="all").context["page_obj"].paginator.count == 12  # 3 units × 4 items
    assert queue(world, "vera").context["page_obj"].paginator.count == 11  # the accepted one no longer waits
    # the unit filter is a code or part of a name (a province has thousands of units: no select)
    assert {u for u, _ in rows(queue(world, "vera", unit="乙"))} == {"220200"}
    assert queue(world, "vera", unit="999999").context["page_obj"].paginator.count == 0


def test_it_sorts_by_indicator_and_by_unit(world: World) -> None:
    submitted(world)
    by_indicator = [i for _, i in rows(queue(world, "vera", sort="indicator"))]
    assert by_indicator == ["2", "2", "2", "B1", "B1", "B1", "D1", "D1", "D1"]
    by_unit = [u for u, _ in rows(queue(world, "vera", sort="unit"))]
    assert by_unit == ["220100"] * 3 + ["220200"] * 3 + ["220281"] * 3


def test_it_pages_and_the_page_links_keep_the_filters(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    assert views.QUEUE_PAGE_SIZE == 50
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 4)
    submitted(world)
    first = queue(world, "vera", lead="生态环境局", sort="indicator")
    assert first.context["page_obj"].paginator.num_pages == 3  # 9 rows, 4 per page
    assert [i for _, i in rows(first)] == ["2", "2", "2", "B1"]
    page = first.content.decode()
    assert 'href="?lead=%E7%94%9F%E6%80%81%E7%8E%AF%E5%A2%83%E5%B1%80&amp;sort=indicator&amp;page=2"' in page
    third = queue(world, "vera", lead="生态环境局", sort="indicator", page=3)
    assert rows(third) == [("220281", "D1")]


# ------------------------------------------------------------------------------------------------ batch 核实无误
def test_batch_verifies_the_selected_rows_with_one_audit_entry_each(world: World) -> None:
    submitted(world)
    a2, b2, c2 = world.item("A", "2"), world.item("B", "2"), world.item("C", "2")
    response = batch(world, "vera", scope="selected", items=[a2.pk, b2.pk])
    assert response.status_code == 302
    for item in (a2, b2):
        fresh = world.item(item.assessment.unit.code == "220100" and "A" or "B", "2")
        assert fresh.status == ACCEPTED and fresh.version == item.version + 1
        verification = Verification.objects.get(item=fresh)
        assert verification.values == item.values and verification.score is None and verification.reason == ""
        assert verification.verifier == world.people["vera"]
        [entry] = entries(item)
        assert entry.actor == world.people["vera"]
    assert world.item("C", "2").status == OPEN and not entries(c2)
    # each of A and B moved on to 核实中 (its first verification), nothing else
    assert world.assessment("A").state == State.VERIFYING
    assert world.assessment("C").state == State.SUBMITTED
    report = verify_all()  # the keyed chain and every row replayed against the log (kaohe audit verify)
    assert report.ok, report.problems[:5]


def test_batch_all_filtered_verifies_what_the_filter_shows_and_completes_the_unit(world: World) -> None:
    submitted(world)
    # everything of 甲市 but vera's three items is verified one by one
    for indicator, who in (("1", "walt"), ("3", "dora")):
        item = world.item("A", indicator)
        actions.check_verify_item(
            item=item,
            raw_values=item.values,
            score=None,
            reason="",
            version=item.version,
            acting_user=world.people[who],
        )
    response = batch(world, "vera", follow=True, scope="filtered", unit="220100")
    assert {i.indicator_id: i.status for i in world.assessment("A").items.all()} == dict.fromkeys(
        ["1", "2", "3", "B1", "D1"], ACCEPTED
    )
    assert world.assessment("A").state == State.VERIFIED  # in the same request
    assert "已核实无误 3 项" in response.content.decode()
    assert "1 个单位全部核实完成：甲市" in response.content.decode()
    for indicator in ("2", "B1", "D1"):
        assert len(entries(world.item("A", indicator))) == 1
    assert world.item("B", "2").status == OPEN  # outside the filter
    report = verify_all()
    assert report.ok, report.problems[:5]


def test_batch_skips_and_lists_what_cannot_be_verified_now(world: World) -> None:
    submitted(world)
    vera, walt = world.people["vera"], world.people["walt"]
    b2 = world.item("B", "2")
    actions.check_verify_item(
        item=b2, raw_values={"good_days": 80}, score=None, reason="以监测数据为准", version=b2.version, acting_user=vera
    )
    c2 = world.item("C", "2")
    actions.check_return_item(item=c2, comment="请补充监测报告", version=c2.version, acting_user=vera)
    a2, a1 = world.item("A", "2"), world.item("A", "1")
    response = batch(world, "vera", follow=True, scope="selected", items=[a2.pk, a1.pk, b2.pk, c2.pk])
    page = response.content.decode()
    assert "已核实无误 1 项" in page
    assert "以下 3 项未核实" in page
    assert "甲市 · 1 水环境质量：不是本牵头单位负责核实的指标" in page
    assert "乙市 · 2 空气质量：已核实调整，批量核实只处理待核实的项" in page
    assert "丙县 · 2 空气质量：该项已退回单位修改，单位重新提交后可以核实" in page
    assert world.item("A", "2").status == ACCEPTED
    assert world.item("A", "1").status == OPEN and not entries(a1)  # walt's item
    fresh_b2 = world.item("B", "2")
    assert fresh_b2.status == SelfEvaluation.ItemStatus.CHANGED  # the adjusted value stays
    assert Verification.objects.get(item=fresh_b2).values == {"good_days": 80}
    assert world.item("C", "2").status == SelfEvaluation.ItemStatus.RETURNED
    del walt


def test_a_verifier_never_batch_verifies_another_departments_items(world: World) -> None:
    submitted(world)
    vera_items = [world.item(u, "2").pk for u in ("A", "B", "C")]
    outcome = check_verify_items_unchanged(cycle=world.cycle, item_ids=vera_items, acting_user=world.people["walt"])
    assert outcome.verified == 0 and len(outcome.skipped) == 3
    # walt's "everything filtered" covers his own items only: a lead unit he does not speak for is no filter of
    # his, and an invalid filter refuses the batch instead of widening it to his whole queue
    response = batch(world, "walt", follow=True, scope="filtered", lead="生态环境局")
    assert "筛选条件无效，未核实任何项" in response.content.decode()
    assert all(world.item(u, i).status == OPEN for u in ("A", "B", "C") for i in ("1", "2"))
    assert not AuditLog.objects.filter(action="verification.save").exists()


@pytest.mark.parametrize("who", ["fay", "hank", "linda", "bob"])
def test_people_who_do_not_verify_cannot_batch_verify(world: World, who: str) -> None:
    submitted(world)
    item = world.item("A", "2")
    assert batch(world, who, scope="selected", items=[item.pk]).status_code == 403
    assert batch(world, who, scope="filtered").status_code == 403
    with pytest.raises(actions.ActionError, match="没有权限"):
        check_verify_items_unchanged(cycle=world.cycle, item_ids=[item.pk], acting_user=world.people[who])
    assert world.item("A", "2").status == OPEN


def test_a_draft_units_items_are_never_batch_verified(world: World) -> None:
    world.fill("A")  # not submitted
    item = world.item("A", "2")
    outcome = check_verify_items_unchanged(cycle=world.cycle, item_ids=[item.pk], acting_user=world.people["vera"])
    assert outcome.verified == 0
    assert [s.reason for s in outcome.skipped] == ["该单位尚未提交自评，提交后可以核实"]


# ------------------------------------------------------------------------------------------------ a return
def test_a_return_holds_back_the_returned_item_only(world: World) -> None:
    world.fill("A")
    world.submit("A")
    walt, vera, dora, fay = (world.people[p] for p in ("walt", "vera", "dora", "fay"))
    one = world.item("A", "1")
    actions.check_return_item(item=one, comment="请补充监测报告", version=one.version, acting_user=walt)
    assert world.assessment("A").state == State.RETURNED
    # the other verifiers go on, one by one and in a batch
    two = world.item("A", "2")
    actions.check_verify_item(
        item=two, raw_values=two.values, score=None, reason="", version=two.version, acting_user=vera
    )
    three = world.item("A", "3")
    actions.check_verify_item(
        item=three, raw_values=three.values, score=None, reason="", version=three.version, acting_user=dora
    )
    outcome = check_verify_items_unchanged(
        cycle=world.cycle, item_ids=[world.item("A", "B1").pk, world.item("A", "D1").pk], acting_user=vera
    )
    assert outcome.verified == 2
    # every item but the returned one is verified, and still the unit is not 已核实: it owes item 1
    assert world.assessment("A").state == State.RETURNED
    # the unit edits its returned item only
    two = world.item("A", "2")
    with pytest.raises(actions.ActionError, match="没有被退回"):
        actions.check_save_self_evaluation(
            item=two,
            raw_values={"good_days": 99},
            self_score=None,
            explanation="",
            version=two.version,
            acting_user=fay,
        )
    assert world.item("A", "2").values == {"good_days": 86.5} and world.item("A", "2").status == ACCEPTED
    one = world.item("A", "1")
    actions.check_save_self_evaluation(
        item=one,
        raw_values={"water_months": 2},
        self_score=None,
        explanation="更正",
        version=one.version,
        acting_user=fay,
    )
    assert world.item("A", "1").status == SelfEvaluation.ItemStatus.RETURNED  # until the unit submits again
    world.submit("A")
    assert world.assessment("A").state == State.SUBMITTED
    statuses = {i.indicator_id: i.status for i in world.assessment("A").items.all()}
    assert statuses == {"1": OPEN, "2": ACCEPTED, "3": ACCEPTED, "B1": ACCEPTED, "D1": ACCEPTED}
    one = world.item("A", "1")
    actions.check_verify_item(
        item=one, raw_values=one.values, score=None, reason="", version=one.version, acting_user=walt
    )
    assert world.assessment("A").state == State.VERIFIED
    report = verify_all()
    assert report.ok, report.problems[:5]


def test_a_second_verifier_may_return_another_item_of_a_returned_unit(world: World) -> None:
    world.fill("A")
    world.submit("A")
    one = world.item("A", "1")
    actions.check_return_item(item=one, comment="缺监测报告", version=one.version, acting_user=world.people["walt"])
    two = world.item("A", "2")
    actions.check_return_item(item=two, comment="请补充", version=two.version, acting_user=world.people["vera"])
    assert world.assessment("A").state == State.RETURNED
    assert world.item("A", "2").status == SelfEvaluation.ItemStatus.RETURNED
    # one assessment.return_to_unit transition, for the first return
    assert AuditLog.objects.filter(action="assessment.return_to_unit").count() == 1


def test_the_units_page_offers_forms_for_the_returned_items_only(world: World) -> None:
    world.fill("A")
    world.submit("A")
    one = world.item("A", "1")
    actions.check_return_item(item=one, comment="请补充监测报告", version=one.version, acting_user=world.people["walt"])
    page = world.client("fay").get(f"/assessments/{world.assessment('A').pk}/").content.decode()
    assert f'action="/items/{one.pk}/"' in page
    for indicator in ("2", "3", "B1", "D1"):
        assert f'action="/items/{world.item("A", indicator).pk}/"' not in page
    assert "只能修改被退回（退回补正）的指标" in page
    refused = world.client("fay").post(f"/items/{world.item('A', '2').pk}/", {"v_good_days": "99", "version": "9"})
    assert refused.status_code == 403


# ------------------------------------------------------------------------------------------------ the readable page
def test_a_returned_item_opened_by_its_verifier_says_why_and_what_to_do(world: World) -> None:
    world.fill("A")
    world.submit("A")
    one = world.item("A", "1")
    actions.check_return_item(item=one, comment="请补充监测报告", version=one.version, acting_user=world.people["walt"])
    client = world.client("walt")
    for response in (
        client.get(f"/items/{one.pk}/verify/"),
        client.post(f"/items/{one.pk}/verify/", {"v_water_months": "1", "version": str(one.version + 1)}),
        client.post(f"/items/{one.pk}/return/", {"comment": "再次退回", "version": str(one.version + 1)}),
    ):
        page = response.content.decode()
        assert response.status_code == 409
        assert "该项已退回单位修改，单位重新提交后可以核实" in page
        assert f'href="/cycles/{world.cycle.pk}/verify/"' in page  # back to the queue
        assert "请补充监测报告" in page  # the comment the unit is answering
        assert (
            "Forbidden" not in page and "保存核实结果" not in page and f'action="/items/{one.pk}/return/"' not in page
        )
    assert world.item("A", "1").status == SelfEvaluation.ItemStatus.RETURNED
    assert not entries(one)


def test_an_item_of_a_verified_unit_says_the_office_can_reopen_it(world: World) -> None:
    world.fill("A")
    world.submit("A")
    world.verify_all("A")
    response = world.client("vera").get(f"/items/{world.item('A', '2').pk}/verify/")
    assert response.status_code == 409
    assert "该单位当前状态为「已核实」，不能再核实；如需修改，请考核办重新核实" in response.content.decode()


# ------------------------------------------------------------------------------------------------ queries
def _batch_queries(world: World, unit: str, indicators: list[str]) -> list[str]:
    """The SQL of one batch 核实无误 of ``indicators`` of ``unit`` by vera (the caller's permission check aside)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kaohe.assessments.batch import do_verify_items_unchanged

    items = [world.item(unit, indicator) for indicator in indicators]
    with CaptureQueriesContext(connection) as captured:
        outcome = do_verify_items_unchanged(items=items, acting_user=world.people["vera"])
    assert outcome.verified == len(indicators) and not outcome.skipped
    return [query["sql"] for query in captured.captured_queries]


def test_the_batch_costs_the_same_queries_per_unit_however_many_items_it_verifies(world: World) -> None:
    submitted(world)
    # 乙市 and 甲市 move to 核实中 with 1 and 4 of their 5 items verified …
    one, four = _batch_queries(world, "B", ["1"]), _batch_queries(world, "A", ["1", "2", "3", "B1"])
    assert len(one) == len(four)
    assert world.assessment("A").state == world.assessment("B").state == State.VERIFYING
    # … and to 已核实 with their remaining 1 and 4 items, which tells the office (alice)
    last_one, last_four = _batch_queries(world, "A", ["D1"]), _batch_queries(world, "B", ["2", "3", "B1", "D1"])
    assert len(last_one) == len(last_four)
    assert world.assessment("A").state == world.assessment("B").state == State.VERIFIED
    # The items' entries and the transition's go into the chain in one append (the head moved once), the
    # notification's entry in its own append after them (do_deliver): 1 append, then 1 + 1.
    assert [
        len([sql for sql in queries if sql.startswith('UPDATE "audit_chainhead"')]) for queries in (four, last_four)
    ] == [1, 2]
    newest = list(AuditLog.objects.order_by("-seq").values_list("action", flat=True)[:6])
    assert newest[::-1] == [
        *["verification.save"] * 4,
        "assessment.complete_verification",
        "notification.send",
    ]
    report = verify_all()
    assert report.ok, report.problems[:5]


def test_a_batch_that_completes_a_unit_logs_each_transition_with_the_state_it_left(world: World) -> None:
    submitted(world)
    assessment = world.assessment("C")
    _batch_queries(world, "C", ["1", "2", "B1", "D1"])  # 丙县's every item: 已提交 → 核实中 → 已核实 in one append
    steps = AuditLog.objects.filter(object_type="assessments.assessment", object_id=str(assessment.pk))
    logged = [
        (e.action, e.old_value, e.new_value, json.loads(e.rows)["assessments.assessment"][str(assessment.pk)]["state"])
        for e in steps.filter(seq__gt=steps.get(action="assessment.submit").seq).order_by("seq")
    ]
    assert logged == [
        ("assessment.start_verification", '"submitted"', '"verifying"', "verifying"),
        ("assessment.complete_verification", '"verifying"', '"verified"', "verified"),
    ]
    report = verify_all()
    assert report.ok, report.problems[:5]


# ------------------------------------------------------------------------------------------------ held values
def test_batch_leaves_an_item_whose_figure_a_held_value_contradicts_to_be_verified_one_by_one(world: World) -> None:
    # The evaluation scores a monitoring import or the office's finding over the unit's figure until the item is
    # verified, and the verified value over both (assessments/evaluation.py): accepting 甲市's 86.5 unseen would
    # replace the measured 80. 乙市's import agrees with its figure; 丙县 has none.
    submitted(world)
    office = world.people["alice"]
    actions.do_import_monitoring_values(
        cycle=world.cycle,
        rows=[{"unit_id": "220100", "good_days": 80.0}, {"unit_id": "220200", "good_days": 86.5}],
        source="air_2024.xlsx",
        acting_user=office,
    )
    a = world.assessment("A")
    actions.do_save_finding(cycle=world.cycle, unit=a.unit, input_id="incidents", value=2, acting_user=office)
    a2, b2, c2, ad1 = world.item("A", "2"), world.item("B", "2"), world.item("C", "2"), world.item("A", "D1")
    response = batch(world, "vera", follow=True, scope="selected", items=[a2.pk, b2.pk, c2.pk, ad1.pk])
    text = response.content.decode()
    assert "单位填报的「优良天数比例」为 86.5，导入的监测数据（air_2024.xlsx）为 80，不一致，请逐项核实" in text
    assert "单位填报的「较大事件次数」为 0，考核办认定为 2，不一致，请逐项核实" in text
    assert world.item("A", "2").status == OPEN and not entries(a2)
    assert world.item("A", "D1").status == OPEN and not entries(ad1)
    assert world.item("B", "2").status == ACCEPTED and world.item("C", "2").status == ACCEPTED
    # what the evaluation scores for 甲市 is still the measurement and the finding
    from kaohe.assessments.evaluation import input_rows

    row = next(r for r in input_rows(world.cycle) if r["unit_id"] == "220100")
    assert (row["good_days"], row["incidents"]) == (80.0, 2)


def test_the_single_item_form_starts_from_the_held_value_and_says_so(world: World) -> None:
    submitted(world)
    actions.do_import_monitoring_values(
        cycle=world.cycle, rows=[{"unit_id": "220100", "good_days": 80.0}], source="air_2024.xlsx", acting_user=None
    )
    item = world.item("A", "2")
    page = world.client("vera").get(f"/items/{item.pk}/verify/")
    assert page.status_code == 200
    assert page.context["form"]["v_good_days"].value() == 80.0
    assert page.context["form"]["reason"].value() == "以导入的监测数据（air_2024.xlsx）为准"
    # where the held value and the unit's figure agree, nothing is pre-filled as a reason
    other = world.item("C", "2")
    page = world.client("vera").get(f"/items/{other.pk}/verify/")
    assert page.context["form"]["reason"].value() in (None, "")
