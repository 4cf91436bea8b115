"""The comprehensive evaluation (综合评价): database rows → the core's input frame → ``kaohe.score`` → Result rows.

Which value the engine scores, per unit and input (documented in the operator guide too):

1. the verified value, where the lead unit accepted or changed the item (a reported value the verifier emptied is
   missing, not the unit's figure);
2. otherwise the value imported from monitoring output files (a measurement beats the unit's own figure);
3. otherwise the unit's self-reported value (items never verified, e.g. an optional bonus item left empty);
4. target inputs come from the unit's responsibility letter.

A value missing everywhere is passed as null and the engine applies the scheme's missing policy (and lists it in
``missing``). History for the three-year accountability rule comes from the results of earlier cycles.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl
from django.core.cache import cache
from django.utils import timezone

import kaohe
from kaohe.assessments import schemes
from kaohe.assessments.models import (
    Assessment,
    Cycle,
    ImportedValue,
    ResponsibilityLetter,
    Result,
    SelfEvaluation,
    State,
)
from kaohe.core import InputDef, Line, Scheme, values


def _dtype(inp: InputDef) -> pl.DataType:
    """The core's one dtype per input kind (integer is Float64 there and here)."""
    return values.input_dtype(inp)


def frame_from_rows(scheme: Scheme, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {"unit_id": pl.String(), "unit_name": pl.String(), "sequence": pl.String()}
    for inp in scheme.inputs:
        schema[inp.id] = _dtype(inp)
    return pl.DataFrame([{k: row.get(k) for k in schema} for row in rows], schema=schema, orient="row")


def input_rows(cycle: Cycle) -> list[dict[str, Any]]:
    """One dict per unit of the cycle: unit_id, unit_name, sequence and every input value, by the precedence in the
    module docstring. This is the only place that precedence is applied: a value read elsewhere (a screen, a
    workbook) that should agree with the score must come from here, not from an item's own values."""
    scheme = schemes.load(cycle.scheme_ref)
    input_ids = [inp.id for inp in scheme.inputs]
    letters = {letter.unit_id: letter.targets for letter in ResponsibilityLetter.objects.filter(cycle=cycle)}
    imported: dict[tuple[int, str], Any] = {
        (iv.unit_id, iv.input_id): iv.value for iv in ImportedValue.objects.filter(cycle=cycle)
    }
    items_by_assessment: dict[int, list[SelfEvaluation]] = {}
    for item in SelfEvaluation.objects.filter(assessment__cycle=cycle).select_related("verification"):
        items_by_assessment.setdefault(item.assessment_id, []).append(item)
    rows = []
    for assessment in Assessment.objects.filter(cycle=cycle).select_related("unit").order_by("unit__code"):
        row: dict[str, Any] = {
            "unit_id": assessment.unit.code,
            "unit_name": assessment.unit.name,
            "sequence": assessment.sequence,
        }
        row.update(dict.fromkeys(input_ids))
        for item in items_by_assessment.get(assessment.pk, []):
            verified = item.status in (SelfEvaluation.ItemStatus.ACCEPTED, SelfEvaluation.ItemStatus.CHANGED)
            verification = getattr(item, "verification", None) if verified else None
            for input_id, self_value in item.values.items():
                value = self_value
                if (assessment.unit_id, input_id) in imported:
                    value = imported[(assessment.unit_id, input_id)]
                if verification is not None and input_id in verification.values:
                    checked = verification.values[input_id]
                    # A value the verifier emptied (a reason is required) is not established: it is missing, and
                    # the scheme's missing policy applies, rather than falling back to the figure the unit gave.
                    if checked is not None or self_value is not None:
                        value = checked
                row[input_id] = value
        for input_id, value in letters.get(assessment.unit_id, {}).items():
            row[input_id] = value
        for (unit_id, input_id), value in imported.items():
            if unit_id == assessment.unit_id and row.get(input_id) is None:
                row[input_id] = value
        rows.append(row)
    return rows


def history_frame(cycle: Cycle) -> pl.DataFrame | None:
    """The grades of the earlier years of the cycle's assessment series, for the accountability rule.

    Seed 002 第二十条: "连续3年未完成县委、县政府下达的环境保护年度目标任务的，按规定启动问责程序" — the years of one
    assessment: the same scheme family (``Cycle.scheme_id``, which for an uploaded scheme is its YAML ``id``) and the
    same units (rows of units outside this cycle never count). A year counts once its result is the 考评结果, i.e.
    审定 (第十六条 "经县委、县政府审定后…通报"): an evaluation still waiting for approval, or sent back, may change."""
    earlier = Result.objects.filter(
        cycle__scheme_id=cycle.scheme_id,
        cycle__year__lt=cycle.year,
        assessment__unit__in=cycle.assessments.values("unit_id"),
        assessment__state__in=[State.APPROVED, State.PUBLISHED],
    ).select_related("assessment__unit", "cycle")
    rows = [{"unit_id": r.assessment.unit.code, "year": r.cycle.year, "grade": r.grade} for r in earlier]
    if not rows:
        return None
    return pl.DataFrame(rows, schema={"unit_id": pl.String(), "year": pl.Int64(), "grade": pl.String()})


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def evaluate(cycle: Cycle) -> dict[str, dict[str, Any]]:
    """Score the whole cycle and replace its Result rows. Returns unit code → summary (for the audit entry).
    Call inside the caller's transaction."""
    scheme = schemes.load(cycle.scheme_ref)
    rows = input_rows(cycle)
    # The accountability rule counts back from the cycle's year, not the scheme's (a scheme is reused for years).
    frame = kaohe.score(scheme, frame_from_rows(scheme, rows), history=history_frame(cycle), year=cycle.year)
    inputs_by_unit = {row["unit_id"]: row for row in rows}
    assessments = {a.unit.code: a for a in Assessment.objects.filter(cycle=cycle).select_related("unit")}
    indicator_ids = {n.id for n in schemes.nodes(scheme)}
    now = timezone.now()
    Result.objects.filter(cycle=cycle).delete()
    summary: dict[str, dict[str, Any]] = {}
    results = []
    for out in frame.to_dicts():
        code = str(out["unit_id"])
        out = {k: _json_safe(v) for k, v in out.items()}
        results.append(
            Result(
                cycle=cycle,
                assessment=assessments[code],
                sequence=out["sequence"],
                final_score=out.get("final_score"),
                base_total=out.get("base_total"),
                bonus=out.get("bonus"),
                deduction=out.get("deduction"),
                grade=out.get("grade") or "",
                rank=out.get("rank"),
                advanced=bool(out.get("advanced")),
                interview=bool(out.get("interview")),
                accountability=bool(out.get("accountability")),
                blocked=bool(out.get("blocked")),
                # The core's flags as it computed them: 政务失信记录 (seed 000 第十条), one-vote veto and its
                # consequences (seed 002 第九条(三)). 先进 above is the core's too: nothing here recomputes it.
                dishonesty_record=bool(out.get("dishonesty_record")),
                vetoed=bool(out.get("vetoed")),
                consequences=[str(c) for c in out.get("consequences") or []],
                flags=list(out.get("flags") or []),
                missing=list(out.get("missing") or []),
                scores={k: v for k, v in out.items() if k in indicator_ids},
                inputs=inputs_by_unit[code],
                computed_at=now,
            )
        )
        summary[code] = {"final_score": out.get("final_score"), "grade": out.get("grade"), "rank": out.get("rank")}
    Result.objects.bulk_create(results)
    return summary


def explain_result(result: Result) -> list[Line]:
    """The engine's explanation of every point the unit gained or lost, from the inputs stored at evaluation
    (ranked rules need the whole pool: every unit of the result's sequence, the only pool a unit is ranked in).

    A Result row never changes (a new evaluation replaces the rows), so the lines are cached by row and time."""
    key = f"kaohe:explain:{result.pk}:{result.computed_at.timestamp()}"
    lines: list[Line] | None = cache.get(key)
    if lines is None:
        scheme = schemes.load(result.cycle.scheme_ref)
        pool = Result.objects.filter(cycle=result.cycle_id, sequence=result.sequence).only("inputs")
        rows = [r.inputs for r in pool]
        lines = list(kaohe.explain(scheme, frame_from_rows(scheme, rows), result.assessment.unit.code))
        cache.set(key, lines, 24 * 3600)
    return lines


def missing_in_words(scheme: Scheme, entry: str) -> str:
    """One ``missing`` entry of the engine ("indicator or rule id/input id") as users read it: the input's
    Chinese name and the name of the indicator or special rule that needs it, never the ids."""
    where, _, input_id = entry.rpartition("/")
    try:
        what = f"「{schemes.input_def(scheme, input_id).name}」"
    except KeyError:
        what = "一项输入数据（方案中已无此项）"
    rules = {rule.id: rule.name for _, rule in scheme.special.all_rules()}
    indicators = {n.id: n.name for n in schemes.nodes(scheme)}
    if where in rules:
        return f"缺少{what}（特殊规则「{rules[where]}」需要）"
    if where in indicators:
        return f"缺少{what}（指标「{indicators[where]}」需要）"
    return f"缺少{what}"


def unscored(cycle: Cycle) -> list[tuple[str, list[str]]]:
    """Every unit of the cycle without a score, with why in words: no result row yet, or the engine blocked it
    (``Result.blocked``; the reasons are the ``missing`` inputs whose missing policy is ``block``)."""
    scheme = schemes.load(cycle.scheme_ref)
    results = {
        r.assessment_id: r
        for r in Result.objects.filter(cycle=cycle).only("assessment_id", "blocked", "final_score", "missing")
    }
    out: list[tuple[str, list[str]]] = []
    for assessment in Assessment.objects.filter(cycle=cycle).select_related("unit").order_by("unit__code"):
        result = results.get(assessment.pk)
        if result is None:
            out.append((assessment.unit.name, ["尚未综合评价"]))
        elif result.blocked or result.final_score is None:
            reasons = [
                missing_in_words(scheme, str(entry))
                for entry in result.missing
                if str(entry).rpartition("/")[2] in {i.id for i in scheme.inputs}
                and scheme.missing_policy_of(str(entry).rpartition("/")[2]) == "block"
            ]
            out.append((assessment.unit.name, list(dict.fromkeys(reasons)) or ["无法计分"]))
    return out


def unscored_text(units: list[tuple[str, list[str]]], limit: int = 10) -> str:
    """``unscored``'s list as one line: 乙市（缺少「…」（特殊规则「…」需要））、丙县（…） 等 N 个单位."""
    shown = "、".join(f"{name}（{'；'.join(reasons)}）" for name, reasons in units[:limit])
    return shown + (f" 等 {len(units)} 个单位" if len(units) > limit else "")


def stale(cycle: Cycle) -> list[str]:
    """Names of the units whose inputs changed since the stored evaluation (a letter, an import or a finding
    saved after 综合评价): their stored result is no longer the score of the current data."""
    stored = {
        r.assessment.unit.code: r.inputs for r in Result.objects.filter(cycle=cycle).select_related("assessment__unit")
    }
    return [row["unit_name"] for row in input_rows(cycle) if row["unit_id"] in stored and stored[row["unit_id"]] != row]
