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

The words are gettext's, written in the language active when a function here runs: ``notify`` and ``reminders`` call
them under :func:`site_language` (``settings.LANGUAGE_CODE``, Chinese), since a notification is stored as text and
read by people whose language is not known (the language is a browser's cookie, not a person's setting): the
recipient reads the words the office works in, whatever language the person who did the step was browsing in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

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


def site_language() -> translation.override:
    """The language notifications are written in (see the module's docstring)."""
    return translation.override(settings.LANGUAGE_CODE)


def _list(items: Iterable[str]) -> str:
    return pgettext("list separator", "、").join(items)


def _actor_name(actor: Any, fallback: str) -> str:
    return getattr(actor, "get_full_name", lambda: "")() or getattr(actor, "username", "") or fallback


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
    who = _actor_name(actor, _("核实人"))
    return [
        Message(
            kind="item_returned",
            title=_("退回补正：%(unit)s · 指标 %(id)s「%(name)s」")
            % {"unit": assessment.unit.name, "id": item.indicator_id, "name": item.indicator_name},
            body=_("%(who)s（%(lead)s）退回了此项，退回意见：%(comment)s")
            % {"who": who, "lead": item.lead_unit or OFFICE_LEAD, "comment": comment},
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
            title=_("待核实：%(unit)s已提交自评（%(cycle)s）") % {"unit": unit.name, "cycle": cycle.name},
            body=_("%(unit)s已提交自评，%(lead)s牵头的指标 %(ids)s 待核实。")
            % {"unit": unit.name, "lead": lead, "ids": _list(ids)},
            link=verify_link,
            cycle_id=cycle.pk,
            recipient_ids=verifiers_of([lead], actor),
        )
        for lead, ids in sorted(open_items.items())
        if lead != OFFICE_LEAD
    ]
    summary = pgettext("list of clauses", "；").join(
        ngettext("%(lead)s %(count)d 项", "%(lead)s %(count)d 项", len(ids)) % {"lead": lead, "count": len(ids)}
        for lead, ids in sorted(open_items.items())
    )
    messages.append(
        Message(
            kind="unit_submitted",
            title=_("%(unit)s已提交自评（%(cycle)s）") % {"unit": unit.name, "cycle": cycle.name},
            body=_("%(unit)s已提交自评，待核实：%(summary)s。") % {"unit": unit.name, "summary": summary or _("无")},
            link=verify_link if OFFICE_LEAD in open_items else _assessment_link(assessment),
            cycle_id=cycle.pk,
            recipient_ids=office(actor),
        )
    )
    return messages


def verification_complete(assessment: Assessment, actor: Any = None) -> list[Message]:
    unit, cycle = assessment.unit, assessment.cycle
    waiting = cycle.assessments.exclude(state__in=["verified", "evaluated", "approved", "published"]).count()
    rest = (
        ngettext("还有 %(count)d 个单位未完成核实。", "还有 %(count)d 个单位未完成核实。", waiting) % {"count": waiting}
        if waiting
        else _("全部单位已完成核实，可以综合评价。")
    )
    return [
        Message(
            kind="verification_complete",
            title=_("核实完成：%(unit)s（%(cycle)s）") % {"unit": unit.name, "cycle": cycle.name},
            body=_("%(unit)s的全部指标已核实。%(rest)s") % {"unit": unit.name, "rest": rest},
            link=reverse("cycle_dashboard", args=[cycle.pk]),
            cycle_id=cycle.pk,
            recipient_ids=office(actor),
        )
    ]


def evaluation_sent_back(cycle: Cycle, comment: str, actor: Any = None) -> list[Message]:
    who = _actor_name(actor, _("领导"))
    return [
        Message(
            kind="evaluation_sent_back",
            title=_("综合评价被退回：%(cycle)s") % {"cycle": cycle.name},
            body=_("%(who)s退回了综合评价结果，意见：%(comment)s") % {"who": who, "comment": comment},
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
            title=_("考核结果已审定：%(cycle)s") % {"cycle": cycle.name},
            body=_("领导已审定%(cycle)s的考核结果，待考核办通报。") % {"cycle": cycle.name},
            link=reverse("cycle_dashboard", args=[cycle.pk]),
            cycle_id=cycle.pk,
            recipient_ids=office(actor),
        ),
        Message(
            kind="cycle_approved",
            title=_("考核结果已审定：%(cycle)s") % {"cycle": cycle.name},
            body=_("领导已审定%(cycle)s的考核结果，通报后可查看本单位的得分与等次。") % {"cycle": cycle.name},
            link=reverse("cycle_list"),
            cycle_id=cycle.pk,
            recipient_ids=unit_people(_units_of(cycle), actor),
        ),
    ]


def results_published(cycle: Cycle, actor: Any = None) -> list[Message]:
    return [
        Message(
            kind="results_published",
            title=_("考核结果已通报：%(cycle)s") % {"cycle": cycle.name},
            body=_("%(cycle)s的考核结果已通报，请查看本单位的得分、等次与排名。") % {"cycle": cycle.name},
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
    elif item.lead_unit and item.lead_unit != OFFICE_LEAD:
        told = verifiers_of([item.lead_unit], actor)
    else:  # an item no lead unit claims (stored as OFFICE_LEAD): the office verifies it
        told = office(actor)
    who = _actor_name(actor, comment.get_role_display())
    return [
        Message(
            kind="comment_added",
            title=_("新留言：%(unit)s · 指标 %(id)s「%(name)s」")
            % {"unit": assessment.unit.name, "id": item.indicator_id, "name": item.indicator_name},
            body=_("%(who)s（%(role)s）留言：%(text)s")
            % {"who": who, "role": comment.get_role_display(), "text": comment.text},
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
            title=_("新申诉：%(unit)s（%(cycle)s）") % {"unit": unit.name, "cycle": cycle.name},
            body=_("%(unit)s对公示的考核结果提出申诉，申诉理由：%(reasons)s")
            % {"unit": unit.name, "reasons": appeal.reasons},
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
            title=_("申诉已处理：%(decision)s（%(cycle)s）") % {"decision": decision, "cycle": cycle.name},
            body=_("考核办已处理%(unit)s的申诉：%(decision)s。处理意见：%(reason)s")
            % {"unit": assessment.unit.name, "decision": decision, "reason": appeal.decision_reason},
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
