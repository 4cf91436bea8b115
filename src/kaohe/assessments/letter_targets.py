"""Targets (目标值) of a cycle's 目标责任书 without typing them unit by unit (issue 10 §3): from an Excel sheet, from
last year's cycle, and a new cycle set up from last year's.

    write_template(cycle)                      the .xlsx to fill: 单位代码, 单位名称, one column per target input
                                               (values.label, values.data_validation), current targets filled in
    check_import_letter_targets ─► do_import_letter_targets
        actions.read_monitoring_file           the input tables' reader (kaohe.core.tables.read_raw)
        tables.parse_table(partial=True)       values.parse_frame, ranges, duplicate and empty unit codes
        all rows or none                       any mistake, an unknown unit or a change to an issued letter (签发)
                                               refuses the file, every problem located (file, sheet, row, column)
        actions.do_write_letter                one letter.draft (or, asked, letter.issue) entry per changed letter
    previous_cycle(cycle)                      the latest earlier cycle of the same scheme id
    check_copy_letter_targets ─► do_copy_letter_targets       从上一年度复制目标: unissued letters only, inputs the
                                               scheme still has; what was not copied is listed
    next_cycle_initial(base)                   the new-cycle form pre-filled from a cycle (以此为基础新建)
    check_open_cycle_from(base, ...)           actions.check_open_cycle, then the base's targets copied as drafts
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kaohe.assessments import actions, schemes
from kaohe.assessments.actions import ActionError, User, _require, _require_unsigned
from kaohe.assessments.models import Cycle, ResponsibilityLetter
from kaohe.core import tables, values
from kaohe.core.exceptions import InputTableError, Problem
from kaohe.core.scheme import InputDef
from kaohe.core.xlsx_text import safe_row

SHEET = "目标值"
_ID_IN_LABEL = re.compile(r"\[([A-Za-z_][A-Za-z0-9_]*)\]\s*$")  # as kaohe.core.tables reads headers


# ------------------------------------------------------------------------------------------------ the template
def _cell(spec: InputDef, value: Any) -> Any:
    """A stored target as the sheet shows it: lists as ``2;0;1``, yes/no as 是/否."""
    if value is None:
        return None
    if isinstance(value, list):
        return ";".join("是" if v is True else "否" if v is False else str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def write_template(cycle: Cycle) -> bytes:
    """One row per unit of the cycle with its current targets, one column per target input (label with unit and
    id, Excel data validation of the input's range); a 说明 sheet says how the file is read back."""
    scheme = schemes.load(cycle.scheme_ref)
    targets = schemes.target_inputs(scheme)
    letters = cycle.letters.select_related("unit").order_by("unit__code")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    headers = [tables.KEY_LABELS["unit_id"], tables.KEY_LABELS["unit_name"], *(values.label(t) for t in targets)]
    ws.append(safe_row(headers))
    for index in range(1, len(headers) + 1):
        cell = ws.cell(row=1, column=index)
        cell.fill, cell.font = PatternFill("solid", fgColor="DDEBF7"), Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = 16 if index <= 2 else 24
    ws.freeze_panes = "C2"
    for letter in letters:
        ws.append(
            safe_row([letter.unit.code, letter.unit.name, *(_cell(t, letter.targets.get(t.id)) for t in targets)])
        )
    last = max(2, len(letters) + 1)
    for index, spec in enumerate(targets, start=3):
        dv = values.data_validation(spec)
        if dv is not None:
            column = get_column_letter(index)
            ws.add_data_validation(dv)
            dv.add(f"{column}2:{column}{last}")
    info = wb.create_sheet("说明")
    info.append(safe_row([f"{cycle.name}（{cycle.year}年）目标责任书目标值"]))
    info.append(["每个单位一行，单位代码不要修改；空白单元格表示不修改该单位的该项目标值。"])
    info.append(["已下达（签发）的责任书不能通过导入修改：文件中改动了已下达责任书的目标值时，整个文件都不会导入。"])
    info.append(["文件中任何一处有误，都不会导入任何内容；错误逐条列出（工作表、行、列、应为的值）。"])
    info.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ import
@dataclass(frozen=True)
class ImportReport:
    changed: list[str]  # unit names whose letter was written
    unchanged: int  # rows that changed nothing


def _header_id(header: str) -> str:
    match = _ID_IN_LABEL.search(header)
    return match.group(1) if match else header.strip()


def _column_problems(table: actions.MonitoringTable, target_ids: set[str]) -> list[Problem]:
    """A column that is neither a key nor a target input (a self-evaluation input, a typo); unit_id required."""
    ids = [_header_id(c) for c in table.frame.columns]
    problems = [
        Problem(
            f"“{column}” 不是本方案的目标值列",
            file=table.file,
            sheet=table.sheet,
            column=column,
            expected="单位代码、单位名称或模板中的目标值列",
            found=column,
        )
        for column, input_id in zip(table.frame.columns, ids, strict=True)
        if input_id not in ("unit_id", "unit_name") and input_id not in target_ids and not input_id.startswith("_")
    ]
    if "unit_id" not in ids:
        problems.append(
            Problem(
                f"缺少 {tables.KEY_LABELS['unit_id']} 列",
                file=table.file,
                sheet=table.sheet,
                column=tables.KEY_LABELS["unit_id"],
                expected="模板的表头",
            )
        )
    return problems


def do_import_letter_targets(
    *, cycle: Cycle, table: actions.MonitoringTable, issue: bool = False, acting_user: User | None
) -> ImportReport:
    """Set the targets of the units in ``table`` (a file as ``actions.read_monitoring_file`` read it): all rows or
    none. Raises :class:`InputTableError` listing every mistake (a value the input's kind or range refuses, an
    empty, duplicate or unknown unit code, a column that is not a target input) and every row that would change a
    letter already issued. Empty cells keep the letter's value. ``issue`` also issues (下达) each letter of the
    file; otherwise the targets are a draft the office issues on the letters screen."""
    scheme = schemes.load(cycle.scheme_ref)
    targets = {t.id: t for t in schemes.target_inputs(scheme)}
    letters = {letter.unit.code: letter for letter in cycle.letters.select_related("unit")}
    problems = _column_problems(table, set(targets))
    typed = None
    if not problems:
        try:
            typed = tables.parse_table(scheme, table.frame, file=table.file, sheet=table.sheet, partial=True)
        except InputTableError as exc:
            problems += exc.problems
        problems += actions._units_not_in_cycle(table, set(letters))
    if problems or typed is None:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise InputTableError(problems)
    columns = [c for c in typed.columns if c in targets]
    writes: list[tuple[ResponsibilityLetter, dict[str, Any]]] = []
    refused: list[Problem] = []
    for index, row in enumerate(typed.select("unit_id", *columns).iter_rows()):
        letter = letters[row[0]]
        new = dict(letter.targets)
        for input_id, value in zip(columns, row[1:], strict=True):
            if value is not None:
                new[input_id] = actions._stored(targets[input_id], value)
        changed = new != letter.targets
        if letter.issued_at is not None and changed:
            refused.append(
                Problem(
                    f"{letter.unit.name}（{letter.unit.code}）的目标责任书已经下达（签发），不能通过导入修改",
                    file=table.file,
                    sheet=table.sheet,
                    line=index + 2,
                    column=tables.KEY_LABELS["unit_id"],
                    expected="尚未下达的责任书",
                    found=letter.unit.code,
                )
            )
        elif changed or (issue and letter.issued_at is None):
            writes.append((letter, new))
    if refused:
        raise InputTableError(refused)
    reason = f"导入 {table.file}"
    with transaction.atomic():
        for letter, new in writes:
            actions.do_write_letter(letter=letter, targets=new, issue=issue, reason=reason, acting_user=acting_user)
    return ImportReport(changed=[letter.unit.name for letter, _ in writes], unchanged=typed.height - len(writes))


def check_import_letter_targets(
    *, cycle: Cycle, name: str, data: bytes, issue: bool = False, acting_user: Any
) -> ImportReport:
    """The letters screen's 导入目标值: the office's permission, not after 审定, then the file read and imported."""
    _require(acting_user, "assessments.manage_cycle", cycle)
    _require_unsigned(cycle)
    table = actions.read_monitoring_file(name, data)
    return do_import_letter_targets(cycle=cycle, table=table, issue=issue, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ last year's
@dataclass
class CopyReport:
    source: Cycle
    copied: list[str] = field(default_factory=list)  # unit names whose letter was written
    not_copied: list[str] = field(default_factory=list)  # one sentence per thing left out


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The most recent earlier cycle (by year, then the latest created) with the same scheme id."""
    if not cycle.scheme_id:
        return None
    earlier = Cycle.objects.filter(scheme_id=cycle.scheme_id, year__lt=cycle.year).exclude(pk=cycle.pk)
    return earlier.order_by("-year", "-created_at", "-pk").first()


def _input_names(cycle: Cycle) -> dict[str, str]:
    """Input id → name in ``cycle``'s scheme, to name an input the newer scheme dropped (its id if unreadable)."""
    try:
        return {i.id: i.name for i in schemes.load(cycle.scheme_ref).inputs}
    except Exception:  # an old uploaded scheme that no longer loads: the ids still say which input
        return {}


def do_copy_letter_targets(*, cycle: Cycle, source: Cycle, acting_user: User | None) -> CopyReport:
    """Copy ``source``'s targets into ``cycle``'s letters of the same units that are not issued, one
    ``letter.draft`` entry per letter changed. Left out, and listed: issued letters, units ``source`` did not
    assess, inputs the scheme no longer has as targets, values the input's range now refuses, and targets
    ``source`` had no value for."""
    scheme = schemes.load(cycle.scheme_ref)
    targets = {t.id: t for t in schemes.target_inputs(scheme)}
    old_letters = {letter.unit_id: letter for letter in source.letters.all()}
    old_names = _input_names(source)
    report = CopyReport(source=source)
    removed: dict[str, list[str]] = {}
    absent: dict[str, list[str]] = {}
    reason = f"从{source.name}复制"
    with transaction.atomic():
        for letter in cycle.letters.select_related("unit").order_by("unit__code"):
            unit = letter.unit.name
            old = old_letters.get(letter.unit_id)
            if letter.issued_at is not None:
                report.not_copied.append(_("%(unit)s：本周期的目标责任书已经下达，未覆盖") % {"unit": unit})
                continue
            if old is None:
                report.not_copied.append(
                    _("%(unit)s：%(cycle)s没有该单位的目标责任书") % {"unit": unit, "cycle": source.name}
                )
                continue
            new = dict(letter.targets)
            for input_id, value in old.targets.items():
                if input_id not in targets:
                    removed.setdefault(input_id, []).append(unit)
                elif value is not None:
                    try:
                        new[input_id] = schemes.coerce_value(targets[input_id], value)
                    except ValueError as exc:
                        report.not_copied.append(_("%(unit)s：%(error)s") % {"unit": unit, "error": exc})
            for input_id, spec in targets.items():
                if old.targets.get(input_id) is None:
                    absent.setdefault(spec.name, []).append(unit)
            if new != letter.targets:
                actions.do_write_letter(letter=letter, targets=new, issue=False, reason=reason, acting_user=acting_user)
                report.copied.append(unit)
    for input_id, units in removed.items():
        name = old_names.get(input_id, input_id)
        report.not_copied.append(
            _("%(name)s [%(id)s]：本周期的考核方案已没有该目标值（%(units)s）")
            % {"name": name, "id": input_id, "units": "、".join(units)}
        )
    for name, units in absent.items():
        report.not_copied.append(
            _("%(name)s：%(cycle)s没有目标值（%(units)s）")
            % {"name": name, "cycle": source.name, "units": "、".join(units)}
        )
    return report


def check_copy_letter_targets(*, cycle: Cycle, acting_user: Any) -> CopyReport:
    """从上一年度复制目标: the office's permission, not after 审定, and an earlier cycle of the same scheme."""
    _require(acting_user, "assessments.manage_cycle", cycle)
    _require_unsigned(cycle)
    source = previous_cycle(cycle)
    if source is None:
        raise ActionError(
            _("没有同一考核方案（%(scheme)s）更早年度的考核周期，无法复制目标") % {"scheme": cycle.scheme_id or "—"}
        )
    return do_copy_letter_targets(cycle=cycle, source=source, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ a new cycle
def _next_year(date: dt.date | None) -> dt.date | None:
    if date is None:
        return None
    try:
        return date.replace(year=date.year + 1)
    except ValueError:  # 29 February: the last day of February next year
        return date.replace(year=date.year + 1, day=28)


def next_cycle_initial(base: Cycle) -> dict[str, Any]:
    """The new-cycle form's initial values from ``base``: year + 1 (also in the name), the same scheme and units,
    each deadline one year later."""
    year = base.year + 1
    name = base.name.replace(str(base.year), str(year)) if str(base.year) in base.name else f"{year}年度 {base.name}"
    return {
        "name": name,
        "year": year,
        "scheme_id": base.scheme_id if not base.scheme_file else "",
        "units": [letter.unit_id for letter in base.letters.all()] or [a.unit_id for a in base.assessments.all()],
        **{field: _next_year(getattr(base, field)) for field, _ in Cycle.DEADLINES},
        "base": base.pk,
    }


def check_open_cycle_from(*, base: Cycle, acting_user: Any, **kwargs: Any) -> tuple[Cycle, CopyReport]:
    """Open a cycle (``actions.check_open_cycle``'s keyword arguments) and copy ``base``'s targets into its
    letters as drafts (not issued), in one transaction. Without a scheme of its own the new cycle takes ``base``'s
    (its uploaded file, or its built-in scheme id)."""
    if not kwargs.get("scheme_id") and not kwargs.get("scheme_file"):
        if base.scheme_file:
            with base.scheme_file.open("rb") as handle:
                kwargs["scheme_file"] = ContentFile(handle.read(), name=base.scheme_file.name.rsplit("/", 1)[-1])
        else:
            kwargs["scheme_id"] = base.scheme_id
    with transaction.atomic():
        cycle = actions.check_open_cycle(acting_user=acting_user, **kwargs)
        return cycle, do_copy_letter_targets(cycle=cycle, source=base, acting_user=acting_user)
