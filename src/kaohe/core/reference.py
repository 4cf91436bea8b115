"""Plain-Python reference evaluator: one unit at a time, easy to read against the seed text.

It is the yardstick for the vectorised evaluator (the tests hold the two to agree on every case and on
random inputs) and the source of :func:`kaohe.explain`: every rule returns its score together with the
lines that explain each point gained or lost.

    score_reference(scheme, rows) ─► for each unit: evaluate_unit()
        evaluate_unit ─► node_value() per node (rules via RULE_FUNCS) ─► totals ─► grade ─► rank/flags
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kaohe.core import rules as r
from kaohe.core.scheme import GRADES, Node, Scheme, SpecialRule

Row = dict[str, Any]


@dataclass(frozen=True)
class Line:
    """One point gained or lost, in Chinese, e.g. ``断面A 不达标 2 月次 −10``."""

    indicator_id: str
    indicator_name: str
    delta: float
    reason: str


@dataclass
class RuleResult:
    value: float
    lines: list[tuple[float, str]] = field(default_factory=list)


def category_key(value: Any) -> str:
    """The text a category map is keyed by; yes/no values as ``true``/``false`` (as Polars writes them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fmt(x: float) -> str:
    """3 ⇒ '3', 2.5 ⇒ '2.5', 1/3 ⇒ '0.333'."""
    return f"{x:.3f}".rstrip("0").rstrip(".") if not float(x).is_integer() else str(int(x))


def signed(x: float) -> str:
    return f"+{fmt(x)}" if x >= 0 else f"−{fmt(-x)}"


# ------------------------------------------------------------------------------------------ conditions
def value_of(ref: Any, row: Row) -> Any:
    return row.get(ref) if isinstance(ref, str) else ref


def holds(cond: r.Condition | None, row: Row) -> bool:
    if cond is None:
        return False
    if isinstance(cond, r.Compare):
        left = row.get(cond.input)
        if cond.op is None:
            return bool(left)
        right = value_of(cond.value, row)
        if left is None or right is None:  # a comparison with a missing value does not hold (as vectorised.cond)
            return False
        ops: dict[str, Callable[[Any, Any], bool]] = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
        }
        return ops[cond.op](left, right)
    if isinstance(cond, r.AllOf):
        return all(holds(c, row) for c in cond.all)
    if isinstance(cond, r.AnyOf):
        return any(holds(c, row) for c in cond.any)
    return not holds(cond.not_, row)


# ------------------------------------------------------------------------------------------ rule kinds
@dataclass(frozen=True)
class Ctx:
    points: float
    pool: Sequence[Row]  # the rows of the unit's sequence (for rank-based kinds)
    names: dict[str, str]  # input id ⇒ Chinese name
    units: dict[str, str] = field(default_factory=dict)  # input id ⇒ its unit (项, 件, 起 …)


# The units an explanation counts in ("未按时完成整改任务 3 项"); any other unit (分, %, µg/m³ …) or none: 次.
_COUNTING_UNITS = frozenset(
    {"项", "件", "起", "次", "个", "处", "家", "宗", "条", "份", "批", "人", "人次", "天", "月次"}
)


def _times(ctx: Ctx, input_id: str | None) -> str:
    unit = ctx.units.get(input_id or "", "")
    return unit if unit in _COUNTING_UNITS else "次"


def _deduct(rule: r.Deduct, row: Row, ctx: Ctx) -> RuleResult:
    if holds(rule.zero_if, row):
        return RuleResult(0.0, [(-ctx.points, "触发“该项得零分”条件")])
    if holds(rule.full_if, row):
        return RuleResult(ctx.points, [])
    total, lines = 0.0, []
    for event in rule.events:
        amount = 0.0
        if rule.each is None:
            count = float(holds(event.when, row)) if event.input is None else float(row[event.input])
            if count:
                amount = event.per * count
                lines.append((-amount, f"{event.label} {fmt(count)} {_times(ctx, event.input)} ×{fmt(event.per)}"))
        else:
            each = rule.each
            for i, name in enumerate(row[each.names]):
                count = float(row[str(event.input)][i])
                if not count:
                    continue
                waived = bool(row[each.waive_if][i]) if each.waive_if else False
                factor = each.factor if each.factor_if and bool(row[each.factor_if][i]) else 1.0
                per = event.per
                if event.per_by is not None:
                    per = event.per_by.map.get(category_key(row[event.per_by.input][i]), event.per)
                part = 0.0 if waived else per * count * factor
                amount += part
                note = "(年均值达标,免扣)" if waived else (f"(按{fmt(factor * 100)}%计)" if factor != 1 else "")
                lines.append((-part, f"{name} {event.label} {fmt(count)} 月次 ×{fmt(per)}{note}"))
        if event.cap is not None and amount > event.cap:
            lines.append((amount - event.cap, f"{event.label}扣分以 {fmt(event.cap)} 分为限"))
            amount = event.cap
        total += amount
    for f in rule.factor_if:
        if holds(f.when, row):
            total *= f.factor
            lines.append((0.0, f"{f.label or '扣分系数'} ×{fmt(f.factor)}"))
    cap = ctx.points if rule.cap is None else rule.cap
    if total > cap:
        lines.append((total - cap, f"扣分以 {fmt(cap)} 分为限(扣完为止)"))
    return RuleResult(ctx.points - min(cap, total), lines)


def _threshold(rule: r.Threshold, row: Row, ctx: Ctx) -> RuleResult:
    if holds(rule.when, row):
        return RuleResult(ctx.points, [])
    return RuleResult(rule.otherwise, [(rule.otherwise - ctx.points, "未达到要求")])


def _target_band(rule: r.TargetBand, row: Row, ctx: Ctx) -> RuleResult:
    sign = 1.0 if rule.direction == "higher" else -1.0
    x, ensure, strive = (sign * float(value_of(v, row)) for v in (rule.x, rule.ensure, rule.strive))
    at_strive = ctx.points if rule.at_strive is None else rule.at_strive
    shown = fmt(sign * x)
    if x >= strive:
        return RuleResult(
            at_strive, [(at_strive - ctx.points, f"{shown} 达到力争目标")] if at_strive != ctx.points else []
        )
    if x >= ensure:
        value = rule.at_ensure + (at_strive - rule.at_ensure) * (x - ensure) / (strive - ensure)
        return RuleResult(value, [(value - ctx.points, f"{shown} 在确保值与力争值之间,按比例得分")])
    # Below the guaranteed target: the shortfall is split at the soft zone's edge (S4 2.2 "≥90%的部分").
    gap = ensure - x
    soft = 0.0
    if rule.soft_zone is not None:
        edge = sign * rule.soft_zone.above
        soft = max(0.0, ensure - max(x, edge))
    hard = gap - soft
    penalty = hard * rule.per_point_below + soft * (rule.soft_zone.per_point if rule.soft_zone else 0.0)
    value = max(0.0, rule.at_ensure - penalty)
    lines = [(rule.at_ensure - ctx.points, "未达到确保目标")]
    if hard:
        lines.append((-hard * rule.per_point_below, f"低于确保目标 {fmt(hard)} 个百分点 ×{fmt(rule.per_point_below)}"))
    if soft and rule.soft_zone:
        lines.append(
            (
                -soft * rule.soft_zone.per_point,
                f"其中≥{fmt(rule.soft_zone.above)}%部分 {fmt(soft)} 个百分点 ×{fmt(rule.soft_zone.per_point)}",
            )
        )
    if penalty > rule.at_ensure:
        lines.append((penalty - rule.at_ensure, "扣完为止"))
    return RuleResult(value, lines)


def _steps(distance: float, unit: float, rounding: str) -> float:
    steps = abs(distance) / unit
    if rounding == "floor":
        steps = math.floor(steps + 1e-9)
    elif rounding == "ceil":
        steps = math.ceil(steps - 1e-9)
    return steps


def _adjust(rule: r.Adjust, row: Row, ctx: Ctx) -> RuleResult:
    x, target = float(row[rule.x]), float(value_of(rule.target, row))
    better = target - x if rule.direction == "lower" else x - target
    steps = _steps(better, rule.unit, rule.rounding)
    top = ctx.points if rule.max is None else rule.max
    lines = [(rule.base - ctx.points, "达到考核要求的基础分")] if rule.base != ctx.points else []
    if better > 0:
        raw = rule.base + rule.better_per_unit * steps
        lines.append(
            (rule.better_per_unit * steps, f"优于目标 {fmt(abs(better))} ×{fmt(rule.better_per_unit)}/{fmt(rule.unit)}")
        )
    elif better < 0:
        raw = rule.base - rule.worse_per_unit * steps
        lines.append(
            (-rule.worse_per_unit * steps, f"差于目标 {fmt(abs(better))} ×{fmt(rule.worse_per_unit)}/{fmt(rule.unit)}")
        )
    else:
        raw = rule.base
    value = min(top, max(0.0, raw))
    if value != raw:
        lines.append((value - raw, "加满为止" if raw > top else "扣完为止"))
    return RuleResult(value, lines)


def _tiered(rule: r.Tiered, row: Row, ctx: Ctx) -> RuleResult:
    for level in rule.levels:
        matched = holds(level.when, row) if level.when is not None else row[rule.x or ""] == level.match
        if matched:
            label = f"等级“{level.match}”" if level.match is not None else "满足条件"
            return RuleResult(
                level.score,
                [(level.score - ctx.points, f"{label}得 {fmt(level.score)} 分")] if level.score != ctx.points else [],
            )
    return RuleResult(rule.otherwise, [(rule.otherwise - ctx.points, "未达到任何等次")])


def _linear(rule: r.Linear, row: Row, ctx: Ctx) -> RuleResult:
    x = float(row[rule.x])
    anchors = rule.anchors
    if x < anchors[0][0]:
        if rule.below == "extrapolate":
            (x0, s0), (x1, s1) = anchors[0], anchors[1]
            value = s0 + (s1 - s0) * (x - x0) / (x1 - x0)
        else:
            value = anchors[0][1] if rule.below is None else rule.below
    elif x > anchors[-1][0]:
        value = anchors[-1][1] if rule.above is None else rule.above
    else:
        value = anchors[-1][1]
        for (x0, s0), (x1, s1) in zip(anchors, anchors[1:], strict=False):
            if x0 <= x <= x1:
                value = s0 + (s1 - s0) * (x - x0) / (x1 - x0)
                break
    return RuleResult(
        value, [(value - ctx.points, f"{fmt(x)} 按公式得 {fmt(value)} 分")] if value != ctx.points else []
    )


_POOL_CACHE: dict[tuple[int, str], tuple[Sequence[Row], list[float]]] = {}


def _pool_values(name: str, pool: Sequence[Row]) -> list[float]:
    """The sorted present values of ``name`` in the pool (memoised per pool: ranking stays O(n log n))."""
    key = (id(pool), name)
    hit = _POOL_CACHE.get(key)
    if hit is None or hit[0] is not pool:
        if len(_POOL_CACHE) > 256:
            _POOL_CACHE.clear()
        hit = (pool, sorted(float(p[name]) for p in pool if p.get(name) is not None))
        _POOL_CACHE[key] = hit
    return hit[1]


def _rank_share(rule: r.RankShare, row: Row, ctx: Ctx) -> RuleResult:
    values = _pool_values(rule.x, ctx.pool)
    v = float(row[rule.x])
    best, worst = (values[-1], values[0]) if rule.direction == "higher" else (values[0], values[-1])
    factor = 1.0 if best == worst else rule.worst_share + (1 - rule.worst_share) * (v - worst) / (best - worst)
    lines: list[tuple[float, str]] = []
    if rule.gate is None:
        value = ctx.points * factor
    else:
        completion = min(1.0, max(0.0, float(row[rule.gate.completion])))
        gate_part = ctx.points * rule.gate.share * completion
        rank_part = ctx.points * (1 - rule.gate.share) * factor
        value = gate_part + rank_part
        if completion < 1:
            lines.append((gate_part - ctx.points * rule.gate.share, f"未完成下达指标,完成率 {fmt(completion * 100)}%"))
    lost_rank = value - ctx.points - sum(d for d, _ in lines)
    # the worst unit's share of the whole item: with a gate, the gate's share plus worst_share of the rank part
    # (S4 3.13.2: 60% + 0 × 40% = 60%, 最差的得60%分数)
    worst_whole = rule.worst_share if rule.gate is None else rule.gate.share + (1 - rule.gate.share) * rule.worst_share
    if lost_rank:
        lines.append(
            (
                lost_rank,
                f"{fmt(v)} 在序列中排名赋分(最好 {fmt(best)} 得满分,最差 {fmt(worst)} 得{fmt(worst_whole * 100)}%)",
            )
        )
    return RuleResult(value, lines)


def _rank_points(rule: r.RankPoints, row: Row, ctx: Ctx) -> RuleResult:
    v = float(row[rule.x])
    values = _pool_values(rule.x, ctx.pool)
    better = (
        len(values) - bisect.bisect_right(values, v) if rule.direction == "higher" else bisect.bisect_left(values, v)
    )
    position = better + 1
    value = rule.points_by_rank[position - 1] if position <= len(rule.points_by_rank) else 0.0
    return RuleResult(value, [(value, f"排名第 {position} 位")] if value else [])


def _share(rule: r.Share, row: Row, ctx: Ctx) -> RuleResult:
    done, required = float(row[rule.done]), float(value_of(rule.required, row))
    ratio = 1.0 if required <= 0 else min(1.0, max(0.0, done / required))
    value = ctx.points * ratio
    return RuleResult(
        value, [(value - ctx.points, f"完成 {fmt(done)}/{fmt(required)},按比例得分")] if ratio < 1 else []
    )


def _per_count(rule: r.PerCount, row: Row, ctx: Ctx) -> RuleResult:
    total, lines = 0.0, []
    for award in rule.awards:
        count = float(row[award.input])
        if count:
            total += award.per * count
            lines.append(
                (award.per * count, f"{award.label} {fmt(count)} {_times(ctx, award.input)} ×{fmt(award.per)}")
            )
    return RuleResult(total, lines)


def _brackets(rule: r.Brackets, row: Row, ctx: Ctx) -> RuleResult:
    if rule.override is not None and holds(rule.override.when, row):
        return RuleResult(rule.override.score, [(rule.override.score, rule.override.label)])
    total, lines = 0.0, []
    for name in rule.inputs:
        v = float(row[name])
        for b in rule.brackets:
            if b.contains(v):
                total += b.score
                if b.score:
                    lines.append((b.score, f"{ctx.names.get(name, name)} 改善 {fmt(v * 100)}%"))
                break
    return RuleResult(total, lines)


def _manual(rule: r.Manual, row: Row, ctx: Ctx) -> RuleResult:
    if holds(rule.full_if, row):
        return RuleResult(ctx.points, [])
    value = float(row[rule.input])
    return RuleResult(value, [(value - ctx.points, "核定扣分(视情)")] if value != ctx.points else [])


RULE_FUNCS: dict[type, Callable[[Any, Row, Ctx], RuleResult]] = {
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


def apply_rule(rule: Any, row: Row, ctx: Ctx) -> RuleResult:
    return RULE_FUNCS[type(rule)](rule, row, ctx)


# ------------------------------------------------------------------------------------------ nodes
@dataclass
class NodeOutcome:
    scores: dict[str, float | None]  # node id ⇒ score (None: not scored for this sequence)
    lines: list[Line]
    missing: list[str]  # "indicator/input"


def _present(row: Row, ref: str) -> bool:
    v = row.get(ref)
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def node_value(
    node: Node,
    row: Row,
    pool: Sequence[Row],
    names: dict[str, str],
    out: NodeOutcome,
    units: dict[str, str] | None = None,
) -> float:
    """Score of ``node`` (bonus / deduction items: the amount, positive), recording lines and missing inputs."""
    points = node.points or 0.0
    if node.children:
        value = sum(node_value(child, row, pool, names, out, units) for child in node.children)
    elif node.rule is None:  # a bonus-only sub-item (S4 3.8(3)): no base points of its own
        value = 0.0
    else:
        absent = [ref for ref in node.rule.refs() if not _present(row, ref)]
        if absent:
            out.missing += [f"{node.id}/{ref}" for ref in absent]
            out.lines.append(
                Line(
                    node.id,
                    node.name,
                    -points if node.kind == "base" else 0.0,
                    f"缺少数据({'、'.join(names.get(a, a) for a in absent)}),按0分计",
                )
            )
            value = 0.0
        else:
            result = apply_rule(node.rule, row, Ctx(points, pool, names, units or {}))
            value = result.value
            sign = -1.0 if node.kind == "deduction" else 1.0
            for delta, reason in result.lines:
                if delta or node.kind == "base":
                    out.lines.append(Line(node.id, node.name, sign * delta, reason))
        if node.kind == "base":
            clamped = min(points, max(node.floor, value))
            if clamped != value:
                out.lines.append(Line(node.id, node.name, clamped - value, f"得分限于 {fmt(node.floor)} 至满分之间"))
            value = clamped
    if node.penalty is not None:
        value = _apply_penalty(node, row, pool, names, out, value, units)
    if node.kind != "base":
        value = max(0.0, value)
        if node.points is not None and value > node.points:
            out.lines.append(
                Line(
                    node.id,
                    node.name,
                    (-1.0 if node.kind == "bonus" else 1.0) * (value - node.points),
                    f"该项以 {fmt(node.points)} 分为限",
                )
            )
            value = node.points
    if node.bonus is not None:
        absent = [ref for ref in node.bonus.rule.refs() if not _present(row, ref)]
        if absent:
            out.missing += [f"{node.id}/{ref}" for ref in absent]
        else:
            extra = apply_rule(node.bonus.rule, row, Ctx(node.bonus.cap, pool, names, units or {}))
            for delta, reason in extra.lines:
                if delta:
                    out.lines.append(Line(node.id, node.name, delta, f"加分:{reason}"))
            bonus = min(node.bonus.cap, max(0.0, extra.value))
            if bonus < extra.value:
                out.lines.append(Line(node.id, node.name, bonus - extra.value, f"加分不超过 {fmt(node.bonus.cap)} 分"))
            value += bonus
    out.scores[node.id] = value
    return value


def _apply_penalty(
    node: Node,
    row: Row,
    pool: Sequence[Row],
    names: dict[str, str],
    out: NodeOutcome,
    value: float,
    units: dict[str, str] | None = None,
) -> float:
    """Deduct the node's ``penalty`` from its total (floor 0); ``zero_if`` zeroes the whole node."""
    assert node.penalty is not None
    absent = [ref for ref in node.penalty.refs() if not _present(row, ref)]
    if absent:
        out.missing += [f"{node.id}/{ref}" for ref in absent]
        return value
    points = node.points or 0.0
    result = _deduct(node.penalty, row, Ctx(points, pool, names, units or {}))
    lost = points - result.value  # = min(cap, Σ events), or all the points under zero_if
    for delta, reason in result.lines:
        if delta:
            out.lines.append(Line(node.id, node.name, delta, reason))
    new = max(0.0, value - lost)
    if value - lost < 0 and lost < points:
        out.lines.append(Line(node.id, node.name, new - (value - lost), "扣完为止"))
    elif lost >= points and value:
        out.lines.append(Line(node.id, node.name, -value, "该项不得分"))
    return new


# ------------------------------------------------------------------------------------------ whole units
GRADE_INDEX = {g: i for i, g in enumerate(GRADES)}


def grade_for(scheme: Scheme, final: float) -> str | None:
    if scheme.grading is None:
        return None
    for band in scheme.grading.bands:
        if band.min is None or final >= band.min - 1e-9:
            return band.grade
    return scheme.grading.bands[-1].grade


def fires(rule: SpecialRule, row: Row) -> bool:
    """A special rule holds for this unit (and applies to its sequence)."""
    return (rule.sequences is None or row["sequence"] in rule.sequences) and holds(rule.when, row)


def _adjusted_grade(scheme: Scheme, grade: str | None, row: Row) -> tuple[str | None, list[str], bool]:
    """Special rules in the order of RULES.md §5.4: downgrade, then never-优秀, veto, falsification."""
    sp, flags, dishonest = scheme.special, [], False
    steps = [rule.steps for rule in sp.downgrade if fires(rule, row)]
    flags += [rule.id for rule in sp.downgrade if fires(rule, row)]
    if grade is not None and steps:
        total = sum(steps) if sp.downgrade_stacking else max(steps)
        grade = GRADES[min(GRADE_INDEX[grade] + total, len(GRADES) - 1)]
    for rule in sp.never_excellent:
        if fires(rule, row):
            flags.append(rule.id)
            if grade == "优秀":
                grade = "良好"
    for rule in sp.veto:
        if fires(rule, row):
            flags.append(rule.id)
            grade = "不合格"
    for rule in sp.falsification:
        if fires(rule, row):
            flags.append(rule.id)
            grade, dishonest = "不合格", True
    return grade, flags, dishonest


def evaluate_unit(scheme: Scheme, row: Row, pool: Sequence[Row]) -> tuple[Row, list[Line]]:
    names = {i.id: i.name for i in scheme.inputs}
    units = {i.id: i.unit for i in scheme.inputs}
    out = NodeOutcome({}, [], [])
    scored = set(scheme.top_ids_for(row["sequence"]))
    for node in scheme.indicators:
        if node.id in scored:
            node_value(node, row, pool, names, out, units)
        else:
            for sub in node.walk():
                out.scores[sub.id] = None
    base_total = sum(out.scores[n.id] or 0.0 for n in scheme.indicators)
    bonus = sum(node_value(n, row, pool, names, out, units) for n in scheme.bonus_items)
    cap = scheme.bonus_cap
    if scheme.bonus_cap_input is not None and row.get(scheme.bonus_cap_input) is not None:
        cap = float(row[scheme.bonus_cap_input])  # the office's decision for this unit (原则上)
    if cap is not None and bonus > cap:
        out.lines.append(Line("加分项", "加分项合计", cap - bonus, f"加分合计不超过 {fmt(cap)} 分"))
        bonus = cap
    deduction = sum(node_value(n, row, pool, names, out, units) for n in scheme.deduction_items)
    if scheme.deduction_cap is not None and deduction > scheme.deduction_cap:
        deduction = scheme.deduction_cap
    for _group, rule in scheme.special.all_rules():
        if rule.sequences is not None and row["sequence"] not in rule.sequences:
            continue
        for ref in dict.fromkeys(rule.when.refs()):
            if not _present(row, ref):
                out.missing.append(f"{rule.id}/{ref}")
    final = base_total + bonus - deduction
    if scheme.final_floor is not None:
        final = max(scheme.final_floor, final)
    final = round(final, 9)  # sums of fractions must not split ties or cross a grade band by 1e-15
    blocked = any(scheme.missing_policy_of(m.split("/", 1)[1]) == "block" for m in out.missing)
    grade, flags, dishonest = _adjusted_grade(scheme, grade_for(scheme, final), row)
    no_adv = [rule.id for rule in scheme.special.no_advanced if fires(rule, row)]
    # a blocked unit has no result to set aside or to attach consequences to (as dishonesty_record)
    vetoed = not blocked and any(fires(rule, row) for rule in scheme.special.vetoing())
    said = (
        []
        if blocked
        else [rule.consequence for rule in scheme.special.in_flag_order() if rule.consequence and fires(rule, row)]
    )
    result: Row = {"unit_id": row["unit_id"], "unit_name": row.get("unit_name"), "sequence": row["sequence"]}
    result.update(out.scores)
    result.update(
        base_total=base_total,
        bonus=bonus,
        deduction=deduction,
        final_score=None if blocked else final,
        grade=None if blocked else grade,
        blocked=blocked,
        missing=list(dict.fromkeys(out.missing)),
        flags=flags + no_adv,
        dishonesty_record=dishonest and not blocked,
        vetoed=vetoed,
        consequences=list(dict.fromkeys(said)),  # seed 002 art. 9(三): who else is affected, and the clause
        _no_advanced=bool(no_adv),
    )
    return result, out.lines


def score_reference(
    scheme: Scheme, rows: Sequence[Row], history: Sequence[Row] = (), year: int | None = None
) -> list[Row]:
    """Score every unit; the same columns as :func:`kaohe.core.scoring.score`, as a list of dicts."""
    by_seq: dict[str, list[Row]] = {}
    for row in rows:
        by_seq.setdefault(row["sequence"], []).append(row)
    results = [evaluate_unit(scheme, row, by_seq[row["sequence"]])[0] for row in rows]
    ranking = scheme.ranking
    for seq_rows in _group(results).values():
        scored = [x for x in seq_rows if x["final_score"] is not None]
        n = len(scored)
        k = ranking.advanced.count(n) if ranking.advanced else 0
        bottom = ranking.interview.bottom if ranking.interview and ranking.interview.bottom else 0
        # ranking.vetoed "last": the units not vetoed take the first places, the vetoed ones follow, each group by score
        last = ranking.vetoed == "last"
        groups = [[x for x in scored if not x["vetoed"]], [x for x in scored if x["vetoed"]]] if last else [scored]
        ahead = 0
        for group in groups:
            finals = sorted(x["final_score"] for x in group)
            for x in group:
                x["rank"] = (
                    ahead + 1 + len(finals) - bisect.bisect_right(finals, x["final_score"])
                )  # 1 + strictly better
                x["_rank_max"] = ahead + len(finals) - bisect.bisect_left(finals, x["final_score"])  # better or tied
            ahead += len(group)
        # 不合格 is never 先进, nor is a vetoed or no_advanced unit (seed 002 art. 9(三) 不得评为先进单位)
        eligible = [x for x in scored if not x["vetoed"] and not x["_no_advanced"] and x["grade"] != "不合格"]
        eligible_finals, eligible_ids = sorted(x["final_score"] for x in eligible), {id(x) for x in eligible}
        for x in seq_rows:
            if x["final_score"] is None:
                x.update(rank=None, advanced=False, interview=False)
                continue
            rank, rank_max = x["rank"], x.pop("_rank_max")
            if id(x) not in eligible_ids:
                x["advanced"] = False
            elif ranking.advanced_vacated == "pass_on":  # place among the eligible units: vacated slots pass on
                x["advanced"] = 1 + len(eligible_finals) - bisect.bisect_right(eligible_finals, x["final_score"]) <= k
            else:  # leave_empty: only the first k places
                x["advanced"] = rank <= k
            by_grade = bool(ranking.interview) and x["grade"] in (ranking.interview.grades if ranking.interview else [])
            x["interview"] = (bottom > 0 and rank_max > n - bottom) or by_grade
    unmet = set(ranking.accountability.unmet_grades) if ranking.accountability else set()
    past = {(h["unit_id"], int(h["year"])): h.get("grade") for h in history}
    this_year = scheme.year if year is None else year
    for x in results:
        x.pop("_no_advanced")
        if ranking.accountability is None or x["grade"] is None:
            x["accountability"] = False
            continue
        years = range(this_year - ranking.accountability.years + 1, this_year)
        x["accountability"] = x["grade"] in unmet and all(past.get((x["unit_id"], y)) in unmet for y in years)
    return results


def _group(results: list[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for x in results:
        out.setdefault(x["sequence"], []).append(x)
    return out


def explain_reference(scheme: Scheme, rows: Sequence[Row], unit_id: str) -> list[Line]:
    by_seq: dict[str, list[Row]] = {}
    for row in rows:
        by_seq.setdefault(row["sequence"], []).append(row)
    for row in rows:
        if str(row["unit_id"]) == str(unit_id):
            return evaluate_unit(scheme, row, by_seq[row["sequence"]])[1]
    raise KeyError(unit_id)
