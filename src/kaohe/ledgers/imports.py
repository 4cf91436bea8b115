"""A register file in and out of the web app: read (all rows or none, every mistake located), planned (what an import
would change, for the preview), and exported so that it imports again unchanged.

    read_ledger_file(kind, name, data) -> LedgerTable   the upload, read by kaohe.registers.parse_register (the register
                                                        columns and words) plus the web app's checks: unit codes
                                                        that exist, the ``_``-columns of the web-only fields
    plan_import(table) -> [RowChange]                   per row: new, changed (which fields) or the same
    export_workbook(kind, rows) -> bytes                the rows as an .xlsx with the template's headers

Rows are matched by the register's key (问题编号, 案件编号 …); an import adds and changes rows, never deletes one. A
``_``-column (``包保领导 [_lead_leader]``) sets that field; a file without it (the CLI's template) keeps the field as
it is. The pure reader ignores ``_``-columns, so an exported file also reads in ``kaohe registers derive``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import models
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from kaohe.assessments.actions import read_monitoring_file
from kaohe.assessments.models import Unit
from kaohe.audit.snapshots import plain
from kaohe.core import values
from kaohe.core.exceptions import InputTableError, Problem
from kaohe.core.scheme import InputDef
from kaohe.core.workbooks import _header
from kaohe.core.xlsx_text import safe
from kaohe.ledgers.models import MODELS, Complaint, LedgerRow, Notice, RectificationProblem
from kaohe.registers import parse_register
from kaohe.registers.kinds import Column, RegisterKind, register_kind

MAX_REPORTED = 50
_ID_IN_HEADER = re.compile(r"\[([A-Za-z_][A-Za-z0-9_]*)\]\s*$")
_YES_NO = InputDef(id="yes_no", name="是/否", kind="boolean")


@dataclass
class LedgerTable:
    """A register file as read and checked: ``rows`` has one dict per row, field name → value, ready for the model
    (``unit_id`` the Unit's pk; a web-only field only where the file has its column)."""

    kind: str
    file: str
    rows: list[dict[str, Any]]
    sheet: str | None = None


@dataclass
class RowChange:
    kind: str  # new | changed | same
    row: LedgerRow  # with the file's values, not saved
    line: int  # the spreadsheet row
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, before, after) in words


def _header_id(header: str) -> str:
    text = str(header).strip()
    match = _ID_IN_HEADER.search(text)
    return match.group(1) if match else text


def _extra_columns(model: type[LedgerRow], frame: pl.DataFrame) -> dict[str, str]:
    """web-only field → the frame's header that holds it (``…[_lead_leader]`` or ``_lead_leader``)."""
    out: dict[str, str] = {}
    for header in frame.columns:
        column_id = _header_id(header)
        if column_id.startswith("_") and column_id[1:] in model.EXTRA_FIELDS:
            out[column_id[1:]] = header
    return out


def _unit_column(register: RegisterKind, frame: pl.DataFrame) -> str | None:
    label = register.column("unit_id").label
    for header in frame.columns:
        if _header_id(header) == "unit_id" or str(header).strip() == label:
            return header
    return None


def _max_length(model: type[LedgerRow], name: str) -> int | None:
    model_field = model._meta.get_field(name)
    return getattr(model_field, "max_length", None) if isinstance(model_field, models.CharField) else None


def read_ledger_file(kind: str, name: str, data: bytes) -> LedgerTable:
    """The uploaded register file ``name`` (``data``: its bytes) of register ``kind``; :class:`InputTableError`
    lists every mistake with file, sheet, row and column, and then nothing is imported."""
    table = read_monitoring_file(name, data)  # the input tables' reader: CSV UTF-8/GBK, .xlsx, Parquet, guarded
    return parse_ledger_frame(kind, table.frame, file=name, sheet=table.sheet)


def parse_ledger_frame(kind: str, frame: pl.DataFrame, file: str, sheet: str | None = None) -> LedgerTable:
    register = register_kind(kind)
    model = MODELS[kind]
    where: dict[str, Any] = {"file": file, "sheet": sheet}
    problems: list[Problem] = []
    typed: pl.DataFrame | None = None
    try:
        typed = parse_register(register, frame, file=file, sheet=sheet)
    except InputTableError as exc:
        problems += exc.problems
    units = dict(Unit.objects.values_list("code", "pk"))
    unit_column = _unit_column(register, frame)
    if unit_column is not None:
        for index, code in enumerate(frame.get_column(unit_column).cast(pl.String).to_list()):
            code = (code or "").strip()
            if code and code not in units:
                problems.append(
                    Problem(
                        f"单位代码 {code} 不是系统中的被考核单位 (unknown unit code {code!r})",
                        line=index + 2,
                        column=register.column("unit_id").header,
                        expected="系统中一个被考核单位的代码",
                        found=code,
                        **where,
                    )
                )
    extras = _extra_columns(model, frame)
    extra_values: dict[str, list[Any]] = {}
    for name, header in extras.items():
        parsed, bad = _parse_extra(model, name, frame.get_column(header).cast(pl.String).to_list())
        extra_values[name] = parsed
        for index, cell, message, expected in bad:
            problems.append(Problem(message, line=index + 2, column=header, expected=expected, found=cell, **where))
    if typed is not None:
        for column in register.columns:
            limit = _max_length(model, column.id) if column.id != "unit_id" else None
            if limit is None:
                continue
            for index, value in enumerate(typed.get_column(column.id).to_list()):
                if value is not None and len(value) > limit:
                    message = f"{column.label}超过 {limit} 个字 (longer than {limit} characters)"
                    found = value[:40]
                    problems.append(
                        Problem(
                            message, line=index + 2, column=column.header, expected=f"≤{limit}字", found=found, **where
                        )
                    )
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise InputTableError(problems[:MAX_REPORTED])
    assert typed is not None
    rows: list[dict[str, Any]] = []
    for index, record in enumerate(typed.iter_rows(named=True)):
        row = {c.id: _model_value(c, record[c.id]) for c in register.columns}
        row["unit_id"] = units[record["unit_id"]]
        for name, parsed in extra_values.items():
            row[name] = parsed[index]
        rows.append(row)
    return LedgerTable(kind, file, rows, sheet)


def _model_value(column: Column, value: Any) -> Any:
    """A typed register cell as the model field holds it: empty text and words as "", an empty yes/no as 否."""
    if column.kind == "boolean":
        return bool(value)
    if column.kind in ("key", "text", "choice"):
        return value or ""
    return value


Bad = tuple[int, str, str, str]  # row index, cell, message, expected


def _parse_extra(model: type[LedgerRow], name: str, cells: list[str | None]) -> tuple[list[Any], list[Bad]]:
    """A web-only column: yes/no (信息公开), 回访 words, a linked problem's 问题编号, or text within the field's
    length."""
    label = field_label(model, name)
    out: list[Any] = []
    bad: list[Bad] = []
    problems = dict(RectificationProblem.objects.values_list("problem_id", "pk")) if name == "linked_problem" else {}
    follow_up = {str(label): code for code, label in Complaint.FollowUp.choices}
    limit = _max_length(model, name)
    for index, raw in enumerate(cells):
        text = (raw or "").strip()
        if name == "disclose":
            value, why = values.parse_cell(text or None, "boolean", _YES_NO)
            if why is not None:
                bad.append((index, text, values.not_valid(text, why), "是、否"))
            out.append(bool(value))
        elif name == "follow_up":
            if text and text not in follow_up:
                words = "、".join(follow_up)
                bad.append((index, text, f"{label}应为 {words} 之一或空白 (expected one of {words} or empty)", words))
            out.append(follow_up.get(text, ""))
        elif name == "linked_problem":
            if text and text not in problems:
                message = f"关联整改问题 {text} 不在督察整改台账中 (no rectification problem {text!r})"
                bad.append((index, text, message, "督察整改台账中的问题编号"))
            out.append(problems.get(text) if text else None)
        else:
            if limit is not None and len(text) > limit:
                bad.append(
                    (index, text[:40], f"{label}超过 {limit} 个字 (longer than {limit} characters)", f"≤{limit}字")
                )
            out.append(text)
    return out, bad[:MAX_REPORTED]


# ------------------------------------------------------------------------------------------------ plan
def field_label(model: type[models.Model], name: str) -> str:
    """The field's Chinese name (its verbose_name)."""
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _words(row: LedgerRow, name: str) -> str:
    """A field's value as a person reads it."""
    if name in ("unit", "unit_id"):
        return _unit_name(row.unit_id)
    model_field = row._meta.get_field(name)
    value = getattr(row, name)
    if name == "linked_problem":
        return str(value) if value else ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "（空）"
    choices = getattr(model_field, "choices", None)
    if choices:
        return str(dict(choices).get(value, value))
    return str(value)


def plan_import(table: LedgerTable, *, lock: bool = False) -> list[RowChange]:
    """What importing ``table`` does to each of its rows. ``lock`` locks the existing rows (inside the import's
    transaction) so that what is planned is what is written."""
    model = MODELS[table.kind]
    key = register_kind(table.kind).key
    existing_rows = model._default_manager.filter(**{f"{key}__in": [r[key] for r in table.rows]})
    if lock:
        existing_rows = existing_rows.select_for_update()
    existing = {getattr(r, key): r for r in existing_rows}
    out: list[RowChange] = []
    for index, values_ in enumerate(table.rows):
        row = existing.get(values_[key])
        before = None
        if row is None:
            row = model()
        else:
            before = {f.attname: plain(getattr(row, f.attname)) for f in model._meta.concrete_fields}
        for name, value in values_.items():
            setattr(row, "linked_problem_id" if name == "linked_problem" else name, value)
        if isinstance(row, RectificationProblem):
            row.state = _rectification_state(row, before)
        if before is None:
            out.append(RowChange("new", row, index + 2))
            continue
        changes = []
        for f in model._meta.concrete_fields:
            if plain(getattr(row, f.attname)) != before[f.attname]:
                name = f.name
                after_words = _words(row, name)
                old_row = model(**{f.attname: _from_plain(f, before[f.attname])}) if name != "unit" else None
                before_words = _words(old_row, name) if old_row is not None else _unit_name(before["unit_id"])
                changes.append((str(f.verbose_name), before_words, after_words))
        out.append(RowChange("changed" if changes else "same", row, index + 2, changes))
    return out


def _unit_name(pk: Any) -> str:
    unit = Unit.objects.filter(pk=pk).first()
    return unit.name if unit else ""


def _from_plain(model_field: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(model_field, models.DateField) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _rectification_state(row: RectificationProblem, before: dict[str, Any] | None) -> str:
    """A 销号日期 in the file closes the problem; a closed problem whose 销号日期 the file empties is 整改中 again;
    otherwise the state stays (整改中, or 待验收 after the unit's application)."""
    State = RectificationProblem.State
    if row.closed_on is not None:
        return State.CLOSED
    state = before["state"] if before else State.OPEN
    return State.OPEN if state == State.CLOSED else state


# ------------------------------------------------------------------------------------------------ export
def export_columns(kind: str) -> list[tuple[str, str]]:
    """(header, field) of an exported register: the register's columns with the template's headers, then the
    web-only fields as ``_``-columns, which import reads back and the pure reader skips."""
    register = register_kind(kind)
    model = MODELS[kind]
    out = [(c.header, c.id) for c in register.columns]
    out += [(f"{field_label(model, name)} [_{name}]", name) for name in model.EXTRA_FIELDS]
    out.append(("单位名称 [_unit_name]", "_unit_name"))
    if model is RectificationProblem:
        out.append(("状态 [_state]", "_state"))
    return out


def row_cells(row: LedgerRow) -> dict[str, str]:
    """The row's register columns and web-only fields as the text a file (or the row form) gives for them."""
    names = [c.id for c in register_kind(row.KIND).columns] + list(type(row).EXTRA_FIELDS)
    out: dict[str, str] = {}
    for name in names:
        value = _cell(row, name, excel=False)
        out[name] = "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
    return out


def _cell(row: LedgerRow, name: str, *, excel: bool = True) -> Any:
    if name == "unit_id":
        return row.unit.code
    if name == "_unit_name":
        return row.unit.name
    if name == "_state" and isinstance(row, RectificationProblem):
        return str(row.get_state_display())
    if name == "linked_problem" and isinstance(row, Notice):
        return row.linked_problem.problem_id if row.linked_problem else None
    if name == "follow_up" and isinstance(row, Complaint):
        return str(row.get_follow_up_display()) or None
    value = getattr(row, name)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value == "":
        return None
    return safe(value) if excel else value


def export_workbook(kind: str, rows: Any) -> bytes:
    """``rows`` (a queryset of register ``kind``) as an .xlsx: the template's headers, dates as dates, yes/no as 是/否,
    text through ``xlsx_text.safe``."""
    register = register_kind(kind)
    columns = export_columns(kind)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = register.label.replace("/", "、")[:31]
    _header(
        ws, [h for h, _ in columns], [16 if n not in ("description", "measures", "content") else 40 for _, n in columns]
    )
    date_columns = [i for i, (_, n) in enumerate(columns, 1) if n in register.ids and register.column(n).kind == "date"]
    key_columns = [i for i, (_, n) in enumerate(columns, 1) if n in register.ids and register.column(n).kind == "key"]
    for row in rows.select_related("unit"):
        ws.append([_cell(row, name) for _, name in columns])
        line = ws.max_row
        for i in date_columns:
            ws.cell(row=line, column=i).number_format = "yyyy-mm-dd"
        for i in key_columns:
            ws.cell(row=line, column=i).number_format = "@"
    for i in key_columns:
        ws.column_dimensions[get_column_letter(i)].width = 16
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
