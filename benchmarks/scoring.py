"""Scoring throughput: the vectorised engine against the plain-Python reference evaluator, same run.

    .venv/bin/python benchmarks/scoring.py [--units 40000] [--scheme xx-city-2020] [--reference-units N]

Generates N synthetic units (seeded), scores them with ``kaohe.score`` (grades, ranks, flags included) and
with the reference evaluator, checks that both agree on the final scores, and prints units/s and the ratio.
Targets (issue 2): 40,000 units in ≤ 2 s on a 2-core machine, and ≥ 30× the reference evaluator.
"""

from __future__ import annotations

import argparse
import math
import time

import kaohe
from kaohe.core import check_inputs, score_reference
from kaohe.core.synthetic import synthetic_inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=40_000)
    parser.add_argument("--scheme", default="xx-city-2020")
    parser.add_argument(
        "--reference-units", type=int, default=None, help="score only this many with the reference (default: all)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the vectorised engine")
    args = parser.parse_args()

    scheme = kaohe.load_scheme(args.scheme)
    t0 = time.perf_counter()
    frame = synthetic_inputs(scheme, args.units, seed=2020, missing_share=0.01)
    print(
        f"scheme {scheme.id}: {len(list(scheme.nodes()))} indicators, {len(scheme.inputs)} inputs; "
        f"{args.units:,} synthetic units generated in {time.perf_counter() - t0:.1f} s"
    )

    kaohe.score(scheme, frame.head(100))  # warm-up: imports, expression building
    best = math.inf
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        fast = kaohe.score(scheme, frame)  # includes input checks, grades, ranks, flags
        best = min(best, time.perf_counter() - t0)
    fast_rate = args.units / best

    n_ref = args.reference_units or args.units
    ref_frame = frame.head(n_ref)
    rows = check_inputs(scheme, ref_frame).to_dicts()
    t0 = time.perf_counter()
    slow = score_reference(scheme, rows)
    ref_time = time.perf_counter() - t0
    ref_rate = n_ref / ref_time

    if n_ref == args.units:
        mismatches = sum(
            1
            for f, s in zip(fast.get_column("final_score").to_list(), (r["final_score"] for r in slow), strict=True)
            if (f is None) != (s is None) or (f is not None and abs(f - s) > 1e-6)
        )
        print(f"agreement: {args.units - mismatches:,}/{args.units:,} final scores identical")
    print(f"vectorised: {best:.3f} s for {args.units:,} units = {fast_rate:,.0f} units/s (best of {args.repeat})")
    print(f"reference:  {ref_time:.3f} s for {n_ref:,} units = {ref_rate:,.0f} units/s")
    print(f"ratio vectorised/reference: {fast_rate / ref_rate:.1f}×   (target ≥ 30×)")
    print(f"40,000-unit time: {40_000 / fast_rate:.2f} s   (target ≤ 2 s)")


if __name__ == "__main__":
    main()
