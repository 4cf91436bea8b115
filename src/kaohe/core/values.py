"""The value vocabulary of the core: for every input kind, its Polars dtype, its label, how a user's cell is read,
its range check and its Excel data validation. Nothing else in kaohe parses a user value.

    kind        dtype            a user's cell                                         range / choices
    number      Float64          ``12.5``, ``1,234.5``, ``95%`` (unit ``%``: a ratio)   min ≤ v ≤ max
    integer     Float64          ``3`` (whole; counts are compared with numbers, so one  min ≤ v ≤ max, whole
                                 dtype for both: integrality is checked here, on input)
    boolean     Boolean          ``是/否``, ``true/false``, ``1/0`` (yes/no, y/n, t/f, √/×)
    category    String           the text, trimmed                                       one of ``choices``
    list of K   List(dtype of K) ``2;0;1`` (``；`` too); numbers or yes/no without ``;``    per item, as K
                                 may separate with commas (``2,0,1``); names only ``;``
    date        Date             ``2024-03-01`` (``2024-3-1``, ``2024/3/1``; a spreadsheet's date  years 2000–2100
                                 cell, read as ``2024-03-01 00:00:00``); registers only, no scheme input is a date

Full-width digits and separators that Chinese spreadsheets contain (``０-９ ， ． ％ ； － ＋``) read as their
ASCII forms in every kind except names (a name keeps its ``，``). ``nan``, ``inf`` and numbers too large for a
double are refused. An empty cell is missing (``None``), never zero.

Two readers, one grammar: :func:`parse_column` reads a whole text column in Polars expressions (input files);
:func:`parse_cell` reads one value (the web's forms, JSON, monitoring import, the Excel round trip) and is used
by :func:`parse_column` only to word the error of a cell the column parse found bad. A property test holds the
two to the same answers.

The words of a mistake live here too, Chinese first with the English alongside (users see words, issue 9 §1):
:class:`Expected` is what a cell should hold (``整数 (a whole number)``); :func:`not_valid`, :func:`out_of_range_text`
and :func:`not_a_choice` are the messages every path shows (``kaohe score``, ``kaohe import``, the web's forms).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from kaohe.core.scheme import InputDef

if TYPE_CHECKING:
    from openpyxl.worksheet.datavalidation import DataValidation

Kind = Literal["number", "integer", "boolean", "category", "list"]
ItemKind = Literal["number", "integer", "boolean", "category"]

_SCALAR_DTYPES: dict[str, pl.DataType] = {
    "number": pl.Float64(),
    "integer": pl.Float64(),  # one answer for the scorer and the web app (issue 9 §1): see the table above
    "boolean": pl.Boolean(),
    "category": pl.String(),
}
KIND_NAMES = {"number": "数值", "integer": "整数", "boolean": "是/否", "category": "类别", "list": "列表(以;分隔)"}
TRUE = ("true", "1", "是", "yes", "y", "t", "√")
FALSE = ("false", "0", "否", "no", "n", "f", "×")
_BOOLEANS = {**dict.fromkeys(TRUE, True), **dict.fromkeys(FALSE, False)}
# full-width forms (U+FF10… digits, ，．％；－＋) as typed in Chinese spreadsheets
FULL_WIDTH = {
    **{chr(0xFF10 + d): str(d) for d in range(10)},
    "，": ",",
    "．": ".",
    "％": "%",
    "；": ";",
    "－": "-",
    "＋": "+",
}
_FULL_WIDTH_TABLE = str.maketrans(FULL_WIDTH)
_NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_NUMBER_RE = re.compile(_NUMBER)
# a names list the fast path leaves to the full grammar: an item with blanks around it, an empty item, a full-width ；
_NAME_LIST_SLOW = r"(?:^|;)[\s\x1c-\x1f]|[\s\x1c-\x1f](?:$|;)|;;|^;|;$|；"


def dtype(kind: str, item_kind: str | None = None) -> pl.DataType:
    """The Polars dtype of an input of ``kind`` (``item_kind`` for lists)."""
    if kind == "list":
        return pl.List(_SCALAR_DTYPES[item_kind or "number"])
    return _SCALAR_DTYPES[kind]


def input_dtype(spec: InputDef) -> pl.DataType:
    return dtype(spec.kind, spec.item_kind)


def label(spec: InputDef) -> str:
    """The header of an input's column: ``PM2.5年均浓度 (µg/m³) [pm25_mean]``."""
    unit = f" ({spec.unit})" if spec.unit else ""
    return f"{spec.name}{unit} [{spec.id}]"


def _item_kind(spec: InputDef) -> str:
    return spec.item_kind or "number"


@dataclass(frozen=True)
class Expected:
    """What a cell should hold, in Chinese (``zh``, what users read first) and English (``en``, alongside)."""

    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} ({self.en})"


# kind: (中文, English); the English words are those of the command line's messages since the first release
_WHAT = {
    "integer": ("整数", "a whole number"),
    "number": ("数字", "a number"),
    "boolean": ("是或否", "是/否 (yes/no, true/false, 1/0)"),
    "category": ("文字", "text"),
}
_LIST_EXAMPLE = {"number": "2;0;1", "integer": "2;0;1", "boolean": "是;否;是", "category": "断面A;断面B"}


def expected(kind: str, item_kind: str) -> Expected:
    """What a cell of ``kind`` should hold, for error messages."""
    if kind == "list":
        return list_expected(item_kind, expected(item_kind, item_kind))
    zh, en = _WHAT.get(kind, _WHAT["category"])
    return Expected(zh, en)


def list_expected(item_kind: str, error: Expected | None) -> Expected:
    """A list of ``item_kind`` values; ``error``: what its bad item should have been (None: an empty item)."""
    what, example = _WHAT.get(item_kind, _WHAT["category"])[0], _LIST_EXAMPLE.get(item_kind, "2;0;1")
    zh = f"以“;”分隔的{what}，每个断面一个，如 {example}"
    if error is None:
        return Expected(f"{zh}，不能有空项", f"a list of {item_kind} values separated by ';' (empty item)")
    return Expected(zh, f"a list of {item_kind} values separated by ';' ({error.en})")


def _quoted(text: Any) -> tuple[str, str]:
    """A user's value as the Chinese text quotes it (“abc”) and as the English does ('abc')."""
    shown = text if isinstance(text, str) else f"{text}"
    return f"“{shown}”", repr(text)


def not_valid(text: Any, why: Expected) -> str:
    """``“abc” 不是有效值，应为数字 ('abc' is not valid; expected a number)``."""
    zh, en = _quoted(text)
    return f"{zh} 不是有效值，应为{why.zh} ({en} is not valid; expected {why.en})"


# ---------------------------------------------------------------------------------------------- one value


def parse_cell(text: Any, kind: str, spec: InputDef) -> tuple[Any, Expected | None]:
    """One user value (text, or a number, boolean or list a reader already typed) in ``kind``:
    (value, None), (None, None) when empty, or (None, what was expected). Numbers come back as floats (integers
    too, checked whole); ranges and choices are checked by the caller (:func:`out_of_range`)."""
    if text is None:
        return None, None
    item_kind = _item_kind(spec)
    if isinstance(text, list):  # parquet list columns and JSON arrive already split
        items = [parse_cell(t, item_kind, spec) if t is not None else None for t in text]
        bad = [item for item in items if item is None or item[1] is not None]  # None: an empty item
        if not bad:
            return [item[0] for item in items if item is not None], None
        return None, list_expected(item_kind, bad[0][1] if bad[0] is not None else None)
    if isinstance(text, bool) and kind not in ("boolean", "list"):  # True is not the number 1
        return None, expected(kind, item_kind)
    s = str(text).strip()
    if kind != "category" and not (kind == "list" and item_kind == "category"):
        s = s.translate(_FULL_WIDTH_TABLE)
    if s == "":
        return None, None
    if kind == "list":
        s = s.replace("；", ";")
        # ';' separates; numbers and yes/no without one may use commas (the web screens' format before the two
        # were merged); a name (category) may hold a comma, so only ';' separates names
        commas = item_kind != "category" and ";" not in s
        parts = [p.strip() for p in s.split(",")] if commas else [p.strip() for p in s.split(";")]
        values = []
        for part in parts:
            value, error = parse_cell(part, item_kind, spec)
            if error or value is None:
                return None, list_expected(item_kind, error)
            values.append(value)
        return values, None
    if kind in ("number", "integer"):
        raw = s.replace(",", "")
        if spec.unit == "%":  # as column_expr: one % off the end, then blanks
            raw = raw.removesuffix("%").strip()
        if not _NUMBER_RE.match(raw):  # no nan, inf, 1_000
            return None, expected(kind, item_kind)
        value = float(raw)
        if not math.isfinite(value) or (kind == "integer" and not value.is_integer()):  # 1e400 is inf
            return None, expected(kind, item_kind)
        return value, None
    if kind == "boolean":
        flag = _BOOLEANS.get(s.lower())
        return (flag, None) if flag is not None else (None, expected(kind, item_kind))
    return s, None


def out_of_range(spec: InputDef, value: Any) -> Literal["below", "above", "choice"] | None:
    """Why a parsed scalar value is not allowed by the input's declared range or choices, or None."""
    if value is None:
        return None
    if isinstance(value, str):
        return "choice" if spec.choices and value not in spec.choices else None
    if isinstance(value, bool):
        return None
    if spec.min is not None and value < spec.min:
        return "below"
    if spec.max is not None and value > spec.max:
        return "above"
    return None


def range_text(spec: InputDef, kind: str) -> Expected:
    """The allowed range: ``0–100 % 的数值`` (``a number in [0, 100] %``, as the command line words it)."""
    lo = "" if spec.min is None else f"{spec.min:g}"
    hi = "" if spec.max is None else f"{spec.max:g}"
    unit = f" {spec.unit}" if spec.unit else ""
    what_zh, what_en = ("整数", "a whole number") if kind == "integer" else ("数值", "a number")
    of = "的" if unit and "\u4e00" <= unit[-1] <= "\u9fff" else " 的"  # 0–12 月次的整数, 0–100 % 的数值
    if lo and hi:
        zh = f"{lo}–{hi}{unit}{of}{what_zh}"
    elif lo or hi:
        zh = f"{'≥ ' + lo if lo else '≤ ' + hi}{unit}{of}{what_zh}"
    else:
        zh = what_zh
    return Expected(zh, f"{what_en} in [{lo}, {hi}]{unit}")


def allowed_text(spec: InputDef) -> str:
    """What a person may type, in Chinese, for prompts and the template's 填写说明: ``0–100 % 的数值``, ``是 或 否``,
    ``优、良``, ``以“;”分隔的整数…``."""
    if spec.kind == "boolean":
        return "是 或 否"
    if spec.choices:
        return "、".join(spec.choices)
    if spec.kind == "list":
        return expected("list", _item_kind(spec)).zh
    if spec.kind in ("number", "integer"):
        return range_text(spec, spec.kind).zh
    return expected(spec.kind, spec.kind).zh


def out_of_range_text(value: float, spec: InputDef, kind: str) -> str:
    """``120 超出范围，应为 0–100 % 的数值 (120 is out of range; expected a number in [0, 100] %)``."""
    want = range_text(spec, kind)
    return f"{value:g} 超出范围，应为 {want.zh} ({value:g} is out of range; expected {want.en})"


def choices_text(spec: InputDef) -> Expected:
    """The allowed names: ``优、良 之一`` (``one of ['优', '良']``)."""
    return Expected(f"{'、'.join(spec.choices or [])} 之一", f"one of {spec.choices}")


def not_a_choice(value: str, spec: InputDef) -> str:
    """``“差” 不是可选值，应为 优、良 之一 ('差' is not one of ['优', '良'])``."""
    return f"“{value}” 不是可选值，应为 {choices_text(spec).zh} ({value!r} is not one of {spec.choices})"


# ---------------------------------------------------------------------------------------------- a column


def _scalar(e: pl.Expr, kind: str, spec: InputDef) -> pl.Expr:
    """The parsed value of a stripped, non-empty, normalised text expression (null where it does not parse)."""
    if kind in ("number", "integer"):
        raw = e.str.replace_all(",", "", literal=True)
        if spec.unit == "%":
            raw = raw.str.strip_suffix("%").str.strip_chars()
        number = pl.when(raw.str.contains(_NUMBER)).then(raw.cast(pl.Float64, strict=False))
        ok = number.is_finite()
        if kind == "integer":
            ok = ok & (number == number.floor())
        return pl.when(ok).then(number)
    if kind == "boolean":
        return e.str.to_lowercase().replace_strict(_BOOLEANS, default=None, return_dtype=pl.Boolean)
    return e


def column_expr(spec: InputDef, text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(value, bad) expressions for a text column of ``spec``'s kind: ``bad`` is true where a non-empty cell
    does not parse (the same grammar as :func:`parse_cell`)."""
    kind, item_kind = spec.kind, _item_kind(spec)
    names = kind == "category" or (kind == "list" and item_kind == "category")
    s = text.str.strip_chars()
    if not names:
        s = s.str.replace_many(list(FULL_WIDTH), list(FULL_WIDTH.values()))
    s = pl.when(s != "").then(s)
    if kind != "list":
        value = _scalar(s, kind, spec)
        return value, s.is_not_null() & value.is_null()
    s = s.str.replace_all("；", ";", literal=True)
    if item_kind == "category":
        items = s.str.split(";")
    else:
        items = pl.when(s.str.contains(";", literal=True)).then(s.str.split(";")).otherwise(s.str.split(","))
    items = items.list.eval(pl.element().str.strip_chars())
    parsed = items.list.eval(_scalar(pl.when(pl.element() != "").then(pl.element()), item_kind, spec))
    bad = s.is_not_null() & parsed.list.eval(pl.element().is_null()).list.any()
    return pl.when(~bad).then(parsed).cast(dtype(kind, item_kind)), bad


def parse_column(spec: InputDef, series: pl.Series) -> tuple[pl.Series, list[tuple[int, Any, Expected]]]:
    """A text column parsed in one columnar pass: the typed series, and the cells that do not parse as
    (row index, text, what was expected). Only a bad column is walked cell by cell, to word its errors."""
    value, bad = column_expr(spec, pl.col("t"))
    out = pl.DataFrame({"t": series.cast(pl.String)}).select(value.alias("v"), bad.alias("bad"))
    problems: list[tuple[int, Any, Expected]] = []
    if out.get_column("bad").any():
        texts = series.to_list()
        for index in out.with_row_index("i").filter(pl.col("bad")).get_column("i").to_list():
            why = parse_cell(texts[index], spec.kind, spec)[1] or expected(spec.kind, _item_kind(spec))
            problems.append((index, texts[index], why))
    return out.get_column("v").alias(series.name), problems


def _fast_expr(spec: InputDef, text: pl.Expr) -> pl.Expr | None:
    """The value of the common plain cells: ``12.5``, ``是``, ``2;0;1``; null for an empty cell and for any cell
    the fast path does not accept, which sends its whole column through :func:`column_expr` (:func:`parse_frame`
    finds those columns by their null counts). A cell the fast path accepts means the same under
    :func:`column_expr` (the float and integer casts read exactly the plain numbers of the grammar, plus nan/inf,
    which ``is_finite`` drops). None: the kind has no fast path."""
    kind, item_kind = spec.kind, _item_kind(spec)
    if kind in ("number", "integer"):
        number = text.cast(pl.Float64, strict=False)
        good = number.is_finite()
        if kind == "integer":
            good = good & (number == number.floor())
        return pl.when(good).then(number)
    if kind == "boolean":
        return text.replace_strict(_BOOLEANS, default=None, return_dtype=pl.Boolean)
    if kind == "list" and item_kind in ("number", "integer"):
        items = text.str.split(";")
        if item_kind == "integer":  # whole numbers, as typed (2;0;1) or as a program writes them (2.0;0.0;1.0)
            good = text.str.contains(r"^[+-]?[0-9]+(?:\.0*)?(?:;[+-]?[0-9]+(?:\.0*)?)*$")
            parsed = items.cast(pl.List(pl.Float64), strict=False)
            good = good & parsed.list.sum().is_finite()  # 400 digits read as inf
        else:
            parsed = items.cast(pl.List(pl.Float64), strict=False)
            good = (parsed.list.drop_nulls().list.len() == parsed.list.len()) & parsed.list.sum().is_finite()
        return pl.when(good).then(parsed)
    if kind == "list" and item_kind == "boolean":  # true;false;是 … as 1;0;1, then exactly one digit per item
        digits = text
        for word, digit in (("true", "1"), ("false", "0"), ("是", "1"), ("否", "0")):
            digits = digits.str.replace_all(word, digit, literal=True)
        good = digits.str.contains(r"^[01](?:;[01])*$")
        flags = digits.str.split(";").cast(pl.List(pl.Int8), strict=False).cast(pl.List(pl.Boolean))
        return pl.when(good).then(flags)
    if kind == "list" and item_kind == "category":  # names without blanks around them, no empty item, no ；
        good = ~text.str.contains(_NAME_LIST_SLOW) & (text != "")
        return pl.when(good).then(text.str.split(";"))
    return None


def parse_frame(
    specs: list[InputDef], text: pl.DataFrame
) -> tuple[pl.DataFrame, list[tuple[InputDef, int, Any, Expected]]]:
    """The text columns of ``text`` that ``specs`` name, parsed in one parallel columnar pass: the typed columns,
    and the cells that do not parse as (spec, row index, text, what was expected). Columns holding anything but
    plain cells (``95%``, ``１２``, ``2,0,1``, a mistake) are parsed again with the full grammar."""
    fast: list[pl.Expr] = []
    fast_specs: list[InputDef] = []
    full: list[InputDef] = []
    for spec in specs:
        expr = _fast_expr(spec, pl.col(spec.id))
        if expr is None:
            full.append(spec)
        else:
            fast.append(expr.alias(spec.id))
            fast_specs.append(spec)
    # One parallel pass over every column. Lazy, because only the lazy engine computes an expression used twice
    # (the cast in ``when(cast.is_finite()).then(cast)``) once: an eager select took twice the time (issue 9 §4).
    typed = text.lazy().select(fast).collect() if fast else pl.DataFrame()
    # The fast value is null exactly where the cell is empty or not plain: a column with more nulls than its text
    # holds a cell for the full grammar. Null counts are kept with each column, so this costs no pass (flag columns
    # computed beside the values made the select three times slower).
    full += [s for s in fast_specs if typed[s.id].null_count() > text[s.id].null_count()]
    problems: list[tuple[InputDef, int, Any, Expected]] = []
    redone: list[pl.Series] = []
    for spec in full:
        column, bad = parse_column(spec, text.get_column(spec.id))
        redone.append(column)
        problems += [(spec, index, cell, why) for index, cell, why in bad]
    if redone:
        typed = typed.with_columns(redone) if typed.width else pl.DataFrame(redone)
    return typed.select([spec.id for spec in specs]), problems


def range_expr(spec: InputDef, kind: str, col: pl.Expr) -> pl.Expr:
    """True where a parsed scalar value is outside the declared range (numbers), not whole (integers) or not
    one of the choices (names); the same checks as :func:`out_of_range`."""
    test = pl.lit(False)
    if kind in ("number", "integer"):
        if spec.min is not None:
            test = test | (col < spec.min)
        if spec.max is not None:
            test = test | (col > spec.max)
        if kind == "integer":
            test = test | (col != col.round(0))
    elif kind == "category" and spec.choices:
        test = ~col.is_in(spec.choices)
    return test.fill_null(False)


# ---------------------------------------------------------------------------------------------- Excel


def data_validation(spec: InputDef) -> DataValidation | None:
    """The Excel data validation of an input's column in the inputs template (None: free text, lists)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    dv: DataValidation | None = None
    if spec.kind in ("number", "integer"):
        kind = "whole" if spec.kind == "integer" else "decimal"
        lo = -1e12 if spec.min is None else spec.min
        hi = 1e12 if spec.max is None else spec.max
        dv = DataValidation(type=kind, operator="between", formula1=f"{lo:g}", formula2=f"{hi:g}", allow_blank=True)
    elif spec.kind == "boolean":
        dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    elif spec.kind == "category" and spec.choices and len(",".join(spec.choices)) < 250:
        dv = DataValidation(type="list", formula1='"' + ",".join(spec.choices) + '"', allow_blank=True)
    if dv is not None:  # Excel's own message when a person types something else, and the hint when the cell is chosen
        dv.error, dv.errorTitle, dv.showErrorMessage = f"{spec.name}应为 {allowed_text(spec)}", spec.name[:32], True
        dv.prompt, dv.promptTitle, dv.showInputMessage = allowed_text(spec), spec.name[:32], True
    return dv


# ---------------------------------------------------------------------------------------------- dates

# The years a date may fall in: those of an assessment (kaohe.core.guards.FIRST_YEAR … LAST_YEAR, Scheme.year).
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)
DATE_EXPECTED = Expected("日期，如 2024-03-01 (2000–2100 年)", "an ISO date such as 2024-03-01, in 2000–2100")
# ISO with one- or two-digit month and day, '-' or '/'; a spreadsheet's date cell reads with a midnight time
_DATE = r"^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$"
_DATE_RE = re.compile(_DATE)


def parse_date_cell(text: Any) -> tuple[date | None, Expected | None]:
    """One user date (text, or a date a reader already typed): (date, None), (None, None) when empty (an empty
    date is "not yet"), or (None, :data:`DATE_EXPECTED`). A time other than midnight is not a date."""
    if text is None:
        return None, None
    if isinstance(text, datetime):
        text = text.isoformat(sep=" ")
    elif isinstance(text, date):
        return (text, None) if FIRST_DATE <= text <= LAST_DATE else (None, DATE_EXPECTED)
    if isinstance(text, bool | int | float):  # a number is not a date, not even an Excel serial
        return None, DATE_EXPECTED
    s = str(text).strip().translate(_FULL_WIDTH_TABLE)
    if s == "":
        return None, None
    match = _DATE_RE.match(s)
    if match is None:
        return None, DATE_EXPECTED
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:  # 2024-02-30
        return None, DATE_EXPECTED
    return (day, None) if FIRST_DATE <= day <= LAST_DATE else (None, DATE_EXPECTED)


def parse_date_column(series: pl.Series) -> tuple[pl.Series, list[tuple[int, Any, Expected]]]:
    """A text column of dates parsed in one columnar pass (the grammar of :func:`parse_date_cell`): the Date series
    and the cells that do not parse as (row index, text, what was expected)."""
    s = pl.col("t").str.strip_chars().str.replace_many(list(FULL_WIDTH), list(FULL_WIDTH.values()))
    s = pl.when(s != "").then(s)
    parts = s.str.extract_groups(_DATE)
    iso = pl.concat_str(
        [parts.struct.field("1"), parts.struct.field("2").str.zfill(2), parts.struct.field("3").str.zfill(2)],
        separator="-",
    )
    day = iso.str.to_date("%Y-%m-%d", strict=False)  # null for 2024-02-30
    day = pl.when(day.is_between(FIRST_DATE, LAST_DATE)).then(day)
    out = pl.DataFrame({"t": series.cast(pl.String)}).select(
        day.alias("v"), (s.is_not_null() & day.is_null()).alias("bad")
    )
    problems: list[tuple[int, Any, Expected]] = []
    if out.get_column("bad").any():
        texts = series.to_list()
        for index in out.with_row_index("i").filter(pl.col("bad")).get_column("i").to_list():
            problems.append((index, texts[index], parse_date_cell(texts[index])[1] or DATE_EXPECTED))
    return out.get_column("v").alias(series.name), problems


def date_validation(title: str) -> DataValidation:
    """The Excel data validation of a date column (2000-01-01 … 2100-12-31; empty allowed: "not yet")."""
    from openpyxl.utils.datetime import to_excel
    from openpyxl.worksheet.datavalidation import DataValidation

    lo, hi = int(to_excel(FIRST_DATE)), int(to_excel(LAST_DATE))
    dv = DataValidation(type="date", operator="between", formula1=f"{lo}", formula2=f"{hi}", allow_blank=True)
    dv.error, dv.errorTitle, dv.showErrorMessage = f"{title}应为{DATE_EXPECTED.zh}", title[:32], True
    dv.prompt, dv.promptTitle, dv.showInputMessage = "日期，如 2024-03-01；未发生的留空", title[:32], True
    return dv
