"""`kaohe audit verify` on a national-size cycle: its time against a plain read of the same rows, same run.

    .venv/bin/python benchmarks/audit_verify.py [--units 3000] [--scheme jilin-2021-2025] [--pg] [--rounds 3]

1. Builds, in a fresh database (SQLite in a temporary folder, or ``kaohe_bench_audit`` on 127.0.0.1:5432 with
   ``--pg``), ``--units`` units and a cycle of ``--scheme`` entirely through the audited actions — so that the log
   explains every row: units (``do_create_unit``), the cycle with every unit's assessment, letter and items
   (``do_open_cycle``), three monitoring inputs per unit (``do_import_monitoring_values``, one entry per value),
   and the comprehensive evaluation (``do_evaluate_cycle``: one Result row per unit).
2. Times, in rounds, (a) the baseline: a plain read of every row verify reads — every audit entry and every row
   of the audited models, as tuples, nothing computed — and (b) ``verify_all()``: the keyed chain, the replay of
   the log against the rows and the evidence files. Prints the medians and their ratio, and the log's size.

Timings are printed, never asserted: tests must not depend on the machine's speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def prepare(pg: bool, tmp: str) -> None:
    os.environ["KAOHE_VAR_DIR"] = tmp
    os.environ["KAOHE_AUDIT_KEY"] = "kaohe-benchmark-audit-key-0123456789abcdef0123456789"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.web.settings")
    os.environ.setdefault("SECRET_KEY", "kaohe-benchmark-secret-key-not-for-production-0123456789")
    if pg:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "kaohe_bench_audit" WITH (FORCE)')
            conn.execute('CREATE DATABASE "kaohe_bench_audit"')
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/kaohe_bench_audit"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def load(units: int, scheme_id: str) -> None:
    import kaohe
    from kaohe.assessments import actions
    from kaohe.core.synthetic import synthetic_inputs

    t0 = time.perf_counter()
    scheme = kaohe.load_scheme(scheme_id)
    frame = synthetic_inputs(scheme, units, seed=2024, missing_share=0.0)
    rows = frame.to_dicts()
    unit_rows = [
        actions.do_create_unit(
            code=r["unit_id"],
            name=f"{r['sequence']}-{i + 1:04d}号单位",
            type="town",
            sequence=r["sequence"],
            acting_user=None,
        )
        for i, r in enumerate(rows)
    ]
    t1 = time.perf_counter()
    cycle = actions.do_open_cycle(
        name=f"{scheme.year}年度考核（{units} 个单位）",
        year=scheme.year,
        scheme_id=scheme.id,
        units=unit_rows,
        acting_user=None,
    )
    t2 = time.perf_counter()
    imported = [inp.id for inp in scheme.inputs if inp.kind == "number"][:3]
    actions.do_import_monitoring_values(
        cycle=cycle,
        rows=[{"unit_id": r["unit_id"], **{i: r[i] for i in imported}} for r in rows],
        source="benchmark",
        acting_user=None,
    )
    t3 = time.perf_counter()
    actions.do_evaluate_cycle(cycle=cycle, acting_user=None)
    t4 = time.perf_counter()
    print(
        f"loaded {units:,} units of {scheme.id} through the actions: units {t1 - t0:.1f} s, cycle opened "
        f"{t2 - t1:.1f} s, {len(imported)} imported inputs per unit {t3 - t2:.1f} s, evaluation {t4 - t3:.1f} s"
    )


def plain_read() -> int:
    """Every audit entry and every row of the audited models, as tuples: what verify must at least read."""
    from kaohe.audit.models import AuditLog
    from kaohe.audit.snapshots import tracked_models

    count = 0
    for _ in AuditLog.objects.order_by("seq").values_list().iterator(chunk_size=500):
        count += 1
    for model in tracked_models():
        for _ in model._default_manager.order_by().values_list().iterator(chunk_size=2000):
            count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--scheme", default="jilin-2021-2025")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    with tempfile.TemporaryDirectory(prefix="kaohe-bench-audit-") as tmp:
        prepare(args.pg, tmp)
        load(args.units, args.scheme)
        from django.db import connection

        from kaohe.assessments.integrity import verify_all
        from kaohe.audit.models import AuditLog

        entries = AuditLog.objects.count()
        size = sum(len(r or "") for r in AuditLog.objects.values_list("rows", flat=True).iterator(chunk_size=500))
        baseline, verify = [], []
        report = None
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            rows = plain_read()
            t1 = time.perf_counter()
            report = verify_all()
            t2 = time.perf_counter()
            baseline.append(t1 - t0)
            verify.append(t2 - t1)
        assert report is not None
        if not report.ok:
            print("verify found problems (the benchmark's data should be clean):", *report.problems[:5], sep="\n  ")
            return 1
        b, v = statistics.median(baseline), statistics.median(verify)
        print(
            f"{connection.vendor}: {entries:,} audit entries ({size / 1e6:.1f} MB of row snapshots), {report.rows:,} "
            f"data rows; {rows:,} rows read in all"
        )
        print(f"plain read {b:.2f} s · verify_all {v:.2f} s · ratio {v / b:.1f}× (medians of {args.rounds} rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
