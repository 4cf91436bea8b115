"""The scheme language: a YAML file parsed once into typed, frozen models.

Scheme
├── grading        grade bands (优秀/良好/合格/不合格 thresholds; the seeds leave them open ⇒ ``assumed``)
├── ranking        先进 share, 约谈 bottom count, three-year accountability (seed 002 art. 17, 18, 20),
│                  where vetoed units rank and whether a vacated 先进 slot passes on
├── sequences      排名序列, each with its indicator subset (seed 002 art. 16)
├── inputs         the named per-unit inputs rules read (unit, kind, range, missing policy)
├── indicators     base indicator tree of any depth (Node: points, rule, lead / responsible units)
├── bonus_items    加分项 (each with its cap; optional total cap)
├── deduction_items 扣分项
└── special        veto / downgrade / never-优秀 / falsification / no-先进 conditions
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from kaohe.core.exceptions import Problem, SchemeError
from kaohe.core.rules import Condition, Deduct, Rule, condition_refs
from kaohe.core.yaml_source import PathKey, YamlSource, load_yaml, parse_yaml

# The grade order, best first (seed 000 art. 6, seed 001 四(三)): the one place it is written. The engine, the
# grade bands, the web's counts and lists and the 通报 all take it from here.
Grade = Literal["优秀", "良好", "合格", "不合格"]
GRADES: tuple[str, ...] = get_args(Grade)
NodeKind = Literal["base", "bonus", "deduction"]


class _Model(BaseModel):
    # allow_inf_nan: "1e400" or ".inf" is never a number of points, a target or a rate (issue 9 §2)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class InputDef(_Model):
    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    name: str
    unit: str = ""
    kind: Literal["number", "integer", "boolean", "category", "list"] = "number"
    item_kind: Literal["number", "integer", "boolean", "category"] | None = None  # for kind: list
    min: float | None = None
    max: float | None = None
    choices: list[str] | None = None
    missing: Literal["zero", "block"] | None = None  # None ⇒ the scheme's missing_policy
    # what provides it: a monitoring column ("air.good_ratio", "water.wq_months_missed") or a register metric
    # ("register.rect_due", kaohe.registers.metrics); the kind and the metric are checked at load (SOURCE_KINDS)
    source: str | None = None
    source_scale: float | None = None  # multiply the monitoring value (fraction ⇒ percent: 100)
    target: bool = False  # a yearly target set in the responsibility letter (目标责任书)
    note: str = ""
    indicator: str | None = None  # filled in by the loader: the first node that reads it

    @model_validator(mode="after")
    def _consistent(self) -> InputDef:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if self.kind == "category" and not self.choices:
            raise ValueError("a category input needs its 'choices'")
        return self


class Bonus(_Model):
    """A bonus inside an indicator (S4 1.1 升类断面每个加5分, 不超过20分)."""

    rule: Rule
    cap: float = Field(ge=0)


class Node(_Model):
    id: str
    name: str
    points: float | None = Field(default=None, ge=0)  # base points; for bonus/deduction items: the item cap
    rule: Rule | None = None
    bonus: Bonus | None = None
    # a deduction from the node's total (its children's sum): S4 3.15(2)④ deducts from all of (2);
    # S4 3.16(7)⑥ "该项不得分" zeroes all of (7) (zero_if). Floor 0.
    penalty: Deduct | None = None
    children: list[Node] = []
    children_sum: bool = True  # children's points must add up to this node's points
    floor: float = Field(
        default=0.0, le=0
    )  # lowest score of a base leaf; < 0 lets it deduct (S4 3.12(1) 负增长按比例扣分)
    lead_unit: str | None = None
    responsible_units: list[str] = []
    text: str = ""  # the seed's 评分规则, verbatim
    note: str = ""  # what was assumed where the text is garbled or open

    _path: PathKey = PrivateAttr(default=())
    _parent: str | None = PrivateAttr(default=None)
    _kind: NodeKind = PrivateAttr(default="base")

    @model_validator(mode="after")
    def _rule_or_children(self) -> Node:
        if self.rule is not None and self.children:
            raise ValueError("a node has either a 'rule' or 'children', not both")
        if self.rule is None and not self.children and self.bonus is None and self.penalty is None and self.points != 0:
            # a 0-point node may carry no rule: its text is charged elsewhere (e.g. as its parent's penalty)
            raise ValueError("a node needs a 'rule', 'children' or (for a bonus-only sub-item) a 'bonus'")
        return self

    @property
    def is_leaf(self) -> bool:
        return not self.children

    # private attributes read straight from pydantic's store: ``self._kind`` goes through BaseModel.__getattr__,
    # which made half of the reference evaluator's time (kaohe score writes every unit's explanation lines)
    @property
    def parent_id(self) -> str | None:
        return self.__pydantic_private__["_parent"]  # type: ignore[index,no-any-return]

    @property
    def kind(self) -> NodeKind:
        return self.__pydantic_private__["_kind"]  # type: ignore[index,no-any-return]

    @property
    def path(self) -> PathKey:
        return self._path

    @property
    def inputs(self) -> list[str]:
        """The input ids this node's own rule and bonus read."""
        out: list[str] = []
        if self.rule is not None:
            out += self.rule.refs()
        if self.penalty is not None:
            out += self.penalty.refs()
        if self.bonus is not None:
            out += self.bonus.rule.refs()
        return list(dict.fromkeys(out))

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


class GradeBand(_Model):
    grade: Grade
    min: float | None = None  # the lowest band has no minimum


class Grading(_Model):
    bands: list[GradeBand]
    assumed: str = ""  # why these thresholds, where the seed leaves them open

    @model_validator(mode="after")
    def _ordered(self) -> Grading:
        grades = [b.grade for b in self.bands]
        if grades != [g for g in GRADES if g in grades] or len(set(grades)) != len(grades):
            raise ValueError(f"bands must be listed best first: {', '.join(GRADES)}")
        mins = [b.min for b in self.bands[:-1]]
        if any(m is None for m in mins) or self.bands[-1].min is not None:
            raise ValueError("every band but the last needs 'min'; the last has none")
        if any(a <= b for a, b in zip(mins, mins[1:], strict=False)):  # type: ignore[operator]
            raise ValueError("band minimums must decrease")
        return self


class Advanced(_Model):
    share: float | str  # seed 002 art. 17: 前三分之一 — write "1/3" for an exact fraction
    rounding: Literal["floor", "ceil", "round"] = "floor"

    @field_validator("share")
    @classmethod
    def _fraction(cls, value: float | str) -> float | str:
        share = _as_fraction(value)
        if not 0 < share <= 1:
            raise ValueError("share must lie in (0, 1]")
        return value

    @property
    def fraction(self) -> Fraction:
        return _as_fraction(self.share)

    def count(self, n: int) -> int:
        """How many of ``n`` ranked units are 先进, in exact arithmetic (10 of 30, 11 of 33 for 1/3)."""
        num, den = self.fraction.numerator * n, self.fraction.denominator
        if self.rounding == "ceil":
            return -(-num // den)
        if self.rounding == "round":
            return (2 * num + den) // (2 * den)
        return num // den


def _as_fraction(value: float | str) -> Fraction:
    try:
        frac = Fraction(value) if isinstance(value, str) else Fraction(value).limit_denominator(1000)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{value!r} is not a share such as 1/3 or 0.25") from None
    return frac


class Interview(_Model):
    bottom: int | None = Field(default=None, ge=1)  # seed 002 art. 18: 后三位
    grades: list[str] = []  # seed 000 art. 9: 不合格 ⇒ 约谈


class Accountability(_Model):
    years: int = Field(ge=2)  # seed 002 art. 20: 连续3年
    unmet_grades: list[str] = ["不合格"]  # what counts as an unmet year [OPEN]; the grade is the proxy


class Ranking(_Model):
    advanced: Advanced | None = None
    interview: Interview | None = None
    accountability: Accountability | None = None
    # Where a vetoed unit (see VETO_GROUPS) is placed in its sequence: ``last`` ⇒ after every unit that was not
    # vetoed (vetoed units among themselves by score, ties share the better place); ``by_score`` ⇒ its score's place.
    vetoed: Literal["last", "by_score"] = "last"
    # The 先进 count k comes from the sequence size either way. ``pass_on`` ⇒ the k best-placed units that may
    # be 先进 are (a 不合格, vetoed or no_advanced unit's slot passes to the next one); ``leave_empty`` ⇒ only
    # units placed within the first k are, so an ineligible unit's slot stays empty.
    advanced_vacated: Literal["pass_on", "leave_empty"] = "pass_on"
    note: str = ""  # which settings the scheme uses and why (from its seed)


class Sequence(_Model):
    id: str
    name: str
    indicators: list[str] | None = None  # top-level node ids scored for this sequence; None ⇒ all


class SpecialRule(_Model):
    id: str
    name: str
    when: Condition
    steps: int = Field(default=1, ge=1)  # downgrade only
    sequences: list[str] | None = None  # applies to (and reads inputs of) these sequences only; None ⇒ all
    # who else the rule affects, in the seed's words with its clause, recorded on the result when it fires
    # (seed 002 art. 9(三): 不得评为先进单位，不予通报表扬；党政主要领导、分管领导年度考核不得评优)
    consequence: str = ""


class Special(_Model):
    veto: list[SpecialRule] = []  # 否决项 ⇒ 不合格 (seed 001 四(三)1)
    downgrade: list[SpecialRule] = []  # 降档项 ⇒ lower after scoring (seed 001 四(三)2)
    downgrade_stacking: bool = False  # several triggers add their steps [OPEN]; default: the largest counts
    never_excellent: list[SpecialRule] = []  # 不得确定为优秀 (seed 000 art. 6)
    falsification: list[SpecialRule] = []  # 数据造假 ⇒ 不合格 + 政务失信记录 (seed 000 art. 10)
    no_advanced: list[SpecialRule] = []  # 一票否决: 不得评为先进单位 (seed 002 art. 9(三))

    def all_rules(self) -> Iterator[tuple[str, SpecialRule]]:
        for group in ("veto", "downgrade", "never_excellent", "falsification", "no_advanced"):
            for rule in getattr(self, group):
                yield group, rule

    def vetoing(self) -> list[SpecialRule]:
        """The rules that make a unit *vetoed* (VETO_GROUPS), for ``ranking.vetoed`` and the ``vetoed`` column."""
        return [rule for group in VETO_GROUPS for rule in getattr(self, group)]

    def in_flag_order(self) -> list[SpecialRule]:
        """Every rule in the order the ``flags`` and ``consequences`` columns list them (RULES.md §5.4)."""
        return [*self.downgrade, *self.never_excellent, *self.veto, *self.falsification, *self.no_advanced]


# What counts as a veto (否决) of the unit's result, whatever its score:
#   veto           seed 001 四(三)1 否决项: 考核结果直接评定为不合格;
#   falsification  seed 000 art. 10: 考核等级直接确定为不合格 (the same override, for falsified data);
#   no_advanced    seed 002 art. 9(三) 实行一票否决: 不得评为先进单位，不予通报表扬.
# Not a veto: downgrade (seed 001 四(三)2 降档项 acts "在扣除相应指标分数的基础上", one grade step after a score
# that stands) and never_excellent (seed 000 art. 6 caps the grade at 良好; the result is not set aside).
VETO_GROUPS = ("veto", "falsification", "no_advanced")


class Scheme(_Model):
    id: str
    name: str
    # An assessment year: the seeds are 2020-2025; bounds keep a 20-digit typo out of every date computed later.
    year: int = Field(ge=2000, le=2100)
    issuer: str = ""
    source: str = ""  # the seed document
    total_points: float = Field(gt=0)
    missing_policy: Literal["zero", "block"] = "zero"
    # The air-quality edition its air inputs are evaluated by (issue 11): "auto" (each day by the edition in force
    # that day), "2012" or "2026" (kaohe.monitoring.air.editions; checked where air data are evaluated); None ⇒ auto.
    air_edition: Literal["auto", "2012", "2026"] | None = None
    # HJ 663-2026 exceptional-event days (例外事件, issue 11) in its air inputs: "edition" (left out when the edition in
    # force at the year's end asks for it: 2026), "exclude" (the approved days always left out; needs the office's
    # list), "keep" (never left out); None ⇒ edition. Explicit `kaohe air evaluate` flags win.
    air_exceptional_events: Literal["edition", "exclude", "keep"] | None = None
    grading: Grading | None = None
    ranking: Ranking = Ranking()
    sequences: list[Sequence] = Field(min_length=1)
    inputs: list[InputDef] = []
    indicators: list[Node] = Field(min_length=1)
    bonus_items: list[Node] = []
    bonus_cap: float | None = Field(default=None, ge=0)  # total of all bonus items (seed 001: 原则上5分)
    # "原则上" (in principle): a numeric input that, where a unit has a value, is that unit's cap instead — the
    # assessment office's decision to exceed the usual cap, recorded per unit like any other input.
    bonus_cap_input: str | None = None
    deduction_items: list[Node] = []
    deduction_cap: float | None = Field(default=None, ge=0)
    final_floor: float | None = None  # lowest final score; None ⇒ unbounded [OPEN]
    special: Special = Special()
    notes: list[str] = []

    _file: str = PrivateAttr(default="")

    @property
    def file(self) -> str:
        return self._file

    def input(self, input_id: str) -> InputDef:
        for item in self.inputs:
            if item.id == input_id:
                return item
        raise KeyError(input_id)

    def nodes(self) -> Iterator[Node]:
        """Every node: base indicators, then bonus items, then deduction items, depth first."""
        for top in (*self.indicators, *self.bonus_items, *self.deduction_items):
            yield from top.walk()

    def node(self, node_id: str) -> Node:
        for node in self.nodes():
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def sequence_ids(self) -> list[str]:
        return [s.id for s in self.sequences]

    def top_ids_for(self, sequence_id: str) -> list[str]:
        for seq in self.sequences:
            if seq.id == sequence_id:
                return seq.indicators if seq.indicators is not None else [n.id for n in self.indicators]
        raise KeyError(sequence_id)

    def missing_policy_of(self, input_id: str) -> str:
        policy = self.input(input_id).missing
        return policy or self.missing_policy


# --------------------------------------------------------------------------------------------- loading
def _annotate(scheme: Scheme) -> None:
    """Record each node's YAML path, parent and kind (base / bonus / deduction)."""

    def visit(node: Node, path: PathKey, parent: str | None, kind: NodeKind) -> None:
        node._path, node._parent, node._kind = path, parent, kind
        for i, child in enumerate(node.children):
            visit(child, (*path, "children", i), node.id, kind)

    for key, kind in (("indicators", "base"), ("bonus_items", "bonus"), ("deduction_items", "deduction")):
        for i, node in enumerate(getattr(scheme, key)):
            visit(node, (key, i), None, kind)  # type: ignore[arg-type]


# The kinds of ``source``: the monitoring results (kaohe.monitoring.air / .water: their columns are checked where the
# results are turned into inputs, kaohe.monitoring.inputs) and the registers (kaohe.registers: checked here).
SOURCE_KINDS = ("air", "water", "register")


def _source_problem(spec: InputDef) -> str | None:
    """Why an input's ``source`` cannot provide it, or None."""
    source = spec.source or ""
    kind, dot, name = source.partition(".")
    if not dot or not name or kind not in SOURCE_KINDS:
        return f"unknown source {source!r}; expected air.<column>, water.<column> or register.<metric>"
    if kind != "register":
        return None
    from kaohe.registers.metrics import METRICS  # here: kaohe.registers builds on this module's models

    metric = METRICS.get(name)
    if metric is None:
        return f"unknown register metric {name!r} in source {source!r}; known: {', '.join(METRICS)}"
    if metric.boolean and spec.kind != "boolean":
        return f"{source} is a yes/no (是/否); input {spec.id!r} must have kind: boolean"
    if not metric.boolean and spec.kind not in ("integer", "number"):
        return f"{source} is a count; input {spec.id!r} must have kind: integer"
    if spec.source_scale is not None:
        return f"source_scale scales monitoring values; {source} is a count"
    return None


def _semantic_problems(scheme: Scheme, src: YamlSource) -> list[Problem]:
    problems: list[Problem] = []
    declared = {i.id for i in scheme.inputs}
    for index, spec in enumerate(scheme.inputs):
        why = _source_problem(spec) if spec.source is not None else None
        if why is not None:
            problems.append(src.problem(("inputs", index, "source"), why))
    seen: dict[str, PathKey] = {}
    for node in scheme.nodes():
        if node.id in seen:
            problems.append(src.problem((*node.path, "id"), f"duplicate indicator id {node.id!r}"))
        seen[node.id] = node.path
        for ref in node.inputs:
            if ref not in declared:
                problems.append(
                    src.problem((*node.path, "rule"), f"rule reads input {ref!r}, which is not declared under 'inputs'")
                )
        if node.kind == "base" and node.points is None:
            problems.append(src.problem(node.path, "a base indicator needs 'points'"))
        if node.children and node.children_sum and node.points is not None:
            child_points = [c.points for c in node.children]
            if all(p is not None for p in child_points):
                total = sum(p for p in child_points if p is not None)
                if abs(total - node.points) > 1e-9:
                    problems.append(
                        src.problem(
                            (*node.path, "points"),
                            f"children's points add up to {total:g}, not {node.points:g} "
                            "(set children_sum: false if the scheme allows it)",
                        )
                    )
    base_total = sum(n.points or 0 for n in scheme.indicators)
    for seq_index, seq in enumerate(scheme.sequences):
        for ref in seq.indicators or []:
            if ref not in {n.id for n in scheme.indicators}:
                problems.append(
                    src.problem(
                        ("sequences", seq_index, "indicators"), f"sequence {seq.id!r} names unknown indicator {ref!r}"
                    )
                )
    if all(s.indicators is None for s in scheme.sequences) and abs(base_total - scheme.total_points) > 1e-9:
        problems.append(
            src.problem(
                ("total_points",), f"base indicators add up to {base_total:g}, not total_points {scheme.total_points:g}"
            )
        )
    if scheme.bonus_cap_input is not None:
        if scheme.bonus_cap_input not in declared:
            problems.append(src.problem(("bonus_cap_input",), f"input {scheme.bonus_cap_input!r} is not declared"))
        elif scheme.input(scheme.bonus_cap_input).kind not in ("number", "integer"):
            problems.append(src.problem(("bonus_cap_input",), f"input {scheme.bonus_cap_input!r} must be a number"))
        if scheme.bonus_cap is None:
            problems.append(src.problem(("bonus_cap_input",), "bonus_cap_input overrides bonus_cap, which is not set"))
    for group, rule in scheme.special.all_rules():
        for seq_id in rule.sequences or []:
            if seq_id not in scheme.sequence_ids():
                problems.append(src.problem(("special", group), f"{rule.id} names unknown sequence {seq_id!r}"))
        for ref in condition_refs(rule.when):
            if ref not in declared:
                problems.append(
                    src.problem(("special", group), f"{rule.id} reads input {ref!r}, which is not declared")
                )
    return problems


def _with_input_indicators(scheme: Scheme) -> Scheme:
    first_reader: dict[str, str] = {}
    for node in scheme.nodes():
        for ref in node.inputs:
            first_reader.setdefault(ref, node.id)
    inputs = [i.model_copy(update={"indicator": first_reader.get(i.id)}) for i in scheme.inputs]
    return scheme.model_copy(update={"inputs": inputs})


def scheme_from_source(src: YamlSource) -> Scheme:
    if not isinstance(src.data, dict):
        raise SchemeError(src.problem((), "a scheme file must be a YAML mapping (id, name, year, indicators …)"))
    try:
        scheme = Scheme.model_validate(src.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = src.resolve(err["loc"])
            message = err["msg"]
            if err["type"] == "union_tag_invalid":
                message = (
                    f"unknown rule kind {err['input'].get('kind')!r}; expected one of: {err['ctx']['expected_tags']}"
                )
            elif err["type"] == "union_tag_not_found":
                message = "a rule needs 'kind' (deduct, threshold, target_band, adjust, tiered, linear, …)"
            elif err["type"] == "extra_forbidden":
                message = f"unknown key {err['loc'][-1]!r}"
            elif err["type"] == "missing":
                message = f"missing key {err['loc'][-1]!r}"
            problems.append(src.problem(path, message))
        raise SchemeError(problems) from None
    scheme = _with_input_indicators(scheme)
    _annotate(scheme)
    scheme._file = src.file
    problems = _semantic_problems(scheme, src)
    if problems:
        raise SchemeError(problems)
    return scheme


def load_scheme_file(path: str | Path) -> Scheme:
    return scheme_from_source(load_yaml(path))


def load_scheme_text(text: str, name: str = "<string>") -> Scheme:
    return scheme_from_source(parse_yaml(text, name))


BUILTIN_DIR = Path(__file__).resolve().parent.parent / "schemes"


def builtin_paths() -> dict[str, Path]:
    """Built-in scheme id ⇒ file (the id inside the file is authoritative)."""
    out: dict[str, Path] = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        out[path.stem] = path
    return out


_cache: dict[str, Scheme] = {}


def load_scheme(id_or_path: str | Path) -> Scheme:
    """A built-in scheme by id (``xx-city-2020``), or a scheme YAML file by path."""
    key = str(id_or_path)
    builtins = builtin_paths()
    if key in builtins:
        if key not in _cache:
            _cache[key] = load_scheme_file(builtins[key])
        return _cache[key]
    path = Path(key)
    if path.suffix.lower() in {".yaml", ".yml"} or path.exists():
        return load_scheme_file(path)
    raise SchemeError(
        Problem(f"unknown scheme {key!r}; built-in schemes are: {', '.join(builtins)} (or give a .yaml file)")
    )


def list_schemes() -> list[Scheme]:
    return [load_scheme(key) for key in builtin_paths()]
