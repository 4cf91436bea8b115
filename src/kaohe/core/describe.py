"""A scheme in words: each rule, special rule and ranking setting as the Chinese sentence a person reads.

The office's scheme screen, a unit's indicator panels and ``kaohe schemes show`` say the same thing from here.
Nothing here scores; the sentences follow the rule kinds' semantics in ``rules.py`` (what the engine computes),
while ``Node.text`` keeps the seed's own clause, verbatim, next to them.

describe_scheme(scheme) -> SchemeText
├── nodes        NodeText per indicator, bonus and deduction item, depth first
│                (points, rule kind in Chinese, the rule as a sentence, the seed's clause, lead/responsible units,
│                the inputs it reads as ``values.label``)
├── special      SpecialText per 否决 / 降档 / 不得评为优秀 / 数据造假 / 一票否决 rule (never its id)
├── ranking      sentences: grades, sequences, 先进, 约谈, 问责, where vetoed units rank, vacated 先进 places
└── caps         sentences: total points, bonus and deduction caps, final floor

Words, not codes: rule ids (R2, R3a), input ids in sentences and English developer notes never appear in a
sentence; an indicator is named by the document's own number (1.1, C2.3) and name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from kaohe.core import values
from kaohe.core.rules import (
    Adjust,
    AllOf,
    AnyOf,
    Brackets,
    Compare,
    Condition,
    Deduct,
    Linear,
    Manual,
    Not,
    PerCount,
    RankPoints,
    RankShare,
    Ref,
    Rule,
    Share,
    TargetBand,
    Threshold,
    Tiered,
)
from kaohe.core.scheme import InputDef, Node, Scheme, SpecialRule

RULE_KIND = {
    "deduct": "扣分",
    "threshold": "达标得分",
    "target_band": "确保/力争目标",
    "adjust": "按差值加扣分",
    "tiered": "分档得分",
    "linear": "按比例得分",
    "rank_share": "按排名比例得分",
    "rank_points": "按名次得分",
    "share": "按完成比例得分",
    "per_count": "按次计分",
    "brackets": "分段加分",
    "manual": "核定得分",
}
NODE_KIND = {"base": "基本指标", "bonus": "加分项", "deduction": "扣分项"}
SPECIAL_KIND = {
    "veto": "否决",
    "downgrade": "降档",
    "never_excellent": "不得评为优秀",
    "falsification": "数据造假",
    "no_advanced": "一票否决",
}
_OPS = {"<": "低于", "<=": "不高于", ">": "高于", ">=": "不低于", "==": "为", "!=": "不为"}


@dataclass(frozen=True)
class InputText:
    label: str  # values.label: 名称 (单位) [id], the header the input tables and templates use
    name: str
    unit: str


@dataclass(frozen=True)
class NodeText:
    id: str  # the document's own number (1.1, C2.3, B15.1)
    name: str
    depth: int  # 0 for a top-level indicator
    kind: str  # 基本指标 / 加分项 / 扣分项
    points: str  # "100 分", "最多 20 分" for a bonus or deduction item, "" when the node has none
    rule_kind: str  # 扣分 / 达标得分 … (RULE_KIND), "" for a node scored by its children
    rule: str  # the rule, its in-indicator bonus and its penalty, as sentences
    clause: str  # the seed's 评分规则, verbatim (Node.text)
    note: str  # the scheme's Chinese note on an assumption ("假定：…"); English developer notes are left out
    lead_unit: str
    responsible_units: tuple[str, ...]
    inputs: tuple[InputText, ...]
    is_leaf: bool


@dataclass(frozen=True)
class SpecialText:
    kind: str  # 否决 / 降档 / …
    name: str  # the scheme's name of the rule, with its clause
    condition: str
    effect: str
    consequence: str
    sequences: str  # "" when the rule applies to every sequence


@dataclass(frozen=True)
class SchemeText:
    name: str
    caps: tuple[str, ...]
    nodes: tuple[NodeText, ...]
    special: tuple[SpecialText, ...]
    ranking: tuple[str, ...]


# ------------------------------------------------------------------------------------------------ numbers and refs
def num(value: float) -> str:
    """A number as people write it: 5, 0.5, 1.67 (two decimals at most; 5/3 points is 1.67)."""
    return f"{round(value, 2):g}"


def _spec(scheme: Scheme, input_id: str) -> InputDef | None:
    try:
        return scheme.input(input_id)
    except KeyError:
        return None


def _name(scheme: Scheme, input_id: str) -> str:
    spec = _spec(scheme, input_id)
    return spec.name if spec is not None else input_id


def _qty(value: float, spec: InputDef | None) -> str:
    """A value with its input's unit: 90%, 35 µg/m³, 20% for a ratio input (unit 比例, 0.2)."""
    unit = spec.unit if spec is not None else ""
    if unit == "比例":
        return f"{num(value * 100)}%"
    if unit == "%":
        return f"{num(value)}%"
    if unit in ("", "是/否", "无量纲"):
        return num(value)
    return f"{num(value)} {unit}"


def _step(spec: InputDef | None) -> str:
    """One unit of distance: 每差 1 个百分点, 每 1 µg/m³."""
    unit = spec.unit if spec is not None else ""
    if unit == "%":
        return "1 个百分点"
    if unit in ("", "无量纲"):
        return "1"
    return f"1 {unit}"


def _sp(text: str) -> str:
    """A quantity followed by a Chinese word: a space after a number or a Latin unit (1 µg/m³ 扣), none after a
    Chinese one (1 个百分点扣)."""
    return text if text and "\u4e00" <= text[-1] <= "\u9fff" else text + " "


def _per(spec: InputDef | None) -> str:
    """Per counted event: 每月次, 每起, 每项 (每次 without a unit)."""
    unit = spec.unit if spec is not None else ""
    return f"每{unit}" if unit and unit not in ("是/否", "分") else "每次"


def _ref(scheme: Scheme, ref: Ref | bool | None, like: InputDef | None = None) -> str:
    """A rule's operand: a declared input by its name, a constant with the unit of the input it is compared to."""
    if isinstance(ref, bool):
        return "是" if ref else "否"
    if isinstance(ref, str):
        return _name(scheme, ref)
    if ref is None:
        return ""
    return _qty(ref, like)


def _percent(share: float) -> str:
    return f"{num(share * 100)}%"


# ------------------------------------------------------------------------------------------------ conditions
def condition_text(scheme: Scheme, cond: Condition) -> str:
    """A condition in words: 发生特别重大环境污染事件或发生特别重大生态破坏事件; PM2.5年均浓度不高于力争目标值."""
    if isinstance(cond, Compare):
        spec = _spec(scheme, cond.input)
        name = _name(scheme, cond.input)
        if cond.op is None:
            return name
        if isinstance(cond.value, bool):
            yes = cond.value == (cond.op == "==")
            return name if yes else f"{name}为否"
        value = _ref(scheme, cond.value, spec)
        return f"{name}{_OPS[cond.op]}{value if isinstance(cond.value, str) else f' {value} '}".rstrip()
    if isinstance(cond, AllOf):
        return "且".join(_grouped(scheme, c) for c in cond.all)
    if isinstance(cond, AnyOf):
        return "或".join(_grouped(scheme, c) for c in cond.any)
    if isinstance(cond, Not):
        inner = cond.not_
        if isinstance(inner, Compare) and inner.op is None:
            return f"{_name(scheme, inner.input)}为否"
        return f"并非{_grouped(scheme, inner)}"
    raise TypeError(cond)


def _when(scheme: Scheme, cond: Condition) -> str:
    """A condition followed by 的 (…高于 0% 的)."""
    return _sp(condition_text(scheme, cond))


def _grouped(scheme: Scheme, cond: Condition) -> str:
    text = condition_text(scheme, cond)
    return f"（{text}）" if isinstance(cond, AllOf | AnyOf) else text


# ------------------------------------------------------------------------------------------------ rules
def _verb(kind: str) -> str:
    """What a rule's points do to the total: a base indicator's are earned, a bonus item's added, a deduction's
    taken off."""
    return {"bonus": "加", "deduction": "扣"}.get(kind, "得")


def rule_text(scheme: Scheme, rule: Rule, points: float | None, kind: str = "base") -> str:
    """One rule as a sentence (without the node's bonus or penalty): see :func:`node_rule_text`."""
    pts = points if points is not None else 0.0
    verb = _verb(kind)
    if isinstance(rule, Deduct):
        return _deduct(scheme, rule, pts)
    if isinstance(rule, Threshold):
        when = _when(scheme, rule.when)
        if kind == "base":
            other = f"得 {num(rule.otherwise)} 分" if rule.otherwise else "不得分"
            return f"{when}的，得满分 {num(pts)} 分；否则{other}"
        return f"{when}的，{verb} {num(pts)} 分"
    if isinstance(rule, TargetBand):
        return _target_band(scheme, rule, pts)
    if isinstance(rule, Adjust):
        return _adjust(scheme, rule)
    if isinstance(rule, Tiered):
        return _tiered(scheme, rule, verb)
    if isinstance(rule, Linear):
        return _linear(scheme, rule, verb)
    if isinstance(rule, RankShare):
        return _rank_share(scheme, rule)
    if isinstance(rule, RankPoints):
        better = "高" if rule.direction == "higher" else "低"
        places = "，".join(f"第 {i} 名{verb} {num(p)} 分" for i, p in enumerate(rule.points_by_rank, 1))
        return f"在本序列内按{_name(scheme, rule.x)}排名（越{better}越靠前）：{places}；数值相同的名次并列，取较前名次"
    if isinstance(rule, Share):
        required = _ref(scheme, rule.required, _spec(scheme, rule.done))
        done = _name(scheme, rule.done)
        return f"按完成比例{verb}分：{num(pts)} 分 × {done} ÷ {required}，最多 {num(pts)} 分，最少 0 分"
    if isinstance(rule, PerCount):
        return "；".join(_award(scheme, a.label, a.input, a.per, verb) for a in rule.awards)
    if isinstance(rule, Brackets):
        return _brackets(scheme, rule, verb)
    if isinstance(rule, Manual):
        text = f"由牵头单位核实人核定{'得分' if kind == 'base' else verb + '分'}"
        if points is not None:
            text += f"（0 至 {num(points)} 分）"
        if rule.full_if is not None:
            text += f"；{_when(scheme, rule.full_if)}的，得满分"
        return text
    raise TypeError(rule)


def _award(scheme: Scheme, label: str, input_id: str, per: float, verb: str) -> str:
    """One counted award or deduction: 每个加 5 分; a yes/no input counts once (…的，加 4 分)."""
    spec = _spec(scheme, input_id)
    if spec is not None and spec.kind == "boolean":
        return f"{label}的，{verb} {num(per)} 分"
    return f"{label}，{_per(spec)}{verb} {num(per)} 分"


def _deduct(scheme: Scheme, rule: Deduct, points: float) -> str:
    parts: list[str] = []
    if rule.each is not None:
        parts.append(f"按{_name(scheme, rule.each.names)}逐个计算")
    for event in rule.events:
        spec = _spec(scheme, event.input) if event.input is not None else None
        if event.when is not None:
            text = f"{event.label}（{condition_text(scheme, event.when)}），扣 {num(event.per)} 分"
        elif spec is not None and spec.unit == "分" and event.per == 1:
            text = f"{event.label}：扣除核定的分数（{spec.name}）"  # the verifier decides it (视情扣分)
        elif spec is not None and spec.kind == "boolean":
            text = f"{event.label}，扣 {num(event.per)} 分"
        else:
            text = f"{event.label}，{_per(spec)}扣 {num(event.per)} 分"
        if event.per_by is not None:
            by = _name(scheme, event.per_by.input)
            seen: dict[str, float] = {}
            for key, value in event.per_by.map.items():
                seen.setdefault({"true": "是", "false": "否"}.get(key.lower(), key), value)
            text += "（" + "；".join(f"{by}为{k}的，{_per(spec)}扣 {num(v)} 分" for k, v in seen.items()) + "）"
        if event.cap is not None:
            text += f"，此项最多扣 {num(event.cap)} 分"
        parts.append(text)
    if rule.each is not None and rule.each.waive_if is not None:
        parts.append(f"{_name(scheme, rule.each.waive_if)}的，免扣其扣分")
    if rule.each is not None and rule.each.factor_if is not None:
        parts.append(f"{_name(scheme, rule.each.factor_if)}的，其扣分按 {_percent(rule.each.factor)} 计算")
    for factor in rule.factor_if:
        parts.append(f"{_when(scheme, factor.when)}的，扣分按 {_percent(factor.factor)} 计算")
    parts.append(f"最多扣 {num(rule.cap)} 分" if rule.cap is not None else "扣完为止")
    if rule.full_if is not None:
        parts.append(f"{_when(scheme, rule.full_if)}的，得满分")
    if rule.zero_if is not None:
        parts.append(f"{_when(scheme, rule.zero_if)}的，该项不得分")
    return "；".join(parts)


def _target_band(scheme: Scheme, rule: TargetBand, points: float) -> str:
    spec = _spec(scheme, rule.x)
    x = _name(scheme, rule.x)
    at_strive = rule.at_strive if rule.at_strive is not None else points
    reach, miss = ("达到", "每差") if rule.direction == "higher" else ("不高于", "每高出")
    text = (
        f"{x}{reach}力争目标（{_ref(scheme, rule.strive, spec)}）得 {num(at_strive)} 分；"
        f"{reach}确保目标（{_ref(scheme, rule.ensure, spec)}）得 {num(rule.at_ensure)} 分；其间按比例得分；"
        f"未达到确保目标的，{miss} {_sp(_step(spec))}扣 {num(rule.per_point_below)} 分"
    )
    if rule.soft_zone is not None:
        side = "≥" if rule.direction == "higher" else "≤"
        text += (
            f"（其中{x} {side} {_sp(_qty(rule.soft_zone.above, spec))}的部分，{miss} {_sp(_step(spec))}"
            f"扣 {num(rule.soft_zone.per_point)} 分）"
        )
    return text + "，扣完为止"


def _adjust(scheme: Scheme, rule: Adjust) -> str:
    spec = _spec(scheme, rule.x)
    step = _step(spec)
    if rule.unit != 1:
        step = step.replace("1", num(rule.unit), 1)
    better, worse = ("高", "低") if rule.direction == "higher" else ("低", "高")
    reach = "不高于" if rule.direction == "lower" else "达到"
    parts = [f"{_name(scheme, rule.x)}{reach}目标（{_ref(scheme, rule.target, spec)}）得 {num(rule.base)} 分"]
    if rule.better_per_unit:
        top = f"，最多 {num(rule.max)} 分" if rule.max is not None else ""
        parts.append(f"每比目标{better} {_sp(step)}加 {num(rule.better_per_unit)} 分{top}")
    parts.append(f"每比目标{worse} {_sp(step)}扣 {num(rule.worse_per_unit)} 分，扣完为止")
    parts.append(
        {
            "proportional": f"不足 {_sp(step)}的按比例计算",
            "ceil": f"不足 {_sp(step)}的按 {_sp(step)}计",
            "floor": f"不足 {_sp(step)}的不计",
        }[rule.rounding]
    )
    return "；".join(parts)


def _tiered(scheme: Scheme, rule: Tiered, verb: str) -> str:
    spec = _spec(scheme, rule.x) if rule.x is not None else None
    matches, parts = [], []
    for level in rule.levels:
        if level.match is not None:
            match = level.match if isinstance(level.match, str) else _ref(scheme, level.match, spec)
            matches.append(f"{match}{verb} {num(level.score)} 分")
        elif level.when is not None:
            parts.append(f"{_when(scheme, level.when)}的，{verb} {num(level.score)} 分")
    if matches:
        parts.insert(0, f"{_name(scheme, rule.x or '')}：{'，'.join(matches)}")
    if rule.otherwise or any(level.when is not None for level in rule.levels):
        parts.append(f"其余{verb} {num(rule.otherwise)} 分")
    return "；".join(parts)


def _linear(scheme: Scheme, rule: Linear, verb: str) -> str:
    spec = _spec(scheme, rule.x)
    anchors = "，".join(f"{_sp(_qty(x, spec))}{verb} {num(s)} 分" for x, s in rule.anchors)
    parts = [f"{_name(scheme, rule.x)}为 {anchors}，其间按比例计分"]
    (x0, s0), (xn, sn) = rule.anchors[0], rule.anchors[-1]
    if rule.below == "extrapolate":
        parts.append(f"低于 {_sp(_qty(x0, spec))}的按同一比例继续计算（可为负分）")
    elif rule.below is not None or spec is None or spec.min is None or spec.min < x0:
        parts.append(f"低于 {_sp(_qty(x0, spec))}的{verb} {num(rule.below if rule.below is not None else s0)} 分")
    if rule.above is not None or spec is None or spec.max is None or spec.max > xn:
        parts.append(f"高于 {_sp(_qty(xn, spec))}的{verb} {num(rule.above if rule.above is not None else sn)} 分")
    return "；".join(parts)


def _rank_share(scheme: Scheme, rule: RankShare) -> str:
    best = "最高" if rule.direction == "higher" else "最低"
    compare = f"在本序列内按{_name(scheme, rule.x)}比较：{best}的得"
    if rule.gate is None:
        return (
            f"{compare}满分，最差的得 {_percent(rule.worst_share)} 分数，其间按数值比例得分；全序列数值相同时均得满分"
        )
    gate, rest = _percent(rule.gate.share), _percent(1 - rule.gate.share)
    return (
        f"完成目标的得 {gate} 分数，未完成的按{_name(scheme, rule.gate.completion)}按比例得分；"
        f"其余 {rest} 分数{compare}全部，最差的得其中 {_percent(rule.worst_share)}，其间按数值比例得分"
    )


def _brackets(scheme: Scheme, rule: Brackets, verb: str) -> str:
    like = _spec(scheme, rule.inputs[0])
    names = "、".join(_name(scheme, i) for i in rule.inputs)
    steps = []
    for b in rule.brackets:
        low = f"高于 {_qty(b.over, like)}" if b.over is not None else f"不低于 {_qty(b.min or 0.0, like)}"
        high = f"、低于 {_qty(b.max, like)}" if b.max is not None else ""
        steps.append(f"{_sp(low + high)}的{verb} {num(b.score)} 分")
    text = f"{names}每项：{'，'.join(steps)}，各项相加"
    if rule.override is not None:
        when = condition_text(scheme, rule.override.when)
        text += f"；{rule.override.label}（{when}）的，{verb} {num(rule.override.score)} 分，不重复{verb}分"
    return text


def node_rule_text(scheme: Scheme, node: Node) -> str:
    """The node's rule, its in-indicator bonus (with its cap) and its penalty on the node's total, as sentences."""
    parts = []
    if node.rule is not None:
        parts.append(rule_text(scheme, node.rule, node.points, node.kind))
    if node.floor < 0:
        parts.append(f"最低 {num(node.floor)} 分（从总分中扣减）")
    if node.bonus is not None:
        bonus = rule_text(scheme, node.bonus.rule, node.bonus.cap, "bonus")
        parts.append(f"另加分：{bonus}；加分不超过 {num(node.bonus.cap)} 分")
    if node.penalty is not None:
        parts.append(f"从本项总分中扣分：{_deduct(scheme, node.penalty, node.points or 0.0)}")
    if node.kind != "base" and node.points is not None:
        parts.append(f"本项最多{_verb(node.kind)} {num(node.points)} 分")
    return "。".join(parts) + ("。" if parts else "")


# ------------------------------------------------------------------------------------------------ nodes
_ASSUMED = re.compile(r"^\s*assumed(?: after [^—]*)?\s*—\s*", re.IGNORECASE)


def chinese_note(note: str) -> str:
    """A note a person can read: Chinese ones (``assumed — …`` becomes 假定：…); English developer notes give ""."""
    text = note.strip()
    match = _ASSUMED.match(text)
    if match:
        text = text[match.end() :]
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if not text or latin * 3 >= cjk:
        return ""
    return f"假定：{text}" if match else text


def _input_text(spec: InputDef) -> InputText:
    return InputText(label=values.label(spec), name=spec.name, unit=spec.unit)


def describe_node(scheme: Scheme, node: Node, depth: int = 0) -> NodeText:
    points = ""
    if node.points is not None:
        points = f"{num(node.points)} 分" if node.kind == "base" else f"最多 {num(node.points)} 分"
    kind = node.rule.kind if node.rule is not None else ""
    rule_kind = RULE_KIND.get(kind, "")
    if kind == "per_count" and node.kind != "base":
        rule_kind = "加分" if node.kind == "bonus" else "扣分"
    inputs = tuple(_input_text(spec) for ref in node.inputs if (spec := _spec(scheme, ref)) is not None)
    return NodeText(
        id=node.id,
        name=node.name,
        depth=depth,
        kind=NODE_KIND[node.kind],
        points=points,
        rule_kind=rule_kind,
        rule=node_rule_text(scheme, node),
        clause=node.text.strip(),
        note=chinese_note(node.note),
        lead_unit=node.lead_unit or "",
        responsible_units=tuple(node.responsible_units),
        inputs=inputs,
        is_leaf=node.is_leaf,
    )


def _walk(node: Node, depth: int) -> Iterator[tuple[Node, int]]:
    yield node, depth
    for child in node.children:
        yield from _walk(child, depth + 1)


def describe_nodes(scheme: Scheme) -> list[NodeText]:
    out = []
    for top in (*scheme.indicators, *scheme.bonus_items, *scheme.deduction_items):
        out += [describe_node(scheme, node, depth) for node, depth in _walk(top, 0)]
    return out


# ------------------------------------------------------------------------------------------------ special rules
def _effect(group: str, rule: SpecialRule) -> str:
    return {
        "veto": "考核结果直接评定为不合格",
        "downgrade": f"考核等级降低 {rule.steps} 档",
        "never_excellent": "考核等级不得评为优秀",
        "falsification": "考核等级直接确定为不合格，纳入政务失信记录",
        "no_advanced": "不得评为先进",
    }[group]


def describe_special(scheme: Scheme) -> list[SpecialText]:
    names = {s.id: s.name for s in scheme.sequences}
    out = []
    for group, rule in scheme.special.all_rules():
        out.append(
            SpecialText(
                kind=SPECIAL_KIND[group],
                name=rule.name,
                condition=condition_text(scheme, rule.when),
                effect=_effect(group, rule),
                consequence=rule.consequence,
                sequences="、".join(names.get(s, s) for s in rule.sequences or []),
            )
        )
    return out


# ------------------------------------------------------------------------------------------------ ranking and caps
_DIGITS = "零一二三四五六七八九十"


def share_text(share: Fraction) -> str:
    """前三分之一 for 1/3; a percentage where the fraction has no short Chinese name (前 25%)."""
    if share == 1:
        return "全部"
    if share.denominator <= 10:
        return f"前{_DIGITS[share.denominator]}分之{_DIGITS[share.numerator]}"
    return f"前 {num(float(share) * 100)}%"


def ranking_lines(scheme: Scheme) -> list[str]:
    ranking = scheme.ranking
    lines = []
    if scheme.grading is not None:
        bands = []
        for band, better in zip(scheme.grading.bands, [None, *scheme.grading.bands], strict=False):
            if band.min is not None:
                bands.append(f"{band.grade} {num(band.min)} 分及以上")
            elif better is not None and better.min is not None:
                bands.append(f"{band.grade} 低于 {num(better.min)} 分")
        lines.append("考核等级：" + "；".join(bands) + "（按最终得分：基本分 + 加分 − 扣分）")
    for seq in scheme.sequences:
        tops = seq.indicators if seq.indicators is not None else [n.id for n in scheme.indicators]
        names = "、".join(f"{n.id} {n.name}" for n in scheme.indicators if n.id in tops)
        lines.append(f"排名序列“{seq.name}”：考核指标 {names}")
    lines.append("每个序列内按最终得分排名，得分相同的名次并列，取较前名次")
    if scheme.special.vetoing():
        if ranking.vetoed == "last":
            lines.append("被否决的单位排在所有未被否决的单位之后，彼此之间按得分排名")
        else:
            lines.append("被否决的单位仍按得分排名")
    if ranking.advanced is not None:
        rounding = {"floor": "向下取整", "ceil": "向上取整", "round": "四舍五入"}[ranking.advanced.rounding]
        lines.append(
            f"先进：每个序列排名{share_text(ranking.advanced.fraction)}的单位（名额按序列单位数计算，{rounding}）；"
            "不合格、被否决或不得评为先进的单位不能评为先进"
        )
        if ranking.advanced_vacated == "pass_on":
            lines.append("不能评为先进的单位空出的名额，依次由后面的单位递补")
        else:
            lines.append("不能评为先进的单位所占的名额空缺，不递补")
    if ranking.interview is not None:
        if ranking.interview.bottom is not None:
            lines.append(
                f"约谈：每个序列排名后 {ranking.interview.bottom} 位的单位"
                f"（与第 {ranking.interview.bottom} 位并列的一并约谈）"
            )
        if ranking.interview.grades:
            lines.append(f"约谈：考核等级为{'、'.join(ranking.interview.grades)}的单位")
    if ranking.accountability is not None:
        unmet = "、".join(ranking.accountability.unmet_grades)
        lines.append(f"问责：连续 {ranking.accountability.years} 年考核等级为{unmet}的单位")
    if len(scheme.special.downgrade) > 1:
        stacking = "降档档数相加" if scheme.special.downgrade_stacking else "只按降档最多的一项计"
        lines.append(f"同时触发多项降档的，{stacking}")
    return lines


def cap_lines(scheme: Scheme) -> list[str]:
    lines = [f"满分 {num(scheme.total_points)} 分（基本指标）"]
    if scheme.bonus_cap is not None:
        text = f"加分项合计最多 {num(scheme.bonus_cap)} 分"
        if scheme.bonus_cap_input is not None:
            text += f"；经研究对个别单位另定上限的，以“{_name(scheme, scheme.bonus_cap_input)}”为准"
        lines.append(text)
    if scheme.deduction_cap is not None:
        lines.append(f"扣分项合计最多 {num(scheme.deduction_cap)} 分")
    if scheme.final_floor is not None:
        lines.append(f"最终得分最低 {num(scheme.final_floor)} 分")
    missing = "按 0 计" if scheme.missing_policy == "zero" else "该单位不能计分，须补齐"
    lines.append(f"缺少数据的输入项：{missing}（个别输入项另有规定的除外）")
    return lines


def describe_scheme(scheme: Scheme) -> SchemeText:
    return SchemeText(
        name=scheme.name,
        caps=tuple(cap_lines(scheme)),
        nodes=tuple(describe_nodes(scheme)),
        special=tuple(describe_special(scheme)),
        ranking=tuple(ranking_lines(scheme)),
    )


def node_texts_by_id(scheme: Scheme) -> dict[str, NodeText]:
    """Every node's text by its id, for a unit's indicator panels."""
    return {text.id: text for text in describe_nodes(scheme)}
