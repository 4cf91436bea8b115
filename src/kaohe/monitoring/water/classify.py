"""The class of a sample by the single-factor method of GB 3838-2002: one sample (:func:`classify`) or a whole
frame of samples (:func:`classify_frame`, vectorised Polars). The helpers ``with_ranks``/``class_label``/
``present`` are shared with ``read`` and ``evaluate``."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from kaohe.monitoring.water.tables import (
    _HIGHER_IS_BETTER,
    _IGNORED,
    _INFERIOR_V,
    _NO_MULTIPLE,
    _PH_RANGE,
    _TOL,
    CLASSES,
    LAKE_TP_LIMITS,
    LIMITS,
    PARAMETERS,
    WATERBODIES,
)

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
            pl.when(is_lake).then(_chain(value, LAKE_TP_LIMITS, higher)).otherwise(_chain(value, LIMITS["tp"], higher))
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
        pl.when((pl.col(f"_r_{p}") == worst) & ~((pl.lit(p) == "ph") & (worst == 1))).then(pl.lit(p)) for p in params
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
