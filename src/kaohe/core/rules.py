"""The typed rule kinds of the scheme language.

Every scoring rule in the seeds is one of these kinds (``kind:`` in the YAML). A value written as a string
names a declared input (``pm10_target``); a number is a constant. Each rule knows the inputs it reads
(``refs()``); the two evaluators (``vectorised.py`` compiles to Polars expressions, ``reference.py`` walks one
unit in plain Python) implement the semantics documented here, and the tests hold them to agree.

    kind            seed clause it was made for                      result
    ──────────────  ───────────────────────────────────────────────  ──────────────────────────────────
    deduct          "每月次扣5分 … 扣完为止" (S4 1.1, 1.3, 3.15 …)    points − min(cap, Σ per × count)
    threshold       "低于考核目标值得20分,高于…不得分" (S4 2.4)        points if condition else otherwise
    target_band     确保/力争 interpolation (S4 2.2)                  see TargetBand
    adjust          "每改善1微克加2分 … 每增加1微克扣3分" (S4 2.3)      base ± rate × distance, clamped
    tiered          grade levels (S4 1.2 优秀 60 / 良好 45 …)          first matching level's score
    linear          rate formula with a floor (S4 1.4, 3.12)          piecewise linear through anchors
    rank_share      "最好的得满分,最差的得60%" (S4 3.13.2–3.13.4)      share of points by value in the pool
    rank_points     "第1名加5分,第2名加4分…" (S4 B15)                  points by rank position in the pool
    share           "根据完成比例得分" (S4 3.16.6)                     points × done / required
    per_count       bonus / deduction items: "每个加5分" (S4 B1, D2)   Σ per × count (cap applied by the node)
    brackets        change bonus by improvement ratio (S4 1.2 (2))    Σ bracket score per input, or override
    manual          verifier's judgement / external score (S4 3.x)    the value entered, within [0, points]
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Ref = float | str  # a constant, or the id of a declared input


def ref_names(*values: Any) -> list[str]:
    return [v for v in values if isinstance(v, str)]


class _Model(BaseModel):
    # allow_inf_nan: "1e400" or ".inf" is never a number of points, a target or a rate (issue 9 §2)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# ---------------------------------------------------------------------------------------------- conditions
CompareOp = Literal["<", "<=", ">", ">=", "==", "!="]


class Compare(_Model):
    """``{input: x, op: '<=', value: target}``; without ``op`` the input is a boolean flag."""

    input: str
    op: CompareOp | None = None
    value: Ref | bool | None = None

    @model_validator(mode="after")
    def _op_needs_value(self) -> Compare:
        if (self.op is None) != (self.value is None):
            raise ValueError("a comparison needs both 'op' and 'value' (or neither, for a yes/no input)")
        return self

    def refs(self) -> list[str]:
        extra = [self.value] if isinstance(self.value, str) else []
        return [self.input, *extra]


class AllOf(_Model):
    all: list[Condition]

    def refs(self) -> list[str]:
        return [r for c in self.all for r in c.refs()]


class AnyOf(_Model):
    any: list[Condition]

    def refs(self) -> list[str]:
        return [r for c in self.any for r in c.refs()]


class Not(_Model):
    not_: Condition = Field(alias="not")

    def refs(self) -> list[str]:
        return self.not_.refs()


Condition = Compare | AllOf | AnyOf | Not
AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


def condition_refs(cond: Condition | None) -> list[str]:
    return cond.refs() if cond is not None else []


# ---------------------------------------------------------------------------------------------- rule kinds
class PerBy(_Model):
    """The deduction per event depends on a category of the element (S4 1.3: 省控 10, others 5)."""

    input: str
    map: dict[str, float]


class Event(_Model):
    """``input`` counts the events (under ``each``, a list of counts, one per element); or ``when``: one event if
    the condition holds (S4 B15 "如出现得分比上一年下降的,要扣1分": when the satisfaction gain is below 0)."""

    input: str | None = None
    when: Condition | None = None
    per: float = Field(ge=0)
    label: str  # Chinese description of one event, used by explain(): "月度水质不达标"
    per_by: PerBy | None = None
    cap: float | None = Field(default=None, ge=0)  # this event kind deducts at most this much (S4 3.16(4)③ 扣完1分为止)

    @model_validator(mode="after")
    def _one_source(self) -> Event:
        if (self.input is None) == (self.when is None):
            raise ValueError("an event needs exactly one of 'input' (a count) or 'when' (a condition)")
        return self


class Each(_Model):
    """Events counted per element of a list input (one element per section, S4 1.1 / 1.3)."""

    names: str  # list input with the element names ("断面A", …) for explanations
    waive_if: str | None = None  # list of booleans: that element's deductions are waived (S4 1.1 年均值达标免扣)
    factor_if: str | None = None  # list of booleans: that element's deductions are multiplied by ``factor``
    factor: float = Field(default=1.0, ge=0)


class FactorIf(_Model):
    when: Condition
    factor: float = Field(ge=0)
    label: str = ""


class Deduct(_Model):
    """Per-occurrence deduction until zero: ``points − min(cap, Σ per × count × factors)``.

    ``zero_if`` scores 0 whatever the count (S4 3.16.2 区域限批 ⇒ 该项总得分为零); ``full_if`` scores full
    marks (S4 1.1 "各断面均达到年度目标的得满分"); ``factor_if`` scales the whole deduction (S4 3.14 整改被表扬
    减半扣分). ``cap`` defaults to the indicator's points (扣完为止).
    """

    kind: Literal["deduct"]
    events: list[Event] = Field(min_length=1)
    cap: float | None = Field(default=None, ge=0)
    each: Each | None = None
    zero_if: Condition | None = None
    full_if: Condition | None = None
    factor_if: list[FactorIf] = []

    @model_validator(mode="after")
    def _each_counts_lists(self) -> Deduct:
        if self.each is not None and any(e.input is None for e in self.events):
            raise ValueError("under 'each', every event counts a list input ('when' events are per unit)")
        return self

    def refs(self) -> list[str]:
        out: list[str] = []
        for e in self.events:
            out += ref_names(e.input) + condition_refs(e.when)
            if e.per_by:
                out.append(e.per_by.input)
        if self.each:
            out += ref_names(self.each.names, self.each.waive_if, self.each.factor_if)
        out += condition_refs(self.zero_if) + condition_refs(self.full_if)
        for f in self.factor_if:
            out += f.when.refs()
        return out


class Threshold(_Model):
    """Full marks if ``when`` holds, else ``otherwise`` (S4 2.4 降尘, 3.7.1)."""

    kind: Literal["threshold"]
    when: Condition
    otherwise: float = 0.0

    def refs(self) -> list[str]:
        return self.when.refs()


class SoftZone(_Model):
    """The part of a shortfall lying at or above ``above`` costs ``per_point`` instead (S4 2.2 "≥90%的部分")."""

    above: float
    per_point: float = Field(ge=0)


class TargetBand(_Model):
    """Guaranteed (确保) / striving (力争) targets, S4 2.2 for a higher-is-better ratio.

    x ≥ strive ⇒ ``at_strive`` (default: the points); ensure ≤ x < strive ⇒ linear from ``at_ensure`` to
    ``at_strive``; x < ensure ⇒ ``at_ensure − per_point_below × shortfall`` where the part of the shortfall
    in the soft zone costs ``soft_zone.per_point``; floor 0. ``direction: lower`` mirrors everything for
    concentrations (lower is better).
    """

    kind: Literal["target_band"]
    x: str
    ensure: Ref
    strive: Ref
    at_ensure: float = Field(ge=0)
    at_strive: float | None = Field(default=None, ge=0)
    per_point_below: float = Field(ge=0)
    soft_zone: SoftZone | None = None
    direction: Literal["higher", "lower"] = "higher"

    def refs(self) -> list[str]:
        return ref_names(self.x, self.ensure, self.strive)


class Adjust(_Model):
    """Improvement / worsening per unit of distance from the target (S4 2.3 PM10).

    ``score = base + better_per_unit × improvement − worse_per_unit × worsening`` clamped to [0, max], where
    the distance is counted in ``unit`` steps; ``rounding: proportional`` counts part-steps proportionally
    (不足1微克/立方米的,按比例加扣分), ``ceil`` counts a started step as whole, ``floor`` ignores it.
    """

    kind: Literal["adjust"]
    x: str
    target: Ref
    base: float = Field(ge=0)
    better_per_unit: float = Field(default=0.0, ge=0)
    worse_per_unit: float = Field(ge=0)
    unit: float = Field(default=1.0, gt=0)
    rounding: Literal["proportional", "floor", "ceil"] = "proportional"
    direction: Literal["higher", "lower"] = "lower"
    max: float | None = Field(default=None, ge=0)

    def refs(self) -> list[str]:
        return ref_names(self.x, self.target)


class Level(_Model):
    """One level: ``match`` compares a category input for equality; ``when`` is a general condition."""

    match: str | float | bool | None = None
    when: Condition | None = None
    score: float

    @model_validator(mode="after")
    def _one_test(self) -> Level:
        if (self.match is None) == (self.when is None):
            raise ValueError("a level needs exactly one of 'match' or 'when'")
        return self


class Tiered(_Model):
    """Lookup table: the first matching level gives the score (S4 1.2 等级评定得分)."""

    kind: Literal["tiered"]
    x: str | None = None  # the input that ``match`` levels compare
    levels: list[Level] = Field(min_length=1)
    otherwise: float = 0.0

    @model_validator(mode="after")
    def _match_needs_x(self) -> Tiered:
        if self.x is None and any(level.match is not None for level in self.levels):
            raise ValueError("levels with 'match' need the rule's 'x' input")
        return self

    def refs(self) -> list[str]:
        out = ref_names(self.x)
        for level in self.levels:
            out += condition_refs(level.when)
        return out


class Linear(_Model):
    """Piecewise linear through ``anchors`` [[x, score], …] (S4 1.4: [[90, 0], [100, 10]]).

    Below the first anchor the score is ``below`` (default: the first anchor's score; ``extrapolate`` continues the
    first segment, S4 3.12(1) 负增长按比例扣分, with the node's ``floor``); above the last anchor
    it is ``above`` (default: the last anchor's score) — ``above`` allows a jump (S4 3.12.2: flat ⇒ 80%, any
    growth ⇒ full marks).
    """

    kind: Literal["linear"]
    x: str
    anchors: list[tuple[float, float]] = Field(min_length=2)
    below: float | Literal["extrapolate"] | None = None  # "extrapolate": continue the first segment's line
    above: float | None = None

    @field_validator("anchors")
    @classmethod
    def _increasing(cls, anchors: list[tuple[float, float]]) -> list[tuple[float, float]]:
        xs = [a[0] for a in anchors]
        if any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
            raise ValueError("anchor x values must be strictly increasing")
        return anchors

    def refs(self) -> list[str]:
        return [self.x]


class Gate(_Model):
    """Share of points earned by completing the unit's own target (S4 3.13.2: 完成市下达的指标得60%分数)."""

    completion: str  # completion ratio of the unit's own target (1 = met)
    share: float = Field(gt=0, lt=1)


class RankShare(_Model):
    """Peer comparison inside the unit's sequence (S4 3.13.3): the best value gets full marks, the worst
    ``worst_share`` of them, linear by value in between; one unit, or all equal, ⇒ full marks.
    With ``gate`` the rank part is the remaining ``1 − gate.share`` of the points and ``worst_share`` is the
    worst unit's share *of that part*: S4 3.13.2 (完成指标得60%, 最差的得60%分数 of the whole item) is
    ``gate.share 0.6, worst_share 0`` ⇒ the whole item runs from 60 % (worst, target met) to 100 % (best).
    """

    kind: Literal["rank_share"]
    x: str
    direction: Literal["higher", "lower"] = "higher"
    worst_share: float = Field(default=0.6, ge=0, le=1)
    gate: Gate | None = None

    def refs(self) -> list[str]:
        return [self.x, *([self.gate.completion] if self.gate else [])]


class RankPoints(_Model):
    """Points by rank position inside the unit's sequence (S4 B15: 第1名加5分,第2名加4分,第3名加3分);
    tied values share the better position."""

    kind: Literal["rank_points"]
    x: str
    direction: Literal["higher", "lower"] = "higher"
    points_by_rank: list[float] = Field(min_length=1)

    def refs(self) -> list[str]:
        return [self.x]


class Share(_Model):
    """Share of completion: ``points × clamp(done / required, 0, 1)`` (S4 3.16.6 完成10家, 根据完成比例得分)."""

    kind: Literal["share"]
    done: str
    required: Ref

    def refs(self) -> list[str]:
        return ref_names(self.done, self.required)


class Award(_Model):
    input: str  # a count (or a yes/no input, counted as 1/0)
    per: float = Field(ge=0)
    label: str


class PerCount(_Model):
    """Σ per × count — the amount of a bonus or deduction item before the item's cap (S4 B1, D2, D7)."""

    kind: Literal["per_count"]
    awards: list[Award] = Field(min_length=1)

    def refs(self) -> list[str]:
        return [a.input for a in self.awards]


class Bracket(_Model):
    """The values from ``min`` (inclusive) or above ``over`` (exclusive) up to ``max`` (exclusive; None = no upper
    bound). ``over`` is for "提高…的": S4 1.2(2) gives nothing for no change, so the first bracket is (0, 20%)."""

    min: float | None = None
    over: float | None = None
    max: float | None = None
    score: float = Field(ge=0)

    @model_validator(mode="after")
    def _one_lower_bound(self) -> Bracket:
        if (self.min is None) == (self.over is None):
            raise ValueError("a bracket needs exactly one lower bound: min (inclusive) or over (exclusive)")
        low = self.min if self.min is not None else self.over
        if self.max is not None and low is not None and self.max <= low:
            raise ValueError(f"bracket max {self.max:g} must be above its lower bound {low:g}")
        return self

    def contains(self, value: float) -> bool:
        above_low = value > self.over if self.over is not None else value >= (self.min or 0.0)
        return above_low and (self.max is None or value < self.max)


class Override(_Model):
    when: Condition
    score: float = Field(ge=0)
    label: str


class Brackets(_Model):
    """Per input, the score of the bracket its value falls in, summed; ``override`` replaces the sum
    (S4 1.2 (2): improvement 0–20% +2, 20–50% +3, ≥50% +5 per parameter; 提高一个等级 +10, 不重复加)."""

    kind: Literal["brackets"]
    inputs: list[str] = Field(min_length=1)
    brackets: list[Bracket] = Field(min_length=1)
    override: Override | None = None

    def refs(self) -> list[str]:
        return [*self.inputs, *condition_refs(self.override.when if self.override else None)]


class Manual(_Model):
    """A value entered by the verifier (视情扣分, or a score imported from another assessment), checked to
    lie in [0, points]; ``full_if`` gives full marks whatever was entered (S4 2.1: 达到力争目标值即得满分)."""

    kind: Literal["manual"]
    input: str
    full_if: Condition | None = None

    def refs(self) -> list[str]:
        return [self.input, *condition_refs(self.full_if)]


Rule = Annotated[
    Deduct
    | Threshold
    | TargetBand
    | Adjust
    | Tiered
    | Linear
    | RankShare
    | RankPoints
    | Share
    | PerCount
    | Brackets
    | Manual,
    Field(discriminator="kind"),
]
