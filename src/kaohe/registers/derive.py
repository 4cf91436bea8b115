"""From registers to a scheme's inputs: one row per unit for an assessment year (issue 12 §2).

    derive(registers, year, metrics, units=None) -> DataFrame        unit_id + one column per metric
    scheme_metrics(scheme) -> list[(InputDef, Metric)]                the inputs a scheme reads from registers
    derive_inputs(scheme, registers, year, units=None) -> DataFrame   unit_id + those inputs, named by input id
    rows_counted(register, metric, year, unit_id=None) -> DataFrame   the register rows behind a count (evidence)

``registers`` maps a register kind (``rectification``, ``complaints``, ``notices``, ``incidents``) to its typed
rows (``kaohe.registers.read``). The metrics and the rule of each are in ``kaohe.registers.metrics``. Counts are
Int64, yes/no metrics Boolean; a unit that has no row in a register counts 0 (or 否) there. Pure: frames in,
frames out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from kaohe.core.exceptions import Problem, UserInputError
from kaohe.core.guards import year_option
from kaohe.core.scheme import InputDef, Scheme
from kaohe.registers.kinds import REGISTERS
from kaohe.registers.metrics import METRICS, Metric, metric_of_source


def _metric(metric: str | Metric) -> Metric:
    if isinstance(metric, Metric):
        return metric
    try:
        return METRICS[metric]
    except KeyError:
        raise UserInputError(f"unknown register metric {metric!r}; known: {', '.join(METRICS)}") from None


def _units(registers: Mapping[str, pl.DataFrame], units: Iterable[str] | None) -> pl.DataFrame:
    if units is not None:
        listed = list(dict.fromkeys(units))
        return pl.DataFrame({"unit_id": listed}, schema={"unit_id": pl.String})
    found = [frame.select(pl.col("unit_id").cast(pl.String)) for frame in registers.values()]
    if not found:
        return pl.DataFrame(schema={"unit_id": pl.String})
    return pl.concat(found).drop_nulls().unique().sort("unit_id")


def derive(
    registers: Mapping[str, pl.DataFrame],
    year: int,
    metrics: Iterable[str | Metric],
    *,
    units: Iterable[str] | None = None,
) -> pl.DataFrame:
    """One row per unit (``units`` in their order, else every unit of the registers, sorted) with ``unit_id`` and
    one column per metric for ``year``. Rows of a unit not in ``units`` are not counted. A metric whose register
    is not in ``registers`` is refused: no register is not the same as no problems."""
    year_option(year, "year")
    wanted = [_metric(m) for m in metrics]
    missing = sorted({m.register for m in wanted if m.register not in registers})
    if missing:
        names = "、".join(f"{REGISTERS[k].label} ({k})" for k in missing)
        raise UserInputError(f"需要台账 {names} (the metrics asked for need the register(s) {', '.join(missing)})")
    out = _units(registers, units)
    for kind in dict.fromkeys(m.register for m in wanted):
        mine = [m for m in wanted if m.register == kind]
        counts = (
            registers[kind]
            .lazy()
            .group_by(pl.col("unit_id").cast(pl.String))
            .agg(m.rows(year).fill_null(False).sum().cast(pl.Int64).alias(m.id) for m in mine)
            .collect()
        )
        out = out.join(counts, on="unit_id", how="left", maintain_order="left")
    return out.select(
        "unit_id",
        *((pl.col(m.id).fill_null(0) > 0) if m.boolean else pl.col(m.id).fill_null(0) for m in wanted),
    )


def scheme_metrics(scheme: Scheme) -> list[tuple[InputDef, Metric]]:
    """The scheme's inputs that declare ``source: register.<metric>``, with their metric (the loader has checked
    every name)."""
    out: list[tuple[InputDef, Metric]] = []
    for spec in scheme.inputs:
        metric = metric_of_source(spec.source or "")
        if metric is not None:
            out.append((spec, metric))
    return out


def registers_needed(scheme: Scheme) -> list[str]:
    """The register kinds the scheme's register inputs read, in the order of ``kinds.REGISTERS``."""
    used = {metric.register for _, metric in scheme_metrics(scheme)}
    return [kind for kind in REGISTERS if kind in used]


def derive_inputs(
    scheme: Scheme, registers: Mapping[str, pl.DataFrame], year: int, *, units: Iterable[str] | None = None
) -> pl.DataFrame:
    """``unit_id`` and every input of ``scheme`` that a register determines, named by input id: the shape
    ``kaohe score --inputs`` and the web's import read (counts as whole numbers, yes/no as booleans)."""
    pairs = scheme_metrics(scheme)
    if not pairs:
        raise UserInputError(Problem(f"方案 {scheme.id} 没有来自台账的指标输入 (no input with source 'register.…')"))
    derived = derive(registers, year, dict.fromkeys(m.id for _, m in pairs), units=units)
    return derived.select("unit_id", *(pl.col(metric.id).alias(spec.id) for spec, metric in pairs))


def rows_counted(register: pl.DataFrame, metric: str | Metric, year: int, unit_id: str | None = None) -> pl.DataFrame:
    """The rows of ``register`` that ``metric`` counts for ``year`` (of one unit when ``unit_id`` is given): the
    evidence behind a derived value."""
    chosen = _metric(metric)
    rows = register.filter(chosen.rows(year).fill_null(False))
    return rows if unit_id is None else rows.filter(pl.col("unit_id") == unit_id)
