"""Read and write per-unit input tables (Excel, CSV, Parquet) at the edge, with located errors.

A user's table is read as text, every cell is parsed by the declared kind of its input, and every mistake
is collected with file, sheet, row (the header is row 1) and column; nothing is returned unless the whole
table is valid. Header cells may be the input id (``pm25_mean``) or the template's label, which ends with
the id in brackets: ``PM2.5年均浓度 (µg/m³) [pm25_mean]``.

Conventions for cells: empty = missing; yes/no as ``是/否``, ``true/false``, ``1/0``; a list (one value per
section) as ``a;b;c`` (``；`` too; a list of numbers or yes/no without ``;`` may separate with commas, ``2,0,1``, as
the web screens always allowed; names, which may hold commas, only with ``;``); a number may carry ``%`` when its unit is ``%`` and commas between thousands outside lists.
:func:`parse_cell` is the one parser of user values: input files here, the web's forms, JSON, monitoring import
and Excel round trip (``kaohe.assessments.schemes.coerce_value``).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import polars as pl

from kaohe.core.exceptions import InputTableError, Problem
from kaohe.core.scheme import InputDef, Scheme
from kaohe.core.scoring import check_inputs, input_dtype
from kaohe.core.xlsx_text import PREFIXED

KEYS = ("unit_id", "unit_name", "sequence")
KEY_LABELS = {"unit_id": "单位代码 [unit_id]", "unit_name": "单位名称 [unit_name]", "sequence": "排名序列 [sequence]"}
TRUE = {"true", "1", "是", "yes", "y", "t", "√"}
FALSE = {"false", "0", "否", "no", "n", "f", "×"}
_ID_IN_LABEL = re.compile(r"\[([A-Za-z_][A-Za-z0-9_]*)\]\s*$")


def header_label(spec: InputDef) -> str:
    unit = f" ({spec.unit})" if spec.unit else ""
    return f"{spec.name}{unit} [{spec.id}]"


def read_raw(path: str | Path, sheet: str | None = None) -> tuple[pl.DataFrame, str | None]:
    """The table as strings, and the sheet it came from (Excel only)."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputTableError(Problem("file not found", file=name))
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
            return frame, None
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
            return frame.with_columns(
                pl.col(c).cast(pl.String) if not isinstance(frame.schema[c], pl.List) else pl.col(c)
                for c in frame.columns
            ), None
        if suffix in (".xlsx", ".xlsm"):
            sheet = sheet or _first_data_sheet(path)
            frame = pl.read_excel(path, sheet_name=sheet, infer_schema_length=0)
            # text kaohe's own workbooks prefixed with ' (xlsx_text.safe: the template's unit names) reads back as written
            text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
            return frame.with_columns(
                pl.when(pl.col(c).str.contains(PREFIXED)).then(pl.col(c).str.slice(1)).otherwise(pl.col(c)).alias(c) for c in text
            ), sheet
    except InputTableError:
        raise
    except Exception as exc:  # the readers raise many kinds; the message is what the user needs
        raise InputTableError(Problem(f"cannot read the file: {exc}", file=name)) from None
    raise InputTableError(Problem(f"unsupported file type {suffix!r}; expected .xlsx, .csv or .parquet", file=name))


def _first_data_sheet(path: Path) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    names = [n for n in wb.sheetnames if n not in ("说明", "Instructions")]
    wb.close()
    return names[0] if names else "Sheet1"


def _canonical_columns(frame: pl.DataFrame) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in frame.columns:
        match = _ID_IN_LABEL.search(col)
        out[col] = match.group(1) if match else col.strip()
    return out


def parse_cell(text: Any, kind: str, spec: InputDef) -> tuple[Any, str | None]:
    """One user value (text, or a number, boolean or list a reader already typed) in ``kind``:
    (value, None), (None, None) when empty, or (None, what was expected). Numbers come back as floats (integers
    too, checked whole); ranges and choices are checked by the caller (``check_inputs``, the web's forms)."""
    if text is None:
        return None, None
    item_kind = spec.item_kind or "number"
    if isinstance(text, list):  # parquet list columns and JSON arrive already split
        items = [parse_cell(t, item_kind, spec) if t is not None else (None, "empty item") for t in text]
        errors = [e for _v, e in items if e]
        return ([v for v, _e in items], None) if not errors else (None, _list_expected(item_kind, errors[0]))
    if isinstance(text, bool) and kind not in ("boolean", "list"):  # True is not the number 1
        return None, _expected(kind, item_kind)
    s = str(text).strip()
    if s == "":
        return None, None
    if kind == "list":
        # ';' separates; numbers and yes/no without one may use commas (the web screens' format before the two
        # were merged); a name (category) may hold a comma, so only ';' separates names
        commas = item_kind != "category" and not re.search(r"[;；]", s)
        parts = [p.strip() for p in re.split(r"[;；,，]" if commas else r"[;；]", s)]
        values = []
        for part in parts:
            value, error = parse_cell(part, item_kind, spec)
            if error or value is None:
                return None, _list_expected(item_kind, error or "empty item")
            values.append(value)
        return values, None
    if kind in ("number", "integer"):
        raw = s.replace(",", "")
        if raw.endswith("%") and spec.unit == "%":
            raw = raw[:-1]
        try:
            value = float(raw)
        except ValueError:
            return None, _expected(kind, item_kind)
        if not math.isfinite(value) or (kind == "integer" and not value.is_integer()):  # float() reads nan, inf
            return None, _expected(kind, item_kind)
        return value, None
    if kind == "boolean":
        low = s.lower()
        if low in TRUE:
            return True, None
        if low in FALSE:
            return False, None
        return None, _expected(kind, item_kind)
    return s, None


_parse_cell = parse_cell  # the name kaohe.core.scoring imports


def _expected(kind: str, item_kind: str) -> str:
    if kind == "list":
        return _list_expected(item_kind, _expected(item_kind, item_kind))
    return {"integer": "a whole number", "number": "a number", "boolean": "是/否 (yes/no, true/false, 1/0)"}.get(kind, "text")


def _list_expected(item_kind: str, error: str) -> str:
    return f"a list of {item_kind} values separated by ';' ({error})"


def parse_table(
    scheme: Scheme, frame: pl.DataFrame, file: str | None = None, sheet: str | None = None, *, partial: bool = False
) -> pl.DataFrame:
    """Parse a text table into typed input columns; raise :class:`InputTableError` listing every mistake.

    ``partial=True`` reads a table that supplies only some inputs (e.g. ``kaohe air evaluate --as-inputs``):
    only ``unit_id`` is required, and only the columns present are returned.
    """
    columns = _canonical_columns(frame)
    frame = frame.rename(columns)
    problems: list[Problem] = []
    for key in ("unit_id",) if partial else ("unit_id", "sequence"):
        if key not in frame.columns:
            problems.append(Problem(f"missing column {KEY_LABELS[key]}", file=file, sheet=sheet, column=key))
    for spec in scheme.inputs:
        if spec.id not in frame.columns and not partial:
            problems.append(Problem(f"missing column {header_label(spec)}", file=file, sheet=sheet, column=spec.id))
    known = {*KEYS, *(i.id for i in scheme.inputs)}
    for col in frame.columns:
        if col not in known and not col.startswith("_"):
            problems.append(Problem(f"unknown column {col!r} (not an input of scheme {scheme.id})", file=file, sheet=sheet, column=col))
    if problems:
        raise InputTableError(problems)
    out: dict[str, list[Any]] = {k: [] for k in frame.columns if k in known}
    for index, row in enumerate(frame.iter_rows(named=True)):
        for col in out:
            if col in KEYS:
                value = row[col]
                out[col].append(None if value is None else str(value).strip())
                continue
            spec = scheme.input(col)
            value, expected = _parse_cell(row[col], spec.kind, spec)
            if expected:
                problems.append(
                    Problem(f"{row[col]!r} is not valid; expected {expected}", file=file, sheet=sheet, line=index + 2, column=header_label(spec))
                )
            out[col].append(value)
    for index, uid in enumerate(out["unit_id"]):
        if not uid:
            problems.append(Problem("empty unit id", file=file, sheet=sheet, line=index + 2, column=KEY_LABELS["unit_id"]))
    series = []
    for col, values in out.items():
        if col in KEYS:
            series.append(pl.Series(col, values, dtype=pl.String))
        else:
            spec = scheme.input(col)
            series.append(pl.Series(col, values, dtype=input_dtype(spec.kind, spec.item_kind)))
    typed = pl.DataFrame(series)
    present = typed.columns
    if partial:  # check what is there: absent inputs as nulls, a placeholder sequence
        fill = [pl.lit(None, dtype=input_dtype(i.kind, i.item_kind)).alias(i.id) for i in scheme.inputs if i.id not in present]
        if "sequence" not in present:
            fill.append(pl.lit(scheme.sequences[0].id).alias("sequence"))
        typed = typed.with_columns(fill)
    try:
        checked = check_inputs(scheme, typed, file=file)
    except InputTableError as exc:  # report range, duplicate and sequence mistakes with the parse mistakes
        problems += [_with_sheet(p, sheet, scheme) for p in exc.problems]
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise InputTableError(problems)
    return checked.select(present) if partial else checked


def _with_sheet(p: Problem, sheet: str | None, scheme: Scheme) -> Problem:
    column = p.column
    if column is not None:
        try:
            column = header_label(scheme.input(column))
        except KeyError:
            column = KEY_LABELS.get(column, column)
    return Problem(p.message, file=p.file, sheet=sheet, line=p.line, column=column)


def read_inputs(scheme: Scheme, path: str | Path, sheet: str | None = None) -> pl.DataFrame:
    frame, sheet = read_raw(path, sheet)
    return parse_table(scheme, frame, file=str(path), sheet=sheet)


def read_inputs_merged(scheme: Scheme, paths: list[str]) -> pl.DataFrame:
    """The first file lists the units (``unit_id, unit_name, sequence``) and some inputs; each further file
    (e.g. the output of ``kaohe air evaluate --as-inputs``) adds columns by ``unit_id``. A column given by two
    files, or a unit the first file does not list, is an error; all inputs must be given by some file."""
    if len(paths) == 1:
        return read_inputs(scheme, paths[0])
    frames: list[tuple[str, pl.DataFrame]] = []
    problems: list[Problem] = []
    for index, path in enumerate(paths):
        raw, sheet = read_raw(path)
        try:
            frames.append((path, parse_table(scheme, raw, file=path, sheet=sheet, partial=True)))
        except InputTableError as exc:
            problems += exc.problems
        if index == 0 and frames and "sequence" not in frames[0][1].columns:
            problems.append(Problem(f"the first inputs file must list the units with {KEY_LABELS['sequence']}", file=path, column="sequence"))
    if problems:
        raise InputTableError(problems)
    base_path, merged = frames[0]
    owner = {c: base_path for c in merged.columns}
    units = set(merged.get_column("unit_id").to_list())
    for path, frame in frames[1:]:
        for row_index, unit in enumerate(frame.get_column("unit_id").to_list()):
            if unit not in units:
                problems.append(Problem(f"unit {unit!r} is not listed in {base_path}", file=path, line=row_index + 2, column=KEY_LABELS["unit_id"]))
        extra = [c for c in frame.columns if c not in KEYS]
        for col in extra:
            if col in owner:
                problems.append(Problem(f"input {col!r} is also given by {owner[col]}", file=path, column=col))
            owner[col] = path
        keep = [c for c in extra if c not in merged.columns]
        merged = merged.join(frame.select(["unit_id", *keep]), on="unit_id", how="left", maintain_order="left")
    for spec in scheme.inputs:
        if spec.id not in merged.columns:
            problems.append(Problem(f"no inputs file gives column {header_label(spec)}", file=", ".join(paths), column=spec.id))
    if problems:
        raise InputTableError(problems)
    return check_inputs(scheme, merged.select(["unit_id", "unit_name", "sequence", *(i.id for i in scheme.inputs)]))


def read_history(path: str | Path) -> pl.DataFrame:
    """Earlier years' results: at least ``unit_id, year, grade`` (the output of ``kaohe score`` plus a year)."""
    frame, sheet = read_raw(path)
    frame = frame.rename(_canonical_columns(frame))
    missing = [c for c in ("unit_id", "year", "grade") if c not in frame.columns]
    if missing:
        raise InputTableError([Problem(f"missing column {c!r}", file=str(path), sheet=sheet, column=c) for c in missing])
    problems = []
    for index, year in enumerate(frame.get_column("year").cast(pl.String).to_list()):
        if year is None or not str(year).strip().isdigit():
            problems.append(Problem(f"{year!r} is not a year", file=str(path), sheet=sheet, line=index + 2, column="year"))
    if problems:
        raise InputTableError(problems)
    return frame.select(pl.col("unit_id").cast(pl.String), pl.col("year").cast(pl.Int64), pl.col("grade").cast(pl.String))


def read_units(path: str | Path) -> pl.DataFrame:
    """A units list: ``unit_id, unit_name, sequence``."""
    frame, sheet = read_raw(path)
    frame = frame.rename(_canonical_columns(frame))
    missing = [c for c in KEYS if c not in frame.columns]
    if missing:
        raise InputTableError([Problem(f"missing column {c!r}", file=str(path), sheet=sheet, column=c) for c in missing])
    return frame.select([pl.col(k).cast(pl.String) for k in KEYS])
