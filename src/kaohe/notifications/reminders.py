"""``kaohe remind``: reminders before and after each deadline of every open (not yet published) cycle.

    step             deadline of the cycle        owed by                                     while
    ───────────────  ───────────────────────────  ──────────────────────────────────────────  ──────────────────
    self_evaluation  self_evaluation_deadline     the fillers and heads of each unit          it is 填报中/已退回
    verification     verification_deadline        the verifiers of each lead unit with open   items are 待核实
                                                  items (the office for items none leads)     in a submitted unit
    evaluation       evaluation_deadline          the office                                  a unit is not 已评价

When: once within the ``days_before`` days up to the deadline (the run on the first of those days, or the first run
after the step became owed: a unit returned the day before its deadline is still reminded), and then once on every
day after the deadline while the step is still owed. A reminder counts for a day (``Notification.day``: the first
day of the window before the deadline, the day itself after it) and the database holds at most one per person,
cycle, step and day, so cron running the command twice sends nothing twice. Written in the site's language, as
every notification (``recipients.site_language``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from kaohe.assessments.models import Cycle, SelfEvaluation, State
from kaohe.assessments.schemes import OFFICE_LEAD
from kaohe.notifications.actions import do_deliver
from kaohe.notifications.models import Notification
from kaohe.notifications.recipients import Message, office, site_language, unit_people, verifiers_of

Step = Notification.Step
DONE_EVALUATING = (State.EVALUATED, State.APPROVED, State.PUBLISHED)


@dataclass(frozen=True)
class Sent:
    cycle: Cycle
    step: str
    deadline: dt.date
    count: int


def reminder_day(deadline: dt.date | None, today: dt.date, days_before: int) -> dt.date | None:
    """The day a reminder sent ``today`` counts for, or None when no reminder is due today."""
    if deadline is None:
        return None
    window = deadline - dt.timedelta(days=days_before)
    if window <= today <= deadline:
        return window
    return today if today > deadline else None


def when(step: str, deadline: dt.date, today: dt.date) -> str:
    name = Step(step).label
    days = (deadline - today).days
    date = _("%(year)d年%(month)d月%(day)d日") % {"year": deadline.year, "month": deadline.month, "day": deadline.day}
    if days > 0:
        text = ngettext(
            "%(step)s将于 %(date)s 截止（还有 %(days)d 天）", "%(step)s将于 %(date)s 截止（还有 %(days)d 天）", days
        )
        return text % {"step": name, "date": date, "days": days}
    if days == 0:
        return _("%(step)s今天（%(date)s）截止") % {"step": name, "date": date}
    text = ngettext(
        "%(step)s已于 %(date)s 截止，已逾期 %(days)d 天", "%(step)s已于 %(date)s 截止，已逾期 %(days)d 天", -days
    )
    return text % {"step": name, "date": date, "days": -days}


def _owed(cycle: Cycle, step: str) -> tuple[dict[int, list[str]], dict[int, str]]:
    """(recipient id → what each still owes for ``step``, one line per unit; recipient id → the page to open)."""
    owed: dict[int, list[str]] = defaultdict(list)
    links: dict[int, str] = {}
    default = reverse("cycle_verification" if step == Step.VERIFICATION else "cycle_dashboard", args=[cycle.pk])
    if step == Step.SELF_EVALUATION:
        for assessment in cycle.assessments.filter(state__in=[State.DRAFT, State.RETURNED]).select_related("unit"):
            for person in unit_people([assessment.unit_id]):
                owed[person].append(
                    _("%(unit)s（%(state)s）") % {"unit": assessment.unit.name, "state": assessment.get_state_display()}
                )
                links.setdefault(person, reverse("assessment_detail", args=[assessment.pk]))
    elif step == Step.VERIFICATION:
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for lead, unit in SelfEvaluation.objects.filter(
            assessment__cycle=cycle,
            assessment__state__in=[State.SUBMITTED, State.VERIFYING],
            status=SelfEvaluation.ItemStatus.OPEN,
        ).values_list("lead_unit", "assessment__unit__name"):
            counts[lead or OFFICE_LEAD][unit] += 1
        for lead, units in sorted(counts.items()):
            lines = [
                ngettext("%(unit)s %(count)d 项待核实", "%(unit)s %(count)d 项待核实", n) % {"unit": unit, "count": n}
                for unit, n in sorted(units.items())
            ]
            for person in office() if lead == OFFICE_LEAD else verifiers_of([lead]):
                owed[person].extend(lines)
    elif step == Step.EVALUATION:
        pending = cycle.assessments.exclude(state__in=DONE_EVALUATING)
        if pending.exists():
            verified = pending.filter(state=State.VERIFIED).count()
            waiting = pending.count()
            line = ngettext(
                "尚有 %(count)d 个单位未综合评价（其中 %(verified)d 个已核实）",
                "尚有 %(count)d 个单位未综合评价（其中 %(verified)d 个已核实）",
                waiting,
            ) % {"count": waiting, "verified": verified}
            for person in office():
                owed[person].append(line)
    return owed, {person: links.get(person, default) for person in owed}


def _remind(cycle: Cycle, step: str, deadline: dt.date, day: dt.date, today: dt.date) -> int:
    owed, links = _owed(cycle, step)
    already = set(Notification.objects.filter(cycle=cycle, step=step, day=day).values_list("recipient_id", flat=True))
    title = _("提醒：%(cycle)s · %(when)s") % {"cycle": cycle.name, "when": when(step, deadline, today)}
    messages = [
        Message(
            kind=Notification.Kind.REMINDER,
            title=title,
            body=_("%(lines)s。") % {"lines": pgettext("list of clauses", "；").join(lines)},
            link=links[person],
            cycle_id=cycle.pk,
            recipient_ids=(person,),
        )
        for person, lines in sorted(owed.items())
        if person not in already
    ]
    return len(do_deliver(messages, acting_user=None, action="notification.remind", step=step, day=day))


def do_send_reminders(*, today: dt.date | None = None, days_before: int = 3) -> list[Sent]:
    """Send what is due ``today`` (default: the local date) for every open cycle; what was sent, per step."""
    today = today or timezone.localdate()
    sent = []
    for cycle_id in Cycle.objects.filter(published_at__isnull=True).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            # Two runs at once (cron and a person) take turns per cycle, so the second sees the first's reminders.
            cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
            for step, deadline in (
                (Step.SELF_EVALUATION, cycle.self_evaluation_deadline),
                (Step.VERIFICATION, cycle.verification_deadline),
                (Step.EVALUATION, cycle.evaluation_deadline),
            ):
                day = reminder_day(deadline, today, days_before)
                if day is None or deadline is None:
                    continue
                with site_language():
                    count = _remind(cycle, step, deadline, day, today)
                if count:
                    sent.append(Sent(cycle, str(step), deadline, count))
    return sent
