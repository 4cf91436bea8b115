"""``kaohe registers derive --scheme ID --year Y [--rectification F] [--complaints F] [--notices F] [--incidents F]
[--units F] --out OUT`` and ``kaohe registers template KIND --out F.xlsx``.

``derive`` reads the register files (all or nothing: every mistake of every file is reported, nothing is written)
and writes one row per unit: ``unit_id`` and the scheme's inputs that declare ``source: register.<metric>``, the
columns ``kaohe score --inputs`` adds to a units file. Without ``--units`` the units are those the registers name;
with it (``unit_id, unit_name, sequence``, as ``kaohe inputs-template`` reads) every listed unit gets a row (0 where
a register has none of its rows) and a register row of a unit not listed is refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from kaohe.core.exceptions import InputTableError, Problem, UserInputError
from kaohe.core.files import write_atomically
from kaohe.core.guards import input_file, output_file, year_option
from kaohe.core.scheme import Scheme, load_scheme
from kaohe.core.tables import read_units
from kaohe.core.xlsx_text import safe_row
from kaohe.registers import REGISTERS, derive_inputs, read_register, registers_needed, scheme_metrics
from kaohe.registers.template import write_register_template

OUT_TYPES = (".csv", ".xlsx", ".parquet")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("registers", help="督察整改、信访、通报督办、突发环境事件台账: derive inputs, write templates")
    s = p.add_subparsers(dest="registers_command", required=True)
    d = s.add_parser(
        "derive",
        help="the scheme's register inputs for a year, one row per unit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    d.add_argument("--scheme", required=True, help="built-in id or YAML file")
    d.add_argument("--year", type=int, required=True, help="the assessment year")
    for kind, spec in REGISTERS.items():
        d.add_argument(f"--{kind}", metavar="FILE", help=f"{spec.label} (.csv, .xlsx or .parquet)")
    d.add_argument("--units", metavar="FILE", help="the units (unit_id, unit_name, sequence): a row for each")
    d.add_argument("--out", required=True, help="output: .csv, .xlsx or .parquet")
    d.set_defaults(func=cmd_derive)
    t = s.add_parser("template", help="an empty Excel register with Chinese headers, validation and 说明")
    t.add_argument("kind", choices=list(REGISTERS), help="which register")
    t.add_argument("--out", required=True, help="the .xlsx to write")
    t.set_defaults(func=cmd_template)


def cmd_template(args: argparse.Namespace) -> int:
    out = output_file(args.out, (".xlsx",))
    write_register_template(args.kind, out)
    spec = REGISTERS[args.kind]
    print(f"wrote {out}: {spec.label} ({len(spec.columns)} columns, 说明 sheet)")
    return 0


def cmd_derive(args: argparse.Namespace) -> int:
    out = output_file(args.out, OUT_TYPES)
    year_option(args.year)
    files: dict[str, str] = {kind: getattr(args, kind) for kind in REGISTERS if getattr(args, kind)}
    for path in [*files.values(), *([args.units] if args.units else [])]:
        input_file(path)
    scheme = load_scheme(args.scheme)
    needed = registers_needed(scheme)
    if not needed:
        raise UserInputError(f"scheme {scheme.id} has no input with source 'register.…'; nothing to derive")
    absent = [kind for kind in needed if kind not in files]
    if absent:
        raise UserInputError(
            [
                Problem(
                    f"scheme {scheme.id} reads {', '.join(_inputs_of(scheme, kind))} from the {REGISTERS[kind].label}: "
                    f"give --{kind} FILE (`kaohe registers template {kind}` writes an empty one)"
                )
                for kind in absent
            ]
        )
    registers: dict[str, pl.DataFrame] = {}
    problems: list[Problem] = []
    for kind, path in files.items():  # every file read before any refusal: all mistakes at once
        try:
            registers[kind] = read_register(kind, path)
        except InputTableError as exc:
            problems += exc.problems
    units = read_units(args.units).get_column("unit_id").to_list() if args.units else None
    if units is not None:
        problems += _unlisted_units(registers, files, set(units), args.units)
    if problems:
        raise InputTableError(problems)
    derived = derive_inputs(scheme, {k: registers[k] for k in needed}, args.year, units=units)
    write_atomically(out, lambda tmp: _write(derived, tmp))
    unused = [kind for kind in files if kind not in needed]
    print(
        f"wrote {out}: {derived.height} units × {derived.width - 1} inputs of {scheme.id} for {args.year} "
        f"from {', '.join(needed)}"
    )
    if unused:
        print(f"note: scheme {scheme.id} reads nothing from {', '.join(unused)}; those files were only checked")
    return 0


def _inputs_of(scheme: Scheme, kind: str) -> list[str]:
    return [spec.id for spec, metric in scheme_metrics(scheme) if metric.register == kind]


def _unlisted_units(
    registers: dict[str, pl.DataFrame], files: dict[str, str], units: set[str], units_file: str
) -> list[Problem]:
    """A register row of a unit the units file does not list: a typo would otherwise drop its rows unseen."""
    problems: list[Problem] = []
    for kind, frame in registers.items():
        header = REGISTERS[kind].column("unit_id").header
        bad = frame.with_row_index("i").filter(~pl.col("unit_id").is_in(list(units))).head(20)
        for index, unit in bad.select("i", "unit_id").iter_rows():
            problems.append(
                Problem(
                    f"单位 “{unit}” 不在 {units_file} 中 (unit {unit!r} is not listed in {units_file})",
                    file=files[kind],
                    line=index + 2,
                    column=header,
                    found=unit,
                )
            )
    return problems


def _write(table: pl.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table.write_parquet(path)
    elif suffix == ".csv":
        table.write_csv(path)
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("inputs")
        sheet.append(safe_row(table.columns))
        for row in table.iter_rows():
            sheet.append(safe_row(list(row)))
        book.save(path)
