"""公示 and 申诉 (issue 10 §4): an optional period between 审定 and 通报 in which the units see their draft results
and may appeal, and the office decides each appeal.

    check_set_publicity_days ─► do_set_publicity_days   公示天数 of a cycle, before 审定 (``cycle.set_publicity_days``)
    (actions.do_approve_cycle)                          the first 审定 sets ``publicity_ends_at``
    check_lodge_appeal ─► do_lodge_appeal               the unit's head, during 公示 (``appeal.lodge``, files hashed)
    check_decide_appeal ─► do_decide_appeal             the office: rejected with a reason, or upheld, which withdraws
                                                        the approval (``cycle.withdraw_approval``: every unit back to
                                                        已核实) and reopens the unit's verification through
                                                        ``actions.check_reopen_verification`` (重新核实); the cycle
                                                        is then evaluated and approved again
    publication_refusal                                 why 通报 must wait (``actions.check_publish_cycle``): the
                                                        公示 still runs, or an appeal is pending

The 公示 is one period per cycle: a re-approval after an upheld appeal does not start another one.
An appeal lodged is told to the office, an appeal decided to the unit's fillers and head with the decision and its
reason (``notifications.recipients``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from kaohe.assessments.access import REFUSED
from kaohe.assessments.actions import ActionError, User, _actor, _require, _transition, check_reopen_verification
from kaohe.assessments.limits import MAX_APPEAL_CHARS, MAX_APPEAL_FILES, MAX_REASON_CHARS
from kaohe.assessments.models import Appeal, AppealEvidence, Assessment, Cycle, Membership, State
from kaohe.assessments.rules import unit_ids
from kaohe.assessments.uploads import removed_on_failure, store_upload
from kaohe.audit.actions import do_append_audit
from kaohe.notifications import notify

Decision = Appeal.Decision


def _when(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# ------------------------------------------------------------------------------------------------ the setting
def do_set_publicity_days(*, cycle: Cycle, days: int, acting_user: User | None) -> Cycle:
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.approved_at is not None or cycle.published_at is not None or cycle.publicity_ends_at is not None:
            raise ActionError("本周期已审定，公示天数不能再修改")
        old = cycle.publicity_days
        cycle.publicity_days = days
        cycle.save(update_fields=["publicity_days"])
        do_append_audit(acting_user=acting_user, action="cycle.set_publicity_days", obj=cycle, old=old, new=days)
    return cycle


def check_set_publicity_days(*, cycle: Cycle, days: int, acting_user: Any) -> Cycle:
    """The office sets the 公示 period (0 = none) while the cycle is not yet approved."""
    _require(acting_user, "assessments.manage_cycle", cycle)
    if not 0 <= days <= Cycle.MAX_PUBLICITY_DAYS:
        raise ActionError(f"公示天数应为 0–{Cycle.MAX_PUBLICITY_DAYS} 的整数（0 表示不公示），现为 {days}")
    return do_set_publicity_days(cycle=cycle, days=days, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ lodging
def appeal_refusal(assessment: Assessment, user: Any) -> str | None:
    """Why ``user`` may not lodge an appeal for ``assessment`` now, in words; None when the form may be shown."""
    cycle = assessment.cycle
    if assessment.unit_id not in unit_ids(user, (Membership.Role.HEAD,)):
        return REFUSED
    if cycle.publicity_days == 0 and cycle.publicity_ends_at is None:
        return "本周期不设公示期，不受理申诉"
    if not cycle.has_draft_results or assessment.state != State.APPROVED:
        return "只有在公示期内才能申诉（结果审定后公示）"
    if not cycle.in_publicity():
        return f"公示期已于 {_when(cycle.publicity_ends_at)} 结束，不能再申诉"
    if assessment.appeals.filter(decision=Decision.PENDING).exists():
        return "本单位已有一件申诉待考核办处理，处理后才能再次申诉"
    return None


def clean_text(text: str, *, what: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise ActionError(f"请填写{what}")
    if len(text) > limit:
        raise ActionError(f"{what}过长：最多 {limit} 字，现有 {len(text)} 字")
    return text


def do_lodge_appeal(
    *, assessment: Assessment, reasons: str, files: Iterable[tuple[UploadedFile, str]], acting_user: User | None
) -> Appeal:
    """``files`` are (upload, content type) pairs, already checked. Each is stored under a generated name; its
    SHA-256 goes into the ``appeal.lodge`` entry, which ``kaohe audit verify`` checks the stored file against."""
    with removed_on_failure(), transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("unit", "cycle").get(pk=assessment.pk)
        if assessment.appeals.filter(decision=Decision.PENDING).exists():
            raise ActionError("本单位已有一件申诉待考核办处理，处理后才能再次申诉")
        appeal = Appeal.objects.create(
            cycle=assessment.cycle, assessment=assessment, reasons=reasons, lodged_by=_actor(acting_user)
        )
        stored = []
        for upload, content_type in files:
            evidence = AppealEvidence(appeal=appeal)
            store_upload(evidence, upload, content_type, f"{assessment.cycle_id}/{assessment.unit.code}")
            evidence.save()
            stored.append(evidence)
        do_append_audit(
            acting_user=acting_user,
            action="appeal.lodge",
            obj=appeal,
            what=assessment.unit.code,
            new={
                "reasons": reasons,
                "files": [{"id": e.pk, "name": e.original_name, "size": e.size, "sha256": e.sha256} for e in stored],
            },
            rows=[AppealEvidence.objects.filter(appeal=appeal)],
        )
        notify.appeal_lodged(appeal, acting_user=acting_user)
    return appeal


def check_lodge_appeal(*, assessment: Assessment, reasons: str, files: list[UploadedFile], acting_user: Any) -> Appeal:
    from kaohe.assessments.forms import validate_evidence

    refusal = appeal_refusal(assessment, acting_user)
    if refusal is not None:
        raise ActionError(refusal)
    _require(acting_user, "assessments.lodge_appeal", assessment)
    reasons = clean_text(reasons, what="申诉理由", limit=MAX_APPEAL_CHARS)
    if len(files) > MAX_APPEAL_FILES:
        raise ActionError(f"申诉材料最多 {MAX_APPEAL_FILES} 个文件，现有 {len(files)} 个")
    checked = []
    for upload in files:
        try:
            checked.append((upload, validate_evidence(upload)))
        except ValueError as exc:
            raise ActionError(f"申诉材料「{PurePath(upload.name or '').name}」：{exc}") from None
    return do_lodge_appeal(assessment=assessment, reasons=reasons, files=checked, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ deciding
def _withdraw_approval(cycle: Cycle, *, reason: str, acting_user: User | None) -> None:
    """Every unit of an approved cycle back to 已核实; the approval (who, when) is cleared, the 公示 end kept."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    cycle.approved_at = None
    cycle.approved_by = None
    cycle.save(update_fields=["approved_at", "approved_by"])
    for assessment in Assessment.objects.select_for_update().filter(cycle=cycle):
        _transition(assessment, "withdraw_approval", acting_user=acting_user, reason=reason)
    do_append_audit(acting_user=acting_user, action="cycle.withdraw_approval", obj=cycle, reason=reason)


def do_decide_appeal(*, appeal: Appeal, upheld: bool, reason: str, acting_user: Any) -> Appeal:
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().select_related("assessment__unit", "cycle").get(pk=appeal.pk)
        if not appeal.is_pending:
            raise ActionError(f"该申诉已处理（{appeal.get_decision_display()}），请刷新页面")
        appeal.decision = Decision.UPHELD if upheld else Decision.REJECTED
        appeal.decision_reason = reason
        appeal.decided_by = _actor(acting_user)
        appeal.decided_at = timezone.now()
        appeal.save()
        unit = appeal.assessment.unit
        do_append_audit(
            acting_user=acting_user,
            action="appeal.decide",
            obj=appeal,
            what=unit.code,
            old=Decision.PENDING,
            new=appeal.decision,
            reason=reason,
        )
        notify.appeal_decided(appeal, acting_user=acting_user)
        if upheld:
            words = f"{unit.name}的申诉成立：{reason}"[:MAX_REASON_CHARS]
            if appeal.cycle.assessments.filter(state=State.APPROVED).exists():
                _withdraw_approval(appeal.cycle, reason=words, acting_user=acting_user)
            assessment = Assessment.objects.select_related("cycle", "unit").get(pk=appeal.assessment_id)
            if assessment.state == State.VERIFIED:
                check_reopen_verification(assessment=assessment, reason=words, acting_user=acting_user)
    return appeal


def decision_refusal(appeal: Appeal, upheld: bool) -> str | None:
    if not appeal.is_pending:
        return f"该申诉已处理（{appeal.get_decision_display()}）"
    state = Assessment.objects.values_list("state", flat=True).get(pk=appeal.assessment_id)
    if upheld and state not in (State.APPROVED, State.VERIFIED, State.VERIFYING, State.RETURNED):
        # After an earlier upheld appeal the cycle was evaluated again and waits for 审定: the leader approves
        # first, then this appeal is decided against the new results.
        return f"该单位当前状态为「{State(state).label}」，请在领导重新审定后再认定申诉成立"
    return None


def check_decide_appeal(*, appeal: Appeal, decision: str, reason: str, acting_user: Any) -> Appeal:
    """The office decides: ``upheld`` or ``rejected``, each with its reason (the 重新核实 reason when upheld)."""
    _require(acting_user, "assessments.decide_appeal", appeal.cycle)
    if decision not in (Decision.UPHELD, Decision.REJECTED):
        raise ActionError("请选择处理结果：申诉成立或申诉驳回")
    upheld = decision == Decision.UPHELD
    reason = clean_text(reason, what="处理意见", limit=MAX_REASON_CHARS)
    refusal = decision_refusal(appeal, upheld)
    if refusal is not None:
        raise ActionError(refusal)
    return do_decide_appeal(appeal=appeal, upheld=upheld, reason=reason, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ publication
def publication_refusal(cycle: Cycle) -> str | None:
    """Why the cycle may not be published yet because of its 公示, in words; None when that is not in the way."""
    if cycle.in_publicity():
        return f"公示期未结束（至 {_when(cycle.publicity_ends_at)}），公示期满后才能通报"
    pending = list(
        Appeal.objects.filter(cycle=cycle, decision=Decision.PENDING).select_related("assessment__unit")[:11]
    )
    if pending:
        names = "、".join(a.assessment.unit.name for a in pending[:10]) + (" 等" if len(pending) > 10 else "")
        return f"还有申诉未处理（{names}），考核办处理后才能通报"
    return None
