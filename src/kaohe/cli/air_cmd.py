"""``kaohe air evaluate FILE --by city_id --out OUT [--as-inputs SCHEME]``: hourly data to annual statistics."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import polars as pl
from tqdm import tqdm

from kaohe.core.exceptions import UserInputError
from kaohe.core.files import atomic_paths
from kaohe.core.guards import input_file, output_file
from kaohe.monitoring.air import POLLUTANTS, as_inputs, evaluate_year, read_hourly
from kaohe.monitoring.air.editions import Edition, load_edition

OUT_TYPES = (".csv", ".xlsx", ".parquet")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    air = sub.add_parser("air", help="air quality by HJ 633 / HJ 663 / GB 3095 (2012 and 2026 editions)")
    air_sub = air.add_subparsers(dest="air_command", required=True)
    ev = air_sub.add_parser("evaluate", help="annual statistics per station or city from hourly data")
    ev.add_argument("file", help="hourly data: .csv, .parquet or .xlsx")
    ev.add_argument("--by", choices=("city_id", "station_id"), default="city_id")
    ev.add_argument("--out", required=True, help="results: .csv, .xlsx or .parquet")
    ev.add_argument("--as-inputs", metavar="SCHEME", help="write the scheme's air inputs instead (needs --by city_id)")
    ev.add_argument(
        "--detection-limit",
        action="append",
        default=[],
        metavar="POLLUTANT=LIMIT",
        help="detection limit for bare 'ND' cells, e.g. so2=3 (counted at half the limit)",
    )
    ev.add_argument(
        "--area-class",
        action="append",
        default=[],
        metavar="[ID=]CLASS",
        help="GB 3095-2012 环境空气功能区 class, 1 or 2 (default 2), for every id or for one: selects the 8-h O3 "
        "limit (100 or 160 µg/m³) above which a day with fewer than 14 valid 8-h values still counts (HJ 663-2013)",
    )
    ev.add_argument(
        "--edition",
        choices=("auto", "2012", "2026"),
        help="which editions the days follow: auto (default; the scheme's air_edition with --as-inputs) evaluates "
        "each day by the edition in force that day (2026 from 2026-03-01), 2012 or 2026 the whole year by one",
    )
    ev.add_argument(
        "--standard-file",
        metavar="FILE",
        help="an edition file (YAML, as `kaohe standards show` prints) to evaluate the whole year by instead",
    )
    ev.set_defaults(func=cmd_evaluate)


def _limits(items: list[str]) -> dict[str, float]:
    limits: dict[str, float] = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            limit = float(value)
        except ValueError:
            limit = -1.0
        if name.strip() not in POLLUTANTS or not 0 < limit < math.inf:  # nan and inf are no limits
            raise UserInputError(f"--detection-limit {item!r}: expected POLLUTANT=LIMIT, e.g. so2=3")
        limits[name.strip()] = limit
    return limits


def _area_class(items: list[str]) -> int | dict[str, int]:
    every: int | None = None
    per_id: dict[str, int] = {}
    for item in items:
        ident, _, value = item.rpartition("=")
        if value.strip() not in ("1", "2") or (item.count("=") and not ident.strip()):
            raise UserInputError(f"--area-class {item!r}: expected 1 or 2, or ID=1 / ID=2")
        if ident:
            per_id[ident.strip()] = int(value)
        else:
            every = int(value)
    if not per_id:
        return 2 if every is None else every
    if every is not None:
        raise UserInputError("--area-class: give one class for every id or one per id, not both")
    return per_id


def _write(frame: pl.DataFrame, out: Path) -> None:
    """Writes to a temporary file next to ``out`` and renames it, so an error leaves no output behind."""
    suffix = out.suffix.lower()
    with atomic_paths(out) as (tmp,):
        if suffix == ".csv":
            frame.write_csv(tmp)
        elif suffix == ".parquet":
            frame.write_parquet(tmp)
        else:
            _write_xlsx(frame, tmp)


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    from openpyxl import Workbook  # polars' write_excel needs xlsxwriter, which we do not depend on

    from kaohe.core.xlsx_text import safe_row  # a station or city id like "=1+1" stays text

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "air"
    sheet.append(safe_row(frame.columns))
    for row in frame.iter_rows():  # one row per station or city: small
        sheet.append(safe_row(row))
    book.save(path)


def cmd_evaluate(args: argparse.Namespace) -> int:
    out = output_file(args.out, OUT_TYPES)
    input_file(args.file)  # a directory, a device, a damaged or inflating .xlsx: refused before reading
    if args.as_inputs and args.by != "city_id":
        raise UserInputError("--as-inputs needs --by city_id (scheme inputs are per city)")
    limits = _limits(args.detection_limit)
    area_class = _area_class(args.area_class)
    scheme = None
    if args.as_inputs:
        from kaohe.core import load_scheme  # the scoring core is only needed for this option

        scheme = load_scheme(args.as_inputs)
    edition: str | Edition = args.edition or (scheme.air_edition if scheme and scheme.air_edition else "auto")
    if args.standard_file:
        if args.edition:
            raise UserInputError("give --edition or --standard-file, not both")
        edition = load_edition(input_file(args.standard_file))
    steps = ["read and check", "daily and annual statistics", "write"]
    with tqdm(total=len(steps), file=sys.stderr, disable=not sys.stderr.isatty(), unit="step") as bar:
        bar.set_description(steps[0])
        hourly = read_hourly(args.file, detection_limits=limits, one_year=True)  # span checked before any day
        bar.update()
        bar.set_description(steps[1])
        result = evaluate_year(hourly, by=args.by, area_class=area_class, edition=edition)
        used = "+".join(sorted({e for joined in result.get_column("editions").to_list() for e in joined.split("+")}))
        judged_by = result.get_column("limits")[0] if result.height else ""
        if scheme is not None:
            result = as_inputs(result, scheme)
        bar.update()
        bar.set_description(steps[2])
        _write(result, out)
        bar.update()
    print(f"wrote {out}: {result.height} rows ({args.by}); days by edition {used}; limits of {judged_by}")
    return 0
