"""``kaohe demo | serve | audit verify``: the web application from the command line.

``demo`` migrates the SQLite database under ./var (or $DATABASE_URL), loads the demo province into an empty
database, prints a login per role and serves on http://127.0.0.1:8000 with Django's development server and
``DEBUG`` on. ``serve`` migrates, collects the static files and serves with gunicorn (``DEBUG`` stays off; the
production variables are in docs/deploy.md).
``audit verify`` walks the audit hash chain and names the first entry that was altered or removed, then checks
every evidence file against the hash recorded at upload (exit 1 on any problem).
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
    serve.add_argument("--workers", type=int, default=int(os.getenv("KAOHE_WORKERS", "0")),
                       help="worker processes (default: 2 × CPUs + 1, at most 8)")
    serve.add_argument("--threads", type=int, default=int(os.getenv("KAOHE_THREADS", "4")), help="threads per worker")
    serve.add_argument("--timeout", type=int, default=int(os.getenv("KAOHE_TIMEOUT", "120")),
                       help="seconds before a stuck request's worker is restarted")
    serve.set_defaults(func=cmd_serve)

    audit = sub.add_parser("audit", help="the append-only audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check the hash chain; report the first altered or removed entry")
    verify.set_defaults(func=cmd_audit_verify)


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
        print("note: plain HTTP (cookies without Secure, no HSTS); behind TLS set KAOHE_HTTPS=1 (docs/deploy.md)",
              file=sys.stderr)
    workers = args.workers or min(2 * (os.cpu_count() or 1) + 1, 8)
    print(f"serving on http://{args.host}:{args.port}/ with {workers} workers  (Ctrl-C stops)", flush=True)
    server.run(host=args.host, port=args.port, workers=workers, threads=args.threads, timeout=args.timeout)
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    _setup()
    from django.db import connection

    from kaohe.audit.actions import verify_chain
    from kaohe.core.exceptions import UserInputError

    if "audit_auditlog" not in connection.introspection.table_names():
        raise UserInputError("the database has no audit log yet (run `kaohe demo` or `kaohe serve` first)")
    report = verify_chain()
    if report.ok:
        print(f"audit chain intact: {report.entries} entries")
    else:
        assert report.problem is not None
        print(f"audit chain broken: {report.problem.message}", file=sys.stderr)
    from kaohe.assessments.integrity import verify_evidence

    files, problems = verify_evidence()
    for problem in problems:
        print(f"evidence: {problem.message}", file=sys.stderr)
    if not problems:
        print(f"evidence files intact: {files}")
    return 0 if report.ok and not problems else 1
