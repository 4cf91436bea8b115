"""Shared helpers: build a scheme from YAML text and score rows with BOTH evaluators, asserting they agree."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import polars as pl

import kaohe
from kaohe.core import Scheme, check_inputs, load_scheme_text, score_reference

COMPARED = [
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
    "dishonesty_record",
    "vetoed",
    "consequences",
]


def scheme_from(text: str) -> Scheme:
    return load_scheme_text(textwrap.dedent(text), "test.yaml")


def frame_for(scheme: Scheme, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A typed inputs frame; every declared input absent from a row is None (missing)."""
    from kaohe.core.scoring import input_dtype

    data: dict[str, list[Any]] = {"unit_id": [], "unit_name": [], "sequence": []}
    for spec in scheme.inputs:
        data[spec.id] = []
    for i, row in enumerate(rows):
        data["unit_id"].append(str(row.get("unit_id", f"u{i}")))
        data["unit_name"].append(row.get("unit_name", f"单位{i}"))
        data["sequence"].append(row.get("sequence", scheme.sequences[0].id))
        for spec in scheme.inputs:
            data[spec.id].append(row.get(spec.id))
    series = [pl.Series(k, v, dtype=pl.String) for k, v in data.items() if k in ("unit_id", "unit_name", "sequence")]
    for spec in scheme.inputs:
        series.append(pl.Series(spec.id, data[spec.id], dtype=input_dtype(spec.kind, spec.item_kind)))
    return pl.DataFrame(series)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def score_both(scheme: Scheme, rows: list[dict[str, Any]], history: pl.DataFrame | None = None) -> list[dict[str, Any]]:
    """Score with the vectorised engine and the reference evaluator; assert every column agrees."""
    frame = frame_for(scheme, rows)
    fast = kaohe.score(scheme, frame, history).to_dicts()
    checked = check_inputs(scheme, frame).to_dicts()
    hist = history.to_dicts() if history is not None else ()
    slow = score_reference(scheme, checked, hist)
    node_ids = [n.id for n in scheme.nodes()]
    for f, s in zip(fast, slow, strict=True):
        for col in [*node_ids, *COMPARED]:
            assert _same(f[col], s[col]), f"{f['unit_id']} {col}: vectorised {f[col]!r} != reference {s[col]!r}"
        assert sorted(f["flags"]) == sorted(s["flags"])
        assert sorted(f["missing"]) == sorted(s["missing"])
    return fast
