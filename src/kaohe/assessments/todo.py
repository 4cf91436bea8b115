"""待办: what waits for each person, one function per role (issue 10 §1), read by ``views.todo``.

    filler_todo(user)      单位填报人   items returned to the unit (with the verifier's comment), items still empty
    head_todo(user)        单位负责人   the unit's assessments waiting to be submitted
    verifier_todo(user)    牵头单位核实人 open items of the indicators its lead unit verifies, per cycle (the units with
                                       most open items named)
    office_todo()          考核办       units without a result after 综合评价, 未认定 findings, deadlines, its own
                                       verification queue (items no lead unit claims)
    approver_todo()        领导审定     evaluations waiting for approval

Every function returns plain frozen dataclasses; the unit roles see only their own units (``rules.unit_ids``).
Deadlines are per step and per party (``Assessment.overdue_step``); :func:`deadline_lines` is the one place that
says who owes which step of a cycle, for this page and the dashboard.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kaohe.assessments import schemes
from kaohe.assessments.evaluation import unscored
from kaohe.assessments.models import Assessment, Cycle, ImportedValue, Membership, SelfEvaluation, State
from kaohe.assessments.rules import lead_units, memberships, unit_ids
from kaohe.assessments.schemes import OFFICE_LEAD

Role = Membership.Role
# The unit states whose open items wait for verifiers, as Assessment.is_verifiable: after a return the unit's other
# items stay with their verifiers (issue 10 §1).
VERIFIABLE = (State.SUBMITTED, State.VERIFYING, State.RETURNED)
# Once approved, a cycle's letters and findings are closed (actions._require_unsigned).
SIGNED = (State.APPROVED, State.PUBLISHED)


@dataclass(frozen=True)
class UnitItem:
    """An item a unit person has to act on."""

    item_id: int
    assessment_id: int
    cycle_name: str
    unit_name: str
    indicator: str  # id and name, as the unit's page shows them
    comment: str  # the verifier's 退回意见 ("" for an item still to fill)
    deadline: dt.date | None  # the cycle's self-evaluation deadline
    overdue: bool


@dataclass(frozen=True)
class FillerTodo:
    returned: list[UnitItem]  # first on the page: the verifier waits for these
    to_fill: list[UnitItem]


@dataclass(frozen=True)
class Submission:
    """A unit's assessment waiting for its head to submit it."""

    assessment_id: int
    cycle_name: str
    unit_name: str
    state: str  # 填报中 / 已退回
    n_items: int
    n_empty: int  # base items without any value: submitting is refused while there are any (actions.check_submit)
    n_returned: int
    deadline: dt.date | None
    overdue: bool

    @property
    def ready(self) -> bool:
        return self.n_empty == 0


@dataclass(frozen=True)
class QueueRow:
    """Open items of one unit in one cycle for a verifier (or the office): links to the verification page."""

    cycle_id: int
    cycle_name: str
    unit_code: str
    unit_name: str
    n_open: int
    deadline: dt.date | None
    overdue: bool  # the verifiers' step, past the verification deadline


@dataclass(frozen=True)
class QueueCycle:
    """One cycle's open items for a verifier (or the office): totals and the units with most open items."""

    cycle_id: int
    cycle_name: str
    n_units: int
    n_open: int
    deadline: dt.date | None
    overdue: bool  # the verifiers' step, past the verification deadline
    units: list[QueueRow]  # at most QUEUE_UNITS_SHOWN, most open items first

    @property
    def more_units(self) -> int:
        """Units with open items that the 待办 page does not name (the queue lists them)."""
        return self.n_units - len(self.units)


@dataclass(frozen=True)
class Blocked:
    """A unit without a result after 综合评价, with why in words (evaluation.unscored)."""

    cycle_id: int
    cycle_name: str
    unit_name: str
    reasons: list[str]


@dataclass(frozen=True)
class OpenFindings:
    """认定事项 still 未认定 in one cycle (yes/no findings never saved or set back, as the findings screen counts)."""

    cycle_id: int
    cycle_name: str
    n_undecided: int
    n_units: int


@dataclass(frozen=True)
class DeadlineLine:
    """One step of a cycle that is still owed: who owes it, until when, for how many units."""

    cycle_id: int
    cycle_name: str
    step: str  # 自评 / 核实 / 综合评价
    owed_by: str  # 被考核单位 / 牵头单位 / 考核办, in words
    deadline: dt.date | None
    n_units: int
    overdue: bool

    @property
    def text(self) -> str:
        owing = {
            "自评": _("%(n)s 个单位尚未提交自评"),
            "核实": _("%(n)s 个单位尚未核实完毕"),
            "综合评价": _("%(n)s 个单位已核实，尚未综合评价"),
        }[self.step] % {"n": self.n_units}
        when = _("截止 %(date)s") % {"date": self.deadline} if self.deadline else _("未设截止日期")
        late = _("，已逾期") if self.overdue else ""
        return _("%(step)s（%(owed_by)s）：%(owing)s（%(when)s%(late)s）") % {
            "step": _(self.step),
            "owed_by": _(self.owed_by),
            "owing": owing,
            "when": when,
            "late": late,
        }


# The steps and parties of deadline_lines, for the catalogue (translated when the line is written).
_WORDS = (gettext_noop("自评"), gettext_noop("核实"), gettext_noop("综合评价"))
_PARTIES = (gettext_noop("被考核单位"), gettext_noop("牵头单位"), gettext_noop("考核办"))


@dataclass(frozen=True)
class OfficeTodo:
    blocked: list[Blocked]
    findings: list[OpenFindings]
    deadlines: list[DeadlineLine]
    queue: list[QueueCycle]  # items no lead unit claims: the office verifies them


@dataclass(frozen=True)
class Approval:
    cycle_id: int
    cycle_name: str
    n_units: int


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _late(deadline: dt.date | None, today: dt.date) -> bool:
    return deadline is not None and today > deadline


def _has(user: Any, role: str) -> bool:
    return any(m.role == role for m in memberships(user))


# ------------------------------------------------------------------------------------------------ unit people
def filler_todo(user: Any, today: dt.date | None = None) -> FillerTodo:
    """The items of the user's units (as 填报人) that the unit may change now: returned ones with the comment, and
    the items of a draft without any value yet."""
    today = _today(today)
    items = (
        SelfEvaluation.objects.filter(
            assessment__unit_id__in=unit_ids(user, (Role.FILLER,)),
            assessment__state__in=[State.DRAFT, State.RETURNED],
        )
        .select_related("assessment__cycle", "assessment__unit", "verification")
        .order_by("-assessment__cycle__year", "assessment__unit__code", "id")
    )
    returned, to_fill = [], []
    for item in items:
        a = item.assessment
        deadline = a.cycle.self_evaluation_deadline
        row = UnitItem(
            item_id=item.pk,
            assessment_id=a.pk,
            cycle_name=a.cycle.name,
            unit_name=a.unit.name,
            indicator=f"{item.indicator_id} {item.indicator_name}",
            comment="",
            deadline=deadline,
            overdue=_late(deadline, today),
        )
        if item.status == SelfEvaluation.ItemStatus.RETURNED:
            verification = getattr(item, "verification", None)
            returned.append(replace(row, comment=verification.comment if verification else ""))
        elif a.state == State.DRAFT and all(v is None for v in item.values.values()):
            to_fill.append(row)
    return FillerTodo(returned=returned, to_fill=to_fill)


def head_todo(user: Any, today: dt.date | None = None) -> list[Submission]:
    """The user's units (as 负责人) whose assessment waits to be submitted (填报中 or 已退回)."""
    today = _today(today)
    assessments = (
        Assessment.objects.filter(unit_id__in=unit_ids(user, (Role.HEAD,)), state__in=[State.DRAFT, State.RETURNED])
        .select_related("cycle", "unit")
        .prefetch_related("items")
        .order_by("-cycle__year", "unit__code")
    )
    out = []
    for a in assessments:
        items = list(a.items.all())
        deadline = a.cycle.self_evaluation_deadline
        out.append(
            Submission(
                assessment_id=a.pk,
                cycle_name=a.cycle.name,
                unit_name=a.unit.name,
                state=str(State(a.state).label),
                n_items=len(items),
                # as actions.check_submit refuses: a base item whose values are all empty
                n_empty=sum(1 for i in items if i.kind == "base" and all(v is None for v in i.values.values())),
                n_returned=sum(1 for i in items if i.status == SelfEvaluation.ItemStatus.RETURNED),
                deadline=deadline,
                overdue=_late(deadline, today),
            )
        )
    return out


# ------------------------------------------------------------------------------------------------ verifiers
# A province's verifier has open items in thousands of units: the 待办 page names the units with most open items and
# links to the queue (filtered, paginated) for the rest.
QUEUE_UNITS_SHOWN = 20


def verification_queue(leads: set[str], today: dt.date | None = None) -> list[QueueCycle]:
    """Open items of the indicators ``leads`` verify, per cycle (newest year first): the totals, and the
    ``QUEUE_UNITS_SHOWN`` units with most open items (then by unit code)."""
    today = _today(today)
    counted = (
        SelfEvaluation.objects.filter(
            lead_unit__in=leads, status=SelfEvaluation.ItemStatus.OPEN, assessment__state__in=VERIFIABLE
        )
        .values_list("assessment__cycle_id", "assessment__unit__code", "assessment__unit__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_cycle: dict[int, list[tuple[str, str, int]]] = {}
    for cycle_id, code, name, n in counted:
        per_cycle.setdefault(cycle_id, []).append((code, name, n))
    if not per_cycle:
        return []
    cycles = Cycle.objects.in_bulk(list(per_cycle))
    out = []
    for cycle_id in sorted(per_cycle, key=lambda c: (-cycles[c].year, c)):
        cycle, rows = cycles[cycle_id], per_cycle[cycle_id]
        deadline = cycle.verification_deadline
        overdue = _late(deadline, today)
        shown = sorted(rows, key=lambda row: (-row[2], row[0]))[:QUEUE_UNITS_SHOWN]  # most open items first
        out.append(
            QueueCycle(
                cycle_id=cycle_id,
                cycle_name=cycle.name,
                n_units=len(rows),
                n_open=sum(n for *_, n in rows),
                deadline=deadline,
                overdue=overdue,
                units=[QueueRow(cycle_id, cycle.name, code, name, n, deadline, overdue) for code, name, n in shown],
            )
        )
    return out


def verifier_todo(user: Any, today: dt.date | None = None) -> list[QueueCycle]:
    return verification_queue(lead_units(user), today)


# ------------------------------------------------------------------------------------------------ office
def deadline_lines(cycle: Cycle, states: Counter[str], today: dt.date | None = None) -> list[DeadlineLine]:
    """The steps of ``cycle`` still owed, by whom, given the number of units per state: the units' self-evaluation
    (填报中 / 已退回), the lead units' verification (已提交 / 核实中) and the office's 综合评价 (已核实, one line for
    the whole cycle: it is never a unit's fault)."""
    today = _today(today)
    steps = [
        ("自评", "被考核单位", cycle.self_evaluation_deadline, (State.DRAFT, State.RETURNED)),
        ("核实", "牵头单位", cycle.verification_deadline, (State.SUBMITTED, State.VERIFYING)),
        ("综合评价", "考核办", cycle.evaluation_deadline, (State.VERIFIED,)),
    ]
    out = []
    for step, owed_by, deadline, owing in steps:
        n = sum(states.get(s, 0) for s in owing)
        if n:
            out.append(DeadlineLine(cycle.pk, cycle.name, step, owed_by, deadline, n, _late(deadline, today)))
    return out


def evaluation_overdue(cycle: Cycle, states: Counter[str], today: dt.date | None = None) -> DeadlineLine | None:
    """The office's 综合评价 line when units are 已核实 after the evaluation deadline, else None."""
    return next(
        (line for line in deadline_lines(cycle, states, today) if line.step == "综合评价" and line.overdue), None
    )


def _open_findings(cycle: Cycle, assessments: list[tuple[int, str]]) -> OpenFindings | None:
    scheme = schemes.load(cycle.scheme_ref)
    yes_no = [inp.id for inp in schemes.finding_inputs(scheme) if inp.kind == "boolean"]
    if not yes_no:
        return None
    stored = ImportedValue.objects.filter(cycle=cycle, input_id__in=yes_no).values_list("unit_id", "input_id", "value")
    decided = {(unit_id, input_id) for unit_id, input_id, value in stored if value is not None}  # set back: 未认定
    missing = [(unit_id, i) for unit_id, _ in assessments for i in yes_no if (unit_id, i) not in decided]
    if not missing:
        return None
    return OpenFindings(cycle.pk, cycle.name, len(missing), len({unit_id for unit_id, _ in missing}))


def office_todo(today: dt.date | None = None) -> OfficeTodo:
    """Every cycle not yet published: units 综合评价 could not score, undecided findings, the steps still owed."""
    today = _today(today)
    blocked: list[Blocked] = []
    findings: list[OpenFindings] = []
    deadlines: list[DeadlineLine] = []
    for cycle in Cycle.objects.filter(published_at__isnull=True).order_by("-year", "-pk"):
        rows = list(cycle.assessments.values_list("unit_id", "state"))
        states = Counter(state for _, state in rows)
        if not states or set(states) <= {State.PUBLISHED}:
            continue
        if states.get(State.EVALUATED):  # after 综合评价: who has no result, and why (as the approval page says)
            blocked += [Blocked(cycle.pk, cycle.name, name, reasons) for name, reasons in unscored(cycle)]
        if not set(states) & set(SIGNED):
            found = _open_findings(cycle, rows)
            if found is not None:
                findings.append(found)
        deadlines += deadline_lines(cycle, states, today)
    deadlines.sort(key=lambda line: (not line.overdue, line.deadline or dt.date.max))
    return OfficeTodo(
        blocked=blocked, findings=findings, deadlines=deadlines, queue=verification_queue({OFFICE_LEAD}, today)
    )


# ------------------------------------------------------------------------------------------------ approver
def approver_todo() -> list[Approval]:
    """Cycles whose every unit is 已评价: the evaluation waits for the leader's 审定."""
    cycles = (
        Cycle.objects.annotate(
            n_units=Count("assessments"),
            n_evaluated=Count("assessments", filter=Q(assessments__state=State.EVALUATED)),
        )
        .filter(n_units__gt=0)
        .order_by("-year", "-pk")
    )
    return [Approval(c.pk, c.name, c.n_units) for c in cycles if c.n_evaluated == c.n_units]


@dataclass(frozen=True)
class Todo:
    """The whole page of one person: a section per role the person holds (None where the person lacks it)."""

    filler: FillerTodo | None
    head: list[Submission] | None
    verifier: list[QueueCycle] | None
    office: OfficeTodo | None
    approver: list[Approval] | None

    @property
    def empty(self) -> bool:
        parts = [
            self.filler and (self.filler.returned or self.filler.to_fill),
            self.head,
            self.verifier,
            self.office and (self.office.blocked or self.office.findings or self.office.deadlines or self.office.queue),
            self.approver,
        ]
        return not any(parts)


def todo_for(user: Any, today: dt.date | None = None) -> Todo:
    today = _today(today)
    return Todo(
        filler=filler_todo(user, today) if _has(user, Role.FILLER) else None,
        head=head_todo(user, today) if _has(user, Role.HEAD) else None,
        verifier=verifier_todo(user, today) if _has(user, Role.VERIFIER) else None,
        office=office_todo(today) if _has(user, Role.OFFICE) else None,
        approver=approver_todo() if _has(user, Role.APPROVER) else None,
    )
