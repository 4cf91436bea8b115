"""Ranking history across years (issue 10 §4): a unit's rank, score and grade in every cycle of its assessment series.

The series is the one the 问责 rule counts (``evaluation.history_frame``): cycles of the same scheme id (an uploaded
scheme's YAML ``id``), a year counting once its results are approved (审定) — or, for the public and the units,
once published (通报): an anonymous visitor never sees an unpublished cycle. Each function reads every year in one
query.

    unit_history(unit, scheme_id, published_only)        rows for one unit's page (table and line chart)
    sequence_history(cycle, names, published_only)       per sequence: every unit's ranks over the years (chart)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from kaohe.assessments.models import Cycle, Result, State, Unit

FIELDS = (
    "cycle_id",
    "cycle__year",
    "cycle__name",
    "assessment__unit__code",
    "assessment__unit__name",
    "sequence",
    "rank",
    "final_score",
    "grade",
)


@dataclass(frozen=True)
class Year:
    cycle_id: int
    year: int
    cycle_name: str
    sequence: str
    rank: int | None
    score: float | None
    grade: str


def _series(scheme_id: str, *, published_only: bool, up_to_year: int | None = None) -> QuerySet[Result]:
    if published_only:
        found = Result.objects.filter(cycle__published_at__isnull=False, assessment__state=State.PUBLISHED)
    else:
        found = Result.objects.filter(assessment__state__in=[State.APPROVED, State.PUBLISHED])
    found = found.filter(cycle__scheme_id=scheme_id)
    if up_to_year is not None:
        found = found.filter(cycle__year__lte=up_to_year)
    return found.order_by("cycle__year", "cycle_id")


def unit_history(unit: Unit, scheme_id: str, *, published_only: bool) -> list[Year]:
    """The unit's years of the series, oldest first."""
    rows = _series(scheme_id, published_only=published_only).filter(assessment__unit=unit).values(*FIELDS)
    return [
        Year(
            cycle_id=row["cycle_id"],
            year=row["cycle__year"],
            cycle_name=row["cycle__name"],
            sequence=row["sequence"],
            rank=row["rank"],
            score=row["final_score"],
            grade=row["grade"],
        )
        for row in rows
    ]


def unit_chart(years: list[Year]) -> dict[str, Any] | None:
    """The unit page's line chart (json_script ``history-data``): one line of ranks, the score beside it."""
    if not years:
        return None
    return {
        "kind": "unit",
        "labels": [str(y.year) for y in years],
        "ranks": [y.rank for y in years],
        "scores": [y.score for y in years],
        "grades": [y.grade for y in years],
    }


def sequence_history(
    cycle: Cycle, names: Mapping[str, str], *, published_only: bool, unit_codes: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """Per sequence (``names``: id → name, unknown ids shown as they are), the cycles of the series up to this cycle's
    year as columns and one row per unit that was ranked in any of them: ``{"sequence", "labels", "units":
    [{"code", "name", "ranks", "cells"}]}``, ``ranks`` aligned with ``labels`` (None where the unit was not
    assessed), ``cells`` the table's text per year. Empty when no year of the series has results yet.
    ``unit_codes`` limits the rows to those units (a province's dashboard shows the units of its table's page)."""
    series = _series(cycle.scheme_id, published_only=published_only, up_to_year=cycle.year)
    if unit_codes is not None:
        series = series.filter(assessment__unit__code__in=list(unit_codes))
    rows = list(series.values(*FIELDS))
    out: list[dict[str, Any]] = []
    for seq in dict.fromkeys(row["sequence"] for row in sorted(rows, key=lambda r: r["sequence"])):
        mine = [row for row in rows if row["sequence"] == seq]
        cycles = list(dict.fromkeys((row["cycle__year"], row["cycle_id"], row["cycle__name"]) for row in mine))
        years = [c[0] for c in cycles]
        # Two cycles of one series in one year (rare: a re-run) are told apart by their names.
        labels = [str(y) if years.count(y) == 1 else f"{y} {name}" for y, _, name in cycles]
        column = {c[1]: i for i, c in enumerate(cycles)}
        units: dict[str, dict[str, Any]] = {}
        for row in mine:
            code = row["assessment__unit__code"]
            unit = units.setdefault(
                code,
                {
                    "code": code,
                    "name": row["assessment__unit__name"],
                    "ranks": [None] * len(cycles),
                    "cells": [""] * len(cycles),
                },
            )
            i = column[row["cycle_id"]]
            unit["ranks"][i] = row["rank"]
            score = "—" if row["final_score"] is None else f"{row['final_score']:.2f}"
            unit["cells"][i] = f"{row['rank'] or '—'} · {score} · {row['grade'] or '—'}"
        ordered = sorted(units.values(), key=lambda u: (u["ranks"][-1] is None, u["ranks"][-1] or 0, u["code"]))
        out.append({"sequence": names.get(seq, seq), "labels": labels, "units": ordered})
    return out
