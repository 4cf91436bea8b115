"""The three-year moving evaluation of HJ 663-2026, **per the published summary**. Pure Polars, no Django.

What is known (press release of 2026-02-24, issue 11): HJ 663-2026 "引入三年滑动平均评价方法". The text is not
reachable here, so the reading implemented is the one issue 11 names ("the mean of the three annual values per
statistic, unless the edition file defines the pooled form"); an edition file that says
``options.three_year_form: pooled_days`` gets :func:`evaluate_three_years_pooled` instead (docs/air.md). The mean
of the annual values:

- the inputs are three annual tables of :func:`kaohe.monitoring.air.evaluate_year` (or the files ``kaohe air
  evaluate`` writes; :func:`read_year_table`), of three consecutive years Y−2, Y−1, Y, by the same id column;
- each statistic of an id is the arithmetic mean of its three annual values: the annual means (``so2_mean``,
  ``no2_mean``, ``pm10_mean``, ``pm25_mean``) and percentiles (``so2_p98``, ``no2_p98``, ``pm10_p95``, ``pm25_p95``,
  ``co_p95``, ``o3_8h_p90``), rounded like the annual values: half to even on the exact decimal (GB/T 8170-2008),
  whole µg/m³, CO to 0.1 mg/m³. With kaohe's own annual values (whole numbers, CO in tenths) a tie cannot occur
  (n / 3 is never k + ½); a table with decimals (an office's own figures) can give one, e.g. (30.5 + 31 + 33) / 3 =
  31.5 ⇒ 32;
- ``good_ratio`` and ``heavy_ratio`` are the means of the three annual ratios (not pooled days), unrounded as the
  annual ratios are;
- an id missing from one of the years, or a statistic missing (empty) in one of them, gives **null** (no
  three-year value from two years); ``missing_years`` names the years an id lacks;
- ``<p>_annual_valid`` is true when all three years are valid (GB 3095 表4); 达标 (``<statistic>_limit``,
  ``<statistic>_met``, ``compliant``, ``limits``) is judged against the limits of the latest year's table, the
  edition and stage in force at the end of the three years.

``years`` names the years used (``2024+2025+2026``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import polars as pl

from kaohe.core.exceptions import InputTableError, Problem
from kaohe.core.values import FALSE, TRUE
from kaohe.monitoring.air.stats import (
    _PERCENTILES,
    AreaClass,
    By,
    EditionChoice,
    _from_codes,
    _percentile_expr,
    _round,
    _units,
    daily,
    edition_at,
    evaluate_year,
)
from kaohe.monitoring.air.tables import DEFAULT_AREA_CLASS

STATISTICS = (
    "so2_mean",
    "no2_mean",
    "pm10_mean",
    "pm25_mean",
    "so2_p98",
    "no2_p98",
    "pm10_p95",
    "pm25_p95",
    "co_p95",
    "o3_8h_p90",
)
RATIOS = ("good_ratio", "heavy_ratio")
VALIDITY = tuple(f"{k}_annual_valid" for k in ("so2", "no2", "pm10", "pm25", "co", "o3_8h"))
LIMITS = tuple(f"{s}_limit" for s in STATISTICS)
_DECIMALS = {"co_p95": 1}  # mg/m³ to 0.1; the others whole µg/m³ (HJ 663-2013, GB/T 8170-2008)
_IDS = ("city_id", "station_id")
MAX_PROBLEMS = 50


def read_year_table(path: str | Path) -> pl.DataFrame:
    """An annual table written by ``kaohe air evaluate`` (.csv, .xlsx, .parquet), checked as
    :func:`check_year_table` does; mistakes name the file, sheet, row and column."""
    from kaohe.core.tables import read_raw  # the reader of every kaohe table: UTF-8/GBK CSV, .xlsx, Parquet

    path = Path(path)
    raw, sheet = read_raw(path)
    first_row = 1 if path.suffix.lower() == ".parquet" else 2  # a header row is row 1
    return check_year_table(raw, file=str(path), sheet=sheet, first_row=first_row)


def check_year_table(
    frame: pl.DataFrame, file: str | None = None, sheet: str | None = None, first_row: int = 1
) -> pl.DataFrame:
    """The columns a three-year evaluation reads, typed: the id (``city_id`` or ``station_id``), ``year``, and those
    of :data:`STATISTICS`, :data:`RATIOS`, :data:`VALIDITY`, :data:`LIMITS` and ``limits`` that the table has
    (other columns are ignored). Refuses, every mistake at once: no id column or both, no ``year``, a year that is
    not one whole year 2000–2100 for every row, an empty or repeated id, a statistic that is not a non-negative
    number, a ratio outside 0–1, a validity that is not true/false."""
    problems: list[Problem] = []

    def problem(message: str, row: int | None = None, column: str | None = None) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(Problem(message, file=file, sheet=sheet, line=row, column=column))

    ids = [c for c in _IDS if c in frame.columns]
    if len(ids) != 1:
        problem("an annual table has one id column, city_id or station_id", column="city_id")
    if "year" not in frame.columns:
        problem("missing column 'year'", column="year")
    if problems:
        raise InputTableError(problems)
    by = ids[0]
    wanted = [c for c in (*STATISTICS, *RATIOS, *VALIDITY, *LIMITS) if c in frame.columns]
    text = frame.select(pl.col(by, "year", *wanted).cast(pl.String).str.strip_chars())
    out: dict[str, list[object]] = {c: [] for c in (by, "year", *wanted)}
    seen: dict[str, int] = {}
    years: set[int] = set()
    for index, record in enumerate(text.iter_rows(named=True)):
        row = index + first_row
        ident = record[by] or None
        if ident is None:
            problem(f"empty {by}", row, by)
        elif ident in seen:
            problem(f"{by} {ident} appears twice (also row {seen[ident]})", row, by)
        else:
            seen[ident] = row
        out[by].append(ident)
        year_text = str(record["year"] or "")
        year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
        if year is None or not 2000 <= year <= 2100:
            problem(f"{record['year']!r} is not a year (2000–2100)", row, "year")
        else:
            years.add(year)
        out["year"].append(year)
        for column in wanted:
            cell = record[column] or None
            value: object = None
            if column in VALIDITY:
                word = (cell or "").lower()
                value = True if word in TRUE else False if word in FALSE else None
                if cell is not None and value is None:
                    problem(f"{cell!r} is not true or false", row, column)
            elif cell is not None:
                number = _decimal(cell)
                top = 1 if column in RATIOS else math.inf
                if number is None or not 0 <= number <= top:
                    expected = "a ratio from 0 to 1" if column in RATIOS else "a non-negative number"
                    problem(f"{cell!r} is not {expected}", row, column)
                else:
                    value = float(number)
            out[column].append(value)
    if len(years) > 1:
        problem(f"an annual table holds one year, this one {'、'.join(map(str, sorted(years)))}", column="year")
    if problems:
        raise InputTableError(problems)
    schema = {by: pl.String, "year": pl.Int32}
    schema |= {c: (pl.Boolean if c in VALIDITY else pl.Float64) for c in wanted}
    typed = pl.DataFrame(out, schema=schema)
    if "limits" in frame.columns:
        typed = typed.with_columns(frame.get_column("limits").cast(pl.String).alias("limits"))
    return typed


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _exact(value: float) -> Fraction:
    """The decimal a table wrote (``repr`` gives back the shortest text of a float: 30.5, 0.1)."""
    return Fraction(Decimal(repr(value)))


def round_half_even(value: Fraction, decimals: int) -> Fraction:
    """``value`` (≥ 0) rounded half to even to ``decimals`` places, exactly (GB/T 8170-2008 §3.3)."""
    scaled = value * 10**decimals
    whole = math.floor(scaled)
    rest = scaled - whole
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    return Fraction(whole, 10**decimals)


def _three_consecutive(
    tables: Sequence[pl.DataFrame], names: Sequence[str | None] | None
) -> tuple[str, list[tuple[int, pl.DataFrame, str | None]], list[int]]:
    """The id column, the tables by year (year, table, name) and the years, when they are three annual tables by one
    id of three consecutive years; else every mistake, located."""
    if len(tables) != 3:
        raise ValueError(f"a three-year evaluation takes three annual tables, not {len(tables)}")
    labels = list(names) if names is not None else [None, None, None]
    checked = [
        (t if "year" in t.columns and t.schema["year"] == pl.Int32 and _typed(t) else check_year_table(t, file=n), n)
        for t, n in zip(tables, labels, strict=True)
    ]
    id_of = [next(c for c in _IDS if c in t.columns) for t, _ in checked]
    if len(set(id_of)) > 1:
        raise InputTableError(
            [
                Problem(f"this table is by {column}, another by {other}: all three by one id", file=name, column=column)
                for (_, name), column in zip(checked, id_of, strict=True)
                for other in sorted(set(id_of) - {column})
            ]
        )
    by = id_of[0]
    dated = sorted(((_year_of(t, n), t, n) for t, n in checked), key=lambda item: item[0])
    years = [year for year, _, _ in dated]
    last = years[-1]
    if years != [last - 2, last - 1, last]:
        raise InputTableError(
            [
                Problem(
                    f"year {year}: a three-year evaluation needs three consecutive years, here "
                    f"{'、'.join(map(str, years))}",
                    file=name,
                    column="year",
                )
                for year, _, name in dated
                if year not in (last - 2, last - 1, last) or years.count(year) > 1
            ]
            or [Problem(f"the years {'、'.join(map(str, years))} are not three consecutive years", column="year")]
        )
    return by, dated, years


def evaluate_three_years(tables: Sequence[pl.DataFrame], names: Sequence[str | None] | None = None) -> pl.DataFrame:
    """One row per id: the three-year values (see the module's docstring) of three annual tables of consecutive
    years, given in any order (:func:`evaluate_year`'s results, or :func:`read_year_table`'s). ``names`` (the files)
    locate the mistakes."""
    by, dated, years = _three_consecutive(tables, names)
    last = years[-1]
    problems = []
    for column in (*STATISTICS, *RATIOS, *VALIDITY):
        have = [column in t.columns for _, t, _ in dated]
        if any(have) and not all(have):
            problems += [
                Problem(f"missing column {column!r}, which the table of another year has", file=name, column=column)
                for (_, t, name), present in zip(dated, have, strict=True)
                if not present
            ]
    if problems:
        raise InputTableError(problems)
    statistics = [c for c in STATISTICS if c in dated[0][1].columns]
    ratios = [c for c in RATIOS if c in dated[0][1].columns]
    validity = [c for c in VALIDITY if c in dated[0][1].columns]
    rows = {year: {r[by]: r for r in t.iter_rows(named=True)} for year, t, _ in dated}
    latest = rows[last]
    ids = sorted(set().union(*[set(r) for r in rows.values()]))
    out: list[dict[str, object]] = []
    for ident in ids:
        present = [rows[y][ident] for y in years if ident in rows[y]]
        missing = [str(y) for y in years if ident not in rows[y]]
        row: dict[str, object] = {by: ident, "years": "+".join(map(str, years)), "missing_years": "+".join(missing)}
        complete = not missing
        for column in statistics:
            values = [r[column] for r in present]
            if not complete or any(v is None for v in values):
                row[column] = None
                continue
            mean = sum((_exact(v) for v in values), Fraction(0)) / 3
            rounded = round_half_even(mean, _DECIMALS.get(column, 0))
            row[column] = float(rounded) if column in _DECIMALS else int(rounded)
        for column in ratios:
            values = [r[column] for r in present]
            complete_ratio = complete and all(v is not None for v in values)
            row[column] = float(sum((_exact(v) for v in values), Fraction(0)) / 3) if complete_ratio else None
        for column in validity:
            values = [r[column] for r in present]
            row[column] = all(values) if complete and all(v is not None for v in values) else None
        out.append(row)
    schema: dict[str, pl.DataType] = {by: pl.String(), "years": pl.String(), "missing_years": pl.String()}
    for column in statistics:
        schema[column] = pl.Float64() if column in _DECIMALS else pl.Int64()
    schema |= {c: pl.Float64() for c in ratios} | {c: pl.Boolean() for c in validity}
    result = pl.DataFrame(out, schema=schema, orient="row").with_columns(
        pl.when(pl.col("missing_years") != "").then(pl.col("missing_years")).alias("missing_years")
    )
    return _compliance(result, by, statistics, latest)


def evaluate_three_years_pooled(
    frames: Sequence[pl.DataFrame | pl.LazyFrame],
    names: Sequence[str | None] | None = None,
    *,
    by: By = "city_id",
    area_class: AreaClass = DEFAULT_AREA_CLASS,
    edition: EditionChoice = "auto",
) -> pl.DataFrame:
    """The three-year values in the pooled form (an edition's ``options.three_year_form: pooled_days``): each
    statistic over the daily values of the three years together, from three years of hourly data (as
    :func:`~kaohe.monitoring.air.stats.evaluate_year` takes them, in any order), with the columns of
    :func:`evaluate_three_years`.

    - the annual means become the mean of all valid daily values of the three years and the percentiles (HJ 663
      附录A) are taken over all of them, rounded as the edition in force at the end of the three years rounds
      annual values; ``good_ratio``/``heavy_ratio`` are good (AQI ≤ 100) and heavy (AQI > 200) days over all valid
      days;
    - each day is evaluated as :func:`~kaohe.monitoring.air.stats.daily` evaluates it (its own year's editions);
    - ``<p>_annual_valid`` and ``missing_years`` as in :func:`evaluate_three_years`: an id must have all three
      years (else its statistics are null) and each year must be valid (GB 3095 表4);
    - 达标 against the limits of the latest year.
    """
    annual = [evaluate_year(f, by, area_class, edition) for f in frames]
    by_, dated, years = _three_consecutive(annual, names)
    rules = edition_at(edition, date(years[-1], 12, 31))
    units, rule = _units(rules), rules.concentration_rounding
    keys = tuple(_PERCENTILES)

    def code(key: str) -> pl.Expr:  # the daily value as whole rounding steps, as the annual statistics take it
        return pl.col(key) if units[key] == 1 else (pl.col(key) * units[key]).round(0).cast(pl.Int64)

    days = pl.concat(
        [daily(f, by, area_class, edition).select(by, "aqi", "valid_day", *[code(k) for k in keys]) for f in frames]
    )
    pooled = days.group_by(by).agg(
        pl.col("valid_day").sum().cast(pl.Int64).alias("_valid"),
        (pl.col("aqi") <= 100).sum().cast(pl.Int64).alias("_good"),
        (pl.col("aqi") > 200).sum().cast(pl.Int64).alias("_heavy"),
        *[pl.col(k).sum().alias(f"{k}_total") for k in keys],
        *[pl.col(k).count().cast(pl.Int64).alias(f"{k}_days") for k in keys],
        *[pl.col(k).drop_nulls().sort().alias(f"{k}_sorted") for k in keys],
    )
    statistics = pooled.select(
        by,
        *[
            _from_codes(
                pl.when(pl.col(f"{k}_days") > 0).then(_round(pl.col(f"{k}_total"), pl.col(f"{k}_days"), rule)),
                units[k],
            ).alias(f"{k}_mean")
            for k in ("so2", "no2", "pm10", "pm25")
        ],
        *[
            _from_codes(_percentile_expr(f"{k}_sorted", p, rule), units[k]).alias(f"{k}_p{p}")
            for k, p in _PERCENTILES.items()
        ],
        *[
            pl.when(pl.col("_valid") > 0).then(pl.col(f"_{name}") / pl.col("_valid")).alias(f"{name}_ratio")
            for name in ("good", "heavy")
        ],
    )
    rows = {year: set(t.get_column(by_).to_list()) for year, t, _ in dated}
    ids = sorted(set().union(*rows.values()))
    missing = pl.DataFrame(
        {
            by_: ids,
            "years": ["+".join(map(str, years))] * len(ids),
            "missing_years": ["+".join(str(y) for y in years if i not in rows[y]) or None for i in ids],
        },
        schema={by_: pl.String, "years": pl.String, "missing_years": pl.String},
    )
    validity = [c for c in VALIDITY if c in dated[0][1].columns]
    valid_all = (
        pl.concat([t.select(by_, *validity) for _, t, _ in dated])
        .group_by(by_)
        .agg(*[pl.col(c).all().alias(c) for c in validity])
    )
    complete = pl.col("missing_years").is_null()
    result = (
        missing.join(statistics, on=by_, how="left")
        .join(valid_all, on=by_, how="left")
        .with_columns(
            *[pl.when(complete).then(pl.col(c)).alias(c) for c in (*STATISTICS, *RATIOS, *validity)],
        )
        .select(by_, "years", "missing_years", *STATISTICS, *RATIOS, *validity)
    )
    latest = {r[by_]: r for r in dated[-1][1].iter_rows(named=True)}
    return _compliance(result, by_, list(STATISTICS), latest)


def _typed(table: pl.DataFrame) -> bool:
    """A table as :func:`evaluate_year` or :func:`check_year_table` gives it (numbers already numbers)."""
    return all(table.schema[c].is_numeric() for c in (*STATISTICS, *RATIOS) if c in table.columns)


def _year_of(table: pl.DataFrame, name: str | None) -> int:
    years = table.get_column("year").drop_nulls().unique().to_list()
    if len(years) != 1:
        raise InputTableError(Problem("an annual table holds one year", file=name, column="year"))
    return int(years[0])


def _compliance(
    result: pl.DataFrame, by: str, statistics: list[str], latest: dict[str, dict[str, object]]
) -> pl.DataFrame:
    """达标 of the three-year values against the limits of the latest year's table, where it gives them."""
    limited = [c for c in statistics if all(f"{c}_limit" in r for r in latest.values()) and latest]
    if not limited:
        return result
    ids = result.get_column(by).to_list()
    columns = []
    for column in limited:
        limits = pl.Series(f"{column}_limit", [latest.get(i, {}).get(f"{column}_limit") for i in ids], pl.Float64)
        columns += [limits, pl.Series(f"{column}_met", (result.get_column(column) <= limits).to_list(), pl.Boolean)]
    result = result.with_columns(columns)
    if len(limited) == len(STATISTICS):
        met = [pl.col(f"{c}_met") for c in limited]
        result = result.with_columns(
            pl.when(pl.any_horizontal([m.is_null() for m in met]))
            .then(None)
            .otherwise(pl.all_horizontal(met))
            .alias("compliant")
        )
    if all("limits" in r for r in latest.values()):
        result = result.with_columns(pl.Series("limits", [latest.get(i, {}).get("limits") for i in ids], pl.String))
    return result
