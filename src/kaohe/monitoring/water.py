"""Surface-water quality by GB 3838-2002, and the per-district inputs of the seed-004 water indicators.

Map of the module::

    LIMITS, LAKE_TP_LIMITS            GB 3838-2002 table 1, items 2-23 (class I ... V limits)
    classify(measurements, waterbody) one sample -> Classification(water_class, determining, exceeding)
    classify_frame(frame)             the same, vectorised: adds water_class, determining, exceed_<parameter>
    read_sections(path)               CSV / xlsx / Parquet -> validated, typed frame (InputTableError otherwise)
    evaluate_sections(frame, year)    -> WaterEvaluation(sections, units)
        sections: one row per section of `year` (monthly classes, months off target, annual-mean class, change)
        units:    one row per unit_id: the inputs of XX-city 2020 items 1.1-1.4 (see docs/water.md)
    as_inputs(units, scheme)          the unit columns a scheme's inputs declare (source "water.<column>")

Conventions (where the standard leaves a choice, see docs/water.md for the reasoning):

* Single-factor method (GB 3838-2002 §5.1/§5.2; 地表水环境质量评价办法(试行) 环办[2011]22号 二(一)): the class
  of a sample is the worst class over the graded parameters. A parameter takes the best class whose limit it meets,
  so COD 15 mg/L is class I although classes I and II share the limit.
* Graded: table 1 items 2-23. Water temperature (item 1) has no class limits and fecal coliform (item 24) is not
  part of the class (评价办法 二(一)1: "除水温、总氮、粪大肠菌群以外"); TN (item 9 "湖、库") counts for lakes only.
* Values equal to a limit meet it ("≤" / "≥" in table 1). Comparisons allow a relative 1e-9 so that a mean which
  equals a limit in decimal arithmetic is not pushed over it by binary floating point.
* Below detection limit: "<0.01" or "0.01L" (HJ/T 91-2002 reports the limit with the flag L) is taken as half the
  limit (地表水环境质量监测数据统计技术规定(试行) 环办监测函〔2020〕82号 第七点: 低于检出限时以1/2检出限值参与计算和
  统计); a bare "ND"/"未检出" (no limit given) is taken as 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import polars as pl

from kaohe.core.exceptions import InputTableError, Problem, UserInputError

__all__ = [
    "CLASSES",
    "LAKE_TP_LIMITS",
    "LIMITS",
    "PARAMETERS",
    "Classification",
    "WaterEvaluation",
    "as_inputs",
    "classify",
    "classify_frame",
    "evaluate_sections",
    "read_sections",
]

CLASSES: tuple[str, ...] = ("I", "II", "III", "IV", "V", "劣V")
_INFERIOR_V = 6  # rank of 劣V; ranks 1..5 are classes I..V

# GB 3838-2002 表1 地表水环境质量标准基本项目标准限值 (mg/L), classes I..V. "≤" unless listed in _HIGHER_IS_BETTER.
LIMITS: dict[str, tuple[float, float, float, float, float]] = {
    "do": (7.5, 6, 5, 3, 2),  # 表1 项3 溶解氧 ≥ (class I: 饱和率90% 或 7.5)
    "codmn": (2, 4, 6, 10, 15),  # 表1 项4 高锰酸盐指数
    "cod": (15, 15, 20, 30, 40),  # 表1 项5 化学需氧量
    "bod5": (3, 3, 4, 6, 10),  # 表1 项6 五日生化需氧量
    "nh3n": (0.15, 0.5, 1.0, 1.5, 2.0),  # 表1 项7 氨氮
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),  # 表1 项8 总磷 (rivers; lakes/reservoirs below)
    "tn": (0.2, 0.5, 1.0, 1.5, 2.0),  # 表1 项9 总氮 (湖、库 only)
    "cu": (0.01, 1.0, 1.0, 1.0, 1.0),  # 表1 项10 铜
    "zn": (0.05, 1.0, 1.0, 2.0, 2.0),  # 表1 项11 锌
    "fluoride": (1.0, 1.0, 1.0, 1.5, 1.5),  # 表1 项12 氟化物(以F-计)
    "se": (0.01, 0.01, 0.01, 0.02, 0.02),  # 表1 项13 硒
    "as": (0.05, 0.05, 0.05, 0.1, 0.1),  # 表1 项14 砷
    "hg": (0.00005, 0.00005, 0.0001, 0.001, 0.001),  # 表1 项15 汞
    "cd": (0.001, 0.005, 0.005, 0.005, 0.01),  # 表1 项16 镉
    "cr6": (0.01, 0.05, 0.05, 0.05, 0.1),  # 表1 项17 铬(六价)
    "pb": (0.01, 0.01, 0.05, 0.05, 0.1),  # 表1 项18 铅
    "cyanide": (0.005, 0.05, 0.2, 0.2, 0.2),  # 表1 项19 氰化物
    "phenol": (0.002, 0.002, 0.005, 0.01, 0.1),  # 表1 项20 挥发酚
    "petroleum": (0.05, 0.05, 0.05, 0.5, 1.0),  # 表1 项21 石油类
    "las": (0.2, 0.2, 0.2, 0.3, 0.3),  # 表1 项22 阴离子表面活性剂
    "sulfide": (0.05, 0.1, 0.2, 0.5, 1.0),  # 表1 项23 硫化物
}
# 表1 项8 总磷: "湖、库" limits in brackets.
LAKE_TP_LIMITS: tuple[float, float, float, float, float] = (0.01, 0.025, 0.05, 0.1, 0.2)
_PH_RANGE = (6.0, 9.0)  # 表1 项2 pH 6~9 for every class; outside it the sample is worse than class V
_HIGHER_IS_BETTER = frozenset({"do"})
_NO_MULTIPLE = frozenset({"do", "ph"})  # 评价办法: exceedance multiples are not computed for DO and pH

PARAMETERS: tuple[str, ...] = ("ph", *LIMITS)  # graded, in table-1 order
_IGNORED = ("temperature", "fecal_coliform")  # table 1 items 1 and 24: read, never graded
_TOL = 1e-9  # relative tolerance of limit comparisons (see module docstring)

WATERBODIES = ("river", "lake")
_WATERBODY_ALIASES = {
    "river": "river",
    "河流": "river",
    "lake": "lake",
    "reservoir": "lake",
    "湖库": "lake",
    "湖泊": "lake",
    "水库": "lake",
}
_CLASS_ALIASES = {
    **{c: i for i, c in enumerate(CLASSES[:5], 1)},
    **{c: i for i, c in enumerate(("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ"), 1)},
    **{str(i): i for i in range(1, 6)},
}
# Seed 004 item 1.3: 省控 sections cost 10 a month, 市控/县控/交接 5; 国控 (above 省控) is charged like 省控.
LEVELS = ("national", "provincial", "city", "county", "boundary")
_LEVEL_ALIASES = {
    "national": "national",
    "国控": "national",
    "provincial": "provincial",
    "省控": "provincial",
    "city": "city",
    "市控": "city",
    "county": "county",
    "县控": "county",
    "boundary": "boundary",
    "交接": "boundary",
    "交界": "boundary",
}
SECTION_TYPES = ("assessment", "drinking", "drinking_backup", "other")
_REQUIRED = ("section_id", "section_name", "unit_id", "waterbody", "target_class", "month")
_OPTIONAL = ("year", "section_level", "section_type")
_BOUNDARY_PARAMETERS = ("codmn", "nh3n", "tp")  # seed 004 item 1.2: 高锰酸盐指数、氨氮、总磷
# Boundary-section grading (our rule; the provincial method is not in the seed): share of section-months in which a
# parameter meets the section's target class -> 优秀 at 100 %, 良好 at >= 80 %, 合格 at >= 60 %.
BOUNDARY_SHARES = (1.0, 0.8, 0.6)
BOUNDARY_GRADES = (
    "所有指标不合格",
    "不合格但至少一项指标合格",
    "合格",
    "良好",
    "优秀",
)  # index = grade level 0..4


# --------------------------------------------------------------------------------------------------- one sample


@dataclass(frozen=True)
class Classification:
    """The class of one sample. ``exceeding`` maps each parameter worse than class III to its exceedance multiple
    (C − C_III) / C_III, or None for DO and pH, which have no multiple."""

    water_class: str
    determining: tuple[str, ...]
    exceeding: dict[str, float | None] = field(default_factory=dict)


def _limits(parameter: str, waterbody: str) -> tuple[float, ...]:
    return LAKE_TP_LIMITS if parameter == "tp" and waterbody == "lake" else LIMITS[parameter]


def _graded(parameter: str, waterbody: str) -> bool:
    return parameter != "tn" or waterbody == "lake"  # 表1 项9: 总氮(湖、库)


def _rank(parameter: str, value: float, waterbody: str) -> int:
    """Class rank 1..6 (I..劣V) of one value."""
    if parameter == "ph":
        low, high = _PH_RANGE
        return 1 if low * (1 - _TOL) <= value <= high * (1 + _TOL) else _INFERIOR_V
    for rank, limit in enumerate(_limits(parameter, waterbody), 1):
        if parameter in _HIGHER_IS_BETTER:
            if value >= limit * (1 - _TOL):
                return rank
        elif value <= limit * (1 + _TOL):
            return rank
    return _INFERIOR_V


def _multiple(parameter: str, value: float, waterbody: str) -> float | None:
    if parameter in _NO_MULTIPLE:
        return None
    c3 = _limits(parameter, waterbody)[2]
    return (value - c3) / c3


def classify(measurements: Mapping[str, float | None], waterbody: str = "river") -> Classification:
    """Classify one sample by the single-factor method of GB 3838-2002.

    ``measurements`` maps parameter names (see ``PARAMETERS``; ``temperature`` and ``fecal_coliform`` are accepted
    and ignored) to mg/L (pH unitless). None means "not measured". At least one graded parameter must be given.
    """
    if waterbody not in WATERBODIES:
        raise ValueError(f"waterbody must be 'river' or 'lake', not {waterbody!r}")
    unknown = sorted(set(measurements) - set(PARAMETERS) - set(_IGNORED))
    if unknown:
        raise ValueError(f"unknown parameters {unknown}; known: {', '.join(PARAMETERS)}")
    ranks: dict[str, int] = {}
    values: dict[str, float] = {}
    for parameter in PARAMETERS:
        value = measurements.get(parameter)
        if value is None or not _graded(parameter, waterbody):
            continue
        if math.isnan(value) or value < 0:
            raise ValueError(f"{parameter}: {value!r} is not a concentration")
        ranks[parameter] = _rank(parameter, value, waterbody)
        values[parameter] = value
    if not ranks:
        raise ValueError("no GB 3838-2002 parameter to classify")
    worst = max(ranks.values())
    # pH within 6-9 is neutral: it never "sets" a class, only pushes a sample to 劣V.
    determining = tuple(p for p, r in ranks.items() if r == worst and not (p == "ph" and r == 1))
    exceeding = {p: _multiple(p, values[p], waterbody) for p, r in ranks.items() if r > 3}
    return Classification(CLASSES[worst - 1], determining, exceeding)


# --------------------------------------------------------------------------------------------------- vectorised


def _chain(value: pl.Expr, limits: Sequence[float], higher_is_better: bool) -> pl.Expr:
    def ok(limit: float) -> pl.Expr:
        return value >= limit * (1 - _TOL) if higher_is_better else value <= limit * (1 + _TOL)

    expr: Any = pl.when(value.is_null()).then(pl.lit(None, pl.Int8))
    for rank, limit in enumerate(limits, 1):
        expr = expr.when(ok(limit)).then(pl.lit(rank, pl.Int8))
    return expr.otherwise(pl.lit(_INFERIOR_V, pl.Int8))  # type: ignore[no-any-return]


def _rank_expr(parameter: str) -> pl.Expr:
    """Rank 1..6 of ``parameter`` on each row, null when not measured or not graded (TN in a river)."""
    value = pl.col(parameter)
    is_lake = pl.col("waterbody") == "lake"
    if parameter == "ph":
        low, high = _PH_RANGE
        in_range = (value >= low * (1 - _TOL)) & (value <= high * (1 + _TOL))
        return (
            pl.when(value.is_null())
            .then(pl.lit(None, pl.Int8))
            .when(in_range)
            .then(pl.lit(1, pl.Int8))
            .otherwise(pl.lit(_INFERIOR_V, pl.Int8))
        )
    higher = parameter in _HIGHER_IS_BETTER
    if parameter == "tp":
        return (
            pl.when(is_lake)
            .then(_chain(value, LAKE_TP_LIMITS, higher))
            .otherwise(_chain(value, LIMITS["tp"], higher))
        )
    if parameter == "tn":
        return pl.when(is_lake).then(_chain(value, LIMITS["tn"], higher)).otherwise(pl.lit(None, pl.Int8))
    return _chain(value, LIMITS[parameter], higher)


def _present(frame: pl.DataFrame) -> list[str]:
    return [p for p in PARAMETERS if p in frame.columns]


def _with_ranks(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``_r_<parameter>`` ranks and ``class_rank`` (null when no parameter was measured)."""
    params = _present(frame)
    ranked = frame.with_columns(_rank_expr(p).alias(f"_r_{p}") for p in params)
    if not params:
        return ranked.with_columns(class_rank=pl.lit(None, pl.Int8))
    return ranked.with_columns(class_rank=pl.max_horizontal(f"_r_{p}" for p in params))


def _class_label(rank: pl.Expr) -> pl.Expr:
    return rank.replace_strict(list(range(1, 7)), list(CLASSES), default=None, return_dtype=pl.String)


def classify_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Vectorised :func:`classify`: one sample per row, with a ``waterbody`` column (river|lake) and parameter
    columns named as in ``PARAMETERS``. Adds ``water_class`` (null when nothing was measured), ``determining``
    (list of parameters) and, for every parameter except pH and DO, ``exceed_<parameter>`` (the exceedance
    multiple when worse than class III, else null)."""
    params = _present(frame)
    ranked = _with_ranks(frame)
    worst = pl.col("class_rank")
    sets_class = [
        pl.when((pl.col(f"_r_{p}") == worst) & ~((pl.lit(p) == "ph") & (worst == 1))).then(pl.lit(p))
        for p in params
    ]
    determining = pl.concat_list(sets_class).list.drop_nulls() if params else pl.lit([], pl.List(pl.String))
    exceed = []
    for p in params:
        if p in _NO_MULTIPLE:
            continue
        c3 = pl.when(pl.col("waterbody") == "lake").then(_limits(p, "lake")[2]).otherwise(LIMITS[p][2])
        exceed.append(pl.when(pl.col(f"_r_{p}") > 3).then((pl.col(p) - c3) / c3).alias(f"exceed_{p}"))
    return ranked.with_columns(*exceed, water_class=_class_label(worst), determining=determining).drop(
        "class_rank", *(f"_r_{p}" for p in params)
    )


# --------------------------------------------------------------------------------------------------- reading

_NUMBER = r"[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+"
_BELOW_LIMIT = re.compile(rf"^\s*(?:<\s*(?P<lt>{_NUMBER})|(?P<flag>{_NUMBER})\s*[lL])\s*$")
_NOT_DETECTED = ("nd", "n.d.", "未检出")
_MAX_PROBLEMS = 50


def _parse_concentrations(raw: pl.Expr, allow_below_limit: bool) -> pl.Expr:
    """Strings -> Float64 following the detection-limit convention of the module docstring; unparsable -> NaN
    (so that it can be told apart from an empty cell, which is null)."""
    text = raw.str.strip_chars()
    lower = text.str.to_lowercase()
    below = text.str.extract(_BELOW_LIMIT.pattern, 1).fill_null(text.str.extract(_BELOW_LIMIT.pattern, 2))
    plain = text.cast(pl.Float64, strict=False)
    expr: Any = pl.when(text.is_null() | (text == "")).then(pl.lit(None, pl.Float64))
    if allow_below_limit:
        expr = (
            expr.when(lower.is_in(_NOT_DETECTED))
            .then(0.0)
            .when(below.is_not_null())
            .then(below.cast(pl.Float64, strict=False) / 2)
        )
    parsed: pl.Expr = expr.when(plain.is_not_null()).then(plain).otherwise(float("nan"))
    return parsed


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM that Excel writes), else GB 18030, which Chinese Excel saves by default."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _integer(text: pl.Expr) -> pl.Expr:
    """ "3", "3.0" (spreadsheets and Parquet floats) -> 3; anything else -> null."""
    number = text.cast(pl.Float64, strict=False)
    return pl.when(number == number.round(0)).then(number.cast(pl.Int64, strict=False))


def _read_raw(path: Path) -> tuple[pl.DataFrame, int]:
    """The table as strings, plus the offset from 0-based record index to the row number shown to users."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pl.read_csv(_decode(path.read_bytes()).encode(), infer_schema=False), 2  # header is row 1
        if suffix in (".xlsx", ".xlsm", ".xls"):
            frame = pl.read_excel(path, infer_schema_length=0, drop_empty_rows=False)
            return frame, 2
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
            return frame.with_columns(pl.all().cast(pl.String)), 1  # no header row: record 1 is row 1
    except FileNotFoundError as exc:
        raise InputTableError(Problem("file not found", file=str(path))) from exc
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise InputTableError(Problem(f"cannot read the table: {exc}", file=str(path))) from exc
    raise InputTableError(
        Problem(f"unsupported file type {suffix!r}; expected .csv, .xlsx or .parquet", file=str(path))
    )


def read_sections(path: str | Path) -> pl.DataFrame:
    """Read and validate a section-measurement table (CSV, xlsx: first sheet, or Parquet).

    Columns: ``section_id, section_name, unit_id, waterbody, target_class, month`` and one or more parameter
    columns (``PARAMETERS``, mg/L); optional ``year``, ``section_level``, ``section_type``, ``temperature``,
    ``fecal_coliform``. Every mistake found is reported in one :class:`InputTableError` (file, row, column,
    expected). Returns a frame with parameters as Float64, ``month``/``year`` as Int64, ``target_class`` as
    I..V, ``waterbody`` as river|lake, ``section_level``/``section_type`` normalised (null when empty).
    """
    path = Path(path)
    raw, offset = _read_raw(path)
    raw = raw.rename({c: c.strip() for c in raw.columns})
    raw = raw.with_row_index("_row", offset=offset)
    value_cols = [c for c in raw.columns if c != "_row"]
    raw = raw.filter(
        ~pl.all_horizontal(pl.col(value_cols).is_null() | (pl.col(value_cols).str.strip_chars() == ""))
    )
    return _validate(raw, str(path))


def _validate(raw: pl.DataFrame, file: str) -> pl.DataFrame:
    problems: list[Problem] = []

    def bad_rows(mask: pl.Expr, column: str, message: str) -> None:
        rows = raw.filter(mask.fill_null(False)).select("_row", pl.col(column).alias("_v"))
        for row, value in rows.iter_rows():
            problems.append(Problem(message.format(value=value), file=file, line=row, column=column))

    known = {*_REQUIRED, *_OPTIONAL, *PARAMETERS, *_IGNORED, "_row"}
    for column in raw.columns:
        if column not in known:
            problems.append(
                Problem(
                    f"unknown column {column!r}; expected one of {', '.join(sorted(known - {'_row'}))}",
                    file=file,
                    line=1,
                    column=column,
                )
            )
    for column in _REQUIRED:
        if column not in raw.columns:
            problems.append(Problem(f"missing required column {column!r}", file=file, column=column))
    params = _present(raw)
    if not params:
        problems.append(Problem(f"no parameter column; expected some of {', '.join(PARAMETERS)}", file=file))
    if problems:
        raise InputTableError(problems)

    text = {c: pl.col(c).str.strip_chars() for c in raw.columns if c != "_row"}
    for column in ("section_id", "section_name", "unit_id"):
        bad_rows(text[column].is_null() | (text[column] == ""), column, "empty; expected a value")
        # ";" separates list items in the per-unit CSV/Excel output (wq_sections etc.)
        bad_rows(
            text[column].str.contains(";", literal=True), column, "{value!r} contains ';'; expected no ';'"
        )
    month = _integer(text["month"])
    bad_rows(month.is_null() | ~month.is_between(1, 12), "month", "{value!r} is not a month; expected 1-12")
    if "year" in raw.columns:
        year = _integer(text["year"])
        bad_rows(year.is_null() | ~year.is_between(1900, 2200), "year", "{value!r} is not a year")
    waterbody = text["waterbody"].str.to_lowercase().replace_strict(_WATERBODY_ALIASES, default=None)
    bad_rows(waterbody.is_null(), "waterbody", "{value!r} is not a waterbody; expected river or lake")
    target = (
        text["target_class"]
        .str.to_uppercase()
        .replace_strict(_CLASS_ALIASES, default=None, return_dtype=pl.Int8)
    )
    bad_rows(
        target.is_null(), "target_class", "{value!r} is not a target class; expected I, II, III, IV or V"
    )
    level = text.get("section_level", pl.lit(None, pl.String))
    level_norm = level.str.to_lowercase().replace_strict(_LEVEL_ALIASES, default=None)
    if "section_level" in raw.columns:
        bad_rows(
            level.is_not_null() & (level != "") & level_norm.is_null(),
            "section_level",
            "{value!r} is not a section level; expected "
            + ", ".join(LEVELS)
            + " (or 国控 省控 市控 县控 交接)",
        )
    kind = text.get("section_type", pl.lit(None, pl.String)).str.to_lowercase()
    if "section_type" in raw.columns:
        bad_rows(
            kind.is_not_null() & (kind != "") & ~kind.is_in(SECTION_TYPES),
            "section_type",
            "{value!r} is not a section type; expected " + ", ".join(SECTION_TYPES) + " or empty",
        )
    numeric = {c: _parse_concentrations(text[c], allow_below_limit=c != "ph") for c in params}
    numeric |= {c: _parse_concentrations(text[c], True) for c in _IGNORED if c in raw.columns}
    for column, value in numeric.items():
        expected = "a number" if column == "ph" else 'a number, "ND", "<limit" or "limitL"'
        bad_rows(value.is_nan(), column, "{value!r} is not a number; expected " + expected)
        if column != "temperature":
            bad_rows(value < 0, column, "{value!r} is negative; expected a concentration >= 0")
    if problems:
        raise InputTableError(_capped(problems))

    typed = raw.select(
        "_row",
        *(text[c].alias(c) for c in ("section_id", "section_name", "unit_id")),
        waterbody.alias("waterbody"),
        _class_label(target).alias("target_class"),
        month.alias("month"),
        (_integer(text["year"]) if "year" in raw.columns else pl.lit(None, pl.Int64)).alias("year"),
        level_norm.alias("section_level"),
        pl.when(kind == "").then(None).otherwise(kind).alias("section_type"),
        *(v.alias(c) for c, v in numeric.items()),
    )
    _check_consistency(typed, file, problems)
    if problems:
        raise InputTableError(_capped(problems))
    if "year" not in raw.columns:
        typed = typed.drop("year")
    return typed.drop("_row")


def _check_consistency(typed: pl.DataFrame, file: str, problems: list[Problem]) -> None:
    """Duplicate (section, year, month) rows; a section must keep its unit and waterbody, and its target class
    within a year."""
    keys = ["section_id", "year", "month"]
    dups = typed.filter(pl.len().over(keys) > 1).sort("_row")
    seen: dict[tuple[Any, ...], int] = {}
    for row in dups.iter_rows(named=True):
        key = tuple(row[k] for k in keys)
        if key in seen:
            when = f"month {row['month']}" + (f" of {row['year']}" if row["year"] is not None else "")
            problems.append(
                Problem(
                    f"duplicate row for section {row['section_id']!r}, {when} (first at row "
                    f"{seen[key]}); expected one row per section and month",
                    file=file,
                    line=row["_row"],
                    column="month",
                )
            )
        else:
            seen[key] = row["_row"]
    for column, over in (
        ("unit_id", ["section_id"]),
        ("waterbody", ["section_id"]),
        ("target_class", ["section_id", "year"]),
    ):
        clash = typed.filter(pl.col(column).n_unique().over(over) > 1)
        if clash.height:
            first = clash.group_by(over, maintain_order=True).agg(
                pl.col("_row").max(), pl.col(column).unique()
            )
            for row in first.iter_rows(named=True):
                problems.append(
                    Problem(
                        f"section {row['section_id']!r} has several values {sorted(row[column])}; "
                        "expected one",
                        file=file,
                        line=row["_row"],
                        column=column,
                    )
                )


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= _MAX_PROBLEMS:
        return problems
    rest = len(problems) - _MAX_PROBLEMS
    return [*problems[:_MAX_PROBLEMS], Problem(f"... and {rest} more problems", file=problems[0].file)]


# --------------------------------------------------------------------------------------------------- evaluating


class WaterEvaluation(NamedTuple):
    """``sections``: one row per section measured in the year; ``units``: one row per unit_id."""

    sections: pl.DataFrame
    units: pl.DataFrame


def _prepare(frame: pl.DataFrame, year: int) -> pl.DataFrame:
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise InputTableError([Problem(f"missing required column {c!r}", column=c) for c in missing])
    extra = {
        "year": pl.lit(year, pl.Int64),
        "section_level": pl.lit(None, pl.String),
        "section_type": pl.lit(None, pl.String),
    }
    frame = frame.with_columns(v.alias(k) for k, v in extra.items() if k not in frame.columns)
    if not _present(frame):
        raise InputTableError(f"no parameter column; expected some of {', '.join(PARAMETERS)}")
    problems = []
    if frame.filter(~pl.col("waterbody").is_in(WATERBODIES)).height:
        problems.append(Problem("waterbody must be river or lake", column="waterbody"))
    if frame.filter(~pl.col("target_class").is_in(list(_CLASS_ALIASES))).height:
        problems.append(Problem("target_class must be I, II, III, IV or V", column="target_class"))
    if problems:
        raise InputTableError(problems)
    return frame.with_columns(pl.col(p).cast(pl.Float64) for p in _present(frame)).with_columns(
        pl.col("year").fill_null(year),
        _target_rank=pl.col("target_class").replace_strict(
            _CLASS_ALIASES, default=None, return_dtype=pl.Int8
        ),
    )


def _annual(frame: pl.DataFrame, params: list[str]) -> pl.DataFrame:
    """Per section: annual means of each parameter and the class of those means."""
    means = frame.group_by("section_id").agg(pl.col("waterbody").first(), *(pl.col(p).mean() for p in params))
    ranked = _with_ranks(means).rename({"class_rank": "annual_rank"})
    determining = classify_frame(means).select("section_id", "determining")
    return ranked.join(determining, on="section_id").select(
        "section_id",
        "annual_rank",
        pl.col("determining").alias("annual_determining"),
        *(pl.col(p).alias(f"{p}_mean") for p in params),
    )


def evaluate_sections(
    frame: pl.DataFrame, year: int, *, boundary_shares: tuple[float, float, float] = BOUNDARY_SHARES
) -> WaterEvaluation:
    """Evaluate every section measured in ``year`` and aggregate the inputs of seed-004 items 1.1-1.4 per unit.

    Precondition: ``frame`` is shaped like :func:`read_sections` output (one row per section and month). Rows of
    ``year`` are the assessment year; rows of ``year - 1`` give the previous year's annual-mean class (for the
    class change and item 1.1's bonus) and the previous boundary grade and means (item 1.2). Without a ``year``
    column every row belongs to ``year``; then, as when a section has no previous-year rows, the previous-year
    columns are null and such a section never counts as improved. Rows of other years are ignored.

    Item 1.2 (boundary sections, ``section_level`` = boundary): the provincial grading method the seed refers to is
    not available, so the grade is our own transparent rule: for CODMn, NH3-N and TP, the share of the unit's
    boundary section-months in which the parameter meets the section's target class; a parameter is 优秀 at
    ``boundary_shares[0]`` (100 %), 良好 at >= ``[1]`` (80 %), 合格 at >= ``[2]`` (60 %), else 不合格. The unit
    grade is the worst parameter's grade when that is 合格 or better, else 不合格但至少一项指标合格 when some
    parameter is 合格 or better, else 所有指标不合格. Year-on-year change ratios are (prev − curr) / prev of the
    pooled boundary section-month means (positive = improvement).
    """
    data = _with_ranks(_prepare(frame, year))
    params = _present(data)
    current = data.filter(pl.col("year") == year)
    previous = data.filter(pl.col("year") == year - 1)
    sections = _sections_table(current, previous, params)
    units = _units_table(sections, current, previous, params, boundary_shares)
    return WaterEvaluation(sections.drop("_target_rank", "annual_rank"), units)


def _sections_table(current: pl.DataFrame, previous: pl.DataFrame, params: list[str]) -> pl.DataFrame:
    month_label = _class_label(pl.col("class_rank"))
    target = pl.col("_target_rank")
    rank = pl.col("class_rank")
    per_section = current.group_by("section_id").agg(
        pl.col(
            "unit_id", "section_name", "waterbody", "target_class", "section_level", "section_type"
        ).first(),
        pl.col("_target_rank").first(),
        *(month_label.filter(pl.col("month") == m).first().alias(f"class_{m:02d}") for m in range(1, 13)),
        months_with_data=rank.is_not_null().sum(),
        months_worse=(rank > target).sum(),
        months_inferior_v=(rank == _INFERIOR_V).sum(),
    )
    annual = _annual(current, params)
    prev = _annual(previous, params).select("section_id", prev_rank=pl.col("annual_rank"))
    joined = per_section.join(annual, on="section_id", how="left").join(prev, on="section_id", how="left")
    return (
        joined.with_columns(
            pl.col("months_worse", "months_inferior_v").cast(pl.Int64),
            months_missed=(pl.col("months_worse") - pl.col("months_inferior_v")).cast(pl.Int64),
            annual_class=_class_label(pl.col("annual_rank")),
            annual_met=(pl.col("annual_rank") <= target).fill_null(False),
            prev_annual_class=_class_label(pl.col("prev_rank")),
            # positive = better: II last year -> I this year is +1
            class_change=(pl.col("prev_rank").cast(pl.Int64) - pl.col("annual_rank").cast(pl.Int64)),
        )
        .with_columns(
            improved=(pl.col("class_change") > 0).fill_null(False),
            months_with_data=pl.col("months_with_data").cast(pl.Int64),
        )
        .select(
            "unit_id",
            "section_id",
            "section_name",
            "waterbody",
            "section_level",
            "section_type",
            "target_class",
            "months_with_data",
            *(f"class_{m:02d}" for m in range(1, 13)),
            "months_worse",
            "months_missed",
            "months_inferior_v",
            "annual_class",
            "annual_met",
            "annual_determining",
            "prev_annual_class",
            "class_change",
            "improved",
            *(f"{p}_mean" for p in params),
            "_target_rank",
            "annual_rank",
        )
        .sort("unit_id", "section_id")
    )


def _boundary_grade(shares: Sequence[float | None], cut: tuple[float, float, float]) -> int | None:
    if any(s is None for s in shares) or not shares:
        return None
    levels = [
        4 if s >= cut[0] - _TOL else 3 if s >= cut[1] - _TOL else 2 if s >= cut[2] - _TOL else 0
        for s in shares
        if s is not None
    ]
    worst = min(levels)
    if worst >= 2:
        return worst
    return 1 if max(levels) >= 2 else 0


def _boundary(rows: pl.DataFrame, units: list[str], cut: tuple[float, float, float]) -> pl.DataFrame:
    """Per unit: shares of boundary section-months meeting the target for CODMn, NH3-N, TP; grade; pooled means."""
    present = [p for p in _BOUNDARY_PARAMETERS if p in rows.columns]
    stats = rows.group_by("unit_id").agg(
        *((pl.col(f"_r_{p}") <= pl.col("_target_rank")).mean().alias(f"share_{p}") for p in present),
        *(pl.col(p).mean().alias(f"mean_{p}") for p in present),
    )
    out: dict[str, list[Any]] = {"unit_id": units, "level": []}
    by_unit = {r["unit_id"]: r for r in stats.iter_rows(named=True)}
    for p in _BOUNDARY_PARAMETERS:
        out[f"share_{p}"], out[f"mean_{p}"] = [], []
    for unit in units:
        row = by_unit.get(unit)
        shares = [row.get(f"share_{p}") if row else None for p in _BOUNDARY_PARAMETERS]
        out["level"].append(_boundary_grade(shares, cut) if row else None)
        for p, share in zip(_BOUNDARY_PARAMETERS, shares, strict=True):
            out[f"share_{p}"].append(share)
            out[f"mean_{p}"].append(row.get(f"mean_{p}") if row else None)
    schema = {"unit_id": pl.String, "level": pl.Int64} | {
        f"{k}_{p}": pl.Float64 for p in _BOUNDARY_PARAMETERS for k in ("share", "mean")
    }
    return pl.DataFrame(out, schema=schema)


def _units_table(
    sections: pl.DataFrame,
    current: pl.DataFrame,
    previous: pl.DataFrame,
    params: list[str],
    cut: tuple[float, float, float],
) -> pl.DataFrame:
    units = sorted(set(current["unit_id"].to_list()))
    base = pl.DataFrame({"unit_id": units}, schema={"unit_id": pl.String})
    kind = pl.col("section_type")
    level = pl.col("section_level").fill_null("county")  # a section without a level counts as 县控 (item 1.3)
    provincial = level.is_in(["national", "provincial"])
    half = pl.col("annual_rank") <= 5  # item 1.3: 年均值达到或优于V类 -> 50 %
    counted = ~pl.col("annual_met")  # item 1.1: 年均值达到年度目标的,月度扣分免扣
    item_11 = (
        sections.filter(kind.is_null() | (kind == "assessment"))
        .group_by("unit_id")
        .agg(
            wq_sections=pl.col("section_name"),
            wq_months_missed=pl.col("months_missed"),
            wq_months_inferior_v=pl.col("months_inferior_v"),
            wq_annual_met=pl.col("annual_met"),
            wq_improved_sections=pl.col("improved").sum().cast(pl.Int64),
            wq_months_missed_unwaived=pl.col("months_missed").filter(counted).sum().cast(pl.Int64),
            wq_months_inferior_v_unwaived=pl.col("months_inferior_v").filter(counted).sum().cast(pl.Int64),
        )
    )
    months = pl.col("months_inferior_v")
    item_13 = sections.group_by("unit_id").agg(
        rebound_sections=pl.col("section_name"),
        rebound_months=months,
        rebound_provincial=provincial,
        rebound_annual_v_or_better=half.fill_null(False),
        rebound_months_provincial_full=months.filter(provincial & ~half.fill_null(False))
        .sum()
        .cast(pl.Int64),
        rebound_months_provincial_half=months.filter(provincial & half.fill_null(False)).sum().cast(pl.Int64),
        rebound_months_other_full=months.filter(~provincial & ~half.fill_null(False)).sum().cast(pl.Int64),
        rebound_months_other_half=months.filter(~provincial & half.fill_null(False)).sum().cast(pl.Int64),
    )
    on_boundary = pl.col("section_level") == "boundary"
    bnd_names = sections.filter(on_boundary).group_by("unit_id").agg(boundary_sections=pl.col("section_name"))
    now = _boundary(current.filter(on_boundary), units, cut)
    before = _boundary(previous.filter(on_boundary), units, cut)
    grade = now.join(before, on="unit_id", suffix="_prev").select(
        "unit_id",
        _grade_label(pl.col("level")).alias("boundary_grade"),
        pl.col("level").alias("boundary_grade_level"),
        *(pl.col(f"share_{p}").alias(f"boundary_{p}_share") for p in _BOUNDARY_PARAMETERS),
        _grade_label(pl.col("level_prev")).alias("boundary_grade_prev"),
        pl.col("level_prev").alias("boundary_grade_level_prev"),
        (pl.col("level") - pl.col("level_prev")).alias("boundary_grade_change"),
        # item 1.2 (2): 与上一年度均值相比 -> (prev - curr) / prev, positive = improvement
        *(
            pl.when(pl.col(f"mean_{p}_prev") > 0)
            .then((pl.col(f"mean_{p}_prev") - pl.col(f"mean_{p}")) / pl.col(f"mean_{p}_prev"))
            .alias(f"boundary_{p}_change")
            for p in _BOUNDARY_PARAMETERS
        ),
    )
    drinking = _drinking(current, params)
    lists = {
        "wq_sections": pl.String,
        "wq_months_missed": pl.Int64,
        "wq_months_inferior_v": pl.Int64,
        "wq_annual_met": pl.Boolean,
        "rebound_sections": pl.String,
        "rebound_months": pl.Int64,
        "rebound_provincial": pl.Boolean,
        "rebound_annual_v_or_better": pl.Boolean,
        "boundary_sections": pl.String,
    }
    counts = [c for c in (*item_11.columns, *item_13.columns) if c.endswith(("_unwaived", "_full", "_half"))]
    out = base
    for part in (item_11, item_13, bnd_names, grade, drinking):
        out = out.join(part, on="unit_id", how="left")
    return out.with_columns(
        *(pl.col(c).cast(pl.List(t)).fill_null(pl.lit([], pl.List(t))) for c, t in lists.items()),
        *(pl.col(c).fill_null(0) for c in [*counts, "wq_improved_sections"]),
    ).sort("unit_id")


def _grade_label(level: pl.Expr) -> pl.Expr:
    return level.replace_strict(list(range(5)), list(BOUNDARY_GRADES), default=None, return_dtype=pl.String)


def _drinking(current: pl.DataFrame, params: list[str]) -> pl.DataFrame:
    """Item 1.4: compliant parameter-samples / all parameter-samples (每次各项监测达标因子个数占总因子数的比例)."""
    samples = pl.sum_horizontal(pl.col(f"_r_{p}").is_not_null() for p in params)
    compliant = pl.sum_horizontal(
        (pl.col(f"_r_{p}") <= pl.col("_target_rank")).fill_null(False) for p in params
    )
    rows = current.with_columns(_n=samples.cast(pl.Int64), _ok=compliant.cast(pl.Int64))
    parts = []
    for kind in ("drinking", "drinking_backup"):
        agg = (
            rows.filter(pl.col("section_type") == kind)
            .group_by("unit_id")
            .agg(pl.col("_ok").sum().alias(f"{kind}_compliant"), pl.col("_n").sum().alias(f"{kind}_samples"))
        )
        parts.append(
            agg.with_columns(
                pl.when(pl.col(f"{kind}_samples") > 0)
                .then(pl.col(f"{kind}_compliant") / pl.col(f"{kind}_samples"))
                .alias(f"{kind}_rate")
            ).select("unit_id", f"{kind}_rate", f"{kind}_compliant", f"{kind}_samples")
        )
    out = parts[0].join(parts[1], on="unit_id", how="full", coalesce=True)
    units = current.select("unit_id").unique()
    return units.join(out, on="unit_id", how="left")


# --------------------------------------------------------------------------------------------------- into a scheme


class InputDefinition(Protocol):
    """What :func:`as_inputs` reads of a scheme input (``kaohe.core`` scheme models satisfy it)."""

    @property
    def id(self) -> str: ...


class SchemeLike(Protocol):
    @property
    def inputs(self) -> Iterable[InputDefinition]: ...


SOURCE_PREFIX = "water."


def as_inputs(units: pl.DataFrame, scheme: SchemeLike) -> pl.DataFrame:
    """The unit columns that ``scheme``'s inputs take from ``water.<column>``, renamed to the input ids and
    multiplied by ``source_scale`` when given (element-wise for list columns), keyed by ``unit_id``."""
    picked: list[pl.Expr] = []
    problems: list[Problem] = []
    for definition in scheme.inputs:
        source = getattr(definition, "source", None)
        if not source or not source.startswith(SOURCE_PREFIX):
            continue
        column = source.removeprefix(SOURCE_PREFIX)
        if column not in units.columns or column == "unit_id":
            problems.append(
                Problem(
                    f"input {definition.id!r} reads {source!r}, which the water evaluation does "
                    "not produce; see docs/water.md",
                    key=definition.id,
                )
            )
            continue
        expr = pl.col(column)
        scale = getattr(definition, "source_scale", None)
        if scale is not None and scale != 1:
            dtype = units.schema[column]
            inner = dtype.inner if isinstance(dtype, pl.List) else dtype
            if not inner.is_numeric():
                problems.append(
                    Problem(
                        f"input {definition.id!r}: source_scale on non-numeric {source!r}", key=definition.id
                    )
                )
                continue
            expr = expr.list.eval(pl.element() * scale) if isinstance(dtype, pl.List) else expr * scale
        picked.append(expr.alias(definition.id))
    if problems:
        raise UserInputError(problems)
    if not picked:
        raise UserInputError(f"the scheme has no input with source '{SOURCE_PREFIX}…'")
    return units.select("unit_id", *picked)
