"""Compile rules to Polars column expressions, so that a province or the whole country scores in one pass.

Each ``_kind(rule, points)`` returns the expression of the rule's raw value for every row at once; the
semantics are those documented in :mod:`kaohe.core.rules` and implemented one row at a time in
:mod:`kaohe.core.reference` (the tests hold the two to agree). Rank-based kinds compare within the unit's
sequence with ``.over("sequence")``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from kaohe.core import rules as r
from kaohe.core.scheme import Node

SEQ = "sequence"


def lit_or_col(ref: Any) -> pl.Expr:
    return pl.col(ref).cast(pl.Float64) if isinstance(ref, str) else pl.lit(float(ref))


def clamp(expr: pl.Expr, lo: float | pl.Expr, hi: float | pl.Expr) -> pl.Expr:
    lo_e = lo if isinstance(lo, pl.Expr) else pl.lit(lo)
    hi_e = hi if isinstance(hi, pl.Expr) else pl.lit(hi)
    return pl.min_horizontal(hi_e, pl.max_horizontal(lo_e, expr))


def cond(c: r.Condition | None) -> pl.Expr:
    if c is None:
        return pl.lit(False)
    if isinstance(c, r.Compare):
        if c.op is None:
            return pl.col(c.input).cast(pl.Boolean).fill_null(False)
        left = pl.col(c.input)
        right = pl.col(c.value) if isinstance(c.value, str) else pl.lit(c.value)
        ops: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
        }
        return ops[c.op](left, right).fill_null(False)
    if isinstance(c, r.AllOf):
        return pl.all_horizontal([cond(x) for x in c.all])
    if isinstance(c, r.AnyOf):
        return pl.any_horizontal([cond(x) for x in c.any])
    return ~cond(c.not_)


def _event_total(rule: r.Deduct, e: r.Event) -> pl.Expr:
    """Σ per × count of one event kind (per element under ``each``), before the rule's cap."""
    if rule.each is None:
        if e.input is None:
            return cond(e.when).cast(pl.Float64) * e.per
        return pl.col(e.input).cast(pl.Float64) * e.per
    each = rule.each
    term = pl.col(str(e.input)).cast(pl.List(pl.Float64))
    if e.per_by is not None:
        mapping = {k: float(v) for k, v in e.per_by.map.items()}
        term = term * pl.col(e.per_by.input).list.eval(
            pl.element().cast(pl.String).replace_strict(mapping, default=float(e.per), return_dtype=pl.Float64)
        )
    else:
        term = term * e.per
    if each.waive_if:
        term = term * pl.col(each.waive_if).list.eval(pl.when(pl.element().cast(pl.Boolean)).then(0.0).otherwise(1.0))
    if each.factor_if:
        term = term * pl.col(each.factor_if).list.eval(
            pl.when(pl.element().cast(pl.Boolean)).then(pl.lit(each.factor)).otherwise(pl.lit(1.0))
        )
    return term.list.sum().cast(pl.Float64)


def _deduct(rule: r.Deduct, points: float) -> pl.Expr:
    terms = []
    for e in rule.events:
        term = _event_total(rule, e)
        terms.append(term if e.cap is None else pl.min_horizontal(pl.lit(e.cap), term))
    total = pl.sum_horizontal(terms)
    for f in rule.factor_if:
        total = pl.when(cond(f.when)).then(total * f.factor).otherwise(total)
    cap = points if rule.cap is None else rule.cap
    value = pl.lit(points) - pl.min_horizontal(pl.lit(cap), total)
    return pl.when(cond(rule.zero_if)).then(pl.lit(0.0)).when(cond(rule.full_if)).then(pl.lit(points)).otherwise(value)


def _threshold(rule: r.Threshold, points: float) -> pl.Expr:
    return pl.when(cond(rule.when)).then(pl.lit(points)).otherwise(pl.lit(rule.otherwise))


def _target_band(rule: r.TargetBand, points: float) -> pl.Expr:
    sign = 1.0 if rule.direction == "higher" else -1.0
    x, ensure, strive = (lit_or_col(v) * sign for v in (rule.x, rule.ensure, rule.strive))
    at_strive = points if rule.at_strive is None else rule.at_strive
    between = rule.at_ensure + (at_strive - rule.at_ensure) * (x - ensure) / (strive - ensure)
    gap = ensure - x
    if rule.soft_zone is not None:
        soft = pl.max_horizontal(pl.lit(0.0), ensure - pl.max_horizontal(x, pl.lit(sign * rule.soft_zone.above)))
        soft_rate = rule.soft_zone.per_point
    else:
        soft, soft_rate = pl.lit(0.0), 0.0
    penalty = (gap - soft) * rule.per_point_below + soft * soft_rate
    below = pl.max_horizontal(pl.lit(0.0), rule.at_ensure - penalty)
    return pl.when(x >= strive).then(pl.lit(at_strive)).when(x >= ensure).then(between).otherwise(below)


def _adjust(rule: r.Adjust, points: float) -> pl.Expr:
    x, target = lit_or_col(rule.x), lit_or_col(rule.target)
    better = (target - x) if rule.direction == "lower" else (x - target)
    steps = better.abs() / rule.unit
    if rule.rounding == "floor":
        steps = (steps + 1e-9).floor()
    elif rule.rounding == "ceil":
        steps = (steps - 1e-9).ceil()
    raw = (
        pl.when(better > 0)
        .then(rule.base + rule.better_per_unit * steps)
        .when(better < 0)
        .then(rule.base - rule.worse_per_unit * steps)
        .otherwise(pl.lit(rule.base))
    )
    top = points if rule.max is None else rule.max
    return clamp(raw, 0.0, top)


def _tiered(rule: r.Tiered, points: float) -> pl.Expr:
    expr: Any = pl
    for level in rule.levels:
        test = (
            cond(level.when)
            if level.when is not None
            else (pl.col(rule.x or "") == pl.lit(level.match)).fill_null(False)
        )
        expr = expr.when(test).then(pl.lit(float(level.score)))
    return expr.otherwise(pl.lit(rule.otherwise))  # type: ignore[no-any-return]


def _linear(rule: r.Linear, points: float) -> pl.Expr:
    x = pl.col(rule.x).cast(pl.Float64)
    anchors = rule.anchors
    if rule.below == "extrapolate":
        (x0, s0), (x1, s1) = anchors[0], anchors[1]
        below: pl.Expr = s0 + (s1 - s0) * (x - x0) / (x1 - x0)
    else:
        below = pl.lit(anchors[0][1] if rule.below is None else rule.below)
    above = anchors[-1][1] if rule.above is None else rule.above
    expr: Any = pl.when(x < anchors[0][0]).then(below).when(x > anchors[-1][0]).then(pl.lit(above))
    for (x0, s0), (x1, s1) in zip(anchors, anchors[1:], strict=False):
        expr = expr.when(x <= x1).then(s0 + (s1 - s0) * (x - x0) / (x1 - x0))
    return expr.otherwise(pl.lit(anchors[-1][1]))  # type: ignore[no-any-return]


def _rank_share(rule: r.RankShare, points: float) -> pl.Expr:
    x = pl.col(rule.x).cast(pl.Float64)
    hi, lo = x.max().over(SEQ), x.min().over(SEQ)
    best, worst = (hi, lo) if rule.direction == "higher" else (lo, hi)
    factor = (
        pl.when(best == worst)
        .then(pl.lit(1.0))
        .otherwise(rule.worst_share + (1 - rule.worst_share) * (x - worst) / (best - worst))
    )
    if rule.gate is None:
        return points * factor
    completion = clamp(pl.col(rule.gate.completion).cast(pl.Float64), 0.0, 1.0)
    return points * (rule.gate.share * completion + (1 - rule.gate.share) * factor)


def _rank_points(rule: r.RankPoints, points: float) -> pl.Expr:
    x = pl.col(rule.x).cast(pl.Float64)
    keyed = x if rule.direction == "higher" else -x
    position = keyed.rank(method="min", descending=True).over(SEQ)
    expr: Any = pl
    for i, value in enumerate(rule.points_by_rank, start=1):
        expr = expr.when(position == i).then(pl.lit(float(value)))
    return expr.otherwise(pl.lit(0.0))  # type: ignore[no-any-return]


def _share(rule: r.Share, points: float) -> pl.Expr:
    done, required = lit_or_col(rule.done), lit_or_col(rule.required)
    return pl.when(required <= 0).then(pl.lit(points)).otherwise(points * clamp(done / required, 0.0, 1.0))


def _per_count(rule: r.PerCount, points: float) -> pl.Expr:
    return pl.sum_horizontal([pl.col(a.input).cast(pl.Float64) * a.per for a in rule.awards])


def _brackets(rule: r.Brackets, points: float) -> pl.Expr:
    terms = []
    for name in rule.inputs:
        v = pl.col(name).cast(pl.Float64)
        expr: Any = pl
        for b in rule.brackets:
            test = v > b.over if b.over is not None else v >= b.min
            if b.max is not None:
                test = test & (v < b.max)
            expr = expr.when(test).then(pl.lit(b.score))
        terms.append(expr.otherwise(pl.lit(0.0)))
    total = pl.sum_horizontal(terms)
    if rule.override is None:
        return total
    return pl.when(cond(rule.override.when)).then(pl.lit(rule.override.score)).otherwise(total)


def _manual(rule: r.Manual, points: float) -> pl.Expr:
    return pl.when(cond(rule.full_if)).then(pl.lit(points)).otherwise(pl.col(rule.input).cast(pl.Float64))


COMPILERS: dict[type, Callable[[Any, float], pl.Expr]] = {
    r.Deduct: _deduct,
    r.Threshold: _threshold,
    r.TargetBand: _target_band,
    r.Adjust: _adjust,
    r.Tiered: _tiered,
    r.Linear: _linear,
    r.RankShare: _rank_share,
    r.RankPoints: _rank_points,
    r.Share: _share,
    r.PerCount: _per_count,
    r.Brackets: _brackets,
    r.Manual: _manual,
}


def any_missing(refs: list[str]) -> pl.Expr:
    if not refs:
        return pl.lit(False)
    return pl.any_horizontal([pl.col(ref).is_null() for ref in dict.fromkeys(refs)])


def compile_rule(rule: Any, points: float) -> pl.Expr:
    return COMPILERS[type(rule)](rule, points)


def node_expr(node: Node) -> pl.Expr:
    """The score (base) or amount (bonus / deduction item) of ``node`` for every row."""
    points = node.points or 0.0
    if node.children:
        value = pl.sum_horizontal([node_expr(child) for child in node.children])
    elif node.rule is None:  # bonus-only sub-item
        value = pl.lit(0.0)
    else:
        raw = compile_rule(node.rule, points)
        value = pl.when(any_missing(node.rule.refs())).then(pl.lit(0.0)).otherwise(raw)
        if node.kind == "base":
            value = clamp(value, node.floor, points)
    if node.penalty is not None:
        lost = pl.lit(points) - _deduct(node.penalty, points)
        penalised = pl.max_horizontal(pl.lit(0.0), value - lost)
        value = pl.when(any_missing(node.penalty.refs())).then(value).otherwise(penalised)
    if node.kind != "base":
        value = pl.max_horizontal(pl.lit(0.0), value)
        if node.points is not None:
            value = pl.min_horizontal(pl.lit(node.points), value)
    if node.bonus is not None:
        extra = clamp(compile_rule(node.bonus.rule, node.bonus.cap), 0.0, node.bonus.cap)
        value = value + pl.when(any_missing(node.bonus.rule.refs())).then(pl.lit(0.0)).otherwise(extra)
    return value
