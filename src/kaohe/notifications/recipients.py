"""Who is told what (issue 10 §2): each event of the cycle in words, and the people it goes to.

    event                                   told                                              with
    ──────────────────────────────────────  ────────────────────────────────────────────────  ────────────────────
    item_returned(item, comment)            the unit's fillers and heads                      the verifier's comment
    unit_submitted(assessment)              the verifiers whose lead unit has open items in    the items per lead unit
                                            it (the office for items no lead unit claims),
                                            and the office
    verification_complete(assessment)       the office
    evaluation_sent_back(cycle, comment)    the office                                        the leader's comment
    cycle_approved(cycle)                   the office and the people of every unit
    results_published(cycle)                the people of every unit
    comment_added(comment)                  the other parties of the item: the unit's         the comment
                                            fillers and heads when a verifier or the office
                                            writes; when the unit writes, the item's
                                            verifiers (the office for an item no lead unit
                                            claims) once the unit has submitted (a draft is
                                            the unit's own)
    appeal_lodged(appeal)                   the office                                        the reasons
    appeal_decided(appeal)                  the unit's fillers and heads                      the decision, reason

Only active accounts are told, and never the person who did the step (they know). This module reads roles and items
and returns :class:`Message` values; ``kaohe.notifications.actions`` stores and sends them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse

from kaohe.assessments.models import Appeal, Assessment, Cycle, ItemComment, Membership, SelfEvaluation, State
from kaohe.assessments.schemes import OFFICE_LEAD

Role = Membership.Role


@dataclass(frozen=True)
class Message:
    """What one group of people is told about one event."""

    kind: str
    title: str
    body: str
    link: str
    cycle_id: int | None
    recipient_ids: tuple[int, ...]


def people(memberships: Any, actor: Any = None) -> tuple[int, ...]:
    """The active users holding ``memberships`` (a Membership queryset), without ``actor``; sorted ids."""
    ids = set(memberships.filter(user__is_active=True).values_list("user_id", flat=True))
    ids.discard(getattr(actor, "pk", None))
    return tuple(sorted(ids))


def office(actor: Any = None) -> tuple[int, ...]:
    return people(Membership.objects.filter(role=Role.OFFICE), actor)


def unit_people(unit_ids: Iterable[int], actor: Any = None) -> tuple[int, ...]:
    return people(Membership.objects.filter(role__in=Membership.UNIT_ROLES, unit_id__in=list(unit_ids)), actor)


def verifiers_of(lead_units: Iterable[str], actor: Any = None) -> tuple[int, ...]:
    return people(Membership.objects.filter(role=Role.VERIFIER, lead_unit__in=list(lead_units)), actor)


def _assessment_link(assessment: Assessment, item: SelfEvaluation | None = None) -> str:
    url = reverse("assessment_detail", args=[assessment.pk])
    return f"{url}#item-{item.pk}" if item is not None else url


def item_returned(item: SelfEvaluation, comment: str, actor: Any = None) -> list[Message]:
    assessment = item.assessment
    who = getattr(actor, "get_full_name", lambda: "")() or getattr(actor, "username", "") or "核实人"
    return [
        Message(
            kind="item_returned",
            title=f"退回补正：{assessment.unit.name} · 指标 {item.indicator_id}「{item.indicator_name}」",
            body=f"{who}（{item.lead_unit or OFFICE_LEAD}）退回了此项，退回意见：{comment}",
            link=_assessment_link(assessment, item),
            cycle_id=assessment.cycle_id,
            recipient_ids=unit_people([assessment.unit_id], actor),
        )
    ]


def unit_submitted(assessment: Assessment, actor: Any = None) -> list[Message]:
    """The verifiers of the items still to verify (after a return: the reopened ones), and the office."""
    open_items: dict[str, list[str]] = defaultdict(list)
    for lead, indicator_id in (
        assessment.items.filter(status=SelfEvaluation.ItemStatus.OPEN)
        .order_by("pk")
        .values_list("lead_unit", "indicator_id")
    ):
        open_items[lead or OFFICE_LEAD].append(indicator_id)
    unit, cycle = assessment.unit, assessment.cycle
    verify_link = reverse("cycle_verification", args=[cycle.pk])
    messages = [
        Message(
            kind="unit_submitted",
            title=f"待核实：{unit.name}已提交自评（{cycle.name}）",
            body=f"{unit.name}已提交自评，{lead}牵头的指标 {'、'.join(ids)} 待核实。",
            link=verify_link,
            cycle_id=cycle.pk,
            recipient_ids=verifiers_of([lead], actor),
        )
        for lead, ids in sorted(open_items.items())
        if lead != OFFICE_LEAD
    ]
    summary = "；".join(f"{lead} {len(ids)} 项" for lead, ids in sorted(open_items.items()))
    messages.append(
        Message(
            kind="unit_submitted",
            title=f"{unit.name}已提交自评（{cycle.name}）",
            body=f"{unit.name}已提交自评，待核实：{summary or '无'}。",
            link=verify_link if OFFICE_LEAD in open_items else _assessment_link(assessment),
            cycle_id=cycle.pk,
            recipient_ids=office(actor),
        )
    )
    return messages


def verification_complete(assessment: Assessment, actor: Any = None) -> list[Message]:
    unit, cycle = assessment.unit, assessment.cycle
    waiting = cycle.assessments.exclude(state__in=["verified", "evaluated", "approved", "published"]).count()
    rest = f"还有 {waiting} 个单位未完成核实。" if waiting else "全部单位已完成核实，可以综合评价。"
    return [
        Message(
            kind="verification_complete",
            title=f"核实完成：{unit.name}（{cycle.name}）",
            body=f"{unit.name}的全部指标已核实。{rest}",
            link=reverse("cycle_dashboard", args=[cycle.pk]),
            cycle_id=cycle.pk,
            recipient_ids=office(actor),
        )
    ]


def evaluation_sent_back(cycle: Cycle, comment: str, actor: Any = None) -> list[Message]:
    who = getattr(actor, "get_full_name", lambda: "")() or getattr(actor, "username", "") or "领导"
    return [
        Message(
            kind="evaluation_sent_back",
            title=f"综合评价被退回：{cycle.name}",
            body=f"{who}退回了综合评价结果，意见：{comment}",
            link=reverse("cycle_dashboard", args=[cycle.pk]),
            cycle_id=cycle.pk,
            recipient_ids=office(actor),
        )
    ]


def _units_of(cycle: Cycle) -> list[int]:
    return list(cycle.assessments.values_list("unit_id", flat=True))


def cycle_approved(cycle: Cycle, actor: Any = None) -> list[Message]:
    return [
        Message(
            kind="cycle_approved",
            title=f"考核结果已审定：{cycle.name}",
            body=f"领导已审定{cycle.name}的考核结果，待考核办通报。",
            link=reverse("cycle_dashboard", args=[cycle.pk]),
            cycle_id=cycle.pk,
            recipient_ids=office(actor),
        ),
        Message(
            kind="cycle_approved",
            title=f"考核结果已审定：{cycle.name}",
            body=f"领导已审定{cycle.name}的考核结果，通报后可查看本单位的得分与等次。",
            link=reverse("cycle_list"),
            cycle_id=cycle.pk,
            recipient_ids=unit_people(_units_of(cycle), actor),
        ),
    ]


def results_published(cycle: Cycle, actor: Any = None) -> list[Message]:
    return [
        Message(
            kind="results_published",
            title=f"考核结果已通报：{cycle.name}",
            body=f"{cycle.name}的考核结果已通报，请查看本单位的得分、等次与排名。",
            link=reverse("public_results", args=[cycle.pk]),
            cycle_id=cycle.pk,
            recipient_ids=unit_people(_units_of(cycle), actor),
        )
    ]


def comment_added(comment: ItemComment, actor: Any = None) -> list[Message]:
    item = comment.item
    assessment = item.assessment
    if comment.role != ItemComment.Role.UNIT:
        told = unit_people([assessment.unit_id], actor)
    elif assessment.state == State.DRAFT:
        told = ()  # the verifiers do not see a draft
    elif item.lead_unit:
        told = verifiers_of([item.lead_unit], actor)
    else:
        told = office(actor)
    who = getattr(actor, "get_full_name", lambda: "")() or getattr(actor, "username", "") or comment.get_role_display()
    return [
        Message(
            kind="comment_added",
            title=f"新留言：{assessment.unit.name} · 指标 {item.indicator_id}「{item.indicator_name}」",
            body=f"{who}（{comment.get_role_display()}）留言：{comment.text}",
            link=_assessment_link(assessment, item),
            cycle_id=assessment.cycle_id,
            recipient_ids=told,
        )
    ]


def appeal_lodged(appeal: Appeal, actor: Any = None) -> list[Message]:
    unit, cycle = appeal.assessment.unit, appeal.cycle
    return [
        Message(
            kind="appeal_lodged",
            title=f"新申诉：{unit.name}（{cycle.name}）",
            body=f"{unit.name}对公示的考核结果提出申诉，申诉理由：{appeal.reasons}",
            link=reverse("cycle_appeals", args=[cycle.pk]),
            cycle_id=cycle.pk,
            recipient_ids=office(actor),
        )
    ]


def appeal_decided(appeal: Appeal, actor: Any = None) -> list[Message]:
    assessment, cycle = appeal.assessment, appeal.cycle
    decision = appeal.get_decision_display()
    return [
        Message(
            kind="appeal_decided",
            title=f"申诉已处理：{decision}（{cycle.name}）",
            body=f"考核办已处理{assessment.unit.name}的申诉：{decision}。处理意见：{appeal.decision_reason}",
            # upheld: the approval is withdrawn, so the draft result is gone; the unit follows its 重新核实 instead
            link=_assessment_link(assessment)
            if appeal.decision == Appeal.Decision.UPHELD
            else reverse("assessment_result", args=[assessment.pk]),
            cycle_id=cycle.pk,
            recipient_ids=unit_people([assessment.unit_id], actor),
        )
    ]


def users(ids: Iterable[int]) -> dict[int, User]:
    return {u.pk: u for u in User.objects.filter(pk__in=list(ids))}
