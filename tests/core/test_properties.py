"""Property tests: on random inputs the vectorised engine and the reference evaluator agree, every score
stays within [0, points] (plus the indicator's own bonus cap), and every cap holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaohe.core import Scheme, load_scheme_file
from tests.core.helpers import score_both

SCHEME = load_scheme_file(Path(__file__).parent / "data" / "all_kinds.yaml")


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a value, sometimes missing (None)."""
    return st.one_of(strategy, strategy, strategy, strategy, strategy, strategy, strategy, strategy, st.none())


def value_for(spec: Any, n_sections: int) -> st.SearchStrategy[Any]:
    lo = -1e3 if spec.min is None else spec.min
    hi = 1e3 if spec.max is None else spec.max
    if spec.kind == "list":
        if spec.id == "sec":
            return st.just([f"断面{i}" for i in range(n_sections)])
        if spec.id == "level":
            item: st.SearchStrategy[Any] = st.sampled_from(["省控", "市控", "县控"])
        elif spec.item_kind == "boolean":
            item = st.booleans()
        else:
            item = st.integers(int(lo), int(hi))
        return st.lists(item, min_size=n_sections, max_size=n_sections)
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind == "category":
        return st.sampled_from(spec.choices)
    if spec.kind == "integer":
        return st.integers(int(lo), int(hi))
    # halves and round values hit the boundaries (targets, anchors) far more often than uniform floats
    return st.one_of(st.floats(lo, hi, allow_nan=False), st.integers(int(lo) * 2, int(hi) * 2).map(lambda v: v / 2))


@st.composite
def unit_rows(draw: st.DrawFn, scheme: Scheme = SCHEME) -> list[dict[str, Any]]:
    rows = []
    for i in range(draw(st.integers(1, 7))):
        n_sections = draw(st.integers(1, 4))
        row: dict[str, Any] = {"unit_id": f"u{i}", "sequence": draw(st.sampled_from(["a", "b"]))}
        for spec in scheme.inputs:
            row[spec.id] = draw(maybe(value_for(spec, n_sections)) if spec.id != "sec" else value_for(spec, n_sections))
        rows.append(row)
    return rows


RANKINGS = [
    SCHEME.model_copy(
        update={"ranking": SCHEME.ranking.model_copy(update={"vetoed": vetoed, "advanced_vacated": vacated})}
    )
    for vetoed in ("last", "by_score")
    for vacated in ("pass_on", "leave_empty")
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit_rows(), st.sampled_from(RANKINGS))
def test_evaluators_agree_and_scores_stay_in_bounds(rows: list[dict[str, Any]], scheme: Scheme) -> None:
    results = score_both(scheme, rows)  # asserts vectorised == reference on every column
    for result in results:
        # 不合格 is never 先进, nor is a vetoed unit, in any ranking setting
        assert not (result["advanced"] and (result["grade"] == "不合格" or result["vetoed"]))
        if scheme.ranking.vetoed == "last" and result["vetoed"]:  # after every unit of its sequence not vetoed
            others = [
                o["rank"] for o in results if o["sequence"] == result["sequence"] and not o["vetoed"] and o["rank"]
            ]
            assert all(result["rank"] > rank for rank in others)
        assert result["vetoed"] == (not result["blocked"] and bool({"R2", "R5", "R7"} & set(result["flags"])))

        for node in SCHEME.nodes():
            value = result[node.id]
            if node.kind == "base":
                top = (node.points or 0) + sum(c.bonus.cap for c in node.walk() if c.bonus)
                bottom = sum(c.floor for c in node.walk() if c.is_leaf)
                assert bottom - 1e-9 <= value <= top + 1e-9, (node.id, value)
            else:
                assert value >= 0
                if node.points is not None:
                    assert value <= node.points + 1e-9
        assert 0 <= result["bonus"] <= 7 + 1e-9  # bonus_cap
        assert result["deduction"] >= 0
        assert (
            result["final_score"] is None
            or abs(result["final_score"] - (result["base_total"] + result["bonus"] - result["deduction"])) < 1e-6
        )
        if result["dishonesty_record"]:
            assert result["grade"] == "不合格"
