"""A year of section measurements -> per-section classes and the per-unit inputs of seed-004 items 1.1-1.4
(:func:`evaluate_sections`), and those unit columns as a scheme's inputs (:func:`as_inputs`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import polars as pl

from kaohe.core.exceptions import InputTableError, Problem
from kaohe.monitoring import inputs
from kaohe.monitoring.water.classify import _class_label, _present, _with_ranks, classify_frame
from kaohe.monitoring.water.tables import (
    _CLASS_ALIASES,
    _INFERIOR_V,
    _REQUIRED,
    _TOL,
    PARAMETERS,
    WATERBODIES,
)

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
        _target_rank=pl.col("target_class").replace_strict(_CLASS_ALIASES, default=None, return_dtype=pl.Int8),
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
        pl.col("unit_id", "section_name", "waterbody", "target_class", "section_level", "section_type").first(),
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
        rebound_months_provincial_full=months.filter(provincial & ~half.fill_null(False)).sum().cast(pl.Int64),
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
    compliant = pl.sum_horizontal((pl.col(f"_r_{p}") <= pl.col("_target_rank")).fill_null(False) for p in params)
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

SOURCE_PREFIX = "water."


def as_inputs(units: pl.DataFrame, scheme: inputs.SchemeLike) -> pl.DataFrame:
    """The unit columns that ``scheme``'s inputs take from ``water.<column>``, renamed to the input ids and
    multiplied by ``source_scale`` when given (element-wise for list columns), keyed by ``unit_id``
    (:func:`kaohe.monitoring.inputs.as_inputs`, shared with air)."""
    return inputs.as_inputs(units, scheme, kind="water", key="unit_id", results_name="water evaluation")
