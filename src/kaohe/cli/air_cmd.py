"""``kaohe air evaluate FILE --by city_id --out OUT [--as-inputs SCHEME]``: hourly data to annual statistics.

HJ 663-2026, per the published summary (docs/air.md): ``--exceptional-events LIST`` leaves the approved days of the
list out when the edition in force at the year's end asks for it (2026), or always with ``--exclude-exceptional``,
never with ``--no-exceptional``; with ``--as-inputs`` and neither flag, as the scheme's ``air_exceptional_events``
says (``exclude`` ⇒ always, ``keep`` ⇒ never). The days left out go to OUT with the suffix ``_excluded``.
``--three-year PREV1 PREV2`` (the two previous years' tables this command wrote) writes the three-year means to OUT
with the suffix ``_three_year``. All files or none."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from pathlib import Path

import polars as pl
from tqdm import tqdm

from kaohe.core.exceptions import UserInputError
from kaohe.core.files import atomic_paths
from kaohe.core.guards import input_file, output_file
from kaohe.monitoring.air import POLLUTANTS, as_inputs, read_hourly
from kaohe.monitoring.air.editions import Edition, auto_with, builtin_editions, load_edition
from kaohe.monitoring.air.exceptional import read_exceptional
from kaohe.monitoring.air.read import _ALIASES as TIMESTAMP_ALIASES  # the hourly reader's column names
from kaohe.monitoring.air.stats import (
    AreaClass,
    EditionChoice,
    edition_at,
    evaluate_year,
    evaluate_year_with_excluded,
)
from kaohe.monitoring.air.three_year import evaluate_three_years, evaluate_three_years_pooled, read_year_table

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
        metavar="ID",
        help="which editions the days follow: auto (default; the scheme's air_edition with --as-inputs) evaluates "
        "each day by the edition in force that day (2026 from 2026-03-01); an edition's id (2012, 2026, or the id of "
        "a --standard-file) the whole year by that one",
    )
    ev.add_argument(
        "--standard-file",
        action="append",
        metavar="FILE",
        help="an office's edition file (YAML, as `kaohe standards show` prints; may be given more than once): it "
        "stands in for the built-in edition of its id (or adds one), so under auto the days from its in_force_from "
        "follow it and the days before keep the built-in edition then in force; with --edition ITS_ID the whole year "
        "follows it",
    )
    ev.add_argument(
        "--exceptional-events",
        metavar="LIST",
        help="exceptional-event days (HJ 663-2026 例外事件, per the published summary): city_id or station_id, date, "
        "kind (沙尘/烟花爆竹/其他), approved (是/否); the approved days are left out of the annual statistics when "
        "the edition in force at the year's end asks for it (2026) or the scheme of --as-inputs does "
        "(air_exceptional_events), and listed in OUT_excluded",
    )
    force = ev.add_mutually_exclusive_group()
    force.add_argument(
        "--exclude-exceptional",
        dest="exclude_exceptional",
        action="store_const",
        const=True,
        help="leave the approved days out whatever the edition (needs --exceptional-events)",
    )
    force.add_argument(
        "--no-exceptional",
        dest="exclude_exceptional",
        action="store_const",
        const=False,
        help="keep every day, even under an edition that asks for the exclusion",
    )
    ev.add_argument(
        "--three-year",
        nargs=2,
        metavar=("PREV1", "PREV2"),
        help="the two previous years, as the annual tables this command wrote or as hourly files: writes the "
        "three-year values (HJ 663-2026, per the published summary) to OUT_three_year, in the form of the edition in "
        "force at the year's end (options.three_year_form: the mean of the three annual values, or each statistic "
        "over the pooled daily values, which needs the hourly files)",
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


def _edition(choice: str, files: list[Edition]) -> str | Edition | tuple[Edition, ...]:
    """What the days follow: ``choice`` ("auto" or a built-in id) without edition files; with them, "auto" over the
    built-in editions with the files in place of those of their ids (``auto_with``), or the one of those with the id
    ``choice`` for the whole year."""
    builtins = ", ".join(builtin_editions())
    if not files:
        if choice != "auto" and choice not in builtin_editions():
            raise UserInputError(
                f"--edition {choice!r}: expected auto or a built-in edition ({builtins}); another id needs its "
                "--standard-file"
            )
        return choice
    plan = auto_with(*files)
    if choice == "auto":
        return plan
    for edition in plan:
        if edition.id == choice:
            return edition
    given = ", ".join(f"{e.id} ({Path(e.file).name})" for e in files)
    raise UserInputError(
        f"--edition {choice!r} is neither a built-in edition ({builtins}) nor the id of a --standard-file ({given})"
    )


def _write(frame: pl.DataFrame, out: Path, *more: tuple[pl.DataFrame, Path]) -> None:
    """Writes to temporary files next to ``out`` (and each of ``more``) and renames them, so an error leaves no
    output behind."""
    tables = [(frame, out), *more]
    with atomic_paths(*(path for _, path in tables)) as temps:
        for (table, path), tmp in zip(tables, temps, strict=True):
            suffix = path.suffix.lower()
            if suffix == ".csv":
                table.write_csv(tmp)
            elif suffix == ".parquet":
                table.write_parquet(tmp)
            else:
                _write_xlsx(table, tmp)


def _beside(out: Path, name: str) -> Path:
    """OUT with a suffix: results.csv ⇒ results_excluded.csv."""
    return out.with_name(f"{out.stem}_{name}{out.suffix}")


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


def _is_hourly(path: Path) -> bool:
    """Whether a --three-year file is hourly data (it has a timestamp column) rather than an annual table; read from
    its header only. A file that cannot be read says so when it is read."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            names = list(pl.read_parquet_schema(path))
        elif suffix in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True)
            try:
                first = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), ())
            finally:
                book.close()
            names = [str(c) for c in first if c is not None]
        else:
            names = pl.read_csv(path, n_rows=0, infer_schema=False, encoding="utf8-lossy").columns
    except Exception:  # any failure here: the reader of the file's kind names the problem when it reads it
        return False
    return any(TIMESTAMP_ALIASES.get(n.strip().lower(), n.strip().lower()) == "timestamp" for n in names)


def _three_years(
    args: argparse.Namespace,
    result: pl.DataFrame,
    hourly: pl.DataFrame,
    previous: list[pl.DataFrame],
    previous_files: list[Path],
    edition: EditionChoice,
    area_class: AreaClass,
    limits: dict[str, float],
) -> tuple[pl.DataFrame, str, bool]:
    """The three-year table in the form of the edition in force at the end of the year (HJ 663-2026, per the
    published summary: options.three_year_form), whether that edition asks for a three-year evaluation at all."""
    year = int(result.get_column("year")[0])  # evaluate_year refused a table without rows
    rules = edition_at(edition, dt.date(year, 12, 31))
    names = [*args.three_year, None]
    if rules.three_year_form == "pooled_days" and previous:
        raise UserInputError(
            f"the edition {rules.id} defines the pooled three-year form (options.three_year_form: pooled_days): give "
            "--three-year the two previous years' hourly files, not annual tables"
        )
    if not previous:  # hourly files of the previous years
        before = [read_hourly(path, detection_limits=limits, one_year=True) for path in previous_files]
        if rules.three_year_form == "pooled_days":
            three = evaluate_three_years_pooled(
                [*before, hourly], names, by=args.by, area_class=area_class, edition=edition
            )
            return three, rules.three_year_form, rules.option("three_year_mean")
        previous = [evaluate_year(h, by=args.by, area_class=area_class, edition=edition) for h in before]
    three = evaluate_three_years([*previous, result], names=names)
    return three, rules.three_year_form, rules.option("three_year_mean")


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
    files = [load_edition(input_file(path)) for path in args.standard_file or []]
    edition = _edition(args.edition or (scheme.air_edition if scheme and scheme.air_edition else "auto"), files)
    if args.exclude_exceptional and not args.exceptional_events:
        raise UserInputError("--exclude-exceptional needs --exceptional-events LIST")
    # the scheme's rule for exceptional-event days, when neither --exclude-exceptional nor --no-exceptional is given
    exclude: bool | None = args.exclude_exceptional
    scheme_rule = scheme.air_exceptional_events if scheme is not None and exclude is None else None
    if scheme_rule in ("exclude", "keep"):
        exclude = scheme_rule == "exclude"
    else:
        scheme_rule = None
    if exclude and not args.exceptional_events:
        raise UserInputError(
            f"the scheme {args.as_inputs} asks to leave out exceptional-event days (air_exceptional_events: exclude): "
            "give their list with --exceptional-events LIST"
        )
    if args.three_year and scheme is not None:
        raise UserInputError("--three-year writes the annual tables; give it without --as-inputs")
    if args.exceptional_events:
        output_file(_beside(out, "excluded"), OUT_TYPES, "the file beside --out")  # checked as OUT is
    if args.three_year:
        output_file(_beside(out, "three_year"), OUT_TYPES, "the file beside --out")
    # the lists and the previous years are checked before the hourly file is read: a mistake costs no evaluation
    events = read_exceptional(input_file(args.exceptional_events)) if args.exceptional_events else None
    previous_files = [input_file(path) for path in args.three_year or []]
    hourly_previous = {_is_hourly(path) for path in previous_files}
    if len(hourly_previous) > 1:
        raise UserInputError(
            "--three-year: give both previous years the same way, as the annual tables this command wrote or as "
            "hourly files"
        )
    previous = [] if True in hourly_previous else [read_year_table(path) for path in previous_files]
    steps = ["read and check", "daily and annual statistics", "write"]
    with tqdm(total=len(steps), file=sys.stderr, disable=not sys.stderr.isatty(), unit="step") as bar:
        bar.set_description(steps[0])
        hourly = read_hourly(args.file, detection_limits=limits, one_year=True)  # span checked before any day
        bar.update()
        bar.set_description(steps[1])
        result, excluded, applied = evaluate_year_with_excluded(
            hourly,
            by=args.by,
            area_class=area_class,
            edition=edition,
            exceptional=events,
            exclude_exceptional=exclude,
        )
        more: list[tuple[pl.DataFrame, Path]] = []
        if events is not None:
            more.append((excluded, _beside(out, "excluded")))
        if args.three_year:
            three, form, asks = _three_years(
                args, result, hourly, previous, previous_files, edition, area_class, limits
            )
            more.append((three, _beside(out, "three_year")))
        followed = {e for joined in result.get_column("editions").to_list() for e in joined.split("+") if e}
        from_file = {e.id: Path(e.file).name for e in files}
        used = "+".join(f"{e} (from {from_file[e]})" if e in from_file else e for e in sorted(followed))
        judged_by = result.get_column("limits")[0] if result.height else ""
        if scheme is not None:
            result = as_inputs(result, scheme)
        bar.update()
        bar.set_description(steps[2])
        _write(result, out, *more)
        bar.update()
    print(f"wrote {out}: {result.height} rows ({args.by}); days by edition {used}; limits of {judged_by}")
    for ident, name in from_file.items():
        if ident not in followed:
            print(f"note: no day followed the edition file {name} ({ident})")
    if events is not None:
        approved = int(events.get_column("approved").sum())
        asked = ", left out as the scheme asks (air_exceptional_events: exclude)" if scheme_rule else ""
        if applied:
            print(
                f"exceptional events: {excluded.height} days excluded ({excluded.get_column(args.by).n_unique()} ids) "
                f"of {approved} approved in the list{asked}; written to {_beside(out, 'excluded')}"
            )
        elif scheme_rule:
            print(
                f"exceptional events: 0 days excluded (the scheme's air_exceptional_events: keep; {approved} approved "
                "in the list)"
            )
        elif args.exclude_exceptional is False:
            print(f"exceptional events: 0 days excluded (--no-exceptional; {approved} approved in the list)")
        else:
            print(
                f"exceptional events: 0 days excluded ({approved} approved in the list): the edition in force at the "
                "year's end does not ask for it (--exclude-exceptional to leave them out)"
            )
    if args.three_year:
        incomplete = three.get_column("missing_years").is_not_null().sum()
        how = "over the three years' daily values pooled" if form == "pooled_days" else "means of the annual values"
        print(
            f"three-year values {three.get_column('years')[0] if three.height else ''} ({how}): {three.height} rows, "
            f"{incomplete} without all three years (null); wrote {_beside(out, 'three_year')}"
        )
        if not asks:
            print("note: the edition in force at the year's end defines no three-year evaluation; computed as asked")
    return 0
