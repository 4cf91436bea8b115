"""公示 and 申诉 (issue 10 §4, ``kaohe.assessments.appeals``): an optional period after 审定 in which each unit sees its
draft result (公示稿) and its head may appeal; the office rejects an appeal with a reason or upholds it, which
withdraws the approval and reopens the unit's verification (重新核实); 通报 waits for the end of the period and for
every appeal to be decided. The cycle here has 7 days of 公示 and is approved on 2025-03-10 09:30 Beijing time."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.assessments import actions, appeals
from kaohe.assessments.access import REFUSED
from kaohe.assessments.integrity import verify_all
from kaohe.assessments.models import Appeal, AppealEvidence, Cycle, State
from kaohe.audit.models import AuditLog
from tests.world import World

APPROVED = "2025-03-10 09:30 +0800"
DURING = "2025-03-12 10:00 +0800"
AFTER = "2025-03-18 10:00 +0800"
PDF = b"%PDF-1.4 appeal evidence"


def approve(world: World, days: int = 7) -> Cycle:
    office = world.people["alice"]
    if days:
        appeals.check_set_publicity_days(cycle=world.cycle, days=days, acting_user=office)
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    with time_machine.travel(APPROVED, tick=False):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    return Cycle.objects.get(pk=world.cycle.pk)


def lodge(world: World, reasons: str = "第 2 项优良天数比例核实有误", files: Any = ()) -> Appeal:
    with time_machine.travel(DURING, tick=False):
        return appeals.check_lodge_appeal(
            assessment=world.assessment("A"), reasons=reasons, files=list(files), acting_user=world.people["hank"]
        )


def publish(world: World, when: str) -> None:
    with time_machine.travel(when, tick=False):
        actions.check_publish_cycle(cycle=Cycle.objects.get(pk=world.cycle.pk), acting_user=world.people["alice"])


def assert_clean() -> None:
    report = verify_all()
    assert report.ok, report.problems


def test_the_publicity_runs_for_the_set_days_from_the_approval(world: World) -> None:
    cycle = approve(world)
    # 2025-03-10 09:30 +08:00 = 01:30 UTC, plus 7 days
    assert cycle.publicity_ends_at == dt.datetime(2025, 3, 17, 1, 30, tzinfo=dt.UTC)
    assert cycle.in_publicity(dt.datetime(2025, 3, 17, 1, 29, tzinfo=dt.UTC))
    assert not cycle.in_publicity(dt.datetime(2025, 3, 17, 1, 30, tzinfo=dt.UTC))
    entry = AuditLog.objects.get(action="cycle.approve")
    assert entry.decoded_rows()["assessments.cycle"][str(cycle.pk)]["publicity_ends_at"].startswith("2025-03-17T01:30")
    assert_clean()


def test_without_publicity_a_cycle_is_published_right_after_approval(world: World) -> None:
    cycle = approve(world, days=0)
    assert cycle.publicity_days == 0 and cycle.publicity_ends_at is None
    # the unit does not see its result before 通报, as before
    assert world.client("fay").get(reverse("assessment_result", args=[world.assessment("A").pk])).status_code == 403
    publish(world, DURING)
    assert world.assessment("A").state == State.PUBLISHED


def test_the_days_are_set_by_the_office_before_approval_only_and_audited(world: World) -> None:
    office = world.people["alice"]
    response = world.client("alice").post(reverse("cycle_publicity_days", args=[world.cycle.pk]), {"publicity_days": 5})
    assert response.status_code == 302
    entry = AuditLog.objects.get(action="cycle.set_publicity_days")
    assert (json.loads(entry.old_value), entry.decoded_new()) == (0, 5)
    with pytest.raises(actions.ActionError, match="0–60"):
        appeals.check_set_publicity_days(cycle=world.cycle, days=61, acting_user=office)
    with pytest.raises(actions.ActionError, match=REFUSED):
        appeals.check_set_publicity_days(cycle=world.cycle, days=3, acting_user=world.people["linda"])
    approve(world, days=0)  # keeps the 5 days set above
    with pytest.raises(actions.ActionError, match="本周期已审定，公示天数不能再修改"):
        appeals.check_set_publicity_days(cycle=world.cycle, days=3, acting_user=office)
    assert Cycle.objects.get(pk=world.cycle.pk).publicity_days == 5
    assert_clean()


def test_the_new_cycle_form_sets_the_days(world: World) -> None:
    page = world.client("alice").get(reverse("cycle_new")).content.decode()
    assert 'name="publicity_days"' in page
    response = world.client("alice").post(
        reverse("cycle_new"),
        {"name": "2025年度考核", "year": 2025, "scheme_id": "xx-city-2020", "units": [], "publicity_days": 10},
    )
    assert response.status_code == 200  # no unit chosen: the form comes back, nothing opened
    cycle = actions.do_open_cycle(
        name="2025年度考核",
        year=2025,
        scheme_id="",
        units=[],
        publicity_days=10,
        acting_user=world.people["alice"],
        scheme_file=world.cycle.scheme_file,
    )
    assert cycle.publicity_days == 10


def test_draft_results_are_shown_to_the_units_and_never_to_the_public(world: World) -> None:
    cycle = approve(world)
    a, b = world.assessment("A"), world.assessment("B")
    with time_machine.travel(DURING, tick=False):
        for who in ("fay", "hank"):
            page = world.client(who).get(reverse("assessment_result", args=[a.pk]))
            assert page.status_code == 200
            assert "公示稿" in page.content.decode()
        assert world.client("bob").get(reverse("assessment_result", args=[a.pk])).status_code == 403
        assert world.client("bob").get(reverse("assessment_result", args=[b.pk])).status_code == 200
        assert world.client("anon").get(reverse("assessment_result", args=[a.pk])).status_code == 302  # login
        ranking = world.client("fay").get(reverse("cycle_publicity", args=[cycle.pk]))
        assert ranking.status_code == 200
        html = ranking.content.decode()
        assert "公示稿" in html and "甲市" in html and "乙市" in html
        assert world.client("anon").get(reverse("cycle_publicity", args=[cycle.pk])).status_code == 302
        assert world.client("vera").get(reverse("cycle_publicity", args=[cycle.pk])).status_code == 403
        assert world.client("anon").get(reverse("public_results", args=[cycle.pk])).status_code == 302
        assert "甲市" not in world.client("anon").get(reverse("public_index")).content.decode()
        # only the head of the unit gets the form
        assert (
            'id="appeal-form"' in world.client("hank").get(reverse("assessment_result", args=[a.pk])).content.decode()
        )
        assert (
            'id="appeal-form"'
            not in world.client("fay").get(reverse("assessment_result", args=[a.pk])).content.decode()
        )


def test_publication_waits_for_the_end_of_publicity_and_for_pending_appeals(world: World) -> None:
    approve(world)
    with pytest.raises(actions.ActionError, match=r"公示期未结束（至 2025-03-17 09:30），公示期满后才能通报"):
        publish(world, DURING)
    appeal = lodge(world)
    assert appeal.decision == Appeal.Decision.PENDING
    with pytest.raises(actions.ActionError, match=r"还有申诉未处理（甲市），考核办处理后才能通报"):
        publish(world, AFTER)
    appeals.check_decide_appeal(
        appeal=appeal, decision="rejected", reason="核实值有监测报告为据", acting_user=world.people["alice"]
    )
    appeal.refresh_from_db()
    assert (appeal.decision, appeal.decision_reason, appeal.decided_by) == (
        "rejected",
        "核实值有监测报告为据",
        world.people["alice"],
    )
    assert world.assessment("A").state == State.APPROVED  # a rejection changes no result
    publish(world, AFTER)
    assert world.assessment("A").state == State.PUBLISHED
    actions_logged = list(AuditLog.objects.filter(action__startswith="appeal.").values_list("action", flat=True))
    assert actions_logged == ["appeal.lodge", "appeal.decide"]
    assert_clean()


def test_an_upheld_appeal_reopens_the_units_verification_and_needs_a_new_approval(world: World) -> None:
    cycle = approve(world)
    appeal = lodge(world, files=[SimpleUploadedFile("监测报告.pdf", PDF)])
    stored = AppealEvidence.objects.get(appeal=appeal)
    assert stored.original_name == "监测报告.pdf" and stored.size == len(PDF)
    assert_clean()
    appeals.check_decide_appeal(
        appeal=appeal, decision="upheld", reason="监测数据有误", acting_user=world.people["alice"]
    )
    states = {unit: world.assessment(unit).state for unit in "ABC"}
    assert states == {"A": State.VERIFYING, "B": State.VERIFIED, "C": State.VERIFIED}
    after = Cycle.objects.get(pk=cycle.pk)
    assert after.approved_at is None and after.approved_by is None
    assert after.publicity_ends_at == cycle.publicity_ends_at  # one 公示 per cycle
    reopen = AuditLog.objects.get(action="assessment.reopen_verification")
    assert reopen.reason == "甲市的申诉成立：监测数据有误"
    assert AuditLog.objects.filter(action="cycle.withdraw_approval").count() == 1
    assert_clean()
    # 通报 is refused until the cycle is verified, evaluated and approved again
    with pytest.raises(actions.ActionError, match="只有领导审定后才能通报"):
        publish(world, AFTER)
    # the lead unit corrects the item (重新核实): the unit is verified again when it saves
    item = world.item("A", "2")
    actions.check_verify_item(
        item=item,
        raw_values={**item.values, "good_days": 90.0},
        score=None,
        reason="申诉成立，按监测报告更正",
        version=item.version,
        acting_user=world.people["vera"],
    )
    assert world.assessment("A").state == State.VERIFIED
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    with time_machine.travel("2025-03-14 09:00 +0800", tick=False):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    assert Cycle.objects.get(pk=cycle.pk).publicity_ends_at == cycle.publicity_ends_at
    publish(world, AFTER)
    assert world.assessment("A").state == State.PUBLISHED
    assert_clean()


def test_audit_verify_finds_a_swapped_appeal_file(world: World) -> None:
    approve(world)
    appeal = lodge(world, files=[SimpleUploadedFile("监测报告.pdf", PDF)])
    stored = AppealEvidence.objects.get(appeal=appeal)
    with stored.file.storage.open(stored.file.name, "wb") as handle:
        handle.write(b"%PDF-1.4 something else")
    problems = verify_all().problems
    assert problems == [f"申诉材料 #{stored.pk}「监测报告.pdf」：文件被替换或改动（与上传时的哈希不符）"]


def test_only_the_units_head_appeals_and_only_during_publicity(world: World) -> None:
    approve(world)
    a = world.assessment("A")
    with time_machine.travel(DURING, tick=False):
        for who in ("bob", "fay", "alice"):
            with pytest.raises(actions.ActionError, match=REFUSED):
                appeals.check_lodge_appeal(assessment=a, reasons="x", files=[], acting_user=world.people[who])
        response = world.client("bob").post(reverse("assessment_appeal", args=[a.pk]), {"reasons": "乙市替甲市申诉"})
        assert response.status_code == 403
        with pytest.raises(actions.ActionError, match="请填写申诉理由"):
            appeals.check_lodge_appeal(assessment=a, reasons="  ", files=[], acting_user=world.people["hank"])
        with pytest.raises(actions.ActionError, match="文件内容与扩展名不符"):
            appeals.check_lodge_appeal(
                assessment=a,
                reasons="理由",
                files=[SimpleUploadedFile("假.pdf", b"not a pdf")],
                acting_user=world.people["hank"],
            )
        response = world.client("hank").post(reverse("assessment_appeal", args=[a.pk]), {"reasons": "第 2 项有误"})
        assert response.status_code == 302
        with pytest.raises(actions.ActionError, match="本单位已有一件申诉待考核办处理"):
            appeals.check_lodge_appeal(assessment=a, reasons="再次申诉", files=[], acting_user=world.people["hank"])
    assert Appeal.objects.count() == 1
    with (
        time_machine.travel(AFTER, tick=False),
        pytest.raises(actions.ActionError, match="公示期已于 2025-03-17 09:30 结束"),
    ):
        appeals.check_lodge_appeal(
            assessment=world.assessment("B"), reasons="迟到", files=[], acting_user=world.people["bert"]
        )
    assert Appeal.objects.count() == 1
    assert_clean()


def test_the_office_decides_on_the_appeals_page(world: World) -> None:
    cycle = approve(world)
    appeal = lodge(world)
    url = reverse("cycle_appeals", args=[cycle.pk])
    office_page = world.client("alice").get(url).content.decode()
    assert "甲市" in office_page and 'class="decide"' in office_page
    assert 'class="decide"' not in world.client("linda").get(url).content.decode()  # the approver reads
    assert world.client("hank").get(url).status_code == 403
    decide = reverse("appeal_decide", args=[appeal.pk])
    assert world.client("linda").post(decide, {"decision": "rejected", "reason": "x"}).status_code == 403
    world.client("alice").post(decide, {"decision": "rejected", "reason": ""})  # a reason is required
    assert Appeal.objects.get(pk=appeal.pk).is_pending
    world.client("alice").post(decide, {"decision": "rejected", "reason": "理由不成立"})
    assert Appeal.objects.get(pk=appeal.pk).decision == Appeal.Decision.REJECTED
    with time_machine.travel(DURING, tick=False):
        unit_page = world.client("fay").get(reverse("assessment_result", args=[world.assessment("A").pk]))
    assert "申诉驳回" in unit_page.content.decode() and "理由不成立" in unit_page.content.decode()
