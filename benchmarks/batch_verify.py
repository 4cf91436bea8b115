"""Batch 核实无误 of a province's queue in one request, against the same number of one-by-one verifications.

    .venv/bin/python benchmarks/batch_verify.py [--items 2300] [--scheme jilin-2021-2025] [--pg]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/batch_verify.py

1. Builds, in a fresh database (SQLite in a temporary folder; with ``--pg`` or a PostgreSQL ``DATABASE_URL``, the
   database ``kaohe_bench_batch`` on that server, dropped and created again), two cycles of ``--scheme`` with
   enough units for ``--items`` items each, entirely through the audited actions (``do_create_unit``,
   ``do_open_cycle``, ``do_submit``), so that every item is open for verification. One person verifies every item:
   a verifier role for each lead unit of the scheme, and the office role for the items no lead unit claims.
2. Times (a) the batch: one POST of 当前筛选的全部核实无误 on the first cycle's queue through Django's test Client
   (session, CSRF middleware, the view, ``check_verify_items_unchanged``), and (b) one by one:
   ``actions.check_verify_item`` on every item of the second cycle, as the 核实 form calls it. Prints both times,
   items/s, their ratio and the target (≤ 5 s for 2,300 items on PostgreSQL), then checks the log with
   ``verify_all()`` (the batch must leave it as clean as one by one).

Timings are printed, never asserted: tests must not depend on the machine's speed.

Measured 2026-12-06 (2,312 items, jilin-2021-2025; 2 cores shared, load average 4–11), after the bulk audit append
(``do_append_audit_many``: one chain-head lock and one INSERT for an assessment's items, no savepoint): PostgreSQL
5.9–6.2 s wall, CPU 2.2–2.3 s (before, on the same machine in the same hour: 14.3–26.4 s, CPU 5.2–6.8 s); SQLite 1.7
s, CPU 1.7 s (before: 7.1 s, CPU 4.1 s).

Measured again 2026-12-06, three runs each, after the transitions' entries joined the items' append
(``_advance_verification``: one append per assessment instead of up to three; a notification, when someone is told,
keeps its own), the snapshots of an entry read in one plain query (no server-side cursor: one round trip instead of
three) and the assessment's unit and cycle read with its lock:
1,307 SQL statements (19.2 per unit; before 1,851, 27.2 per unit; the same on both databases). PostgreSQL 2.6, 10.3
and 4.2 s wall, CPU 1.9 s, at load 6.2, 9.5 and 9.6 (before, the same day at load 4.2–8.5: 7.7, 8.3 and 8.1 s,
CPU 2.3–2.4 s); SQLite 2.6, 2.5 and 2.6 s, CPU 1.4–1.6 s, at load 7.7–9.9 (before at load 3.7–5.0: 1.6, 1.5 and 2.3 s,
CPU 1.5 s). Alternated with the old code at a quieter moment (load 2.6–3.0), PostgreSQL: 2.4 and 2.5 s, CPU 1.8–1.9 s,
against 3.0 and 2.6 s, CPU 2.0–2.2 s. The wall time follows the load more than the code: the CPU time and the
statements are what the code decides.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 5.0
DATABASE = "kaohe_bench_batch"


def prepare(server: str | None, tmp: str) -> None:
    os.environ["KAOHE_VAR_DIR"] = tmp
    os.environ["KAOHE_AUDIT_KEY"] = "kaohe-benchmark-audit-key-0123456789abcdef0123456789"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.web.settings")
    os.environ.setdefault("SECRET_KEY", "kaohe-benchmark-secret-key-not-for-production-0123456789")
    if server is not None:
        import psycopg

        with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        os.environ["DATABASE_URL"] = f"postgres://{server}/{DATABASE}"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def load(items: int, scheme_id: str) -> tuple[object, list[int], int, int]:
    """Two cycles with ``items`` open items each (at least); returns (the verifier, the cycle ids, items per
    cycle, units per cycle)."""
    from django.contrib.auth.models import User

    import kaohe
    from kaohe.assessments import actions, schemes
    from kaohe.assessments.models import Membership, SelfEvaluation

    scheme = kaohe.load_scheme(scheme_id)
    sequence = scheme.sequence_ids()[0]
    per_unit = len(schemes.items_for(scheme, sequence))
    units = math.ceil(items / per_unit)
    office = User.objects.create_user("office", password="bench")
    actions.do_add_membership(user=office, role=Membership.Role.OFFICE, acting_user=None)
    cycle_ids = []
    for year in (scheme.year, scheme.year + 1):
        unit_rows = [
            actions.do_create_unit(
                code=f"{year}{i:04d}", name=f"{year}-{i:04d}号单位", type="county", sequence=sequence, acting_user=None
            )
            for i in range(units)
        ]
        cycle = actions.do_open_cycle(
            name=f"{year}年度考核", year=year, scheme_id=scheme.id, units=unit_rows, acting_user=office
        )
        for assessment in cycle.assessments.all():
            actions.do_submit(assessment=assessment, acting_user=None)  # the values stay as opened: empty
        cycle_ids.append(cycle.pk)
    leads = set(SelfEvaluation.objects.values_list("lead_unit", flat=True)) - {schemes.OFFICE_LEAD}
    for lead in sorted(leads):
        actions.do_add_membership(user=office, role=Membership.Role.VERIFIER, lead_unit=lead, acting_user=None)
    return office, cycle_ids, units * per_unit, units


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2300)
    parser.add_argument("--scheme", default="jilin-2021-2025")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    url = os.environ.get("DATABASE_URL", "")
    server = None
    if url.startswith("postgres"):
        parts = urlsplit(url)
        server = parts.netloc
    elif args.pg:
        server = "postgres@127.0.0.1:5432"
    with tempfile.TemporaryDirectory(prefix="kaohe-bench-batch-") as tmp:
        prepare(server, tmp)
        t0 = time.perf_counter()
        person, (batch_cycle, single_cycle), per_cycle, units = load(args.items, args.scheme)
        print(
            f"loaded 2 cycles × {units} units × {per_cycle // units} items = {per_cycle:,} open items each "
            f"through the actions in {time.perf_counter() - t0:.1f} s"
        )

        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from kaohe.assessments import actions
        from kaohe.assessments.integrity import verify_all
        from kaohe.assessments.models import SelfEvaluation, State

        client = Client()
        client.force_login(person)
        with CaptureQueriesContext(connection) as statements:  # keeps each statement's text: negligible beside it
            t1, c1 = time.perf_counter(), time.process_time()
            response = client.post(f"/cycles/{batch_cycle}/verify/batch/", {"scope": "filtered"})
            batch_seconds, batch_cpu = time.perf_counter() - t1, time.process_time() - c1
        verified = SelfEvaluation.objects.filter(
            assessment__cycle_id=batch_cycle, status=SelfEvaluation.ItemStatus.ACCEPTED
        ).count()
        done = SelfEvaluation.objects.filter(assessment__cycle_id=batch_cycle).exclude(assessment__state=State.VERIFIED)
        if response.status_code != 302 or verified != per_cycle or done.exists():
            print(f"the batch did not verify every item: HTTP {response.status_code}, {verified} of {per_cycle}")
            return 1

        items = list(
            SelfEvaluation.objects.filter(assessment__cycle_id=single_cycle)
            .select_related("assessment__cycle", "assessment__unit")
            .order_by("pk")
        )
        t2, c2 = time.perf_counter(), time.process_time()
        for item in items:
            actions.check_verify_item(
                item=item, raw_values=item.values, score=None, reason="", version=item.version, acting_user=person
            )
        single_seconds, single_cpu = time.perf_counter() - t2, time.process_time() - c2

        # The Python process's CPU time beside the wall time: on a shared machine the wall time also counts the
        # time other processes held the CPU (the load average says how busy it was).
        print(
            f"{connection.vendor}: batch of {per_cycle:,} items in one request {batch_seconds:.2f} s "
            f"(CPU {batch_cpu:.2f} s; {per_cycle / batch_seconds:,.0f} items/s; {len(statements):,} SQL statements, "
            f"{len(statements) / units:.1f} per unit; target ≤ {TARGET_SECONDS:.0f} s: "
            f"{'met' if batch_seconds <= TARGET_SECONDS else 'NOT met'})"
        )
        print(
            f"one by one (check_verify_item, no HTTP) {single_seconds:.2f} s (CPU {single_cpu:.2f} s; "
            f"{len(items) / single_seconds:,.0f} items/s); batch / one by one = {batch_seconds / single_seconds:.2f}"
        )
        print("load average during the run: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
        report = verify_all()
        print(f"kaohe audit verify after both: {'clean' if report.ok else report.problems[:3]}")
        return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
