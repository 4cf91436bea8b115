"""The screens bound typed text as the API does (kaohe.assessments.limits, issue 9 §2): a 退回意见, 调整理由 or 意见
over 2,000 characters and a 自评说明 over 20,000 are refused by the form, and nothing reaches the audit log."""

from __future__ import annotations

from kaohe.assessments.limits import MAX_EXPLANATION_CHARS, MAX_REASON_CHARS
from kaohe.assessments.models import SelfEvaluation
from kaohe.audit.models import AuditLog
from tests.world import World


def test_a_long_explanation_is_refused_and_one_at_the_bound_kept(world: World) -> None:
    item = world.item("A", "1")
    fay = world.client("fay")
    rows = AuditLog.objects.count()
    body = {"version": item.version, "v_water_months": "1", "explanation": "长" * (MAX_EXPLANATION_CHARS + 1)}
    response = fay.post(f"/items/{item.pk}/", body)
    assert response.status_code != 302 and SelfEvaluation.objects.get(pk=item.pk).version == item.version
    assert AuditLog.objects.count() == rows
    body["explanation"] = "长" * MAX_EXPLANATION_CHARS
    assert fay.post(f"/items/{item.pk}/", body).status_code == 302
    assert SelfEvaluation.objects.get(pk=item.pk).explanation == body["explanation"]


def test_a_5_mb_return_comment_is_refused_before_the_audit_log(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    walt = world.client("walt")
    rows = AuditLog.objects.count()
    walt.post(f"/items/{item.pk}/return/", {"version": item.version, "comment": "x" * 5_000_000})
    assert SelfEvaluation.objects.get(pk=item.pk).status == item.status and AuditLog.objects.count() == rows
    body = {"version": item.version, "v_water_months": "3", "reason": "理" * (MAX_REASON_CHARS + 1)}
    walt.post(f"/items/{item.pk}/verify/", body)
    assert SelfEvaluation.objects.get(pk=item.pk).version == item.version and AuditLog.objects.count() == rows
    walt.post(f"/items/{item.pk}/return/", {"version": item.version, "comment": "退" * MAX_REASON_CHARS})
    assert SelfEvaluation.objects.get(pk=item.pk).status == SelfEvaluation.ItemStatus.RETURNED


def test_a_long_send_back_comment_is_refused(world: World) -> None:
    world.through_verified()
    from kaohe.assessments import actions

    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    rows = AuditLog.objects.count()
    leader = world.client("linda")
    leader.post(f"/cycles/{world.cycle.pk}/send-back/", {"comment": "回" * (MAX_REASON_CHARS + 1)})
    assert AuditLog.objects.count() == rows
    leader.post(f"/cycles/{world.cycle.pk}/send-back/", {"comment": "回" * MAX_REASON_CHARS})
    assert AuditLog.objects.count() > rows  # the same leader may send it back with a paragraph
