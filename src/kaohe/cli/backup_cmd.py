"""``kaohe backup OUT`` and ``kaohe restore IN``: a consistent snapshot of the web app's database, its media
files and the audit key reference (see kaohe.web.backup and docs/deploy.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = sub.add_parser("backup", help="write a consistent snapshot of the database and media files to OUT (.zip)")
    backup.add_argument("out", type=Path)
    backup.add_argument("--force", action="store_true", help="replace OUT if it exists")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="restore a backup into an empty database (./var or $DATABASE_URL)")
    restore.add_argument("source", type=Path, metavar="IN")
    restore.add_argument("--force", action="store_true", help="replace whatever the database holds")
    restore.set_defaults(func=cmd_restore)


def _setup() -> None:
    from kaohe.cli.web_cmd import _setup as setup

    setup()


def cmd_backup(args: argparse.Namespace) -> int:
    from kaohe.core.guards import output_file

    output_file(args.out, option="OUT")  # before Django's setup and the dump: a directory, an unwritable folder
    _setup()
    from django.db import connection

    from kaohe.core.exceptions import UserInputError
    from kaohe.web.backup import BackupError, backup

    if "django_migrations" not in connection.introspection.table_names():
        raise UserInputError("the database is empty (nothing to back up)")
    try:
        outcome = backup(args.out, overwrite=args.force)
    except BackupError as exc:
        raise UserInputError(str(exc)) from None
    print(f"backup written to {args.out}: {outcome.rows} rows in {outcome.tables} tables, {outcome.files} files")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from kaohe.core.guards import zip_archive

    # Before `migrate` creates or touches the database (kaohe.web.backup needs Django set up: not imported yet).
    zip_archive(args.source, required="manifest.json", what="a kaohe backup")
    _setup()
    from django.core.management import call_command

    from kaohe.core.exceptions import UserInputError
    from kaohe.web.backup import BackupError, restore

    call_command("migrate", verbosity=0, interactive=False)
    try:
        outcome = restore(args.source, force=args.force)
    except BackupError as exc:
        raise UserInputError(str(exc)) from None
    for warning in outcome.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"restored {outcome.rows} rows in {outcome.tables} tables and {outcome.files} files from {args.source}")
    return 0
