"""Editions of the air-quality standards as data: ``editions/2012.yaml``, ``editions/2026.yaml`` or an office's file.

An edition bundles what one generation of the standards fixes: the IAQI levels and breakpoints (HJ 633), the
"not computed above" rules and AQI categories, the concentration limits by area class and stage (GB 3095), the
data-validity numbers (GB 3095 表4, HJ 663), the rounding rules and the evaluation options (HJ 663-2026). Every
value in the file carries its ``source`` and ``confirmed`` (true: it is the standard's text).

    load_edition(path | text)  ->  Edition            validated; a mistake is an EditionError naming file:line
    builtin_editions()         ->  {"2012": …, "2026": …}
    edition_in_force(day)      ->  "2012" | "2026"    the built-in edition in force on that day
    resolve("2026" | path)     ->  Edition
    auto_with(*office_editions) -> the built-in editions, an office's file in place of the one of its id (for "auto")
    round_quotient(n, d, rule) ->  int                n / d rounded by an edition's rule (ceiling | half_even), exactly

    Edition   breakpoints(pollutant, period), iaqi_levels, not_computed_above, categories, worst_category,
              stages → Stage (limits by area class), limit(pollutant, statistic, area_class, on=day),
              validity → Validity, iaqi_rounding, concentration_rounding, decimals, option(name),
              entries → Entry (key, value, source, confirmed, note, line), unconfirmed()

Pure Python (pydantic for the file's shape), no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from kaohe.core.exceptions import Problem, SchemeError, UserInputError
from kaohe.core.yaml_source import PathKey, YamlSource, load_yaml, parse_yaml

Value = Fraction | int  # a concentration, breakpoint or limit: an exact number
Pollutant = Literal["so2", "no2", "pm10", "pm25", "co", "o3"]
Period = Literal["1h", "8h", "24h"]  # HJ 633 表1's averaging periods
Statistic = Literal["annual", "24h", "8h", "1h"]  # GB 3095 表1: 年平均, 24小时平均, 日最大8小时平均, 1小时平均
AREA_CLASSES = (1, 2)  # GB 3095 §4.2: 一类区 / 二类区
RoundingRule = Literal["ceiling", "half_even"]  # rounding.iaqi and rounding.concentrations: see round_quotient
OPTIONS = ("exceptional_events", "three_year_mean")  # HJ 663-2026, as the published summary describes them
BUILTIN_DIR = Path(__file__).resolve().parent / "editions"


class EditionError(UserInputError):
    """An edition file is invalid (each Problem names file, line and key)."""


# ---------------------------------------------------------------------------------------------------------------
# The file's shape (pydantic, strict: a bool is not a number, a quoted "2026-03-01" is not a date).

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Number = int | float


class _Sourced(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)
    source: Text
    confirmed: bool
    note: Text | None = None


class _Number(_Sourced):
    value: Number


class _Numbers(_Sourced):
    value: list[Number]


class _Levels(_Sourced):
    value: list[int]


class _Int(_Sourced):
    value: int


class _Date(_Sourced):
    value: date


class _Flag(_Sourced):
    value: bool


ThreeYearForm = Literal["annual_means", "pooled_days"]


class _Form(_Sourced):
    # HJ 663-2026's three-year evaluation (per the published summary): the mean of the three annual values of each
    # statistic, or each statistic over the three years' daily values pooled
    value: ThreeYearForm


class _Category(_Sourced):
    upper: int | None
    name: Text


class _Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    class_1: dict[Pollutant, dict[Statistic, _Number]]
    class_2: dict[Pollutant, dict[Statistic, _Number]]


class _Stage(_Sourced):
    id: Text
    name: Text
    start: date = Field(alias="from")
    until: date | None = None
    limits: _Limits


class _Validity(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    min_hours_per_day: _Int
    min_hours_per_8h: _Int
    min_days_per_year: _Int
    min_days_per_month: _Int
    min_days_february: _Int
    min_o3_windows: _Int
    o3_windows: _Int


class _Rule(_Sourced):
    value: RoundingRule


class _Decimals(_Sourced):
    value: dict[Pollutant, int]


class _Rounding(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    iaqi: _Rule
    concentrations: _Rule
    decimals: _Decimals


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    exceptional_events: _Flag | None = None
    three_year_mean: _Flag | None = None
    three_year_form: _Form | None = None  # absent: annual_means (issue 11's reading)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    id: Text
    name: Text
    note: Text | None = None
    in_force_from: _Date
    iaqi_levels: _Levels
    breakpoints: dict[Pollutant, dict[Period, _Numbers]]
    not_computed_above: dict[Pollutant, dict[Period, _Number]] = {}
    categories: list[_Category]
    stages: list[_Stage]
    validity: _Validity
    rounding: _Rounding
    options: _Options = _Options()


# ---------------------------------------------------------------------------------------------------------------
# What callers get: frozen, typed, exact numbers.


@dataclass(frozen=True)
class Entry:
    """One sourced value of the file: ``key`` as ``breakpoints.pm25.24h``, its line, source and confirmation."""

    key: str
    value: object
    source: str
    confirmed: bool
    note: str | None
    line: int | None


@dataclass(frozen=True)
class Validity:
    """GB 3095 表4 and HJ 663 minimum counts (names as in ``tables.py``, lower case)."""

    min_hours_per_day: int
    min_hours_per_8h: int
    min_days_per_year: int
    min_days_per_month: int
    min_days_february: int
    min_o3_windows: int
    o3_windows: int


@dataclass(frozen=True)
class Stage:
    """A period of GB 3095 limits: ``start`` … ``until`` (inclusive; None: open-ended)."""

    id: str
    name: str
    start: date
    until: date | None
    limits: Mapping[tuple[int, str, str], Value]  # (area class, pollutant, statistic) → limit

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class Edition:
    """One edition, validated. Build it with :func:`load_edition`."""

    id: str
    name: str
    file: str
    note: str | None
    in_force_from: date
    iaqi_levels: tuple[int, ...]
    rows: Mapping[tuple[str, str], tuple[Value, ...]]  # (pollutant, period) → breakpoints, file order
    not_computed_above: Mapping[tuple[str, str], Value]
    categories: tuple[tuple[int, str], ...]  # (upper AQI, name), best first, as tables.CATEGORIES
    worst_category: str  # the last category, open-ended above
    stages: tuple[Stage, ...]  # in date order, without gaps or overlaps
    validity: Validity
    iaqi_rounding: RoundingRule  # "ceiling" (进位取整) in both built-in editions
    concentration_rounding: RoundingRule  # "half_even" (GB/T 8170 四舍六入五成双)
    decimals: Mapping[str, int]  # pollutant → decimals kept (CO 1)
    options: Mapping[str, bool]  # OPTIONS → whether the edition asks for it
    entries: tuple[Entry, ...]
    three_year_form: ThreeYearForm = "annual_means"  # options.three_year_form (kaohe.monitoring.air.three_year)

    def breakpoints(self, pollutant: str, period: str) -> tuple[Value, ...]:
        key = (pollutant, period)
        if key not in self.rows:
            raise ValueError(f"edition {self.id} has no {period} breakpoints for {pollutant!r}")
        return self.rows[key]

    def decimal_step(self, pollutant: str) -> Fraction:
        """The rounding step of a pollutant's daily and annual values: 1, or 1/10 for CO."""
        return Fraction(1, 10 ** self.decimals[pollutant])

    def stage_on(self, day: date) -> Stage:
        """The stage in force on ``day``; before the first stage, the first stage (an edition applied early)."""
        for stage in self.stages:
            if stage.covers(day):
                return stage
        return self.stages[0]  # validation leaves no gap, so only days before the first stage get here

    def limit(self, pollutant: str, statistic: str, area_class: int, on: date) -> Value:
        """The GB 3095 limit of ``statistic`` (annual, 24h, 8h, 1h) for the area class, in the stage of ``on``."""
        stage = self.stage_on(on)
        key = (area_class, pollutant, statistic)
        if key not in stage.limits:
            raise ValueError(f"edition {self.id} has no class-{area_class} {statistic} limit for {pollutant!r}")
        return stage.limits[key]

    def option(self, name: str) -> bool:
        if name not in OPTIONS:
            raise ValueError(f"unknown option {name!r}; options are {', '.join(OPTIONS)}")
        return self.options[name]

    def unconfirmed(self) -> list[Entry]:
        """Every value the file marks ``confirmed: false``, in file order."""
        return [e for e in self.entries if not e.confirmed]


def round_quotient(numerator: int | Fraction, denominator: int | Fraction, rule: RoundingRule) -> int:
    """``numerator / denominator`` rounded to an integer by an edition's rounding ``rule``, exactly (no float).

    - ``"ceiling"``: the least integer not below the quotient: 进位取整, HJ 633-2012 §4 (空气质量分指数及空气质量指数的
      计算结果应全部进位取整数): 50.625 ⇒ 51, 51.0 ⇒ 51.
    - ``"half_even"``: the nearest integer, a tie (exactly .5) to the even one: GB/T 8170-2008 §3.3 (四舍六入五成双),
      on the exact quotient: 34.5 ⇒ 34, 35.5 ⇒ 36, 52.5 ⇒ 52.

    The one place the rules are written. In integers, as vectorised code can repeat it: n / d in lowest terms with
    d > 0, ``q, r = divmod(n, d)``; ceiling is ``q + (r > 0)``, half_even ``q + (2r > d or (2r == d and q odd))``
    (divmod floors, so negative quotients round the same way). Round the whole value, not a part of it: half_even of
    ``i_lo + x`` is not ``i_lo`` + half_even(x) when ``i_lo`` is odd. For a step other than 1 (CO to 0.1), pass
    ``value / step`` and multiply the result by the step.
    """
    quotient = Fraction(numerator) / Fraction(denominator)  # ZeroDivisionError for a zero denominator
    n, d = quotient.numerator, quotient.denominator  # lowest terms, d > 0
    q, r = divmod(n, d)
    if rule == "ceiling":
        return q + (r > 0)
    if rule == "half_even":
        return q + (2 * r > d or (2 * r == d and q % 2 == 1))
    raise ValueError(f"unknown rounding rule {rule!r}; expected ceiling or half_even")


# ---------------------------------------------------------------------------------------------------------------
# Loading and validation.


def _exact(value: Number) -> Value:
    """An int stays an int; a float is the decimal it is written as (0.1 is 1/10, never a binary fraction)."""
    return value if isinstance(value, int) else Fraction(Decimal(repr(value)))


class _Builder:
    """Collects the entries (with their lines) and the problems of one file."""

    def __init__(self, src: YamlSource) -> None:
        self.src = src
        self.entries: list[Entry] = []
        self.problems: list[Problem] = []

    def entry(self, path: PathKey, key: str, item: _Sourced, value: object) -> None:
        line = self.src.line_of(path)
        self.entries.append(Entry(key, value, item.source, item.confirmed, item.note, line))

    def fail(self, path: PathKey, message: str) -> None:
        self.problems.append(self.src.problem(path, message))

    def increasing(self, path: PathKey, values: list[Number], what: str) -> None:
        """Strictly increasing from 0; the problem names the first value out of order."""
        if len(values) < 2:
            self.fail(path, f"{what} need at least two values")
            return
        if values[0] != 0:
            self.fail((*path, 0), f"{what} must start at 0, not {values[0]}")
        for i in range(1, len(values)):
            if values[i] <= values[i - 1]:
                self.fail((*path, i), f"{what} must increase strictly: {values[i]} after {values[i - 1]}")
                return


def _shape_problems(src: YamlSource, exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[PathKey, str]] = set()
    for err in exc.errors():
        path = src.resolve(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            message = f"unknown key {err['loc'][-1]!r}"
        elif kind == "missing":
            message = f"missing key {err['loc'][-1]!r}"
        elif kind in ("int_type", "float_type") and len(err["loc"]) > 1 and err["loc"][-1] in ("int", "float"):
            message = f"must be a number, not {err['input']!r}"  # one message for the int | float union
        elif kind == "int_type":
            message = f"must be a whole number, not {err['input']!r}"
        elif kind == "bool_type":
            message = f"must be true or false, not {err['input']!r}"
        elif kind == "string_too_short":
            message = "must not be empty"
        else:
            message = err["msg"]
        if (path, message) not in seen:
            seen.add((path, message))
            problems.append(src.problem(path, message))
    return problems


def _check_limits(b: _Builder, stages: list[_Stage]) -> list[Stage]:
    out: list[Stage] = []
    first_cells: set[tuple[int, str, str]] | None = None
    for s_index, stage in enumerate(stages):
        s_path: PathKey = ("stages", s_index)
        b.entry((*s_path, "from"), f"stages[{stage.id}]", stage, (stage.start, stage.until))
        if stage.until is not None and stage.until < stage.start:
            b.fail((*s_path, "until"), f"stage {stage.id!r} ends ({stage.until}) before it begins ({stage.start})")
        limits: dict[tuple[int, str, str], Value] = {}
        for area_class in AREA_CLASSES:
            table = getattr(stage.limits, f"class_{area_class}")
            for pollutant, row in table.items():
                for statistic, cell in row.items():
                    path: PathKey = (*s_path, "limits", f"class_{area_class}", pollutant, statistic)
                    if cell.value <= 0:
                        b.fail((*path, "value"), f"a limit must be above 0, not {cell.value}")
                    key = f"stages[{stage.id}].limits.class_{area_class}.{pollutant}.{statistic}"
                    b.entry(path, key, cell, _exact(cell.value))
                    limits[(area_class, pollutant, statistic)] = _exact(cell.value)
        for pollutant, statistic in {(p, s) for _, p, s in limits}:
            missing = [c for c in AREA_CLASSES if (c, pollutant, statistic) not in limits]
            if missing:
                b.fail((*s_path, "limits"), f"{pollutant} {statistic} has no limit for class {missing[0]}")
        cells = set(limits)
        if first_cells is None:
            first_cells = cells
        elif cells != first_cells:
            differ = sorted(f"class {c} {p} {s}" for c, p, s in cells ^ first_cells)
            b.fail((*s_path, "limits"), f"stages must give the same limits; this one differs in: {', '.join(differ)}")
        out.append(Stage(stage.id, stage.name, stage.start, stage.until, MappingProxyType(limits)))
    ids = [s.id for s in stages]
    for i, stage_id in enumerate(ids):
        if stage_id in ids[:i]:
            b.fail(("stages", i, "id"), f"duplicate stage id {stage_id!r}")
    # In date order, each stage ends the day before the next begins: no overlap, no gap.
    for i in range(1, len(stages)):
        before, after = stages[i - 1], stages[i]
        if before.until is None or before.until >= after.start:
            end = "is open-ended" if before.until is None else f"runs to {before.until}"
            b.fail(("stages", i, "from"), f"stage {after.id!r} overlaps {before.id!r}, which {end}")
        elif before.until + timedelta(days=1) < after.start:
            b.fail(("stages", i, "from"), f"gap between stage {before.id!r} (to {before.until}) and {after.id!r}")
    return out


def _check_validity(b: _Builder, v: _Validity) -> Validity:
    # Bounds a count cannot exceed: hours in a day or an 8-h window, days in a year or month, windows in a day.
    bounds = {
        "min_hours_per_day": 24,
        "min_hours_per_8h": 8,
        "min_days_per_year": 366,
        "min_days_per_month": 31,
        "min_days_february": 29,
        "min_o3_windows": v.o3_windows.value,
        "o3_windows": 17,
    }
    for name, top in bounds.items():
        item: _Int = getattr(v, name)
        b.entry(("validity", name), f"validity.{name}", item, item.value)
        if not 1 <= item.value <= top:
            b.fail(("validity", name, "value"), f"{name} must be between 1 and {top}, not {item.value}")
    return Validity(**{name: getattr(v, name).value for name in bounds})


def _build(src: YamlSource, f: _File) -> Edition:
    b = _Builder(src)
    b.entry(("in_force_from",), "in_force_from", f.in_force_from, f.in_force_from.value)
    levels = f.iaqi_levels.value
    b.entry(("iaqi_levels",), "iaqi_levels", f.iaqi_levels, tuple(levels))
    b.increasing(("iaqi_levels", "value"), list(levels), "IAQI levels")

    rows: dict[tuple[str, str], tuple[Value, ...]] = {}
    for pollutant, periods in f.breakpoints.items():
        for period, row in periods.items():
            path: PathKey = ("breakpoints", pollutant, period)
            b.entry(path, f"breakpoints.{pollutant}.{period}", row, tuple(_exact(v) for v in row.value))
            b.increasing((*path, "value"), row.value, f"{pollutant} {period} breakpoints")
            if len(row.value) > len(levels):
                b.fail(
                    (*path, "value"),
                    f"{pollutant} {period}: {len(row.value)} breakpoints but only {len(levels)} IAQI levels",
                )
            rows[(pollutant, period)] = tuple(_exact(v) for v in row.value)

    not_computed: dict[tuple[str, str], Value] = {}
    for pollutant, rules in f.not_computed_above.items():
        for period, rule in rules.items():
            path = ("not_computed_above", pollutant, period)
            b.entry(path, f"not_computed_above.{pollutant}.{period}", rule, _exact(rule.value))
            if (pollutant, period) not in rows:
                b.fail(path, f"no {period} breakpoints for {pollutant} to apply this rule to")
            if rule.value < 0:
                b.fail((*path, "value"), f"must be 0 or more, not {rule.value}")
            not_computed[(pollutant, period)] = _exact(rule.value)

    categories: list[tuple[int, str]] = []
    worst = ""
    for i, cat in enumerate(f.categories):
        b.entry(("categories", i), f"categories[{cat.name}]", cat, cat.upper)
        last = i == len(f.categories) - 1
        if cat.upper is None and not last:
            b.fail(("categories", i, "upper"), "only the last category is open-ended (upper: null)")
        elif cat.upper is not None and last:
            b.fail(("categories", i, "upper"), "the last category must be open-ended (upper: null)")
        elif cat.upper is not None:
            if categories and cat.upper <= categories[-1][0]:
                b.fail(("categories", i, "upper"), f"upper bounds must increase: {cat.upper} after {categories[-1][0]}")
            categories.append((cat.upper, cat.name))
        else:
            worst = cat.name
    if not f.categories:
        b.fail(("categories",), "at least one category is needed")

    if not f.stages:
        b.fail(("stages",), "at least one stage is needed")
    elif f.stages[0].start != f.in_force_from.value:
        b.fail(("stages", 0, "from"), f"the first stage must begin on in_force_from ({f.in_force_from.value})")
    stages = _check_limits(b, f.stages)
    validity = _check_validity(b, f.validity)

    r = f.rounding
    b.entry(("rounding", "iaqi"), "rounding.iaqi", r.iaqi, r.iaqi.value)
    b.entry(("rounding", "concentrations"), "rounding.concentrations", r.concentrations, r.concentrations.value)
    b.entry(("rounding", "decimals"), "rounding.decimals", r.decimals, dict(r.decimals.value))
    for without in sorted({p for p, _ in rows} - set(r.decimals.value)):
        b.fail(("rounding", "decimals", "value"), f"no decimals given for {without}")
    for pollutant, decimals in r.decimals.value.items():
        if not 0 <= decimals <= 3:  # values are kept to 0.001: a finer step cannot be rounded to
            b.fail(("rounding", "decimals", "value", pollutant), f"decimals must be 0 to 3, not {decimals}")

    options: dict[str, bool] = {}
    for name in OPTIONS:
        flag: _Flag | None = getattr(f.options, name)
        options[name] = bool(flag and flag.value)
        if flag is not None:
            b.entry(("options", name), f"options.{name}", flag, flag.value)
    form = f.options.three_year_form
    if form is not None:
        b.entry(("options", "three_year_form"), "options.three_year_form", form, form.value)

    if b.problems:
        raise EditionError(b.problems)
    return Edition(
        id=f.id,
        name=f.name,
        file=src.file,
        note=f.note,
        in_force_from=f.in_force_from.value,
        iaqi_levels=tuple(levels),
        rows=MappingProxyType(rows),
        not_computed_above=MappingProxyType(not_computed),
        categories=tuple(categories),
        worst_category=worst,
        stages=tuple(stages),
        validity=validity,
        iaqi_rounding=r.iaqi.value,
        concentration_rounding=r.concentrations.value,
        decimals=MappingProxyType({str(p): d for p, d in r.decimals.value.items()}),
        options=MappingProxyType(options),
        entries=tuple(b.entries),
        three_year_form=form.value if form is not None else "annual_means",
    )


def edition_from_source(src: YamlSource) -> Edition:
    if not isinstance(src.data, dict):
        raise EditionError(src.problem((), "an edition file must be a YAML mapping (id, name, breakpoints …)"))
    try:
        parsed = _File.model_validate(src.data)
    except ValidationError as exc:
        raise EditionError(_shape_problems(src, exc)) from None
    return _build(src, parsed)


def load_edition(path_or_text: str | Path, name: str | None = None, *, shipped: bool = False) -> Edition:
    """An edition from a file (a :class:`~pathlib.Path`) or from YAML text (a ``str``, reported as ``name``);
    ``shipped`` for the built-in files (:func:`kaohe.core.yaml_source.parse_yaml`).

    Raises :class:`EditionError` listing every problem with file, line and key.
    """
    try:
        if isinstance(path_or_text, Path):
            src = load_yaml(path_or_text, "an edition file", shipped=shipped)
            if name is not None:
                src.file = name
        else:
            src = parse_yaml(path_or_text, name or "<string>")
    except SchemeError as exc:  # yaml_source speaks of schemes: the same problems, as an edition's
        raise EditionError(exc.problems) from None
    return edition_from_source(src)


@cache
def _builtins() -> Mapping[str, Edition]:
    out: dict[str, Edition] = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        out[path.stem] = load_edition(path, shipped=True)
    return MappingProxyType(out)


def builtin_editions() -> dict[str, Edition]:
    """The editions shipped with kaohe, by id (the file's stem): ``"2012"``, ``"2026"``."""
    return dict(_builtins())


def in_force_on(editions: Iterable[Edition], day: date) -> Edition:
    """Of ``editions``, the one in force on ``day``: the latest in force by then, else the earliest."""
    ordered = sorted(editions, key=lambda e: e.in_force_from)
    current = ordered[0]
    for edition in ordered:
        if edition.in_force_from <= day:
            current = edition
    return current


def in_force_during(editions: Iterable[Edition], first: date, last: date) -> list[Edition]:
    """Of ``editions``, those in force on some day from ``first`` to ``last``, in order: the one in force on
    ``first`` (:func:`in_force_on`) and each that comes into force after it, by ``last``."""
    ordered = sorted(editions, key=lambda e: e.in_force_from)
    return [in_force_on(ordered, first)] + [e for e in ordered if first < e.in_force_from <= last]


def edition_in_force(day: date) -> str:
    """The id of the built-in edition in force on ``day``: the latest in force by then, else the earliest."""
    return in_force_on(_builtins().values(), day).id


def auto_with(*files: Edition) -> tuple[Edition, ...]:
    """The built-in editions with an office's editions in their place, oldest first: "auto" over these.

    Each of ``files`` stands in for the built-in edition of its ``id`` (a corrected ``2026``), or is added when its
    id is new. Refused (:class:`EditionError`, naming the files): two of ``files`` with the same id or the same
    ``in_force_from``, and one whose new id shares its ``in_force_from`` with a built-in edition (which of the two
    would govern that day is not said; give it the built-in's id to stand in for it).
    """
    problems: list[Problem] = []
    for i, edition in enumerate(files):
        for earlier in files[:i]:
            if edition.id == earlier.id:
                message = f"edition id {edition.id!r} is also that of {earlier.file}: one file per edition"
            elif edition.in_force_from == earlier.in_force_from:
                message = (
                    f"edition {edition.id!r} is in force from {edition.in_force_from}, as {earlier.id!r} of "
                    f"{earlier.file} is: one edition per day"
                )
            else:
                continue
            problems.append(Problem(message, file=edition.file))
    builtins = _builtins()
    given = {e.id for e in files}
    for edition in files:
        for builtin in builtins.values():
            if builtin.id not in given and builtin.in_force_from == edition.in_force_from:
                message = (
                    f"edition {edition.id!r} is in force from {edition.in_force_from}, as the built-in edition "
                    f"{builtin.id!r} is: give it the id {builtin.id!r} to stand in for it"
                )
                problems.append(Problem(message, file=edition.file))
    if problems:
        raise EditionError(problems)
    merged = dict(builtins)
    merged.update({e.id: e for e in files})
    return tuple(sorted(merged.values(), key=lambda e: e.in_force_from))


def resolve(edition: str | Path | Edition) -> Edition:
    """A built-in edition by id (``"2026"``), or an edition file by path."""
    if isinstance(edition, Edition):
        return edition
    builtins = _builtins()
    if isinstance(edition, str) and edition in builtins:
        return builtins[edition]
    path = Path(edition)
    if path.suffix.lower() in {".yaml", ".yml"} or path.exists():
        return load_edition(path)
    raise EditionError(
        Problem(
            f"unknown edition {str(edition)!r}; built-in editions are: {', '.join(builtins)} (or give a .yaml file)"
        )
    )
