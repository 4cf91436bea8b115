"""``kaohe water evaluate FILE --year Y --out OUT [--as-inputs SCHEME]``.

Writes two tables: per section and per unit (xlsx: two sheets; csv/parquet: OUT and OUT with the suffix
``_units``). With ``--as-inputs SCHEME`` the unit table is replaced by the scheme's water inputs, keyed by
``unit_id`` (xlsx: sheets ``inputs`` and ``sections``; csv/parquet: OUT holds the inputs and OUT with the suffix
``_sections`` the sections), so that OUT can go straight to scoring. Outputs are written to temporary files and
renamed at the end: a failed run leaves no partial output.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from kaohe.core.exceptions import UserInputError
from kaohe.core.files import atomic_paths
from kaohe.core.guards import input_file, output_file, year_option
from kaohe.monitoring import water

FORMATS = (".xlsx", ".csv", ".parquet")
LIST_SEPARATOR = ";"  # list-valued cells in CSV/Excel, as the scoring core reads them


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("water", help="surface-water quality by GB 3838-2002")
    sub = parser.add_subparsers(dest="water_command", required=True)
    evaluate = sub.add_parser(
        "evaluate",
        help="classify sections and compute the per-unit inputs of the water indicators",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument("file", type=Path, help="section measurements (.csv, .xlsx or .parquet)")
    evaluate.add_argument("--year", type=int, required=True, help="assessment year")
    evaluate.add_argument("--out", type=Path, required=True, help="output file (.xlsx, .csv or .parquet)")
    evaluate.add_argument("--as-inputs", metavar="SCHEME", help="write the inputs that SCHEME reads from water.*")
    evaluate.set_defaults(func=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    out: Path = output_file(args.out, tuple(FORMATS))
    year_option(args.year)
    input_file(args.file)  # a directory, a device, a damaged or inflating .xlsx: refused before reading
    frame = water.read_sections(args.file)
    result = water.evaluate_sections(frame, args.year)
    sections = result.sections
    if sections.height == 0:
        raise UserInputError(f"{args.file}: no rows for year {args.year}")
    if args.as_inputs:
        import kaohe

        inputs = water.as_inputs(result.units, kaohe.load_scheme(args.as_inputs))
        tables = {"inputs": inputs, "sections": sections}
    else:
        tables = {"sections": sections, "units": result.units}
    write_tables(out, tables)
    return 0


def write_tables(out: Path, tables: dict[str, pl.DataFrame]) -> None:
    """Write ``tables`` (first one to OUT, the others to OUT_<name> or to further sheets), all or nothing."""
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        targets: list[tuple[Path, Callable[[Path], None]]] = [(out, lambda tmp: _write_xlsx(tmp, tables))]
    else:
        targets = []
        for i, (name, table) in enumerate(tables.items()):
            path = out if i == 0 else out.with_name(f"{out.stem}_{name}{out.suffix}")
            targets.append((path, _writer(suffix, table)))
    with atomic_paths(*(path for path, _ in targets)) as temps:
        for tmp, (_, write) in zip(temps, targets, strict=True):
            write(tmp)


def _writer(suffix: str, table: pl.DataFrame) -> Callable[[Path], None]:
    if suffix == ".parquet":
        return lambda tmp: table.write_parquet(tmp)
    return lambda tmp: _flat(table).write_csv(tmp)


def _flat(table: pl.DataFrame) -> pl.DataFrame:
    """List columns as ``;``-separated text (booleans as true/false), for CSV and Excel."""
    lists = [name for name, dtype in table.schema.items() if isinstance(dtype, pl.List)]
    return table.with_columns(
        pl.col(c).list.eval(pl.element().cast(pl.String)).list.join(LIST_SEPARATOR) for c in lists
    )


def _write_xlsx(path: Path, tables: dict[str, pl.DataFrame]) -> None:
    from openpyxl import Workbook  # polars' write_excel needs xlsxwriter, which we do not ship

    from kaohe.core.xlsx_text import safe_row  # a section name like "=1+1" stays text

    book = Workbook(write_only=True)
    for name, table in tables.items():
        sheet = book.create_sheet(name)
        sheet.append(safe_row(table.columns))
        for row in _flat(table).iter_rows():
            sheet.append(safe_row(row))
    book.save(path)
