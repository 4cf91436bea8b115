"""``kaohe standards list | show ID | show --standard-file F``: the air-quality editions and their tables."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

from kaohe.core.exceptions import UserInputError
from kaohe.monitoring.air.editions import AREA_CLASSES, OPTIONS, Edition, Entry, builtin_editions, load_edition, resolve

MARK = "*"  # follows every value the edition file marks `confirmed: false`


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("standards", help="the air-quality standard editions (HJ 633 / HJ 663 / GB 3095)")
    s = p.add_subparsers(dest="standards_command", required=True)
    s.add_parser("list", help="the built-in editions").set_defaults(func=cmd_list)
    show = s.add_parser("show", help="print an edition's tables; unconfirmed values are marked *")
    show.add_argument("edition", nargs="?", help="built-in id (2012, 2026) or edition YAML file")
    show.add_argument("--standard-file", metavar="F", help="an edition YAML file (e.g. an office's corrected copy)")
    show.set_defaults(func=cmd_show)


def cmd_list(args: argparse.Namespace) -> int:
    for edition in builtin_editions().values():
        count = len(edition.unconfirmed())
        print(f"{edition.id:6} {edition.name:44} in force from {edition.in_force_from}  {count} unconfirmed")
    return 0


def _number(value: object) -> str:
    if isinstance(value, Fraction) and value.denominator != 1:
        return str(float(value))  # breakpoints and limits have at most three decimals: float prints them exactly
    if isinstance(value, Fraction):
        return str(value.numerator)
    return str(value)


def _cells(values: Iterable[object], confirmed: bool, width: int = 6) -> str:
    mark = "" if confirmed else MARK
    return "".join(f"{_number(v) + mark:>{width}}" for v in values)


def _print_edition(edition: Edition) -> None:
    by_key = {e.key: e for e in edition.entries}

    def mark(key: str) -> str:
        return "" if by_key[key].confirmed else MARK

    print(f"{edition.name}  (edition {edition.id}, {edition.file})")
    print(f"in force from {edition.in_force_from}{mark('in_force_from')}")
    if edition.note:
        print(edition.note)
    print(f"values marked {MARK} are not confirmed; units µg/m³, CO mg/m³")

    levels = by_key["iaqi_levels"]
    print("\nIAQI breakpoints (HJ 633 表1)")
    print(f"  {'IAQI':12}{_cells(edition.iaqi_levels, levels.confirmed)}")
    for (pollutant, period), row in edition.rows.items():
        entry = by_key[f"breakpoints.{pollutant}.{period}"]
        print(f"  {pollutant + ' ' + period:12}{_cells(row, entry.confirmed)}")
    for (pollutant, period), value in edition.not_computed_above.items():
        key = f"not_computed_above.{pollutant}.{period}"
        print(f"  {pollutant} {period} above {_number(value)}{mark(key)}: IAQI not computed")

    print("\nAQI categories (HJ 633 表2)")
    lower = 0
    for upper, name in edition.categories:
        print(f"  {lower:>3}–{upper:<3} {name}{mark(f'categories[{name}]')}")
        lower = upper + 1
    worst = edition.worst_category
    print(f"  >{edition.categories[-1][0] if edition.categories else 0:<6} {worst}{mark(f'categories[{worst}]')}")

    print("\nConcentration limits by stage (GB 3095)")
    for stage in edition.stages:
        dates = f"{stage.start} … {stage.until}" if stage.until else f"from {stage.start}"
        print(f"  {stage.id} {stage.name}  {dates}{mark(f'stages[{stage.id}]')}")
        print(f"    {'':18}" + "".join(f"{'class ' + str(c):>10}" for c in AREA_CLASSES))
        cells = dict.fromkeys((p, s) for _, p, s in stage.limits)  # file order
        for pollutant, statistic in cells:
            texts = []
            for area_class in AREA_CLASSES:
                key = f"stages[{stage.id}].limits.class_{area_class}.{pollutant}.{statistic}"
                texts.append(f"{_number(stage.limits[(area_class, pollutant, statistic)]) + mark(key):>10}")
            print(f"    {pollutant + ' ' + statistic:18}" + "".join(texts))

    print("\nData validity (GB 3095 表4, HJ 663)")
    for name, value in vars(edition.validity).items():
        print(f"  {name:20} {value}{mark(f'validity.{name}')}")

    print("\nRounding")
    print(f"  IAQI {edition.iaqi_rounding}{mark('rounding.iaqi')}, concentrations ", end="")
    print(f"{edition.concentration_rounding}{mark('rounding.concentrations')}; decimals ", end="")
    print(", ".join(f"{p} {d}" for p, d in edition.decimals.items()) + mark("rounding.decimals"))

    flags = [name for name in OPTIONS if f"options.{name}" in by_key]
    form = "options.three_year_form" in by_key
    if flags or form:
        print("\nOptions (HJ 663)")
        for name in flags:
            print(f"  {name:20} {str(edition.options[name]).lower()}{mark(f'options.{name}')}")
        if form:
            print(f"  {'three_year_form':20} {edition.three_year_form}{mark('options.three_year_form')}")

    unconfirmed = edition.unconfirmed()
    print(f"\n{len(unconfirmed)} unconfirmed values")
    for entry in unconfirmed:
        _print_entry(entry)


def _print_entry(entry: Entry) -> None:
    line = f" (line {entry.line})" if entry.line is not None else ""
    note = f" — {entry.note}" if entry.note else ""
    print(f"  {MARK} {entry.key}{line}: {entry.source}{note}")


def cmd_show(args: argparse.Namespace) -> int:
    if (args.edition is None) == (args.standard_file is None):
        raise UserInputError("give either an edition id (2012, 2026) or --standard-file F")
    _print_edition(load_edition(Path(args.standard_file)) if args.standard_file else resolve(args.edition))
    return 0
