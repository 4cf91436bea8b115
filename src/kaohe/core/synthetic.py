"""Synthetic per-unit inputs for any scheme (benchmarks, demos, load tests): seeded, within declared ranges.

Values are plausible rather than realistic: counts of events are small, yes/no flags are mostly "no",
guaranteed (确保) targets sit below striving (力争) ones, and a small share of cells can be left missing.
"""

from __future__ import annotations

import random
from typing import Any

import polars as pl

from kaohe.core.scheme import InputDef, Scheme
from kaohe.core.scoring import input_dtype


def _number(spec: InputDef, rnd: random.Random) -> float:
    lo = 0.0 if spec.min is None else spec.min
    hi = lo + 100.0 if spec.max is None else spec.max
    if spec.unit == "%" and hi - lo > 40 and not spec.target:
        lo = max(lo, hi - 30)  # ratios cluster near the top, as compliance rates do
    if "ensure" in spec.id or "确保" in spec.name:
        hi = lo + (hi - lo) * 0.9
    elif "strive" in spec.id or "力争" in spec.name:
        lo = lo + (hi - lo) * 0.9
    return round(rnd.uniform(lo, hi), 2)


def _value(spec: InputDef, kind: str, rnd: random.Random) -> Any:
    if kind == "boolean":
        return rnd.random() < 0.08
    if kind == "category":
        return rnd.choice(spec.choices or ["A"])
    if kind == "integer":
        hi = 3 if spec.max is None else min(spec.max, 3)
        lo = 0 if spec.min is None else spec.min
        return float(rnd.choice([lo] * 4 + [min(hi, lo + k) for k in range(1, 4)]))
    return _number(spec, rnd)


def synthetic_inputs(scheme: Scheme, n_units: int, seed: int = 2020, missing_share: float = 0.0) -> pl.DataFrame:
    rnd = random.Random(seed)
    sequences = scheme.sequence_ids()
    columns: dict[str, list[Any]] = {
        "unit_id": [f"U{i:06d}" for i in range(n_units)],
        "unit_name": [f"单位{i}" for i in range(n_units)],
        "sequence": [sequences[i % len(sequences)] for i in range(n_units)],
    }
    sections = [rnd.randint(1, 5) for _ in range(n_units)]
    for spec in scheme.inputs:
        values: list[Any] = []
        for i in range(n_units):
            if missing_share and rnd.random() < missing_share:
                values.append(None)
            elif spec.kind == "list":
                if spec.item_kind == "category" and not spec.choices:
                    values.append([f"断面{k + 1}" for k in range(sections[i])])
                else:
                    values.append([_value(spec, spec.item_kind or "number", rnd) for _ in range(sections[i])])
            else:
                values.append(_value(spec, spec.kind, rnd))
        columns[spec.id] = values
    series = [pl.Series(k, columns[k], dtype=pl.String) for k in ("unit_id", "unit_name", "sequence")]
    series += [pl.Series(s.id, columns[s.id], dtype=input_dtype(s.kind, s.item_kind)) for s in scheme.inputs]
    return pl.DataFrame(series)
