"""Read-only numbers for the dashboard and the public notice (通报); the charts receive them as JSON."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.utils import timezone

from kaohe.assessments import schemes
from kaohe.assessments.models import Assessment, Cycle, Result, SelfEvaluation, State, late_steps
from kaohe.assessments.todo import evaluation_overdue
from kaohe.core import Scheme
from kaohe.core.scheme import GRADES, VETO_GROUPS

DONE = (SelfEvaluation.ItemStatus.ACCEPTED, SelfEvaluation.ItemStatus.CHANGED)


# The progress table shows one page of units at a time: a province's 3,000-unit cycle made a 1.5 MB page that took
# 0.6 s of CPU to render (benchmarks/web_load.py); the counts above the table cover every unit.
PROGRESS_PAGE_SIZE = 50


def state_counts(cycle: Cycle) -> Counter[str]:
    """The number of the cycle's units in each state, counted by the database."""
    rows = Assessment.objects.filter(cycle=cycle).values_list("state").annotate(n=Count("id")).order_by()
    return Counter({state: n for state, n in rows})


def overdue_counts(cycle: Cycle, states: Counter[str], today: dt.date | None = None) -> tuple[int, int]:
    """(units late with their self-evaluation, units whose verification is late), as ``Assessment.overdue_step``
    decides for each unit: the deadline is the cycle's, so the count follows from the states."""
    late = dict(late_steps(cycle, today or timezone.localdate()))
    own, verification = (sum(states[s] for s in late.get(step, ())) for step in ("self_evaluation", "verification"))
    return own, verification


def overdue_filter(cycle: Cycle, today: dt.date | None = None) -> Q:
    """The units with an overdue step (``Assessment.overdue_step``) as a query; matches nothing when none is."""
    owing = [s for _step, states in late_steps(cycle, today or timezone.localdate()) for s in states]
    return Q(state__in=owing) if owing else Q(pk__in=[])


@dataclass(frozen=True)
class ProgressFilters:
    """The progress table's filters (all optional): a state, only overdue units, a unit's name or code."""

    state: str = ""
    overdue: bool = False
    unit: str = ""


def progress_page(
    cycle: Cycle, filters: ProgressFilters, page_number: Any = 1, today: dt.date | None = None
) -> tuple[Page[Assessment], list[dict[str, Any]]]:
    """One page of the progress table, in the scheme's sequence order and then by unit code, and its rows: each
    unit's state, who owes its overdue step, and its items verified / returned (counted for this page only)."""
    scheme = schemes.load(cycle.scheme_ref)
    assessments = Assessment.objects.filter(cycle=cycle).select_related("unit", "cycle")
    if filters.state:
        assessments = assessments.filter(state=filters.state)
    if filters.overdue:
        assessments = assessments.filter(overdue_filter(cycle, today))
    if filters.unit:
        assessments = assessments.filter(Q(unit__code=filters.unit) | Q(unit__name__icontains=filters.unit))
    page = Paginator(assessments.order_by("sequence", "unit__code", "pk"), PROGRESS_PAGE_SIZE).get_page(page_number)
    ids = [a.pk for a in page.object_list]
    counted = (
        SelfEvaluation.objects.filter(assessment_id__in=ids)
        .values("assessment_id")
        .annotate(
            n_items=Count("id"),
            n_verified=Count("id", filter=Q(status__in=DONE)),
            n_returned=Count("id", filter=Q(status=SelfEvaluation.ItemStatus.RETURNED)),
        )
        .order_by()
    )
    counts = {row["assessment_id"]: row for row in counted}
    sequence_names = {s.id: s.name for s in scheme.sequences}
    # Each state's label once: Assessment.get_state_display() hashes the translated choices on every call.
    state_labels = {s.value: str(s.label) for s in State}
    rows = []
    for a in page.object_list:
        n = counts.get(a.pk, {})
        n_items, n_verified = n.get("n_items", 0), n.get("n_verified", 0)
        rows.append(
            {
                "a": a,
                "state": state_labels.get(a.state, a.state),
                "overdue": a.overdue_text(today),  # who owes the overdue step, in words ("" when none)
                "n_items": n_items,
                "n_verified": n_verified,
                "n_returned": n.get("n_returned", 0),
                "pct": round(100 * n_verified / n_items) if n_items else 0,
                "sequence": sequence_names.get(a.sequence, a.sequence),
            }
        )
    return page, rows


def dashboard_data(cycle: Cycle, *, with_results: bool = True, today: dt.date | None = None) -> dict[str, Any]:
    """The counts per state and of overdue steps; with ``with_results`` also the score charts (for those who may
    see results). The per-unit table is :func:`progress_page`.

    逾期 is per step and party (``Assessment.overdue_step``): a unit that has not submitted, a verification still
    open (the lead units' step) — each on the unit's row with who owes it — and the office's 综合评价, one line for
    the cycle (``evaluation_overdue``), never on a unit's row."""
    scheme = schemes.load(cycle.scheme_ref)
    sequence_names = {s.id: s.name for s in scheme.sequences}
    states = state_counts(cycle)
    overdue_units, overdue_verification = overdue_counts(cycle, states, today)
    results = (
        describe(
            cycle, Result.objects.filter(cycle=cycle).select_related("assessment__unit").order_by("sequence", "rank")
        )
        if with_results
        else []
    )
    order = [s.value for s in State]
    charts: dict[str, Any] = {
        "states": [
            {"name": State(s).label, "value": n} for s, n in sorted(states.items(), key=lambda kv: order.index(kv[0]))
        ]
    }
    if results:
        scores = [r.final_score for r in results if r.final_score is not None]
        charts["distribution"] = histogram(scores)
        charts["ranking"] = [
            {
                "sequence": sequence_names.get(seq, seq),
                "units": [r.assessment.unit.name for r in results if r.sequence == seq],
                "scores": [r.final_score for r in results if r.sequence == seq],
            }
            for seq in dict.fromkeys(r.sequence for r in results)
        ]
        charts["heatmap"] = heatmap(scheme, results)
    return {
        "state_counts": states,
        "states": [(State(s).label, states[s]) for s in order if states[s]],
        "overdue_units": overdue_units,
        "overdue_verification": overdue_verification,
        "evaluation_overdue": evaluation_overdue(cycle, states, today),
        "results": results,
        # The office's list of 政务失信记录 (seed 000 第十条), with the reason in words.
        "dishonesty": [r for r in results if r.dishonesty_record],
        "charts": charts,
        "sequence_names": sequence_names,
    }


def histogram(scores: list[float], bins: int = 10) -> dict[str, list[Any]]:
    if not scores:
        return {"labels": [], "counts": []}
    low, high = min(scores), max(scores)
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for s in scores:
        counts[min(int((s - low) / width), bins - 1)] += 1
    labels = [f"{low + i * width:.0f}–{low + (i + 1) * width:.0f}" for i in range(bins)]
    return {"labels": labels, "counts": counts}


def flag_names(cycle: Cycle, flags: list[Any]) -> list[str]:
    """The special rules that fired, by their names in the scheme (the result stores their ids; users see words)."""
    scheme = schemes.load(cycle.scheme_ref)
    names = {rule.id: rule.name for _, rule in scheme.special.all_rules()}
    return [names.get(str(flag), "（方案中已无此规则）") for flag in flags]


# Seed 000 第十条: "对于徇私舞弊、谎报瞒报、篡改数据、伪造资料等造成考核结果严重失真失实的，考核等级直接确定为
# 不合格，将相关信息纳入政务失信记录" — the clause every falsification rule (and so every 政务失信记录) rests on.
DISHONESTY_CLAUSE = "《吉林省污染防治攻坚战成效考核实施方案》第十条"


@dataclass(frozen=True)
class Notes:
    """What a stored result's flags mean, in words, for every page and document that shows the result."""

    sequence: str  # the sequence's name, never its id
    rules: list[str]  # every special rule that fired, by name
    veto_rules: list[str]  # the fired veto / falsification / 一票否决 rules, by name
    dishonesty: str  # why the unit has a 政务失信记录, "" when it has none
    consequences: list[str]  # the stored consequences of the veto (seed 002 第九条(三)), as the scheme words them

    @property
    def vetoed_text(self) -> str:
        return "、".join(self.veto_rules) or "一票否决"

    @property
    def other_rules(self) -> list[str]:
        """The fired rules that are not a veto (降档, 不得评为优秀)."""
        return [name for name in self.rules if name not in self.veto_rules]


def notes_for(scheme: Scheme, result: Result) -> Notes:
    """The words for one result. Reads only what the evaluation stored (flags, dishonesty_record, consequences)."""
    rules = {rule.id: (group, rule.name) for group, rule in scheme.special.all_rules()}
    fired = [rules[str(f)] for f in result.flags if str(f) in rules]
    dishonesty = ""
    if result.dishonesty_record:
        # the fired falsification rule's name and the seed clause (seed 000 第十条)
        reasons = "、".join(name for group, name in fired if group == "falsification") or "数据造假"
        dishonesty = f"{reasons}（依据{DISHONESTY_CLAUSE}纳入政务失信记录）"
    names = {s.id: s.name for s in scheme.sequences}
    return Notes(
        sequence=names.get(result.sequence, result.sequence),
        rules=[name for _, name in fired],
        veto_rules=[name for group, name in fired if group in VETO_GROUPS],
        dishonesty=dishonesty,
        consequences=[str(c) for c in result.consequences],
    )


def result_notes(cycle: Cycle, result: Result) -> Notes:
    return notes_for(schemes.load(cycle.scheme_ref), result)


def describe(cycle: Cycle, results: Iterable[Result]) -> list[Result]:
    """The results, each with ``.notes`` (see :class:`Notes`) for the templates."""
    scheme = schemes.load(cycle.scheme_ref)
    out = list(results)
    for r in out:
        setattr(r, "notes", notes_for(scheme, r))  # noqa: B010 (a template attribute, not a model field)
    return out


def heatmap(scheme: Scheme, results: list[Result]) -> dict[str, Any]:
    """Points lost per unit and indicator (points − score), the indicators where most was lost first.

    Columns are the top-level indicators, or their children when a scheme has only a few broad aspects (seed 001
    has four), so that the map says where the points went."""
    tops = [n for n in scheme.indicators if n.points]
    if len(tops) < 8:
        tops = [c for n in tops for c in (n.children or [n]) if c.points]
    lost: list[list[float]] = []
    for r in results:
        lost.append([max(0.0, (n.points or 0.0) - float(r.scores.get(n.id) or 0.0)) for n in tops])
    totals = [sum(row[j] for row in lost) for j in range(len(tops))]
    order = sorted(range(len(tops)), key=lambda j: -totals[j])[:20]
    cells = [[jx, i, round(lost[i][j], 2)] for i in range(len(results)) for jx, j in enumerate(order)]
    return {
        "indicators": [f"{tops[j].id} {tops[j].name[:12]}" for j in order],
        "units": [r.assessment.unit.name for r in results],
        "cells": cells,
        "max": max((c[2] for c in cells), default=1) or 1,
        "height": max(360, 18 * len(results) + 180),
    }


# ------------------------------------------------------------------------------------------------ publication
@dataclass(frozen=True)
class SequenceList:
    id: str
    name: str  # the sequence's name, never its id
    results: list[Result]


@dataclass(frozen=True)
class Publication:
    """What a cycle publishes, built once by :func:`publication` for the public page, the results workbook and the
    通报, so the three never disagree. ``results`` are every stored result in the published order (the scheme's
    sequences in the scheme's order; within one, by rank, an unranked (blocked) unit last, ties by unit code), each
    with ``.notes`` (:class:`Notes`); the lists are drawn from the stored flags, never recomputed from the ranks."""

    scheme: Scheme
    results: list[Result]
    sequences: list[SequenceList]
    advanced: list[Result]
    interview: list[Result]
    accountability: list[Result]
    # 一票否决 with its consequences (seed 002 第九条(三)) and 政务失信记录 with its reason (seed 000 第十条)
    vetoed: list[Result]
    dishonesty: list[Result]
    grades: list[tuple[str, int]]  # (grade, number of units), best grade first (kaohe.core.scheme.GRADES)

    def notes(self, result: Result) -> Notes:
        """The words for one of ``results`` (the templates read the same as ``result.notes``)."""
        notes: Notes = getattr(result, "notes")  # noqa: B009 (set by publication(); not a model field)
        return notes

    @property
    def flagged(self) -> list[Result]:
        """The results a veto, its consequences or a 政务失信记录 concern."""
        return [r for r in self.results if r.vetoed or r.consequences or r.dishonesty_record]


def grade_counts(grades: Iterable[str]) -> list[tuple[str, int]]:
    """(grade, count), in the core's order (GRADES, best first); a grade the core does not know comes after."""
    counts = Counter(g for g in grades if g)
    rank = {g: n for n, g in enumerate(GRADES)}
    return sorted(counts.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def publication(cycle: Cycle, *, details: bool = False) -> Publication:
    """The cycle's published lists (:class:`Publication`). ``details`` also reads each result's scores, inputs
    and missing data (the workbook needs them; the public page and the 通报 do not)."""
    scheme = schemes.load(cycle.scheme_ref)
    rows = Result.objects.filter(cycle=cycle).select_related("assessment__unit")
    if not details:
        rows = rows.defer("inputs", "scores", "missing")  # large JSON the lists do not show
    order = {s.id: n for n, s in enumerate(scheme.sequences)}
    results = sorted(
        rows,
        key=lambda r: (
            order.get(r.sequence, len(order)),
            r.sequence,
            r.rank is None,
            r.rank or 0,
            r.assessment.unit.code,
        ),
    )
    for r in results:
        setattr(r, "notes", notes_for(scheme, r))  # noqa: B010 (a template attribute, not a model field)
    names = {s.id: s.name for s in scheme.sequences}
    return Publication(
        scheme=scheme,
        results=results,
        sequences=[
            SequenceList(seq, names.get(seq, seq), [r for r in results if r.sequence == seq])
            for seq in dict.fromkeys(r.sequence for r in results)
        ],
        advanced=[r for r in results if r.advanced],
        interview=[r for r in results if r.interview],
        accountability=[r for r in results if r.accountability],
        vetoed=[r for r in results if r.vetoed or r.consequences],
        dishonesty=[r for r in results if r.dishonesty_record],
        grades=grade_counts(r.grade for r in results),
    )


def public_data(cycle: Cycle) -> Publication:
    """The public 通报 page's data: the same lists as the Word 通报 and the results workbook."""
    return publication(cycle)
