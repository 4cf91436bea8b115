"""Score a whole table of units in one vectorised pass.

    score(scheme, inputs, history)
      ├─ check_inputs()              columns, types, ranges, duplicates, sequences ⇒ InputTableError
      ├─ node scores                 vectorised.node_expr() per node; sequences score their own subset
      ├─ totals                      base_total, bonus (item caps, then total cap), deduction, final_score
      ├─ grade                       bands ⇒ downgrade ⇒ never-优秀 ⇒ veto ⇒ falsification (RULES.md §5.4)
      ├─ blocked / missing           inputs absent per unit and indicator; "block" inputs void the result
      ├─ vetoed, consequences        a veto / falsification / 一票否决 rule fired; what the fired rules declare
      └─ rank, advanced, interview,  within the sequence (seed 002 art. 16–18); vetoed units last unless
         accountability             ranking.vetoed is by_score; three consecutive unmet years (seed 002 art. 20)

Output columns: ``unit_id, unit_name, sequence``, one column per node id (None where the unit's sequence does
not score it), then:

    base_total, bonus, deduction   Float64: the base indicators' sum, the capped bonus, the capped deduction
    final_score                    Float64: base_total + bonus − deduction (None when blocked)
    grade                          String: 优秀/良好/合格/不合格 after the special rules (None when blocked or ungraded)
    rank                           Int64: place in the sequence, ties share the better place; vetoed units after
                                   the others under ranking.vetoed "last" (None when blocked)
    advanced                       Boolean: 先进; never a 不合格, vetoed or no_advanced unit (ranking.advanced_vacated
                                   says whether such a unit's slot passes on)
    interview, accountability      Boolean: 约谈 (bottom places or grades), 问责 (consecutive unmet years)
    blocked                        Boolean: a "block" input is missing, so there is no result
    missing                        List(String): "indicator/input" for every input a scored rule lacks
    flags                          List(String): ids of the special rules that fired (downgrade, never-优秀, veto,
                                   falsification, no_advanced order)
    dishonesty_record              Boolean: 政务失信记录 (a falsification rule fired; seed 000 art. 10)
    vetoed                         Boolean: a veto, falsification or no_advanced (一票否决) rule fired
                                   (scheme.VETO_GROUPS; False when blocked)
    consequences                   List(String): the ``consequence`` texts of the fired rules, in flag order —
                                   who else is affected and the clause, e.g. seed 002 art. 9(三)'s 党政主要领导、
                                   分管领导年度考核不得评优 (empty when none fired or blocked)
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from kaohe.core import values
from kaohe.core import vectorised as v
from kaohe.core.inputs import check_inputs as check_inputs  # moved; the old name stays
from kaohe.core.reference import Line, explain_reference
from kaohe.core.scheme import GRADES, Scheme, SpecialRule

FIXED_COLUMNS = [
    "base_total",
    "bonus",
    "deduction",
    "final_score",
    "grade",
    "rank",
    "advanced",
    "interview",
    "accountability",
    "blocked",
    "missing",
    "flags",
    "dishonesty_record",
    "vetoed",
    "consequences",
]
KEY_COLUMNS = ["unit_id", "unit_name", "sequence"]


def input_dtype(kind: str, item_kind: str | None) -> pl.DataType:
    """The Polars dtype of an input kind (``kaohe.core.values.dtype``)."""
    return values.dtype(kind, item_kind)


def _missing_expr(scheme: Scheme, node_ids_by_seq: dict[str, set[str]]) -> pl.Expr:
    """A list column of "indicator/input" for every input a unit's scored rules read but lacks."""
    parts = []
    for top in (*scheme.indicators, *scheme.bonus_items, *scheme.deduction_items):
        in_scope = pl.lit(True)
        if top.kind == "base":  # a base indicator counts only for the sequences that score it
            in_scope = pl.col("sequence").is_in([s for s, ids in node_ids_by_seq.items() if top.id in ids])
        for node in top.walk():
            for ref in node.inputs:
                parts.append(pl.when(in_scope & pl.col(ref).is_null()).then(pl.lit(f"{node.id}/{ref}")))
    for _group, rule in scheme.special.all_rules():
        applies = pl.lit(True) if rule.sequences is None else pl.col("sequence").is_in(rule.sequences)
        for ref in dict.fromkeys(rule.when.refs()):
            parts.append(pl.when(applies & pl.col(ref).is_null()).then(pl.lit(f"{rule.id}/{ref}")))
    if not parts:
        return pl.lit([], dtype=pl.List(pl.String))
    return pl.concat_list(parts).list.drop_nulls().list.unique(maintain_order=True)


def _grade_expr(scheme: Scheme, final: pl.Expr) -> pl.Expr:
    if scheme.grading is None:
        return pl.lit(None, dtype=pl.String)
    expr: Any = pl
    for band in scheme.grading.bands[:-1]:
        assert band.min is not None
        expr = expr.when(final >= band.min - 1e-9).then(pl.lit(band.grade))
    return expr.otherwise(pl.lit(scheme.grading.bands[-1].grade))  # type: ignore[no-any-return]


def _fires(rule: SpecialRule) -> pl.Expr:
    applies = pl.lit(True) if rule.sequences is None else pl.col("sequence").is_in(rule.sequences)
    return applies & v.cond(rule.when)


def _special_exprs(scheme: Scheme, grade: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """Grade after special rules, flags fired, dishonesty record, the no-先进 condition, vetoed (a rule of
    VETO_GROUPS fired) and the consequences the fired rules declare."""
    sp = scheme.special
    index = grade.replace_strict({g: i for i, g in enumerate(GRADES)}, default=None, return_dtype=pl.Int32)
    if sp.downgrade:
        steps = [pl.when(_fires(rule)).then(pl.lit(rule.steps)).otherwise(pl.lit(0)) for rule in sp.downgrade]
        total = pl.sum_horizontal(steps) if sp.downgrade_stacking else pl.max_horizontal(steps)
        # min_horizontal skips nulls: without grade bands (index null) the grade must stay null
        index = pl.when(index.is_not_null()).then(pl.min_horizontal(index + total, pl.lit(len(GRADES) - 1)))
    fired = [_fires(rule) for rule in sp.never_excellent]
    if fired:
        index = pl.when(pl.any_horizontal(fired) & (index == 0)).then(pl.lit(1)).otherwise(index)
    fail = [_fires(rule) for rule in (*sp.veto, *sp.falsification)]
    if fail:
        index = pl.when(pl.any_horizontal(fail) & index.is_not_null()).then(pl.lit(len(GRADES) - 1)).otherwise(index)
    new_grade = index.replace_strict(dict(enumerate(GRADES)), default=None, return_dtype=pl.String)
    ordered = sp.in_flag_order()
    flag_parts = [pl.when(_fires(rule)).then(pl.lit(rule.id)) for rule in ordered]
    flags = pl.concat_list(flag_parts).list.drop_nulls() if flag_parts else pl.lit([], dtype=pl.List(pl.String))
    dishonest = pl.any_horizontal([_fires(rule) for rule in sp.falsification]) if sp.falsification else pl.lit(False)
    no_adv = pl.any_horizontal([_fires(rule) for rule in sp.no_advanced]) if sp.no_advanced else pl.lit(False)
    vetoing = sp.vetoing()
    vetoed = pl.any_horizontal([_fires(rule) for rule in vetoing]) if vetoing else pl.lit(False)
    # seed 002 art. 9(三): the consequence of 一票否决 for others (leaders' 评优) is recorded on the result
    said = [pl.when(_fires(rule)).then(pl.lit(rule.consequence)) for rule in ordered if rule.consequence]
    consequences = (
        pl.concat_list(said).list.drop_nulls().list.unique(maintain_order=True)
        if said
        else pl.lit([], dtype=pl.List(pl.String))
    )
    return new_grade, flags, dishonest, no_adv, vetoed, consequences


def score(
    scheme: Scheme,
    inputs: pl.DataFrame,
    history: pl.DataFrame | None = None,
    *,
    year: int | None = None,
    checked: bool = False,
) -> pl.DataFrame:
    """Score every unit of ``inputs`` (one row per unit) under ``scheme``; see the module docstring.

    ``year`` is the assessment year the accountability rule counts back from (default: the scheme's year);
    ``checked=True`` skips :func:`check_inputs` for a frame that already passed it.
    """
    frame = inputs if checked else check_inputs(scheme, inputs)
    node_ids_by_seq = {s.id: set(scheme.top_ids_for(s.id)) for s in scheme.sequences}
    columns: list[pl.Expr] = []
    for top in scheme.indicators:
        seqs = [s for s, ids in node_ids_by_seq.items() if top.id in ids]
        in_scope = pl.col("sequence").is_in(seqs)
        for node in top.walk():
            columns.append(pl.when(in_scope).then(v.node_expr(node)).otherwise(None).alias(node.id))
    for top in (*scheme.bonus_items, *scheme.deduction_items):
        for node in top.walk():
            columns.append(v.node_expr(node).alias(node.id))
    lf = frame.lazy().with_columns(columns)
    base_total = pl.sum_horizontal([pl.col(n.id).fill_null(0.0) for n in scheme.indicators])
    bonus = pl.sum_horizontal([pl.col(n.id) for n in scheme.bonus_items]) if scheme.bonus_items else pl.lit(0.0)
    if scheme.bonus_cap is not None:
        cap = pl.lit(scheme.bonus_cap)
        if scheme.bonus_cap_input is not None:  # the office's decision for a unit replaces the cap (原则上)
            cap = pl.col(scheme.bonus_cap_input).cast(pl.Float64).fill_null(cap)
        bonus = pl.min_horizontal(cap, bonus)
    deduction = (
        pl.sum_horizontal([pl.col(n.id) for n in scheme.deduction_items]) if scheme.deduction_items else pl.lit(0.0)
    )
    if scheme.deduction_cap is not None:
        deduction = pl.min_horizontal(pl.lit(scheme.deduction_cap), deduction)
    lf = lf.with_columns(
        base_total.cast(pl.Float64).alias("base_total"),
        bonus.cast(pl.Float64).alias("bonus"),
        deduction.cast(pl.Float64).alias("deduction"),
        _missing_expr(scheme, node_ids_by_seq).alias("missing"),
    )
    final = pl.col("base_total") + pl.col("bonus") - pl.col("deduction")
    if scheme.final_floor is not None:
        final = pl.max_horizontal(pl.lit(scheme.final_floor), final)
    block_inputs = [i.id for i in scheme.inputs if scheme.missing_policy_of(i.id) == "block"]
    blocked = (
        pl.col("missing").list.eval(pl.element().str.split("/").list.last().is_in(block_inputs)).list.any()
        if block_inputs
        else pl.lit(False)
    )
    lf = lf.with_columns(blocked.fill_null(False).alias("blocked"), final.round(9).alias("_final"))
    grade, flags, dishonest, no_adv, vetoed, consequences = _special_exprs(
        scheme, _grade_expr(scheme, pl.col("_final"))
    )
    lf = lf.with_columns(
        pl.when(pl.col("blocked")).then(None).otherwise(pl.col("_final")).alias("final_score"),
        pl.when(pl.col("blocked")).then(None).otherwise(grade).alias("grade"),
        flags.alias("flags"),
        (dishonest & ~pl.col("blocked")).alias("dishonesty_record"),
        # a blocked unit has no result to set aside or to attach consequences to (as dishonesty_record)
        (vetoed & ~pl.col("blocked")).alias("vetoed"),
        pl.when(pl.col("blocked"))
        .then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(consequences)
        .alias("consequences"),
        no_adv.alias("_no_adv"),
    )
    lf = _ranking(scheme, lf)
    lf = _accountability(scheme, lf, history, scheme.year if year is None else year)
    node_cols = [n.id for n in scheme.nodes()]
    return lf.select([*KEY_COLUMNS, *node_cols, *FIXED_COLUMNS]).collect()


def _places(final: pl.Expr, method: Any) -> pl.Expr:
    return final.rank(method=method, descending=True).over("sequence")


def _ranking(scheme: Scheme, lf: pl.LazyFrame) -> pl.LazyFrame:
    final = pl.col("final_score")
    ranking = scheme.ranking
    vetoed = pl.col("vetoed")
    if ranking.vetoed == "last":
        # vetoed units after all the others (seed 001 四(三)1 否决 ⇒ 不合格 whatever the score), by score among
        # themselves: place = (units not vetoed) + place among the vetoed
        clean, dirty = pl.when(~vetoed).then(final), pl.when(vetoed).then(final)
        others = clean.count().over("sequence")
        rank = pl.when(vetoed).then(others + _places(dirty, "min")).otherwise(_places(clean, "min"))
        rank_max = pl.when(vetoed).then(others + _places(dirty, "max")).otherwise(_places(clean, "max"))
    else:
        rank, rank_max = _places(final, "min"), _places(final, "max")
    n = final.count().over("sequence").cast(pl.Int64)
    if ranking.advanced is not None:
        # exact integer arithmetic on the fraction: ⌊n·p/q⌋, ⌈n·p/q⌉ or round half up
        num, den = n * ranking.advanced.fraction.numerator, ranking.advanced.fraction.denominator
        k = {"floor": num // den, "ceil": -((-num) // den), "round": (2 * num + den) // (2 * den)}[
            ranking.advanced.rounding
        ]
        # a 不合格 unit is never 先进; nor is a vetoed one (seed 002 art. 9(三) 不得评为先进单位) or a no_advanced one
        eligible = ~vetoed & ~pl.col("_no_adv") & (pl.col("grade") != "不合格").fill_null(True)
        if ranking.advanced_vacated == "pass_on":  # the k best-placed eligible units (ties share the better place)
            advanced = _places(pl.when(eligible).then(final), "min") <= k
        else:  # only units placed within the first k: an ineligible unit's slot stays empty
            advanced = eligible & (rank <= k)
    else:
        advanced = pl.lit(False)
    interview = pl.lit(False)
    if ranking.interview is not None:
        if ranking.interview.bottom:
            interview = rank_max > (n - ranking.interview.bottom)
        if ranking.interview.grades:
            interview = interview | pl.col("grade").is_in(ranking.interview.grades)
    return lf.with_columns(
        rank.cast(pl.Int64).alias("rank"),
        advanced.fill_null(False).alias("advanced"),
        interview.fill_null(False).alias("interview"),
    )


def _accountability(scheme: Scheme, lf: pl.LazyFrame, history: pl.DataFrame | None, year: int) -> pl.LazyFrame:
    rule = scheme.ranking.accountability
    if rule is None:
        return lf.with_columns(pl.lit(False).alias("accountability"))
    unmet = rule.unmet_grades
    now = pl.col("grade").is_in(unmet).fill_null(False)
    earlier_years = list(range(year - rule.years + 1, year))
    if history is None or history.is_empty():
        return lf.with_columns(pl.lit(False).alias("accountability"))
    past = (
        history.lazy()
        .select(pl.col("unit_id").cast(pl.String), pl.col("year").cast(pl.Int64), pl.col("grade").cast(pl.String))
        .filter(pl.col("year").is_in(earlier_years) & pl.col("grade").is_in(unmet))
        .group_by("unit_id")
        .agg(pl.col("year").n_unique().alias("_unmet_years"))
    )
    return lf.join(past, on="unit_id", how="left", maintain_order="left").with_columns(
        (now & (pl.col("_unmet_years").fill_null(0) == len(earlier_years))).alias("accountability")
    )


def explain(scheme: Scheme, inputs: pl.DataFrame, unit_id: str) -> list[Line]:
    """Every point gained or lost by ``unit_id``, with the rule that caused it (Chinese reasons)."""
    frame = check_inputs(scheme, inputs)
    rows = frame.to_dicts()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                row[key] = None
    return explain_reference(scheme, rows, str(unit_id))


def explain_all(scheme: Scheme, frame: pl.DataFrame) -> list[tuple[str, Line]]:
    """Explanation lines of every unit of an already checked frame, as (unit_id, line)."""
    from kaohe.core.reference import evaluate_unit

    rows = frame.to_dicts()
    by_seq: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_seq.setdefault(row["sequence"], []).append(row)
    out: list[tuple[str, Line]] = []
    for row in rows:
        out += [(row["unit_id"], line) for line in evaluate_unit(scheme, row, by_seq[row["sequence"]])[1]]
    return out
