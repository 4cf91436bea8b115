"""Read and write per-unit input tables (Excel, CSV, Parquet) at the edge, with located errors.

A user's table is read as text, every cell is parsed by the declared kind of its input, and every mistake
is collected with file, sheet, row (the header is row 1) and column; nothing is returned unless the whole
table is valid. Header cells may be the input id (``pm25_mean``) or the template's label, which ends with
the id in brackets: ``PM2.5年均浓度 (µg/m³) [pm25_mean]``.

Conventions for cells: empty = missing; yes/no as ``是/否``, ``true/false``, ``1/0``; a list (one value per
section) as ``a;b;c`` (``；`` too; a list of numbers or yes/no without ``;`` may separate with commas, ``2,0,1``, as
the web screens always allowed; names, which may hold commas, only with ``;``); a number may carry ``%`` when its
unit is ``%`` and commas between thousands outside lists.
:func:`parse_cell` is the one parser of user values: input files here, the web's forms, JSON, monitoring import
and Excel round trip (``kaohe.assessments.schemes.coerce_value``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from html import unescape
from pathlib import Path
from typing import Any

import polars as pl

from kaohe.core import values
from kaohe.core.exceptions import InputTableError, Problem
from kaohe.core.inputs import check_inputs
from kaohe.core.scheme import InputDef, Scheme
from kaohe.core.values import FALSE, TRUE, parse_cell
from kaohe.core.xlsx_text import PREFIXED

__all__ = [
    "FALSE",
    "KEYS",
    "KEY_LABELS",
    "TRUE",
    "header_label",
    "parse_cell",
    "parse_table",
    "read_inputs",
    "read_raw",
]

KEYS = ("unit_id", "unit_name", "sequence")
KEY_LABELS = {"unit_id": "单位代码 [unit_id]", "unit_name": "单位名称 [unit_name]", "sequence": "排名序列 [sequence]"}
_ID_IN_LABEL = re.compile(r"\[([A-Za-z_][A-Za-z0-9_]*)\]\s*$")


def header_label(spec: InputDef) -> str:
    """An input's column header (``kaohe.core.values.label``)."""
    return values.label(spec)


def read_raw(
    path: str | Path, sheet: str | None = None, notes: list[str] | None = None
) -> tuple[pl.DataFrame, str | None]:
    """The table as strings, and the sheet it came from (Excel only). ``notes`` receives what a person should know
    about how the file was read (a hidden sheet skipped)."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputTableError(Problem("file not found", file=name))
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return _read_csv(path), None
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
            return frame.with_columns(
                pl.col(c).cast(pl.String) if not isinstance(frame.schema[c], pl.List) else pl.col(c)
                for c in frame.columns
            ), None
        if suffix in (".xlsx", ".xlsm"):
            frame, sheet = _read_xlsx(path, sheet, notes)
            # text kaohe's own workbooks prefixed with ' (xlsx_text.safe: the template's unit names) reads back as
            # written
            text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
            return frame.with_columns(
                pl.when(pl.col(c).str.contains(PREFIXED)).then(pl.col(c).str.slice(1)).otherwise(pl.col(c)).alias(c)
                for c in text
            ), sheet
    except InputTableError:
        raise
    except Exception as exc:  # the readers raise many kinds; the message is what the user needs
        raise InputTableError(Problem(f"cannot read the file: {exc}", file=name)) from None
    raise InputTableError(Problem(f"unsupported file type {suffix!r}; expected .xlsx, .csv or .parquet", file=name))


def _read_csv(path: Path) -> pl.DataFrame:
    """A CSV as text: UTF-8 (with or without BOM), or GBK/GB18030 as Chinese Excel saves "CSV (逗号分隔)" when the
    bytes are not UTF-8 and decode as Chinese text; anything else is refused at the first undecodable byte (never
    read as mojibake). Every row must have the header's number of fields."""
    name = str(path)
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    _check_field_counts(data, name)  # commas and line ends are the same bytes in UTF-8 and GBK
    try:
        return pl.read_csv(data, infer_schema=False)  # Polars checks UTF-8 as it reads
    except pl.exceptions.ComputeError as exc:
        if "utf-8" not in str(exc).lower():
            raise
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = ""
        if not re.search(r"[\u4e00-\u9fff]", text):
            raise InputTableError(
                Problem(
                    f"byte 0x{data[exc.start]:02X} is not UTF-8 text (nor GBK Chinese); save the file as CSV UTF-8",
                    file=name,
                    line=line,
                    expected="UTF-8 text",
                    found=f"0x{data[exc.start]:02X}",
                )
            ) from None
        data = text.encode("utf-8")
    return pl.read_csv(data, infer_schema=False)


def _check_field_counts(data: bytes, file: str) -> None:
    """A row with fewer or more fields than the header (``10 of 199``) is refused with its line; empty lines pass."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    first = data[: data.find(b"\n")] if b"\n" in data else data
    if b'"' not in data and data.count(b",") == first.count(b",") * lines:  # every line as wide as the header
        return
    text = data.decode("utf-8", errors="replace")  # for counting only: an undecodable byte is reported later
    if '"' in text:  # quoted fields may hold commas and line breaks: the csv module counts them
        reader = csv.reader(io.StringIO(text))
        counts = [(reader.line_num, len(row)) for row in reader if row]
    else:
        counts = [(n, line.count(",") + 1) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not counts:
        return
    width = counts[0][1]
    bad = [(line, n) for line, n in counts[1:] if n != width]
    if bad:
        raise InputTableError(
            [
                Problem(
                    f"has {n} of {width} fields", file=file, line=line, expected=f"{width} fields", found=f"{n} fields"
                )
                for line, n in bad[:20]
            ]
        )


def _read_xlsx(path: Path, sheet: str | None, notes: list[str] | None = None) -> tuple[pl.DataFrame, str]:
    """One sheet as text, read by calamine (fastexcel): the named sheet, else the first visible one that is not
    the template's 说明. Empty rows after the table are dropped; rows keep their sheet numbers."""
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    if sheet is None:
        sheet = _first_data_sheet(reader)
        hidden = [n for n in reader.sheet_names[: reader.sheet_names.index(sheet)] if n not in ("说明", "Instructions")]
        if hidden and notes is not None:
            notes.append(f"{path}: read sheet {sheet}, the first visible one (hidden: {'、'.join(hidden)})")
    elif sheet not in reader.sheet_names:
        raise InputTableError(
            Problem(f"no sheet {sheet!r}; the workbook has {'、'.join(reader.sheet_names)}", file=str(path))
        )
    frame = reader.load_sheet(sheet, dtypes="string").to_polars()
    merges: list[str] = []
    problems = _formula_cells(path, sheet, frame.columns, merges)
    if frame.width:
        filled = frame.select(pl.any_horizontal(pl.all().is_not_null()).alias("f")).get_column("f")
        last = filled.arg_true()
        frame = frame.head(int(last[-1]) + 1 if last.len() else 0)
    problems += _merged_cells(path, sheet, frame.columns, merges, last_row=frame.height + 1)
    if problems:
        raise InputTableError(problems)
    return frame, sheet


_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_CELL_REF = re.compile(r"([A-Z]+)([0-9]+)")


def _merged_cells(path: Path, sheet: str, columns: list[str], merges: list[str], last_row: int) -> list[Problem]:
    """One problem per merged range (``merges``: ``A3:A5``, as :func:`_formula_cells` found them) that touches the
    header or a data row (up to ``last_row``): calamine reads every cell of a range but the first as empty, so a
    value merged over three units would be missing for two."""
    ranges: list[tuple[int, int, str]] = []
    for ref in merges:
        first = _CELL_REF.match(ref)
        if first and int(first.group(2)) <= last_row:
            ranges.append((int(first.group(2)), _column_index(first.group(1)), ref))
    ranges.sort()
    return [
        Problem(
            f"{ref} 是合并单元格：请取消合并，并在每一行填写该值 (merged cells: unmerge them and fill in every cell)",
            file=str(path),
            sheet=sheet,
            line=row,
            column=columns[index - 1] if 0 < index <= len(columns) else ref.split(":")[0].rstrip("0123456789"),
            expected="one value per cell",
            found=f"merged range {ref}",
        )
        for row, index, ref in ranges[:20]
    ]


_ERROR_CELL = re.compile(
    rb'<c\b(?=[^>]*\bt="e")[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>'
)
_UNCALCULATED = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(?:<v>\s*</v>|<v/>)?</c>'
)


def _formula_cells(path: Path, sheet: str, columns: list[str], merges: list[str] | None = None) -> list[Problem]:
    """Cells calamine reads as empty that are not: a formula error (``#DIV/0!``) or a formula the writing program
    never calculated (no cached value). Found in the sheet's XML; only chunks holding ``<f`` or ``t="e"`` are
    searched. ``merges`` receives the sheet's merged ranges (``<mergeCell ref="A3:A5"/>``, after the cells) from the
    same streamed pass: the XML of a large sheet takes seconds to inflate, so it is inflated once."""
    found_cells: list[tuple[int, int, Problem]] = []
    with zipfile.ZipFile(path) as book:
        member = _sheet_member(book, sheet)
        if member is None:
            return []
        with book.open(member) as fh:
            tail = b""
            while len(found_cells) < 20:
                chunk = fh.read(8 << 20)
                if not chunk and not tail:
                    break
                block, tail = tail + chunk, b""
                if len(chunk) == 8 << 20:  # more to come: an element cut in two is searched with the next chunk
                    cut = block.rfind(b"</row>")
                    cut = cut + 6 if cut >= 0 else block.rfind(b">") + 1
                    block, tail = block[:cut], block[cut:]
                if merges is not None and b"mergeCell" in block:
                    merges += [match.group(1).decode() for match in _MERGE_CELL.finditer(block)]
                if b"<f" not in block and b't="e"' not in block:
                    continue
                for pattern, what in ((_ERROR_CELL, "error"), (_UNCALCULATED, "uncalculated")):
                    for match in pattern.finditer(block):
                        letters, row = match.group(1).decode(), int(match.group(2))
                        index = _column_index(letters) - 1
                        column = columns[index] if 0 <= index < len(columns) else letters
                        if what == "error":
                            found = unescape(match.group(3).decode("utf-8", "replace"))
                            message = f"{found} is a formula error, not a value (cell {letters}{row})"
                        else:
                            found = "a formula"
                            message = (
                                f"a formula without a calculated value (cell {letters}{row}): "
                                "open and save the file in Excel or WPS, or paste the values"
                            )
                        problem = Problem(
                            message,
                            file=str(path),
                            sheet=sheet,
                            line=row,
                            column=column,
                            expected="a value",
                            found=found,
                        )
                        found_cells.append((row, index, problem))
    found_cells.sort(key=lambda cell: cell[:2])
    return [problem for _row, _index, problem in found_cells[:20]]


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


def _sheet_member(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet``'s cells (workbook.xml names it, its relationships file locates it)."""
    try:
        workbook = book.read("xl/workbook.xml").decode("utf-8")
        rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    except KeyError:
        return None
    rid = None
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'\bname="([^"]*)"', tag)
        ref = re.search(r'\br:id="([^"]*)"', tag)
        if name and ref and unescape(name.group(1)) == sheet:
            rid = ref.group(1)
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        ident = re.search(r'\bId="([^"]*)"', tag)
        target = re.search(r'\bTarget="([^"]*)"', tag)
        if ident and target and ident.group(1) == rid:
            path = target.group(1)
            return path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    return None


def _first_data_sheet(reader: Any) -> str:
    """The sheet a person sees first: hidden sheets and the template's 说明 are skipped."""
    names = [n for n in reader.sheet_names if n not in ("说明", "Instructions")]
    visible = [n for n in names if reader.load_sheet(n, n_rows=0).visible == "visible"]
    return str((visible or names or reader.sheet_names or ["Sheet1"])[0])


def _canonical_columns(frame: pl.DataFrame) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in frame.columns:
        match = _ID_IN_LABEL.search(col)
        out[col] = match.group(1) if match else col.strip()
    return out


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
            problems.append(
                Problem(
                    f"unknown column {col!r} (not an input of scheme {scheme.id})", file=file, sheet=sheet, column=col
                )
            )
    if problems:
        raise InputTableError(problems)
    if frame.height == 0:  # a header and no units: nothing to score is a mistake, not an empty result
        raise InputTableError(
            Problem(
                "the table has a header row but no units", file=file, sheet=sheet, line=2, expected="one row per unit"
            )
        )
    present_columns = [c for c in frame.columns if c in known]
    schema = frame.schema  # once: Polars builds it on every access
    text_specs = [scheme.input(c) for c in present_columns if c not in KEYS and schema[c] in (pl.String, pl.Null)]
    text = frame.select(pl.col(spec.id).cast(pl.String) for spec in text_specs)
    parsed, bad_text = values.parse_frame(text_specs, text)  # one columnar pass (kaohe.core.values)
    bad = [(spec, index, cell, why) for spec, index, cell, why in bad_text]
    series: list[pl.Series] = []
    for col in present_columns:
        if col in KEYS:
            series.append(frame.get_column(col).cast(pl.String).str.strip_chars())
        elif col in parsed.columns:
            series.append(parsed.get_column(col))
        else:  # a reader typed it (parquet lists): the same grammar, value by value
            spec = scheme.input(col)
            typed_column, typed_bad = _parse_typed(spec, frame.get_column(col))
            bad += [(spec, index, cell, why) for index, cell, why in typed_bad]
            series.append(typed_column)
    problems += [
        Problem(
            values.not_valid(cell, why),
            file=file,
            sheet=sheet,
            line=index + 2,
            column=header_label(spec),
            expected=str(why),
            found=str(cell),
        )
        for spec, index, cell, why in bad
    ]
    unit_ids = frame.select(pl.col("unit_id").cast(pl.String).str.strip_chars()).with_row_index("_row")
    for index in unit_ids.filter(pl.col("unit_id").fill_null("") == "").get_column("_row").to_list():
        problems.append(
            Problem(
                "单位代码为空 (empty unit id)", file=file, sheet=sheet, line=index + 2, column=KEY_LABELS["unit_id"]
            )
        )
    typed = pl.DataFrame(series)
    present = typed.columns
    if partial:  # check what is there: absent inputs as nulls, a placeholder sequence
        fill = [pl.lit(None, dtype=values.input_dtype(i)).alias(i.id) for i in scheme.inputs if i.id not in present]
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


def _parse_typed(spec: InputDef, column: pl.Series) -> tuple[pl.Series, list[tuple[int, Any, values.Expected]]]:
    parsed: list[Any] = []
    bad: list[tuple[int, Any, values.Expected]] = []
    for index, cell in enumerate(column.to_list()):
        value, expected = parse_cell(cell, spec.kind, spec)
        if expected:
            bad.append((index, cell, expected))
        parsed.append(value)
    return pl.Series(column.name, parsed, dtype=values.input_dtype(spec)), bad


def _with_sheet(p: Problem, sheet: str | None, scheme: Scheme) -> Problem:
    column = p.column
    if column is not None:
        try:
            column = header_label(scheme.input(column))
        except KeyError:
            column = KEY_LABELS.get(column, column)
    return Problem(p.message, file=p.file, sheet=sheet, line=p.line, column=column, expected=p.expected, found=p.found)


def read_inputs(
    scheme: Scheme, path: str | Path, sheet: str | None = None, notes: list[str] | None = None
) -> pl.DataFrame:
    frame, sheet = read_raw(path, sheet, notes)
    return parse_table(scheme, frame, file=str(path), sheet=sheet)


def read_inputs_merged(scheme: Scheme, paths: list[str], notes: list[str] | None = None) -> pl.DataFrame:
    """The first file lists the units (``unit_id, unit_name, sequence``) and some inputs; each further file
    (e.g. the output of ``kaohe air evaluate --as-inputs``) adds columns by ``unit_id``. A column given by two
    files, or a unit the first file does not list, is an error; all inputs must be given by some file."""
    if len(paths) == 1:
        return read_inputs(scheme, paths[0], notes=notes)
    frames: list[tuple[str, pl.DataFrame]] = []
    problems: list[Problem] = []
    for index, path in enumerate(paths):
        raw, sheet = read_raw(path, notes=notes)
        try:
            frames.append((path, parse_table(scheme, raw, file=path, sheet=sheet, partial=True)))
        except InputTableError as exc:
            problems += exc.problems
        if index == 0 and frames and "sequence" not in frames[0][1].columns:
            problems.append(
                Problem(
                    f"the first inputs file must list the units with {KEY_LABELS['sequence']}",
                    file=path,
                    column="sequence",
                )
            )
    if problems:
        raise InputTableError(problems)
    base_path, merged = frames[0]
    owner = {c: base_path for c in merged.columns}
    units = set(merged.get_column("unit_id").to_list())
    for path, frame in frames[1:]:
        for row_index, unit in enumerate(frame.get_column("unit_id").to_list()):
            if unit not in units:
                problems.append(
                    Problem(
                        f"unit {unit!r} is not listed in {base_path}",
                        file=path,
                        line=row_index + 2,
                        column=KEY_LABELS["unit_id"],
                    )
                )
        extra = [c for c in frame.columns if c not in KEYS]
        for col in extra:
            if col in owner:
                problems.append(Problem(f"input {col!r} is also given by {owner[col]}", file=path, column=col))
            owner[col] = path
        keep = [c for c in extra if c not in merged.columns]
        merged = merged.join(frame.select(["unit_id", *keep]), on="unit_id", how="left", maintain_order="left")
    for spec in scheme.inputs:
        if spec.id not in merged.columns:
            problems.append(
                Problem(f"no inputs file gives column {header_label(spec)}", file=", ".join(paths), column=spec.id)
            )
    if problems:
        raise InputTableError(problems)
    return check_inputs(scheme, merged.select(["unit_id", "unit_name", "sequence", *(i.id for i in scheme.inputs)]))


def read_history(path: str | Path) -> pl.DataFrame:
    """Earlier years' results: at least ``unit_id, year, grade`` (the output of ``kaohe score`` plus a year)."""
    frame, sheet = read_raw(path)
    frame = frame.rename(_canonical_columns(frame))
    missing = [c for c in ("unit_id", "year", "grade") if c not in frame.columns]
    if missing:
        raise InputTableError(
            [Problem(f"missing column {c!r}", file=str(path), sheet=sheet, column=c) for c in missing]
        )
    problems = []
    for index, year in enumerate(frame.get_column("year").cast(pl.String).to_list()):
        text = "" if year is None else str(year).strip()
        # 4 digits within the years a Scheme may have (2000–2100): a 20-digit typo overflows Int64 below.
        if not (text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100):
            message = f"{year!r} is not a year (2000–2100)"
            problems.append(Problem(message, file=str(path), sheet=sheet, line=index + 2, column="year"))
    if problems:
        raise InputTableError(problems)
    return frame.select(
        pl.col("unit_id").cast(pl.String), pl.col("year").cast(pl.Int64), pl.col("grade").cast(pl.String)
    )


def read_units(path: str | Path) -> pl.DataFrame:
    """A units list: ``unit_id, unit_name, sequence``."""
    frame, sheet = read_raw(path)
    frame = frame.rename(_canonical_columns(frame))
    missing = [c for c in KEYS if c not in frame.columns]
    if missing:
        raise InputTableError(
            [Problem(f"missing column {c!r}", file=str(path), sheet=sheet, column=c) for c in missing]
        )
    return frame.select([pl.col(k).cast(pl.String) for k in KEYS])
