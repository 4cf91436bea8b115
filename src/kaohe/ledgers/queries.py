"""What a person sees of the registers: the rows of their scope, the list filters, the flags (通报预警) and the words
of each field. Read by the screens, the API and the 待办 page alike.

    visible_rows(user, kind)           every row for the office, the approver and verifiers; the own units' rows else
    filter_rows(rows, kind, params)    unit / year / state (incl. 逾期, 临期) / the register's word filters; with
                                       ?metric=M&year=Y the rows metric M counts for Y (the evidence of a pulled count)
    display(row, name)                 a field's value in words (是/否, the vocabulary's word, — for empty)
    warnings(user)                     the rows a unit person is warned of (逾期 and 临期), and counts for the office
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaohe.assessments.models import Unit
from kaohe.assessments.rules import allowed, unit_ids
from kaohe.core.exceptions import InputTableError
from kaohe.ledgers.models import DUE_SOON_DAYS, MODELS, Complaint, Flag, LedgerRow, RectificationProblem
from kaohe.registers import rows_counted
from kaohe.registers.kinds import register_kind
from kaohe.registers.metrics import METRICS, Metric

# The word filters of each list (issue 12 §1: "category/level/kind as fits").
CHOICE_FILTERS = {
    "rectification": ("source", "level"),
    "complaints": ("category", "channel"),
    "notices": ("level", "kind"),
    "incidents": ("severity",),
}
# The states a list filters by; 逾期/临期 are the flags (``LedgerRow.flag``).
STATES: dict[str, list[tuple[str, Any]]] = {
    "rectification": [*RectificationProblem.State.choices, *Flag.choices],
    "complaints": [("open", _("办理中")), ("closed", _("已办结")), *Flag.choices],
    "notices": [],
    "incidents": [],
}


def visible_rows(user: Any, kind: str) -> QuerySet[Any]:
    rows = MODELS[kind]._default_manager.select_related("unit")
    if allowed(user, "ledgers.view_every_row"):
        return rows
    return rows.filter(unit_id__in=unit_ids(user))


def _flag_q(kind: str, flag: str, today: dt.date) -> Q:
    """The rows :meth:`LedgerRow.flag` calls ``flag`` today, as a query."""
    if kind == "rectification":
        date, pending = "deadline", Q(completed_on__isnull=True) & ~Q(state=RectificationProblem.State.CLOSED)
    elif kind == "complaints":
        date, pending = "due_on", Q(closed_on__isnull=True)
    else:
        return Q(pk__in=[])
    if flag == Flag.OVERDUE:
        return pending & Q(**{f"{date}__lt": today})
    soon = today + dt.timedelta(days=DUE_SOON_DAYS[kind])
    return pending & Q(**{f"{date}__gte": today, f"{date}__lte": soon})


def filter_rows(rows: QuerySet[Any], kind: str, params: Any, today: dt.date | None = None) -> QuerySet[Any]:
    """``rows`` narrowed by the list's filters in ``params`` (a QueryDict or dict); unknown values are ignored."""
    today = today or timezone.localdate()
    model = MODELS[kind]
    unit = (params.get("unit") or "").strip()
    if unit:
        rows = rows.filter(unit__code=unit)
    year = (params.get("year") or "").strip()
    metric = counting_metric(kind, params)
    if metric is not None:
        # the rows behind a count (issue 12 §2): exactly those the metric counts for the year, whatever their date
        rows = rows.filter(**{f"{register_kind(kind).key}__in": counted_keys(rows, kind, metric, int(year))})
    elif year.isdigit() and len(year) == 4:
        rows = rows.filter(**{f"{model.YEAR_FIELD}__year": int(year)})
    state = params.get("state") or ""
    if state in (Flag.OVERDUE, Flag.DUE_SOON):
        rows = rows.filter(_flag_q(kind, state, today))
    elif kind == "rectification" and state in RectificationProblem.State.values:
        rows = rows.filter(state=state)
    elif kind == "complaints" and state in ("open", "closed"):
        rows = rows.filter(closed_on__isnull=state == "open")
    for name in CHOICE_FILTERS[kind]:
        value = params.get(name) or ""
        if value in register_kind(kind).column(name).choices:
            rows = rows.filter(**{name: value})
    return rows


def counting_metric(kind: str, params: Any) -> Metric | None:
    """The metric of ``?metric=…&year=…`` when it counts rows of register ``kind`` and the year is one."""
    metric = METRICS.get((params.get("metric") or "").strip())
    year = (params.get("year") or "").strip()
    if metric is None or metric.register != kind or not (year.isdigit() and len(year) == 4):
        return None
    return metric


def counted_keys(rows: QuerySet[Any], kind: str, metric: Metric, year: int) -> list[str]:
    """The keys of the ``rows`` that ``metric`` counts for ``year`` (``kaohe.registers.rows_counted``, the rule the
    pull derives the value by). Rows the pure reader refuses count nothing here: the pull refuses them by name."""
    from kaohe.ledgers.pull import register_frame

    try:
        frame, _keys = register_frame(kind, rows)
    except InputTableError:
        return []
    counted = rows_counted(frame, metric, year)
    return [str(k) for k in counted.get_column(register_kind(kind).key).to_list()]


def filter_choices(kind: str) -> list[tuple[str, str, list[str]]]:
    """(field, label, words) of each word filter of register ``kind``."""
    register = register_kind(kind)
    return [(name, register.column(name).label, list(register.column(name).choices)) for name in CHOICE_FILTERS[kind]]


def display(row: LedgerRow, name: str) -> str:
    """A field's value as a person reads it."""
    if name == "unit_id":
        return row.unit.name
    value = getattr(row, name)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "—"
    get_display = getattr(row, f"get_{name}_display", None)
    if get_display is not None:
        return str(get_display())
    return str(value)


def list_columns(kind: str) -> list[tuple[str, str]]:
    """(field, label) of the list's columns: the register's columns after the unit and the key."""
    register = register_kind(kind)
    skip = {"unit_id", register.key, "description"}
    return [(c.id, c.label) for c in register.columns if c.id not in skip]


def units_for_filter(user: Any) -> list[Unit]:
    if allowed(user, "ledgers.view_every_row"):
        return list(Unit.objects.order_by("code"))
    return list(Unit.objects.filter(pk__in=unit_ids(user)).order_by("code"))


@dataclass(frozen=True)
class Warned:
    kind: str
    label: str  # the register's name
    row: LedgerRow
    flag: str
    flag_text: str
    deadline: dt.date | None


@dataclass(frozen=True)
class WarningCount:
    kind: str
    label: str
    overdue: int
    due_soon: int


def warnings(user: Any, today: dt.date | None = None) -> tuple[list[Warned], list[WarningCount]]:
    """通报预警 for the 待办 page: the overdue and due-soon rows of the person's own units (unit roles), and the counts
    of every unit's for whoever sees every row (the office, the approver)."""
    today = today or timezone.localdate()
    own: list[Warned] = []
    counts: list[WarningCount] = []
    units = unit_ids(user)
    every = allowed(user, "ledgers.view_every_row")
    for kind, date_field in (("rectification", "deadline"), ("complaints", "due_on")):
        label = register_kind(kind).label
        model = MODELS[kind]
        flagged = _flag_q(kind, Flag.OVERDUE, today) | _flag_q(kind, Flag.DUE_SOON, today)
        if units:
            rows = model._default_manager.select_related("unit").filter(flagged, unit_id__in=units)
            for row in rows.order_by(date_field)[:50]:
                own.append(Warned(kind, label, row, row.flag(today), row.flag_text(today), getattr(row, date_field)))
        if every:
            base = model._default_manager.all()
            overdue = base.filter(_flag_q(kind, Flag.OVERDUE, today)).count()
            due_soon = base.filter(_flag_q(kind, Flag.DUE_SOON, today)).count()
            if overdue or due_soon:
                counts.append(WarningCount(kind, label, overdue, due_soon))
    return own, counts


def complaint_state(row: Complaint) -> str:
    return str(_("已办结")) if row.closed_on else str(_("办理中"))
