"""The ``kaohe`` command.

Each sub-command lives in its own module here and exposes ``register(subparsers)``; the module adds its
parser and sets ``func`` (taking the parsed ``argparse.Namespace`` and returning an exit code).
User mistakes raise :class:`kaohe.core.exceptions.UserInputError`; they are printed one per line and the
command exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kaohe.core.exceptions import UserInputError

# Sub-command modules, in the order they appear in --help.
COMMAND_MODULES = [
    "kaohe.cli.schemes_cmd",
    "kaohe.cli.score_cmd",
    "kaohe.cli.air_cmd",
    "kaohe.cli.standards_cmd",
    "kaohe.cli.water_cmd",
    "kaohe.cli.registers_cmd",
    "kaohe.cli.web_cmd",
    "kaohe.cli.cycle_cmd",
    "kaohe.cli.backup_cmd",
    "kaohe.cli.remind_cmd",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kaohe", description="考核 — environmental target-responsibility assessment")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # the sub-command is not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
    except UserInputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `kaohe schemes show … | head`
        sys.stderr.close()
        return 0
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
