"""The per-unit workflow: draft → submitted → verifying → returned → verified → evaluated → approved → published."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django_fsm import TransitionNotAllowed

from kaohe.assessments import actions
from kaohe.assessments.models import Result, SelfEvaluation, State, Verification
from kaohe.audit.models import AuditLog
from tests.world import World


def states(world: World) -> dict[str, str]:
    return {u: world.assessment(u).state for u in ("A", "B", "C")}


def test_it_opens_items_per_sequence(world: World) -> None:
    city = sorted(world.assessment("A").items.values_list("indicator_id", flat=True))
    county = sorted(world.assessment("C").items.values_list("indicator_id", flat=True))
    assert city == ["1", "2", "3", "B1", "D1"]
    assert county == ["1", "2", "B1", "D1"]  # indicator 3 is not scored for counties
    assert world.item("A", "2").values == {"good_days": None}  # the target comes from the letter, not the unit


def test_it_runs_the_whole_cycle(world: World) -> None:
    world.through_verified()
    assert set(states(world).values()) == {State.VERIFIED}

    office, approver = world.people["alice"], world.people["linda"]
    assert actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office) == 3
    assert set(states(world).values()) == {State.EVALUATED}
    actions.check_approve_cycle(cycle=world.cycle, acting_user=approver)
    actions.check_publish_cycle(cycle=world.cycle, acting_user=office)
    assert set(states(world).values()) == {State.PUBLISHED}

    result = Result.objects.get(assessment=world.assessment("A"))
    # 40 − 5 (one month) + 40 + 20, bonus one award × 2
    assert result.final_score == pytest.approx(97.0)
    assert result.grade == "优秀"
    county = Result.objects.get(assessment=world.assessment("C"))
    assert county.final_score == pytest.approx(77.0)  # no indicator 3


def test_it_refuses_editing_after_submission(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    with pytest.raises(actions.ActionError):
        actions.check_save_self_evaluation(
            item=item,
            raw_values={"water_months": 0},
            self_score=None,
            explanation="",
            version=item.version,
            acting_user=world.people["fay"],
        )


def test_it_lets_only_the_head_submit(world: World) -> None:
    world.fill("A")
    with pytest.raises(actions.ActionError):
        actions.check_submit(assessment=world.assessment("A"), acting_user=world.people["fay"])
    world.submit("A")
    assert world.assessment("A").state == State.SUBMITTED


def test_it_refuses_submitting_empty_items(world: World) -> None:
    with pytest.raises(actions.ActionError, match="尚未填报"):
        world.submit("A")


def test_it_returns_to_the_unit_and_back(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    actions.check_return_item(
        item=item, comment="请补充监测报告", version=item.version, acting_user=world.people["walt"]
    )
    assert world.assessment("A").state == State.RETURNED
    assert world.item("A", "1").status == SelfEvaluation.ItemStatus.RETURNED
    item = world.item("A", "1")
    actions.check_save_self_evaluation(
        item=item,
        raw_values={"water_months": 2},
        self_score=Decimal("30"),
        explanation="更正",
        version=item.version,
        acting_user=world.people["fay"],
    )
    world.submit("A")
    assert world.assessment("A").state == State.SUBMITTED
    assert world.item("A", "1").status == SelfEvaluation.ItemStatus.OPEN


def test_it_requires_a_comment_to_return(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    with pytest.raises(actions.ActionError, match="退回意见"):
        actions.check_return_item(item=item, comment="  ", version=item.version, acting_user=world.people["walt"])


def test_it_keeps_self_and_verified_values_side_by_side(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    with pytest.raises(actions.ActionError, match="调整理由"):
        actions.check_verify_item(
            item=item,
            raw_values={"water_months": 3},
            score=None,
            reason="",
            version=item.version,
            acting_user=world.people["walt"],
        )
    actions.check_verify_item(
        item=item,
        raw_values={"water_months": 3},
        score=None,
        reason="省控断面 3 月超标",
        version=item.version,
        acting_user=world.people["walt"],
    )
    item = world.item("A", "1")
    assert item.values == {"water_months": 1}
    assert item.verification.values == {"water_months": 3}
    assert item.status == SelfEvaluation.ItemStatus.CHANGED
    assert world.assessment("A").state == State.VERIFYING
    entry = AuditLog.objects.filter(action="verification.save").latest("seq")
    assert entry.reason == "省控断面 3 月超标"
    assert entry.decoded_new()["values"] == {"water_months": 3}


def test_it_requires_a_reason_to_change_the_score(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    walt = world.people["walt"]
    with pytest.raises(actions.ActionError, match="调整理由"):
        actions.check_verify_item(
            item=item, raw_values=item.values, score=Decimal("30"), reason="", version=item.version, acting_user=walt
        )
    actions.check_verify_item(
        item=item,
        raw_values=item.values,
        score=Decimal("30"),
        reason="扣 10 分：台账不全",
        version=item.version,
        acting_user=walt,
    )
    item = world.item("A", "1")
    assert (item.verification.score, item.status) == (Decimal("30"), SelfEvaluation.ItemStatus.CHANGED)


def test_it_scores_accepted_values(world: World) -> None:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    assert Result.objects.get(assessment=world.assessment("A")).scores["1"] == pytest.approx(35.0)


def test_it_uses_the_verified_value_over_the_self_value(world: World) -> None:
    for unit in ("A", "B", "C"):
        world.fill(unit)
        world.submit(unit)
    item = world.item("A", "1")
    actions.check_verify_item(
        item=item,
        raw_values={"water_months": 4},
        score=None,
        reason="核减",
        version=item.version,
        acting_user=world.people["walt"],
    )
    world.verify_all("B")
    world.verify_all("C")
    for item in world.assessment("A").items.exclude(indicator_id="1"):
        verifier = world.people["vera" if item.lead_unit == "生态环境局" else "dora"]
        actions.check_verify_item(
            item=item, raw_values=item.values, score=None, reason="", version=item.version, acting_user=verifier
        )
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    assert Result.objects.get(assessment=world.assessment("A")).scores["1"] == pytest.approx(20.0)


def test_it_refuses_evaluation_before_verification(world: World) -> None:
    with pytest.raises(actions.ActionError, match="未完成核实"):
        actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])


def test_it_refuses_approval_by_the_office(world: World) -> None:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    with pytest.raises(actions.ActionError):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["alice"])


def test_it_sends_back_and_reevaluates(world: World) -> None:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    actions.check_send_back_cycle(cycle=world.cycle, comment="请复核丙县", acting_user=world.people["linda"])
    assert set(states(world).values()) == {State.VERIFIED}
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    assert set(states(world).values()) == {State.EVALUATED}


def test_it_refuses_publication_before_approval(world: World) -> None:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    with pytest.raises(actions.ActionError, match="审定"):
        actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])


def test_the_state_machine_refuses_a_skipped_step(world: World) -> None:
    assessment = world.assessment("A")
    with pytest.raises(TransitionNotAllowed):
        assessment.publish()


def test_a_step_based_on_a_state_that_has_since_changed_is_refused(world: World) -> None:
    """A second person acted since the page was loaded: a refusal, not a crash, and nothing is written."""
    world.fill("A")
    world.submit("A")
    water = world.item("A", "1")
    stale_water = world.item("A", "1")  # walt's second tab
    actions.check_return_item(item=water, comment="缺监测报告", version=water.version, acting_user=world.people["walt"])
    with pytest.raises(actions.ActionError, match="已被他人修改"):
        actions.check_return_item(
            item=stale_water, comment="请补充", version=stale_water.version, acting_user=world.people["walt"]
        )
    assert Verification.objects.get(item=water).comment == "缺监测报告"
    stale = world.assessment("A")
    actions.check_submit(assessment=stale, acting_user=world.people["hank"])
    with pytest.raises(actions.ActionError, match="状态"):  # a double click on 提交
        actions.check_submit(assessment=stale, acting_user=world.people["hank"])


def test_every_transition_is_audited(world: World) -> None:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    a = world.assessment("A")
    trail = list(
        AuditLog.objects.filter(object_type="assessments.assessment", object_id=str(a.pk)).values_list(
            "old_value", "new_value"
        )
    )
    assert trail == [
        ('"draft"', '"submitted"'),
        ('"submitted"', '"verifying"'),
        ('"verifying"', '"verified"'),
        ('"verified"', '"evaluated"'),
    ]


def test_a_verification_started_before_another_item_was_returned_goes_through(world: World) -> None:
    # vera opens item 2 while the unit is submitted; walt then returns item 1. The unit corrects item 1 only, so
    # vera's save goes through (issue 10 §1: one return does not block the other items); a save of the returned
    # item itself, from a page read before the return, is refused under the assessment's lock.
    world.fill("A")
    world.submit("A")
    stale = world.item("A", "2")
    one = world.item("A", "1")
    stale_one = world.item("A", "1")
    actions.check_return_item(item=one, comment="请补充监测报告", version=one.version, acting_user=world.people["walt"])
    assert stale.assessment.state == State.SUBMITTED  # what vera's page was built from
    actions.do_verify_item(
        item=stale,
        values=stale.values,
        score=None,
        reason="",
        version=stale.version,
        acting_user=world.people["vera"],
    )
    assert world.item("A", "2").status == SelfEvaluation.ItemStatus.ACCEPTED
    with pytest.raises(actions.ActionError, match="已被他人修改"):
        actions.do_verify_item(
            item=stale_one,
            values=stale_one.values,
            score=None,
            reason="",
            version=stale_one.version,
            acting_user=world.people["walt"],
        )
    assert world.item("A", "1").status == SelfEvaluation.ItemStatus.RETURNED
    assert world.assessment("A").state == State.RETURNED


def test_a_value_the_verifier_emptied_is_missing_not_the_units_figure(world: World) -> None:
    # Unit A reports 1 month out of target; walt cannot substantiate it and empties the value, giving a reason.
    # The engine must see no value (and list it as missing), not fall back to the unit's 1.
    from kaohe.assessments.evaluation import input_rows

    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    actions.check_verify_item(
        item=item,
        raw_values={"water_months": None},
        score=None,
        reason="监测报告缺失，无法核实",
        version=item.version,
        acting_user=world.people["walt"],
    )
    row = next(r for r in input_rows(world.cycle) if r["unit_id"] == "220100")
    assert row["water_months"] is None
    assert row["good_days"] == 86.5  # items not yet verified keep the unit's figure


def test_the_office_reopens_a_verification_the_approver_questioned(world: World) -> None:
    # The approver sends the evaluation back: walt's accepted "1 month out of target" for 甲市 was wrong, it was 3.
    # The office reopens 甲市's verification (a reason is required, and only for a verified unit); walt changes
    # the value; 甲市 is verified again; the new evaluation scores 40 − 3 × 5 = 25 instead of 35.
    office, approver, walt = world.people["alice"], world.people["linda"], world.people["walt"]
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    assert Result.objects.get(assessment=world.assessment("A")).final_score == pytest.approx(97.0)
    actions.check_send_back_cycle(cycle=world.cycle, comment="甲市断面数据有误，请复核", acting_user=approver)
    assert world.assessment("A").state == State.VERIFIED

    with pytest.raises(actions.ActionError, match="理由"):
        actions.check_reopen_verification(assessment=world.assessment("A"), reason=" ", acting_user=office)
    with pytest.raises(actions.ActionError, match="没有权限"):
        actions.check_reopen_verification(assessment=world.assessment("A"), reason="复核", acting_user=walt)
    actions.check_reopen_verification(
        assessment=world.assessment("A"), reason="审定退回：断面数据复核", acting_user=office
    )
    assert world.assessment("A").state == State.VERIFYING
    entry = AuditLog.objects.filter(action="assessment.reopen_verification").get()
    assert entry.reason == "审定退回：断面数据复核"
    with pytest.raises(actions.ActionError, match="没有权限"):  # only a verified unit can be reopened
        actions.check_reopen_verification(assessment=world.assessment("A"), reason="again", acting_user=office)

    item = world.item("A", "1")
    actions.check_verify_item(
        item=item,
        raw_values={"water_months": 3},
        score=None,
        reason="复核监测报告：3 个月不达标",
        version=item.version,
        acting_user=walt,
    )
    assert world.assessment("A").state == State.VERIFIED
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    assert Result.objects.get(assessment=world.assessment("A")).final_score == pytest.approx(97.0 - 10)


def test_the_reopen_button_is_the_offices_on_a_verified_unit(world: World) -> None:
    world.through_verified()
    url = f"/assessments/{world.assessment('A').pk}/"
    assert "重新核实" in world.client("alice").get(url).content.decode()
    assert "重新核实" not in world.client("walt").get(url).content.decode()
    response = world.client("alice").post(f"{url}reopen/", {"comment": "复核"}, follow=True)
    assert "已重新打开核实" in response.content.decode()
    assert world.assessment("A").state == State.VERIFYING


def test_whoever_evaluated_the_cycle_does_not_approve_it(world: World, settings: Any) -> None:
    """Separation of duties (issue 8 §2.1): the evaluator is the actor of the latest cycle.evaluate entry. alice is
    both office and approver here; linda, who did not evaluate, may approve. A one-person office turns it off."""
    from kaohe.assessments.models import Membership

    alice = world.people["alice"]
    actions.do_add_membership(user=alice, role=Membership.Role.APPROVER, acting_user=None)
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=alice)
    with pytest.raises(actions.ActionError, match="职责分离"):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=alice)
    page = world.client("alice").get(f"/cycles/{world.cycle.pk}/approval/").content.decode()
    assert "职责分离" in page and f"/cycles/{world.cycle.pk}/approve/" not in page
    assert (
        f"/cycles/{world.cycle.pk}/approve/"
        in world.client("linda").get(f"/cycles/{world.cycle.pk}/approval/").content.decode()
    )

    settings.KAOHE_SEPARATION_OF_DUTIES = False
    actions.check_approve_cycle(cycle=world.cycle, acting_user=alice)
    assert set(states(world).values()) == {State.APPROVED}


def test_the_setting_defaults_to_separation_of_duties() -> None:
    from django.conf import settings

    assert settings.KAOHE_SEPARATION_OF_DUTIES is True
