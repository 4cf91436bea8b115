"""台账数据 into a cycle (issue 12 §2, the web part): the counts of the registers kept in kaohe, derived for the cycle's
year by the pure core (``kaohe.registers.derive_inputs``) and stored as the cycle's imported values, the way the
monitoring import stores its values: a preview first, then every value or none, audited.

    register_frame(kind, rows=None) -> (frame, keys)   the register's rows as kaohe.registers reads them
    plan_pull(cycle) -> PullPlan                      per unit and register input: the stored value → the derived one
    check_pull_registers(cycle, fingerprint, user)    考核办, not after 审定: write what the preview showed
      ─► do_pull_registers                            one ``registers.pull`` entry per value written
    evidence_url(metric, unit_code, year)             the register list filtered to exactly the rows behind a count

A pulled value is an ``ImportedValue`` whose ``source`` is ``REGISTER_SOURCE`` ("台账数据",
``kaohe.assessments.actions``); the comprehensive evaluation reads it as it reads a monitoring value
(``assessments/evaluation.py``: a verified value first, then the imported one, then the unit's own figure); batch
核实无误 leaves an item whose unit figure differs from it to be verified one by one (``assessments/batch.py``).
An input that is also a target of the responsibility letter (``rect_due`` of the jilin schemes: ``target: true``
and ``source: register.rect_due``) keeps the letter's target wherever the letter states one: the evaluation lets the
letter win for targets, for monitoring values too, and the pull does not change that. The register's count is stored
beside it (the preview shows both), and it is the value where the letter leaves the target empty.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import models, transaction
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from kaohe.assessments import schemes
from kaohe.assessments.actions import (
    REGISTER_SOURCE,
    ActionError,
    User,
    _imported_fields,
    _require,
    _require_unsigned,
)
from kaohe.assessments.models import Cycle, ImportedValue, ResponsibilityLetter, Unit
from kaohe.audit.actions import AuditEntry, do_append_audit_many
from kaohe.core import values
from kaohe.core.exceptions import InputTableError, Problem
from kaohe.core.scheme import InputDef
from kaohe.ledgers.models import MODELS
from kaohe.registers import derive_inputs, parse_register, registers_needed, scheme_metrics
from kaohe.registers.kinds import register_kind
from kaohe.registers.metrics import Metric


# ------------------------------------------------------------------------------------------------ rows → frames
def _cell(value: Any) -> str | None:
    """A model value as register text: dates ISO, yes/no 是/否, empty as null."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def register_frame(kind: str, rows: models.QuerySet[Any] | None = None) -> tuple[pl.DataFrame, list[str]]:
    """The rows (every row of the register when ``rows`` is None) as :func:`kaohe.registers.parse_register` returns a
    register file, and the row keys in the frame's order. A row the pure reader refuses (a word outside its list,
    written past the actions) raises :class:`InputTableError` naming the register and the row's key."""
    register = register_kind(kind)
    model = MODELS[kind]
    query = rows if rows is not None else model._default_manager.all()
    names = ["unit__code" if c.id == "unit_id" else c.id for c in register.columns]
    records = list(query.order_by("pk").values_list(*names))
    text = pl.DataFrame(
        [[_cell(v) for v in record] for record in records],
        schema={c.id: pl.String for c in register.columns},
        orient="row",
    )
    keys = [str(record[names.index(register.key)]) for record in records]
    try:
        return parse_register(register, text, file=register.label), keys
    except InputTableError as exc:
        key_label = register.column(register.key).label
        raise InputTableError([_row_problem(register.label, key_label, keys, p) for p in exc.problems]) from None


def _row_problem(label: str, key_label: str, keys: list[str], problem: Problem) -> Problem:
    """A problem of the frame's row n as the row's register and key say it (a database row has no line number)."""
    where = label
    if problem.line is not None and 2 <= problem.line < len(keys) + 2:
        where = f"{label} {key_label} {keys[problem.line - 2]}"
    return Problem(f"{where}：{problem.message}", column=problem.column, expected=problem.expected, found=problem.found)


# ------------------------------------------------------------------------------------------------ the plan
@dataclass(frozen=True)
class PullLine:
    """One unit's one register input: what is stored now and what the registers give."""

    unit: Unit
    spec: InputDef
    metric: Metric
    current: Any  # the cycle's stored value (None: none)
    current_source: str  # where it came from ("" when none)
    derived: Any  # the registers' count (int) or yes/no (bool)
    target: Any = None  # the letter's target, for an input that is one (``target: true``)
    is_target: bool = False
    evidence: str = ""  # the register list of the rows counted

    @property
    def changed(self) -> bool:
        return self.current != self.derived or self.current_source != REGISTER_SOURCE

    @property
    def new(self) -> bool:
        return self.current_source == "" and self.current is None

    @property
    def letter_wins(self) -> bool:
        """The letter states this target: it, not the count, is scored."""
        return self.is_target and self.target is not None


@dataclass
class PullPlan:
    cycle: Cycle
    year: int
    registers: list[str]  # the registers read, by their names
    lines: list[PullLine] = field(default_factory=list)

    @property
    def changed(self) -> list[PullLine]:
        return [line for line in self.lines if line.changed]

    @property
    def new_count(self) -> int:
        return sum(1 for line in self.changed if line.new)

    @property
    def changed_count(self) -> int:
        return sum(1 for line in self.changed if not line.new)

    @property
    def same_count(self) -> int:
        return len(self.lines) - len(self.changed)

    @property
    def fingerprint(self) -> str:
        """What the preview showed: the values it would write (the confirmation refuses a plan that differs)."""
        data = [[line.unit.code, line.spec.id, line.derived] for line in self.changed]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:32]


def evidence_url(metric: Metric | str, unit_code: str, year: int) -> str:
    """The register list filtered to the rows ``metric`` counts for the unit in ``year`` (``queries.filter_rows``)."""
    from kaohe.registers.metrics import METRICS

    chosen = metric if isinstance(metric, Metric) else METRICS[metric]
    query = urlencode({"unit": unit_code, "year": str(year), "metric": chosen.id})
    return f"{reverse('ledgers:list', kwargs={'kind': chosen.register})}?{query}"


def _value(spec: InputDef, value: Any) -> Any:
    """A derived count as a stored value (JSON): whole numbers as int, yes/no as bool."""
    if value is None:
        return None
    return bool(value) if spec.kind == "boolean" else int(value)


def plan_pull(cycle: Cycle) -> PullPlan:
    """Every register input of the cycle's scheme for every unit of the cycle, for the cycle's year. A register row
    the reader refuses, or a count outside the input's range, raises :class:`InputTableError` with every problem:
    then nothing is pulled."""
    scheme = schemes.load(cycle.scheme_ref)
    pairs = scheme_metrics(scheme)
    kinds = registers_needed(scheme)
    plan = PullPlan(cycle, cycle.year, [register_kind(k).label for k in kinds])
    if not pairs:
        return plan
    problems: list[Problem] = []
    frames: dict[str, pl.DataFrame] = {}
    for kind in kinds:
        try:
            frames[kind] = register_frame(kind)[0]
        except InputTableError as exc:
            problems += exc.problems
    if problems:
        raise InputTableError(problems)
    units = {a.unit.code: a.unit for a in cycle.assessments.select_related("unit").order_by("unit__code")}
    derived = derive_inputs(scheme, frames, cycle.year, units=list(units))
    stored = {
        (iv.unit_id, iv.input_id): iv
        for iv in ImportedValue.objects.filter(cycle=cycle, input_id__in=[spec.id for spec, _ in pairs])
    }
    letters = {letter.unit_id: letter.targets for letter in ResponsibilityLetter.objects.filter(cycle=cycle)}
    for record in derived.iter_rows(named=True):
        unit = units[record["unit_id"]]
        for spec, metric in pairs:
            value = _value(spec, record[spec.id])
            why = values.out_of_range(spec, value)
            if why is not None:
                kind = "integer" if spec.kind == "integer" else "number"
                problems.append(
                    Problem(
                        gettext("%(unit)s 的「%(input)s」台账统计为 %(value)s，超出允许范围（%(range)s）")
                        % {
                            "unit": unit.name,
                            "input": spec.name,
                            "value": value,
                            "range": values.range_text(spec, kind).zh,
                        }
                    )
                )
                continue
            row = stored.get((unit.pk, spec.id))
            is_target = bool(getattr(spec, "target", False))
            plan.lines.append(
                PullLine(
                    unit=unit,
                    spec=spec,
                    metric=metric,
                    current=row.value if row else None,
                    current_source=row.source if row else "",
                    derived=value,
                    target=(letters.get(unit.pk) or {}).get(spec.id) if is_target else None,
                    is_target=is_target,
                    evidence=evidence_url(metric, unit.code, cycle.year),
                )
            )
    if problems:
        raise InputTableError(problems)
    return plan


# ------------------------------------------------------------------------------------------------ the action
def do_pull_registers(*, cycle: Cycle, fingerprint: str | None, acting_user: User | None) -> PullPlan:
    """Write every changed value of the plan, made again inside the transaction: all or none (a register row refused,
    a count out of range: nothing). ``fingerprint``: the preview's; a plan that differs from it (someone changed a
    register or a value since) is refused, so what is written is what the office saw."""
    with transaction.atomic():
        plan = plan_pull(cycle)
        if fingerprint is not None and fingerprint != plan.fingerprint:
            raise ActionError(gettext("预览之后台账或本周期的数据有变化，请重新预览后再确认"))
        entries: list[AuditEntry] = []
        for line in plan.changed:
            row = (
                ImportedValue.objects.select_for_update()
                .filter(cycle=cycle, unit=line.unit, input_id=line.spec.id)
                .first()
            )
            old = None if row is None else _imported_fields(row)
            if row is None:
                row = ImportedValue(cycle=cycle, unit=line.unit, input_id=line.spec.id)
            row.value, row.source = line.derived, REGISTER_SOURCE
            row.save()
            entries.append(
                AuditEntry(
                    action="registers.pull",
                    obj=row,
                    what=f"{line.unit.code} {line.spec.id}",
                    old=old,
                    new=_imported_fields(row),
                    reason=gettext("%(year)s年度台账：%(metric)s") % {"year": plan.year, "metric": line.metric.label},
                )
            )
        do_append_audit_many(entries, acting_user=acting_user)
    return plan


def check_pull_registers(*, cycle: Cycle, fingerprint: str | None, acting_user: Any) -> PullPlan:
    """台账数据 → 确认导入: the office's permission, and not after 审定 (as the monitoring import)."""
    _require(acting_user, "assessments.manage_cycle", cycle)
    _require_unsigned(cycle)
    return do_pull_registers(cycle=cycle, fingerprint=fingerprint, acting_user=acting_user)


def register_values(cycle_id: int, unit_id: int, input_ids: Iterable[str]) -> dict[str, Any]:
    """input id → the value pulled from the registers for this unit (only values whose source is the registers)."""
    return dict(
        ImportedValue.objects.filter(
            cycle_id=cycle_id, unit_id=unit_id, input_id__in=list(input_ids), source=REGISTER_SOURCE
        ).values_list("input_id", "value")
    )
