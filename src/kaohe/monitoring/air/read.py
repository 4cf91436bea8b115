"""Reading hourly air data (CSV, Parquet, Excel) with full validation.

Every mistake becomes a :class:`Problem` naming the file, the row and the column; all are raised together as
one :class:`InputTableError`. Row numbers count the header as row 1 (CSV and Excel, as a spreadsheet shows
them); for Parquet, which has no header row, the first record is row 1.

Below the detection limit. Monitoring reports write such values as ``<3``, ``3L`` or ``ND``. Following
《环境空气质量监测规范(试行)》(国家环境保护总局公告 2007 年第 4 号) 附件五 二(一) — a result below the method's
detection limit is reported as not detected and counted at half the detection limit — ``<x`` and ``xL`` read
as x/2. A bare ``ND`` (or 未检出) carries no limit: pass ``detection_limits={"so2": 3, …}`` (the method's
limit in the column's unit) and it reads as half of that; without one it is an error, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import fastexcel
import polars as pl

from kaohe.core.exceptions import InputTableError, Problem
from kaohe.monitoring.air.index import POLLUTANTS

REQUIRED = ("station_id", "city_id", "timestamp")
OPTIONAL = ("station_name", "city_name")  # carried along, never used
_ALIASES = {"pm2.5": "pm25", "pm2_5": "pm25", "o3_1h": "o3", "time": "timestamp", "datetime": "timestamp"}
MAX_PROBLEMS = 50  # a broken 15-million-row file should not print 15 million lines
CO_MAX_MG = 150.0  # HJ 633-2012 表1: the top CO 1-h breakpoint; ambient CO is a few mg/m³
CO_MEDIAN_UG_HINT = 20.0  # a median above this (mg/m³) means the column is in µg/m³
# The other five are in µg/m³ (HJ 633-2012 表1). Given in mg/m³ they are 1,000× too small: a column whose median is
# below 1 µg/m³ is such a column (ambient medians are ≥ 2 µg/m³ even for SO₂ at the cleanest stations, and the
# usual SO₂ method's detection limit, 3 µg/m³, read as half of it per 附件五 二(一), is 1.5).
UG_MEDIAN_MG_HINT = 1.0
# Plausible hours: the national network reports from 2013; the dense layout of stats.py counts hours since 1970.
# A timestamp outside these years is a typo (9999-12-31) and would make the daily table span millennia.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_NAMES = {"so2": "SO₂", "no2": "NO₂", "pm10": "PM10", "pm25": "PM2.5", "co": "CO", "o3": "O₃"}
_ND = r"(?i)^(?:ND|N\.D\.|未检出)$"
_LESS = r"^[<＜]\s*([0-9]*\.?[0-9]+)$"
_L_FLAG = r"(?i)^([0-9]*\.?[0-9]+)\s*L$"
_TS_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)


class _Collector:
    def __init__(self, file: str, sheet: str | None, header_rows: int) -> None:
        self.file, self.sheet, self.offset = file, sheet, header_rows + 1
        self.problems: list[Problem] = []
        self.more = 0

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.more += 1
            return
        line = None if row is None else row + self.offset
        self.problems.append(Problem(message, file=self.file, sheet=self.sheet, line=line, column=column))

    def add_rows(self, frame: pl.DataFrame, mask: pl.Expr, column: str, message: str) -> None:
        """One problem per row where ``mask`` holds; ``message`` may use {value}."""
        bad = frame.with_row_index("_i").filter(mask).select("_i", pl.col(column).cast(pl.String).alias("_v"))
        for i, value in bad.head(MAX_PROBLEMS + 1).iter_rows():
            if isinstance(value, str) and len(value) > 60:  # a 10,000-digit cell is named, not printed
                value = f"{value[:40]}… ({len(value)} characters)"
            self.add(message.format(value=value), row=i, column=column)
        self.more += max(0, bad.height - MAX_PROBLEMS - 1)

    def raise_if_any(self) -> None:
        if self.problems:
            if self.more:
                self.problems.append(Problem(f"… and {self.more} more problems", file=self.file))
            raise InputTableError(self.problems)


def _load(path: Path) -> tuple[pl.DataFrame, str | None, int]:
    """The raw table, the sheet name (Excel) and the number of header rows before the data."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            # Everything as text: the checks below must see "ND", "<3" and typos as written.
            return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy"), None, 1
        if suffix in (".parquet", ".pq"):
            return pl.read_parquet(path), None, 0
        if suffix in (".xlsx", ".xlsm", ".xls"):
            sheets = pl.read_excel(path, sheet_id=0, infer_schema_length=0)
            name, frame = next(iter(sheets.items()))  # the first sheet
            return frame, name, 1
    except (pl.exceptions.PolarsError, OSError, ValueError, fastexcel.FastExcelError) as exc:
        # One line: Polars and calamine explain over several (hints, context).
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputTableError(Problem(f"cannot read the file: {first}", file=str(path))) from exc
    raise InputTableError(Problem("unknown file type; use .csv, .parquet or .xlsx", file=str(path)))


def _columns(raw: pl.DataFrame, out: _Collector) -> pl.DataFrame:
    renamed: dict[str, str] = {}
    for name in raw.columns:
        key = name.strip().lower()
        key = _ALIASES.get(key, key)
        if key not in (*REQUIRED, *POLLUTANTS, *OPTIONAL):
            out.add(f"unknown column {name!r}; expected {', '.join((*REQUIRED, *POLLUTANTS))}", column=name)
        elif key in renamed.values():
            out.add(f"column {key!r} appears twice", column=name)
        else:
            renamed[name] = key
    for key in (*REQUIRED, *POLLUTANTS):
        if key not in renamed.values():
            out.add(f"missing column {key!r}", column=key)
    out.raise_if_any()
    return raw.select([pl.col(old).alias(new) for old, new in renamed.items()])


def _concentration(frame: pl.DataFrame, p: str, limits: Mapping[str, float], out: _Collector) -> pl.Expr:
    """Checks column p and returns the expression giving it as Float64 (missing = null)."""
    col = pl.col(p)
    if frame.schema[p].is_numeric():
        value = col.cast(pl.Float64)
        out.add_rows(frame, value.is_nan() | value.is_infinite(), p, "not a number: {value}")
        out.add_rows(frame, value < 0, p, "negative concentration {value}")
        return pl.when(value.is_nan()).then(None).otherwise(value)
    text = col.cast(pl.String).str.strip_chars()
    empty = text.is_null() | (text == "") | text.is_in(["-", "—", "NA", "N/A", "null", "NULL"])
    number = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
    less = pl.coalesce(
        text.str.extract(_LESS, 1).cast(pl.Float64, strict=False),
        text.str.extract(_L_FLAG, 1).cast(pl.Float64, strict=False),
    )
    nd = text.str.contains(_ND)
    limit = limits.get(p)
    unreadable = ~empty & number.is_null() & less.is_null() & ~nd
    out.add_rows(frame, unreadable, p, "not a number: {value!r}")
    out.add_rows(frame, ~empty & (number < 0), p, "negative concentration {value}")
    out.add_rows(frame, ~empty & (number.is_nan() | number.is_infinite()), p, "not a number: {value}")
    if limit is None:
        out.add_rows(
            frame,
            nd,
            p,
            "{value!r} gives no detection limit: write it as '<limit' or pass the method's detection limit",
        )
    # 附件五 二(一): below the detection limit ⇒ half the limit.
    half_nd = pl.lit(None, dtype=pl.Float64) if limit is None else pl.lit(limit / 2)
    return pl.when(empty).then(None).when(nd).then(half_nd).when(less.is_not_null()).then(less / 2).otherwise(number)


def _timestamp(frame: pl.DataFrame, out: _Collector) -> pl.Expr:
    dtype = frame.schema["timestamp"]
    if isinstance(dtype, pl.Datetime):
        ts = pl.col("timestamp")
        if dtype.time_zone is not None:  # day boundaries are local China Standard Time
            ts = ts.dt.convert_time_zone("Asia/Shanghai").dt.replace_time_zone(None)
    elif isinstance(dtype, pl.Date):
        ts = pl.col("timestamp").cast(pl.Datetime("us"))
    else:
        text = pl.col("timestamp").cast(pl.String).str.strip_chars()
        ts = pl.coalesce([text.str.strptime(pl.Datetime("us"), f, strict=False) for f in _TS_FORMATS])
        out.add_rows(frame, ts.is_null(), "timestamp", "not a date and time: {value!r} (use YYYY-MM-DD HH:MM)")
    ts = ts.cast(pl.Datetime("us"))
    out.add_rows(
        frame,
        ts.dt.year().is_between(FIRST_YEAR, LAST_YEAR).not_().fill_null(False),
        "timestamp",
        f"{{value}} is not a plausible monitoring hour (years {FIRST_YEAR}–{LAST_YEAR})",
    )
    off_hour = (ts.dt.minute() != 0) | (ts.dt.second() != 0) | (ts.dt.microsecond() != 0)
    out.add_rows(frame, off_hour.fill_null(False), "timestamp", "{value} is not on the hour (the start of the hour)")
    return ts


def _one_year(table: pl.DataFrame, out: _Collector) -> None:
    """HJ 663-2013 evaluates one calendar year: rows of any other year than the one most rows have are refused,
    on the raw timestamps, before a daily table (whose size grows with the span) is built."""
    years = table["timestamp"].dt.year()
    counts = years.drop_nulls().value_counts(sort=True)
    if counts.height > 1:
        main_year = counts.row(0)[0]
        shown = table.with_columns(
            pl.col("timestamp").dt.year().alias("_year"), pl.col("timestamp").dt.strftime("%Y-%m-%d %H:%M")
        )
        out.add_rows(
            shown,
            pl.col("_year") != main_year,
            "timestamp",
            f"{{value}} is outside {main_year}, the year of the other rows: evaluate one calendar year at a time",
        )


def _units(table: pl.DataFrame, out: _Collector) -> None:
    """A column in the wrong unit: CO is in mg/m³, the others in µg/m³ (HJ 633-2012 表1)."""
    # A CO column in µg/m³ has values a thousand times too big.
    co_median = table["co"].median()
    if isinstance(co_median, float) and co_median > CO_MEDIAN_UG_HINT:
        out.add(f"CO values look like µg/m³ (median {co_median:g}); CO must be in mg/m³", column="co")
    else:
        out.add_rows(table, pl.col("co") > CO_MAX_MG, "co", "CO {value} mg/m³ is above any ambient value; is it µg/m³?")
    for p in POLLUTANTS:
        median = table[p].median()
        if p != "co" and isinstance(median, float) and median < UG_MEDIAN_MG_HINT:
            name = _NAMES.get(p, p)
            out.add(f"{name} values look like mg/m³ (median {median:g}); {name} must be in µg/m³", column=p)


def read_hourly(
    path: str | Path, *, detection_limits: Mapping[str, float] | None = None, one_year: bool = False
) -> pl.DataFrame:
    """Reads and validates an hourly table: ``station_id, city_id, timestamp, so2, no2, pm10, pm25, co, o3``.

    µg/m³, CO in mg/m³; an empty cell is missing; ``timestamp`` is the start of the hour (local time).
    Raises :class:`InputTableError` listing every problem (up to 50): unknown or missing columns, values that
    are not numbers or are negative, timestamps that are not dates or not on the hour, duplicate
    (station, hour) rows, a station in two cities, a CO column that is clearly in µg/m³ or another pollutant's
    clearly in mg/m³, timestamps outside 2000–2100, and with ``one_year`` rows outside the file's main year.
    Returns the columns above with Float64 concentrations, ready for :func:`daily` and :func:`evaluate_year`.
    """
    path = Path(path)
    if not path.is_file():
        raise InputTableError(Problem("no such file", file=str(path)))
    raw, sheet, header_rows = _load(path)
    out = _Collector(str(path), sheet, header_rows)
    frame = _columns(raw, out)
    limits = dict(detection_limits or {})
    for p in limits:
        if p not in POLLUTANTS:
            out.add(f"detection limit given for unknown pollutant {p!r}")
    for key in ("station_id", "city_id"):
        frame = frame.with_columns(pl.col(key).cast(pl.String).str.strip_chars())
        out.add_rows(frame, pl.col(key).is_null() | (pl.col(key) == ""), key, "empty {value}")
    values = {p: _concentration(frame, p, limits, out) for p in POLLUTANTS}
    ts = _timestamp(frame, out)
    out.raise_if_any()
    table = frame.select("station_id", "city_id", ts.alias("timestamp"), *[v.alias(p) for p, v in values.items()])

    _units(table, out)
    if one_year:
        _one_year(table, out)
    out.add_rows(
        table,
        pl.struct("station_id", "timestamp").is_duplicated(),
        "timestamp",
        "duplicate row for this station and hour ({value})",
    )
    cities = (
        table.group_by("station_id").agg(pl.col("city_id").unique().sort()).filter(pl.col("city_id").list.len() > 1)
    )
    for station, city_ids in cities.head(MAX_PROBLEMS).iter_rows():
        out.add(f"station {station} is listed under several cities: {', '.join(city_ids)}", column="city_id")
    out.raise_if_any()
    return table
