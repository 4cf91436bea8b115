"""``kaohe demo | serve | audit verify``: the web application from the command line.

``demo`` migrates the SQLite database under ./var (or $DATABASE_URL), loads the demo province into an empty
database, prints a login per role and serves on http://127.0.0.1:8000 with Django's development server and
``DEBUG`` on. ``serve`` migrates, collects the static files and serves with gunicorn (``DEBUG`` stays off; the
production variables are in docs/deploy.md).
``audit verify`` checks the keyed audit chain, replays the log against the current rows (results, values,
states, roles, accounts, letters, imports, evidence) and checks every evidence file; each problem is one line in
words, exit 1 on any (``--anchor CODE`` also checks a 校验码 printed on a 通报 or workbook). ``audit rotate-key``
starts a new audit key and keeps the old one for the entries it signed (docs/audit.md).
"""

from __future__ import annotations

import argparse
import os
import sys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="load the demo province and serve the web app on 127.0.0.1:8000")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="load the data and print the logins only")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="migrate the database and serve the web app with gunicorn (production)")
    serve.add_argument("--host", default=os.getenv("KAOHE_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.getenv("KAOHE_PORT", "8000")))
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.getenv("KAOHE_WORKERS", "0")),
        help="worker processes (default: 2 × CPUs + 1, at most 8)",
    )
    serve.add_argument("--threads", type=int, default=int(os.getenv("KAOHE_THREADS", "4")), help="threads per worker")
    serve.add_argument(
        "--timeout",
        type=int,
        default=int(os.getenv("KAOHE_TIMEOUT", "120")),
        help="seconds before a stuck request's worker is restarted",
    )
    serve.set_defaults(func=cmd_serve)

    audit = sub.add_parser("audit", help="the append-only audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser(
        "verify", help="check the keyed hash chain and replay it against the data; report every discrepancy"
    )
    verify.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="CODE",
        help="a 校验码 printed on a 通报 or results workbook, e.g. '3f2a-9c1b-77e0 #1234' (repeatable)",
    )
    verify.set_defaults(func=cmd_audit_verify)
    rotate = audit_sub.add_parser("rotate-key", help="start a new audit key; the old one stays for older entries")
    rotate.set_defaults(func=cmd_audit_rotate_key)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.web.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _serve(host: str, port: int) -> None:
    from django.core.management import call_command

    print(f"serving on http://{host}:{port}/  (Ctrl-C stops)", flush=True)
    call_command("runserver", f"{host}:{port}", use_reloader=False)


def cmd_demo(args: argparse.Namespace) -> int:
    # The demo is the one place where DEBUG is on (Django's development server serves the static files).
    os.environ.setdefault("DEBUG", "1")
    _setup()
    from django.conf import settings

    from kaohe.assessments.demo import PASSWORD, demo_logins, load_demo
    from kaohe.assessments.models import Unit

    _migrate()
    if Unit.objects.exists():
        print(f"the database {settings.DATABASES['default']['NAME']} already holds data; serving it as it is")
        logins = demo_logins()
    else:
        print("loading the demo province (three cycles, one to two minutes)…", flush=True)
        logins = load_demo()
    if logins:
        print(f"\ndemo logins (password for all: {PASSWORD})")
        for login in logins:
            print(f"  {login.username:<12} {login.role} · {login.where}")
    print(f"  public (no login): http://127.0.0.1:{args.port}/public/\n")
    if args.no_serve:
        return 0
    _serve("127.0.0.1", args.port)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    from kaohe.web import server

    _migrate()
    call_command("collectstatic", interactive=False, verbosity=0)
    if settings.DEBUG:
        print("warning: DEBUG is on; never serve real data this way (unset DEBUG)", file=sys.stderr)
    if not settings.SESSION_COOKIE_SECURE:
        print(
            "note: plain HTTP (cookies without Secure, no HSTS); behind TLS set KAOHE_HTTPS=1 (docs/deploy.md)",
            file=sys.stderr,
        )
    workers = args.workers or min(2 * (os.cpu_count() or 1) + 1, 8)
    print(f"serving on http://{args.host}:{args.port}/ with {workers} workers  (Ctrl-C stops)", flush=True)
    server.run(host=args.host, port=args.port, workers=workers, threads=args.threads, timeout=args.timeout)
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    _setup()
    from django.db import connection

    from kaohe.core.exceptions import UserInputError

    if "audit_auditlog" not in connection.introspection.table_names():
        raise UserInputError("the database has no audit log yet (run `kaohe demo` or `kaohe serve` first)")
    from kaohe.assessments.integrity import verify_all
    from kaohe.audit import anchors

    anchored = []
    for text in args.anchor:
        try:
            anchored.append(anchors.check(text))
        except ValueError as exc:
            raise UserInputError(str(exc)) from None
    report = verify_all()
    for problem in report.problems:
        print(problem, file=sys.stderr)
    anchors_ok = True
    for matches, sentence in anchored:
        print(sentence, file=sys.stdout if matches else sys.stderr)
        anchors_ok = anchors_ok and matches
    if report.entries == 0:
        print("审计日志为空（没有任何审计记录）", file=sys.stderr if report.problems else sys.stdout)
    if report.ok and not anchors_ok:
        # the log and the data agree with each other, but not with what was printed: not a pass
        print(f"审计校验发现校验码与打印件不符（{report.summary().removeprefix('审计校验通过：')}）", file=sys.stderr)
        return 1
    print(report.summary(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok and anchors_ok else 1


def cmd_audit_rotate_key(args: argparse.Namespace) -> int:
    _setup()
    from kaohe.audit import keys
    from kaohe.core.exceptions import UserInputError

    try:
        old, new = keys.rotate_key()
    except keys.AuditKeyError as exc:
        raise UserInputError(str(exc)) from None
    print(f"new audit key {new} in {keys.key_file()}; the old key {old} stays below it for the entries it signed")
    return 0
