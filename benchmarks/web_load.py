"""Web load: the public pages of a published 3,000-unit cycle and the pages people work in, logged in, on PostgreSQL.

    .venv/bin/python benchmarks/web_load.py [--units 3000] [--connections 50] [--seconds 15] [--workers N]

1. (Re)creates the database ``kaohe_bench`` on 127.0.0.1:5432 (user postgres, trust auth), migrates it and loads
   ``--units`` synthetic units of ``--scheme``: the cycle is opened with ``do_open_cycle``, every input arrives as a
   monitoring import, and the real ``do_evaluate_cycle`` / approve / publish actions produce the published results.
   (Only the unit rows and the verified state are bulk-written, to keep loading under a minute.)
   A second cycle of the same units is opened with ``do_open_cycle`` and is in verification: every unit but the
   middle one is submitted (the state is bulk-written), the middle one is still being filled. People are made with
   ``do_create_user`` / ``do_add_membership``: a verifier of the scheme's lead unit, the middle unit's 填报人, and the
   office; the database is then ANALYZEd, as autovacuum would soon. Each connection gets its own session of the
   page's person (Django's ``SessionStore``, as a login stores it; sessions are saved on every request, so one
   shared session would be a contended row).
2. Serves the app with gunicorn (``--workers`` processes × ``--threads`` threads, DEBUG off, persistent database
   connections), as a deployment would behind a reverse proxy.
3. Drives ``--connections`` concurrent keep-alive connections on loopback at each page in turn (closed loop: each
   connection sends its next request when the previous answer has been read completely), after a warm-up, and
   prints p50/p95/p99 per page against the target p95 ≤ 150 ms. The pages: the public ranking and a unit's result
   page (published cycle, anonymous, cached); on the cycle in verification, the verifier's queue (its first page of
   50 rows of every open item, and filtered to the indicator with most open items: with county-party-government
   1,500 of the 3,000 units), the middle unit's self-evaluation page as its 填报人, the office dashboard, and the 待办
   page of the verifier and of the office.

The load generator runs on the same machine and takes CPU from the server, so the numbers are pessimistic.
"server CPU/req" is the CPU time gunicorn spent per answered request: unlike the latencies it does not depend on what
else the machine runs, and 1000 ms × CPUs / it is the throughput an otherwise idle machine can serve. "db CPU/req" is
the same for the PostgreSQL backends of the benchmark's database (on this machine too): a page's full cost is both.
With a closed loop, p50 ≈ connections × (server + db CPU per request) / CPUs once the CPUs are saturated.
Timings are printed, never asserted: tests must not depend on the machine's speed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib import import_module
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS = 150.0


def prepare_database(name: str, server: str) -> str:
    import psycopg

    with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://{server}/{name}"


class Loaded(NamedTuple):
    cycle_id: int  # the published cycle
    assessment_id: int  # the middle unit's, in the published cycle
    unit_name: str
    work_id: int  # the cycle in verification
    work_name: str


def load(units: int, scheme_id: str) -> Loaded:
    """Migrate and fill the database (both cycles and the people)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    import kaohe
    from kaohe.assessments import actions
    from kaohe.assessments.models import Assessment, ImportedValue, Membership, SelfEvaluation, State, Unit
    from kaohe.assessments.schemes import OFFICE_LEAD
    from kaohe.core.synthetic import synthetic_inputs

    t0 = time.perf_counter()
    scheme = kaohe.load_scheme(scheme_id)
    frame = synthetic_inputs(scheme, units, seed=2024, missing_share=0.0)
    office = User.objects.create_user("office", password="bench")
    approver = User.objects.create_user("leader", password="bench")
    actions.do_add_membership(user=office, role=Membership.Role.OFFICE, acting_user=None)
    actions.do_add_membership(user=approver, role=Membership.Role.APPROVER, acting_user=None)
    rows = frame.to_dicts()
    unit_rows = Unit.objects.bulk_create(
        Unit(code=r["unit_id"], name=f"{r['sequence']}-{i + 1:04d}号单位", type="town", sequence=r["sequence"])
        for i, r in enumerate(rows)
    )
    cycle = actions.do_open_cycle(
        name=f"{scheme.year}年度考核（{units} 个单位）",
        year=scheme.year,
        scheme_id=scheme.id,
        units=unit_rows,
        acting_user=office,
    )
    by_code = {u.code: u for u in unit_rows}
    ImportedValue.objects.bulk_create(
        (
            ImportedValue(cycle=cycle, unit=by_code[r["unit_id"]], input_id=inp.id, value=r[inp.id], source="benchmark")
            for r in rows
            for inp in scheme.inputs
            if r[inp.id] is not None
        ),
        batch_size=5000,
    )
    Assessment.objects.filter(cycle=cycle).update(state=State.VERIFIED)
    t1 = time.perf_counter()
    actions.do_evaluate_cycle(cycle=cycle, acting_user=office)
    actions.do_approve_cycle(cycle=cycle, acting_user=approver)
    actions.do_publish_cycle(cycle=cycle, acting_user=office)
    middle = Assessment.objects.select_related("unit").get(cycle=cycle, unit__code=rows[units // 2]["unit_id"])
    t2 = time.perf_counter()
    print(
        f"loaded {units:,} units of {scheme.id} in {t1 - t0:.1f} s; evaluated, approved and published in "
        f"{t2 - t1:.1f} s"
    )
    # The cycle people work in: the next year's, in verification.
    work = actions.do_open_cycle(
        name=f"{scheme.year + 1}年度考核（核实中）",
        year=scheme.year + 1,
        scheme_id=scheme.id,
        units=unit_rows,
        acting_user=office,
    )
    Assessment.objects.filter(cycle=work).exclude(unit=middle.unit).update(
        state=State.SUBMITTED, submitted_at=timezone.now()
    )
    leads = sorted(set(SelfEvaluation.objects.filter(assessment__cycle=work).values_list("lead_unit", flat=True)))
    verifier = actions.do_create_user(username="verifier", password="bench", acting_user=office)
    for lead in leads:
        actions.do_add_membership(
            user=verifier, role=Membership.Role.VERIFIER, lead_unit=lead or OFFICE_LEAD, acting_user=office
        )
    filler = actions.do_create_user(username="filler", password="bench", acting_user=office)
    actions.do_add_membership(user=filler, role=Membership.Role.FILLER, unit=middle.unit, acting_user=office)
    with connection.cursor() as cursor:  # what autovacuum does soon after such a load; without it the plans are guesses
        cursor.execute("ANALYZE")
    print(
        f"opened the cycle in verification ({units:,} units, {units - 1:,} submitted) "
        f"in {time.perf_counter() - t2:.1f} s"
    )
    return Loaded(cycle.pk, middle.pk, middle.unit.name, work.pk, work.name)


def loaded() -> Loaded:
    import django

    django.setup()
    from kaohe.assessments.models import Assessment, Cycle

    cycle = Cycle.objects.get(published_at__isnull=False)
    work = Cycle.objects.get(published_at__isnull=True)
    ordered = Assessment.objects.filter(cycle=cycle).select_related("unit").order_by("unit__code")
    middle = ordered[ordered.count() // 2]
    return Loaded(cycle.pk, middle.pk, middle.unit.name, work.pk, work.name)


def work_pages(loaded: Loaded) -> list[tuple[str, str, str, str]]:
    """(label, path, marker, username) of the pages people work in, on the cycle in verification."""
    from django.db.models import Count

    from kaohe.assessments.models import Assessment, SelfEvaluation, State

    work = loaded.work_id
    open_items = SelfEvaluation.objects.filter(assessment__cycle_id=work, status=SelfEvaluation.ItemStatus.OPEN)
    n_open = open_items.exclude(assessment__state=State.DRAFT).count()
    indicator, n_indicator = (
        open_items.exclude(assessment__state=State.DRAFT)
        .values_list("indicator_id")
        .annotate(n=Count("id"))
        .order_by("-n", "indicator_id")
        .first()
    ) or ("", 0)
    filling = Assessment.objects.select_related("unit").get(cycle_id=work, state=State.DRAFT)
    queue = f"<h1>{loaded.work_name} · 核实核证"
    return [
        (f"verifier queue (50 of {n_open:,})", f"/cycles/{work}/verify/", queue, "verifier"),
        (
            f"verifier queue {indicator} (50 of {n_indicator:,})",
            f"/cycles/{work}/verify/?{urlencode({'indicator': indicator})}",
            queue,
            "verifier",
        ),
        ("self-evaluation (填报人)", f"/assessments/{filling.pk}/", f"<h1>{filling.unit.name} · ", "filler"),
        ("office dashboard", f"/cycles/{work}/", f"<h1>{loaded.work_name} ", "office"),
        ("待办 (verifier)", "/todo/", "<h1>待办</h1>", "verifier"),
        ("待办 (office)", "/todo/", "<h1>待办</h1>", "office"),
    ]


def session_cookies(username: str, count: int) -> list[str]:
    """``count`` sessions of ``username``, stored as ``django.contrib.auth.login`` and the login-time middleware
    store them; returns the Cookie header values."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.middleware.csrf import _get_new_csrf_string as _new_csrf_secret

    from kaohe.web.middleware import SESSION_LOGIN_AT

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    user = User.objects.get(username=username)
    cookies = []
    for _ in range(count):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SESSION_LOGIN_AT] = int(time.time())
        session.create()
        # and the CSRF cookie that the login answer sets (django.middleware.csrf.rotate_token), as a browser sends it
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={_new_csrf_secret()}"
        )
    return cookies


# ------------------------------------------------------------------------------------------------ load generator
async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:  # gunicorn sends Content-Length for Django's responses; anything else is read to the close
        body = await reader.read()
    return status, body


async def _connection(
    port: int, path: str, stop_at: float, marker: bytes, out: list[float], errors: list[str], cookie: str | None
) -> None:
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Language: zh-CN\r\n{extra}\r\n".encode()
    reader = writer = None
    while time.perf_counter() < stop_at:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert reader is not None
            t0 = time.perf_counter()
            status, body = await _request(reader, writer, request)
            out.append(time.perf_counter() - t0)
            if status != 200 or marker not in body:
                errors.append(f"{status}")
        except (ConnectionError, asyncio.IncompleteReadError) as exc:  # server closed a kept-alive connection
            errors.append(type(exc).__name__)
            writer = None
    if writer is not None:
        writer.close()


def drive(
    port: int, path: str, connections: int, seconds: float, marker: str, cookies: list[str] | None = None
) -> tuple[list[float], list[str]]:
    """Closed loop on ``connections`` connections; connection i sends ``cookies[i]`` (its own session)."""
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + seconds

    async def run() -> None:
        await asyncio.gather(
            *(
                _connection(port, path, stop_at, marker.encode(), latencies, errors, cookies[i] if cookies else None)
                for i in range(connections)
            )
        )

    cpu = time.process_time()
    asyncio.run(run())
    if seconds > 5:
        print(f"  (load generator used {100 * (time.process_time() - cpu) / seconds:.0f} % of one CPU)")
    return latencies, errors


WRK_REPORT = """
cookies = {%s}
counter = math.random(#cookies > 0 and #cookies or 1)
request = function()
  if #cookies == 0 then return wrk.format() end
  counter = counter %% #cookies + 1
  return wrk.format(nil, nil, {["Cookie"] = cookies[counter]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("KAOHE %%d %%d %%d %%d %%d\\n", summary.requests,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def drive_wrk(
    port: int, path: str, connections: int, seconds: float, cookies: list[str] | None = None
) -> tuple[int, float, float, float, int]:
    """Drive with wrk (C, one thread per core): (requests, p50, p95, p99 in ms, errors). wrk measures latency
    from send to complete answer, like the Python client, but spends far less CPU doing it. wrk's requests take
    the ``cookies`` in turn (a session per request slot rather than per connection)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT % ", ".join(f'"{c}"' for c in cookies or []))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds:g}s",
                "-s",
                script.name,
                "-H",
                "Accept-Language: zh-CN",
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("KAOHE "))
    requests, p50, p95, p99, errors = (int(v) for v in line.split()[1:])
    return requests, p50 / 1000, p95 / 1000, p99 / 1000, errors


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by gunicorn's master and workers (independent of what else runs on the machine)."""
    import psutil

    master = psutil.Process(pid)
    return sum(sum(p.cpu_times()[:2]) for p in [master, *master.children(recursive=True)])


def database_cpu(server: str, database: str) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving ``database`` (pid → seconds; a local server's
    processes only). The server's other databases, e.g. other people's tests, are not counted."""
    import psutil
    import psycopg

    with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as conn:
        pids = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))]
    used = {}
    for pid in pids:
        try:
            used[pid] = sum(psutil.Process(pid).cpu_times()[:2])
        except psutil.Error:  # gone, or not ours to read
            continue
    return used


def wait_until_up(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--scheme", default="county-party-government")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per page (after warm-up)")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="kaohe_bench")
    parser.add_argument("--server", default="postgres@127.0.0.1:5432", help="user@host:port of PostgreSQL")
    parser.add_argument("--reuse", action="store_true", help="serve the database a previous run loaded")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument(
        "--client",
        default="auto",
        choices=["auto", "wrk", "python"],
        help="load generator: wrk (Debian package, C) when installed, else the built-in asyncio client",
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress shows when piped to a file

    var_dir = tempfile.mkdtemp(prefix="kaohe-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{args.server}/{args.database}"
        if args.reuse
        else prepare_database(args.database, args.server),
        "DJANGO_SETTINGS_MODULE": "kaohe.web.settings",
        "DEBUG": "False",
        "SECRET_KEY": "benchmark-only-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DB_CONN_MAX_AGE": "600",
        "KAOHE_VAR_DIR": var_dir,
    }
    os.environ.update(env)
    data = loaded() if args.reuse else load(args.units, args.scheme)
    pages: list[tuple[str, str, str, str | None]] = [
        ("public ranking", f"/public/{data.cycle_id}/", "约谈单位", None),
        (f"unit result ({data.unit_name})", f"/assessments/{data.assessment_id}/result/", data.unit_name, None),
        *work_pages(data),
    ]
    people = {who for *_, who in pages if who}
    cookies = {who: session_cookies(who, args.connections) for who in sorted(people)}

    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "kaohe.web.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=var_dir,
    )
    try:
        wait_until_up(args.port, pages[0][1])
        print(
            f"gunicorn {args.worker_class}: {args.workers} workers × {args.threads} threads; "
            f"{args.connections} connections, {args.seconds:g} s per page after {args.warmup:g} s warm-up; "
            f"{os.cpu_count()} CPUs shared with the client; "
            f"load average before: {os.getloadavg()[0]:.1f}"
        )
        print(
            f"{'page':<40} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} "
            f"{'server CPU/req':>15} {'db CPU/req':>11}  size"
        )
        worst = 0.0
        use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk") is not None)
        print(
            f"load generator: {'wrk' if use_wrk else 'built-in asyncio client (apt-get install wrk for a lighter one)'}"
        )
        for label, path, marker, who in pages:
            jar = cookies[who] if who else None
            drive(args.port, path, args.connections, args.warmup, marker, jar)  # fills every worker's caches
            cpu0, db0 = server_cpu(server.pid), database_cpu(args.server, args.database)
            if use_wrk:
                count, p50, p95, p99, n_errors = drive_wrk(args.port, path, args.connections, args.seconds, jar)
            else:
                latencies, errors = drive(args.port, path, args.connections, args.seconds, marker, jar)
                count, n_errors = len(latencies), len(errors)
                p50, p95, p99 = (1000 * percentile(latencies, q) for q in (50, 95, 99))
            cpu_ms = 1000 * (server_cpu(server.pid) - cpu0) / max(1, count)
            db1 = database_cpu(args.server, args.database)  # a backend started during the run counts from zero
            db_ms = 1000 * sum(t - db0.get(pid, 0.0) for pid, t in db1.items()) / max(1, count)
            headers = {"Cookie": jar[0]} if jar else {}
            with urllib.request.urlopen(
                urllib.request.Request(f"http://127.0.0.1:{args.port}{path}", headers=headers)
            ) as response:
                body = response.read()
                size = len(body)
            if marker.encode() not in body:
                print(f"  ({label}: the page does not show {marker!r}: not the page meant)")
            worst = max(worst, p95)
            print(
                f"{label:<40} {count:>9,} {count / args.seconds:>7.0f} {p50:>8.1f} {p95:>8.1f} "
                f"{p99:>8.1f} {n_errors:>7} {cpu_ms:>12.1f} ms {db_ms:>8.1f} ms  {size / 1024:,.0f} KiB"
            )
        verdict = "met" if worst <= TARGET_P95_MS else "NOT met"
        print(f"target p95 ≤ {TARGET_P95_MS:.0f} ms: {verdict} (worst p95 {worst:.1f} ms)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
