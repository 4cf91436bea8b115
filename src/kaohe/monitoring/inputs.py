"""From monitoring results to a scheme's inputs: the one ``as_inputs`` behind ``air.as_inputs`` and
``water.as_inputs``.

A scheme input may declare ``source: "<kind>.<column>"`` (``air.pm25_mean``, ``water.wq_months_missed``) and a
``source_scale`` (``100`` turns a ratio into a percentage). :func:`as_inputs` picks those columns out of the
results of one kind, renames them to the input ids, scales them (element-wise for list columns) and keys them by
``unit_id``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import polars as pl

from kaohe.core.exceptions import Problem, UserInputError

__all__ = ["InputDefinition", "SchemeLike", "as_inputs"]


class InputDefinition(Protocol):
    """What :func:`as_inputs` reads of a scheme input (``kaohe.core`` scheme models satisfy it); ``source`` and
    ``source_scale`` are read when present, an input without them is typed by hand and skipped."""

    @property
    def id(self) -> str: ...


class SchemeLike(Protocol):
    @property
    def inputs(self) -> Iterable[InputDefinition]: ...


def as_inputs(results: pl.DataFrame, scheme: SchemeLike, *, kind: str, key: str, results_name: str) -> pl.DataFrame:
    """The columns of ``results`` that ``scheme``'s inputs take from ``<kind>.<column>``, renamed to the input ids,
    multiplied by ``source_scale`` when given (as Float64; element-wise for list columns), with ``key`` renamed
    ``unit_id`` first. ``results_name`` names the results in messages ("air results", "water evaluation").
    Every input that cannot be served is reported in one :class:`UserInputError`."""
    prefix = f"{kind}."
    picked: list[pl.Expr] = []
    problems: list[Problem] = []
    for definition in scheme.inputs:
        source = getattr(definition, "source", None)
        if not source or not source.startswith(prefix):
            continue
        column = source.removeprefix(prefix)
        if column not in results.columns or column == key:
            problems.append(
                Problem(
                    f"input {definition.id}: {source!r} is not a column of the {results_name}, which does not "
                    f"produce it; see docs/{kind}.md",
                    key=definition.id,
                )
            )
            continue
        expr = pl.col(column)
        scale = getattr(definition, "source_scale", None)
        if scale is not None:
            dtype = results.schema[column]
            inner = dtype.inner if isinstance(dtype, pl.List) else dtype
            if not inner.is_numeric():
                problems.append(
                    Problem(f"input {definition.id}: source_scale on non-numeric {source!r}", key=definition.id)
                )
                continue
            if isinstance(dtype, pl.List):
                expr = expr.list.eval(pl.element().cast(pl.Float64) * scale)
            else:
                expr = expr.cast(pl.Float64) * scale
        picked.append(expr.alias(definition.id))
    if problems:
        raise UserInputError(problems)
    if not picked:
        raise UserInputError(f"the scheme has no input with source '{prefix}…'")
    return results.select(pl.col(key).alias("unit_id"), *picked)
