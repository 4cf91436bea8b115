"""``kaohe cycles | import | export``: an assessment cycle in the web application's database, from the command line.

The same services as the web screens, for offices that script their year:

    kaohe cycles                                    # id, year, name and states of every cycle
    kaohe import 3 air_inputs.csv --user alice      # monitoring values into cycle 3, as alice (an office member)
    kaohe export 3 --out 2025-results.xlsx          # the results workbook (scores, grades, ranks, explanations)
    kaohe export 3 --out 2025-通报.docx             # the 通报 (a review draft until the cycle is published)

``import`` takes a CSV or Parquet file with ``unit_id`` and one column per scheme input, exactly as the 导入监测数据
screen does: all rows are applied or none, every problem is listed with its row, and each value is audited under
the given user, who needs the office's permission for the cycle. The database is ./var/kaohe.sqlite3 or
$DATABASE_URL, as for ``kaohe serve``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from kaohe.cli.web_cmd import _setup
from kaohe.core.exceptions import Problem, UserInputError
from kaohe.core.files import write_atomically
from kaohe.core.guards import input_file, output_file


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cycles = sub.add_parser("cycles", help="list the assessment cycles in the database")
    cycles.set_defaults(func=cmd_cycles)

    imp = sub.add_parser("import", help="import monitoring values (CSV/Parquet: unit_id + input columns) into a cycle")
    imp.add_argument("cycle", help="the cycle's id (see `kaohe cycles`) or its exact name")
    imp.add_argument("file", type=Path)
    imp.add_argument("--user", required=True, help="the office member the audit log records")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="write a cycle's results workbook (.xlsx) or its 通报 (.docx)")
    exp.add_argument("cycle", help="the cycle's id (see `kaohe cycles`) or its exact name")
    exp.add_argument("--out", type=Path, required=True, help="…xlsx for the results, …docx for the 通报")
    exp.set_defaults(func=cmd_export)


def _cycle(ref: str) -> Any:
    from kaohe.assessments.models import Cycle

    found = Cycle.objects.filter(pk=int(ref)) if ref.isdigit() else Cycle.objects.filter(name=ref)
    cycle = found.first()
    if cycle is None:
        known = ", ".join(f"{c.pk} {c.name}" for c in Cycle.objects.order_by("pk")) or "none"
        raise UserInputError(f"no cycle {ref!r}; the cycles are: {known}")
    return cycle


def cmd_cycles(args: argparse.Namespace) -> int:
    _setup()
    from kaohe.assessments.models import Cycle

    cycles = Cycle.objects.order_by("year", "pk").prefetch_related("assessments")
    if not cycles:
        print("no cycles (open one on the 新建考核 screen, or run `kaohe demo`)")
    for cycle in cycles:
        states = Counter(a.get_state_display() for a in cycle.assessments.all())
        summary = "，".join(f"{label} {n}" for label, n in sorted(states.items()))
        print(f"{cycle.pk:>4}  {cycle.year}  {cycle.name}  ({summary or '无单位'})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    _setup()
    from django.contrib.auth.models import User

    from kaohe.assessments import actions
    from kaohe.assessments.rules import allowed

    input_file(args.file)  # a directory, a device, a damaged or inflating .xlsx: refused before reading
    cycle = _cycle(args.cycle)
    user = User.objects.filter(username=args.user, is_active=True).first()
    if user is None:
        raise UserInputError(f"no active user {args.user!r}")
    if not allowed(user, "assessments.manage_cycle", cycle):
        raise UserInputError(f"{args.user} may not import into {cycle.name} (the office's permission is needed)")
    # every mistake of the file is an InputTableError with file, sheet, row and column: main prints one per line
    table = actions.read_monitoring_file(str(args.file))
    try:
        count = actions.check_import_monitoring_values(cycle=cycle, rows=table, source=args.file.name, acting_user=user)
    except actions.ActionError as exc:  # the cycle's state: one message
        raise UserInputError(Problem(str(exc), file=str(args.file))) from None
    print(f"imported {count} values into {cycle.name} from {args.file}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    _setup()
    from kaohe.assessments.models import Result
    from kaohe.reports import docx, excel

    cycle = _cycle(args.cycle)
    suffix = args.out.suffix.lower()
    if suffix not in (".xlsx", ".docx"):
        raise UserInputError(Problem("expected a .xlsx (results) or .docx (通报) file name", file=str(args.out)))
    output_file(args.out)  # a directory or a folder that cannot be written: refused before the export is built
    if not Result.objects.filter(cycle=cycle).exists():
        raise UserInputError(f"{cycle.name} has no results yet: run the comprehensive evaluation (综合评价) first")
    data = excel.write_cycle_results(cycle) if suffix == ".xlsx" else docx.write_notice(cycle)
    write_atomically(args.out, lambda tmp: tmp.write_bytes(data))
    draft = "" if suffix == ".xlsx" or cycle.is_published else " (审阅稿: the cycle is not published yet)"
    print(f"wrote {args.out}{draft}")
    return 0
