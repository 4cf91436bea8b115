"""Daily and annual air statistics over whole frames, vectorised in Polars.

    hourly frame ──_dense()───────▶ dense (id × day × 24 h) layout   station: as read; city: mean of valid stations
                 ──_daily_codes()──▶ one row per (id, day)            exact integers
                 ──daily()─────────▶ + IAQI, AQI, category, primary, valid_day
                 ──evaluate_year()─▶ one row per id         means, percentiles, ratios, annual validity

Exactness. Daily values are rounded half-to-even (GB/T 8170-2008 §3.3) on the exact decimal value, never on a
binary float. Hourly values are taken at 0.001 µg/m³ (mg/m³ for CO): a daily sum computed in float64 is
turned back into the exact integer number of thousandths by rounding, which is exact for inputs with up to
three decimals (float64 error is ~1e-12 there); the 8-h O3 windows use integer thousandths from the start. All
later arithmetic (division, the 8-h window maxima, the rounding itself, IAQI, means and percentiles) is done on
integers. City hourly values are the exact mean of the city's valid stations (HJ 663-2013), for any number of
stations: a mean S / n is kept as the integer S · (K / n) in units of 1 / (1000 · K), K the least common multiple of
the station counts n that can occur (1 … the largest city's stations when each station is one city's; those that
occur in the grouped path) (``_exact_scale``), in 64-bit integers, or 128-bit ones when K is large (cities of more
than about 22 stations).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal, NamedTuple

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from kaohe.core.exceptions import InputTableError, Problem, UserInputError
from kaohe.monitoring import inputs
from kaohe.monitoring.air.editions import (
    AREA_CLASSES,
    Edition,
    RoundingRule,
    builtin_editions,
    in_force_on,
    resolve,
)
from kaohe.monitoring.air.exceptional import EXCLUDED_SCHEMA, excluded_days, parse_exceptional
from kaohe.monitoring.air.index import DAILY_KEYS, POLLUTANTS
from kaohe.monitoring.air.tables import DEFAULT_AREA_CLASS

By = Literal["station_id", "city_id"]
# GB 3095-2012 环境空气功能区 class: one for every id, or per id (ids not named are class 2).
AreaClass = int | Mapping[str, int]
SCALE = 1000  # hourly values are exact to 0.001 µg/m³ (mg/m³ for CO)
# A city-hour's sum is kept within this factor of the largest daily or 8-h sum built from it (24 hours; CO's tenths
# ×10; 8-h windows ×8 hours × 168/6): the integer type must hold it.
_SUM_FACTOR = 256
_HOUR_SPAN = 1 << 24  # hours since 1970 fit in 24 bits until the year 3883
_MEAN_POLLUTANTS = ("so2", "no2", "pm10", "pm25", "co")
# HJ 663-2013 annual evaluation: the percentile of each pollutant's daily values.
_PERCENTILES = {"so2": 98, "no2": 98, "pm10": 95, "pm25": 95, "co": 95, "o3_8h": 90}
# Daily value → its table-1 row (pollutant, period). Daily values are kept as whole numbers of the edition's rounding
# step (rounding.decimals: µg/m³ for five, 0.1 mg/m³ for CO in both built-in editions): see _units.
_IAQI_ROW = {
    "so2": ("so2", "24h"),
    "no2": ("no2", "24h"),
    "pm10": ("pm10", "24h"),
    "pm25": ("pm25", "24h"),
    "co": ("co", "24h"),
    "o3_8h": ("o3", "8h"),
    "o3_1h": ("o3", "1h"),
}


def _units(edition: Edition) -> dict[str, int]:
    """Daily value → how many of its codes make one µg/m³ (mg/m³ for CO): 10 ** the edition's decimals."""
    return {key: 10 ** edition.decimals[row[0]] for key, row in _IAQI_ROW.items()}


def _round(num: pl.Expr, den: pl.Expr | int, rule: RoundingRule) -> pl.Expr:
    """num / den rounded by an edition's rule, for integers num ≥ 0, den > 0: exact. The rules are those of
    :func:`kaohe.monitoring.air.editions.round_quotient` (ceiling: 进位取整, HJ 633-2012 §4; half_even: GB/T 8170-2008
    §3.3), written for columns."""
    if rule == "ceiling":
        return (num + (den - 1)) // den
    q = num // den
    rest = num - q * den
    if rule == "half_even":
        twice_r = 2 * rest
        return q + ((twice_r > den) | ((twice_r == den) & (q % 2 == 1))).cast(pl.Int64)
    raise ValueError(f"unknown rounding rule {rule!r}")


# Which edition the computation follows (issue 11): "auto" (each day by the edition in force on that day: the
# 2012 editions before 2026-03-01, the 2026 ones from then on), a built-in edition's id, an edition file or an
# Edition (kaohe.monitoring.air.editions). A day's IAQI, AQI and category come from its edition; the data-validity
# rules and the limits (the O3 exception of HJ 663, 达标 in evaluate_year) from the edition and stage in force on
# the last day of the data: the year is judged by the rules in force when it is judged. A sequence of Editions is
# "auto" over those (each day by the one of them in force that day), e.g. the built-in ones with an office's file in
# place of one of them.
EditionChoice = str | Path | Edition | Sequence[Edition]


def _plan(edition: EditionChoice) -> tuple[Edition, ...]:
    """The editions a day can follow, oldest first; one when ``edition`` names one."""
    if isinstance(edition, str) and edition == "auto":
        return tuple(sorted(builtin_editions().values(), key=lambda e: e.in_force_from))
    if isinstance(edition, Sequence) and not isinstance(edition, str):
        if not edition:
            raise ValueError("an empty sequence of editions")
        return tuple(sorted(edition, key=lambda e: e.in_force_from))
    return (resolve(edition),)


def edition_at(edition: EditionChoice, day: dt.date) -> Edition:
    """The edition that ``edition`` (as :func:`evaluate_year` takes it) applies on ``day``: for "auto" or a sequence of
    editions, the one in force that day; the year judged on its last day is judged by it."""
    return _edition_on(_plan(edition), day)


def _edition_on(plan: tuple[Edition, ...], day: dt.date) -> Edition:
    """The plan's edition in force on ``day`` (before the first, the first)."""
    return in_force_on(plan, day)


def _by_day(
    plan: tuple[Edition, ...], make: Callable[[Edition], pl.Expr], same: Callable[[Edition], object]
) -> pl.Expr:
    """``make(edition)`` for each row's edition, chosen by the row's ``date``; one expression when the editions agree
    on ``same`` (the 2026 editions change the 24-h PM2.5 and PM10 rows only, so the other IAQI stay one expression)."""
    if len({repr(same(e)) for e in plan}) == 1:
        return make(plan[-1])
    chain: Then | ChainedThen = pl.when(pl.col("date") >= plan[-1].in_force_from).then(make(plan[-1]))
    for edition in reversed(plan[1:-1]):
        chain = chain.when(pl.col("date") >= edition.in_force_from).then(make(edition))
    return chain.otherwise(make(plan[0]))


def _check_by(by: str) -> None:
    if by not in ("station_id", "city_id"):
        raise ValueError(f"by must be 'station_id' or 'city_id', not {by!r}")


def _check_area_class(area_class: AreaClass) -> None:
    classes = area_class.values() if isinstance(area_class, Mapping) else [area_class]
    wrong = sorted({repr(c) for c in classes if c not in AREA_CLASSES})
    if wrong:
        raise ValueError(f"an area class is 1 or 2 (GB 3095-2012 环境空气功能区), not {', '.join(wrong)}")


def _class_of(area_class: AreaClass, ids: pl.Series) -> list[int]:
    return [area_class.get(i, DEFAULT_AREA_CLASS) if isinstance(area_class, Mapping) else area_class for i in ids]


def _o3_limit(area_class: AreaClass, ids: pl.Series, n_days: int, edition: Edition, on: dt.date) -> pl.Expr:
    """The 8-h O3 limit of each ``_row`` (id index · n_days + day): GB 3095 表1 for the id's class, in codes of the
    daily value (rounded down: a whole code exceeds the limit exactly when it exceeds this)."""
    unit = _units(edition)["o3_8h"]
    limits = {c: math.floor(edition.limit("o3", "8h", c, on) * unit) for c in AREA_CLASSES}
    per_id = pl.Series([limits[c] for c in _class_of(area_class, ids)], dtype=pl.Int64)
    return pl.lit(per_id).gather(pl.col("_row") // n_days)


@dataclass(frozen=True)
class _Dense:
    """Hourly values in a dense layout: row = id_index · n_days · 24 + hours since 00:00 of ``first``.

    Missing hours are null. An integer sum S = round(Σ value · r) stands for the concentration sum S / dn.
    """

    values: pl.DataFrame  # one column per pollutant
    ids: pl.Series  # the ids in layout order (sorted)
    first: dt.date
    n_days: int
    r: int
    dn: int


def _local_hours(lf: pl.LazyFrame) -> pl.Expr:
    """Hours since 1970-01-01 00:00 local time: each day is 24 consecutive numbers from a multiple of 24."""
    ts = pl.col("timestamp")
    tz = getattr(lf.collect_schema()["timestamp"], "time_zone", None)
    if tz is not None:  # local China Standard Time is what the day boundaries mean
        ts = ts.dt.convert_time_zone("Asia/Shanghai").dt.replace_time_zone(None)
    return ts.dt.epoch("s") // 3600


def _span(hours: pl.Series | tuple[int | None, int | None], one_year: bool = False) -> tuple[int, int]:
    """(first day, number of days) of local hours since 1970 (a series, or its minimum and maximum). With
    ``one_year``, data spanning more than two calendar years are refused here, before the dense layout (whose size
    grows with the span: a 9999-12-31 typo among 2020 data reached 23.7 GB) is built; one year more is allowed, as
    local days may cross a year boundary (evaluate_year then refuses any second year by its days)."""
    h_min, h_max = (hours.min(), hours.max()) if isinstance(hours, pl.Series) else hours
    if h_min is None or h_max is None:
        raise InputTableError("the table has no rows")
    assert isinstance(h_min, int) and isinstance(h_max, int)
    day0, n_days = h_min // 24, h_max // 24 - h_min // 24 + 1
    if one_year:
        epoch = dt.date(1970, 1, 1)
        first, last = (epoch + dt.timedelta(days=day0)).year, (epoch + dt.timedelta(days=day0 + n_days - 1)).year
        if last - first > 1:
            raise InputTableError(
                Problem(f"the data span {first}–{last}; evaluate one calendar year at a time", column="timestamp")
            )
    return day0, n_days


def _position(index: pl.Expr, hours: pl.Expr, day0: int, n_days: int, n_ids: int) -> pl.Expr:
    """The row of (id index, local hour) in the dense layout: id index · n_days · 24 + hours since ``day0``."""
    at = pl.Int32 if n_ids * n_days * 24 < 2**31 else pl.Int64  # a national year is 15 M cells: half of Int64
    return index.cast(at) * (n_days * 24) + (hours - day0 * 24).cast(at)


def _layout(pos: pl.Series, values: pl.DataFrame, ids: pl.Series, day0: int, n_days: int, r: int, dn: int) -> _Dense:
    """Places rows (at their ``_position``) into the dense layout; a frame that already is one is used as it is."""
    if values.height == 0:
        raise InputTableError("the table has no rows")
    n_cells = ids.len() * n_days * 24
    if values.height == n_cells and pos[0] == 0 and pos.diff().fill_null(1).eq(1).all():
        dense = values  # every (id, hour) has a row, in order: already dense (0, 1, 2, …: no repeated row)
    else:
        rows = pl.Series([None], dtype=pl.UInt32).extend_constant(None, n_cells - 1)
        rows = rows.scatter(pos, pl.int_range(0, values.height, dtype=pl.UInt32, eager=True))
        # one contiguous buffer per column first: gathering from a chunked column (a Parquet file gives one
        # chunk per row group) looks up the chunk for every row and takes twice as long
        dense = values.rechunk().select([pl.col(c).gather(rows) for c in values.columns])
    return _Dense(dense, ids, dt.date(1970, 1, 1) + dt.timedelta(days=day0), n_days, r, dn)


def _dense(frame: pl.DataFrame | pl.LazyFrame, by: str, one_year: bool = False) -> _Dense:
    lf = frame.lazy()
    names = lf.collect_schema().names()
    missing = [c for c in (by, "timestamp", *POLLUTANTS) if c not in names]
    if missing:
        raise InputTableError([Problem(f"missing column {c!r}", column=c) for c in missing])
    if "station_id" in names:
        as_read = _as_read(lf, with_city=by == "city_id", one_year=one_year)
        if as_read is not None:
            layout, city_of = as_read
            return layout if city_of is None else _city_means(layout, city_of)
    station = pl.col("station_id").cast(pl.String)
    if by == "station_id":  # rows without a station cannot be attributed and are left out
        ids = lf.select(station.unique().drop_nulls()).collect().to_series().sort()
        return _station_layout(lf, ids, one_year)
    if "station_id" in names:
        # The distinct (station, city) pairs: one per station when every row has a station and no station is listed
        # under two cities (nor under a city and none); then each station's hours are one column of one city.
        pairs = lf.select(station, pl.col("city_id").cast(pl.String)).unique().collect()
        stations = pairs.get_column("station_id")
        if pairs.height and not stations.null_count() and stations.n_unique() == pairs.height:
            pairs = pairs.sort("station_id")
            layout = _station_layout(lf, pairs.get_column("station_id"), one_year)
            return _city_means(layout, pairs.get_column("city_id"))
    return _city_grouped(lf, by, one_year)


def _station_layout(lf: pl.LazyFrame, ids: pl.Series, one_year: bool = False) -> _Dense:
    """The stations' hourly values (as read, Float64) in the dense layout, ``ids`` the sorted station ids."""
    index = pl.col("station_id").cast(pl.String).cast(pl.Enum(ids)).to_physical()
    hours = _local_hours(lf)
    # the first and last hours of the rows with a station (the others are left out), local hours taken of those two
    # (one pass over the raw column: Asia/Shanghai keeps its offset, so local order is the order of the instants)
    raw = pl.col("timestamp").filter(pl.col("station_id").is_not_null())
    ends = lf.select(raw.min().append(raw.max())).collect()
    day0, n_days = _span(ends.select(_local_hours(lf)).to_series(), one_year)
    # the position is computed as the file is read, row group by row group, in parallel
    pos = _position(index, hours, day0, n_days, ids.len()).alias("_pos")
    df = lf.select(pos, *[pl.col(p).cast(pl.Float64) for p in POLLUTANTS]).collect()
    if df.get_column("_pos").null_count():
        df = df.filter(pl.col("_pos").is_not_null())  # rows without a station
    return _layout(df.get_column("_pos"), df.select(POLLUTANTS), ids, day0, n_days, SCALE, SCALE)


def _as_read(lf: pl.LazyFrame, *, with_city: bool, one_year: bool) -> tuple[_Dense, pl.Series | None] | None:
    """The stations' layout straight from the table when row i already is cell i (one row per station and hour,
    stations in order, hours in order: how the national network exports), with each station's city when
    ``with_city`` and every station has one city; None for any other table (placed row by row by the callers).

    Checked without mapping any row's station to an index or computing any row's hour, in streaming scans of the
    station, timestamp (and city) columns. With n_h the span's hours and n = rows / n_h blocks of n_h rows: every
    block starts at the span's first hour (local midnight), so each block's first row is a break (its timestamp is
    not one hour after the row before: that row's is at least the first hour); if the rows that are breaks, or whose
    station (or city) differs from the row before, are exactly n, there is no other, so each block is one station
    (one city) through the span's hours in order; the blocks' stations strictly ascending are then the sorted ids."""
    station, ts = pl.col("station_id").cast(pl.String), pl.col("timestamp")
    raw = ts.filter(station.is_not_null())
    ends = lf.select(pl.len().alias("rows"), raw.min().append(raw.max()).implode().alias("timestamp"))
    rows, span = ends.collect(engine="streaming").row(0)
    if span[0] is None:
        return None  # no row with a station: the callers say what is wrong
    hours = pl.DataFrame({"timestamp": span}, schema={"timestamp": lf.collect_schema()["timestamp"]})
    day0, n_days = _span(hours.select(_local_hours(lf)).to_series(), one_year)
    n_h = n_days * 24
    if rows % n_h:
        return None
    breaks = (ts.diff() != pl.duration(hours=1)).fill_null(True) | station.ne_missing(station.shift(1))
    keys = [station, ts]
    if with_city:
        city = pl.col("city_id").cast(pl.String)
        breaks |= city.ne_missing(city.shift(1))
        keys.append(city)
    counted, starts = pl.collect_all(
        [lf.select(breaks.sum().alias("breaks")), lf.select(keys).gather_every(n_h)], engine="streaming"
    )
    firsts: list[str | None] = starts.get_column("station_id").to_list()
    begins = starts.select(_local_hours(lf)).to_series()
    if not (
        counted.item() == len(firsts) == rows // n_h
        and None not in firsts
        and all(a < b for a, b in zip(firsts, firsts[1:], strict=False))  # type: ignore[operator]
        and (begins == day0 * 24).all()
    ):
        return None
    values = lf.select([pl.col(p).cast(pl.Float64) for p in POLLUTANTS]).collect()
    first = dt.date(1970, 1, 1) + dt.timedelta(days=day0)
    layout = _Dense(values, pl.Series("station_id", firsts, dtype=pl.String), first, n_days, SCALE, SCALE)
    return layout, (starts.get_column("city_id") if with_city else None)


def _exact_scale(counts: set[int], largest_sum: int) -> tuple[int, pl.DataType]:
    """K and the integer type for exact city means: K = lcm of the station counts that occur, so that every S / n
    is the whole number S · (K / n) of 1 / (1000 · K); Int64 when the daily and 8-h sums fit, else Int128."""
    k = math.lcm(*counts) if counts else 1
    bound = max(largest_sum, 1) * k * _SUM_FACTOR
    if bound < 2**63:
        return k, pl.Int64()
    if bound < 2**127:
        return k, pl.Int128()
    raise InputTableError(  # beyond any real network: lcm(1…60) · 10 g/m³ still fits
        Problem(f"city means of {max(counts)} stations are too large to compute exactly", column="city_id")
    )


def _exact_means(sums: pl.Series, counts: pl.Series, k: int, dtype: pl.DataType) -> pl.Series:
    """S · (K / n) where n > 0, else null: the exact mean in units of 1 / (1000 · K)."""
    top = counts.max()
    assert isinstance(top, int) or top is None
    lookup = pl.Series([0] + [k // n for n in range(1, (top or 0) + 1)], dtype=dtype)  # only counts that occur are read
    return pl.select(
        pl.when(counts > 0).then(sums.cast(dtype) * pl.lit(lookup).gather(counts.cast(pl.Int64)))
    ).to_series()


def _city_means(stations: _Dense, city_of: pl.Series) -> _Dense:
    """HJ 663-2013: a city's hourly value is the arithmetic mean of its stations' valid hourly values.

    Each station's year is a slice of the dense layout. Cities with the same number k of stations form a band;
    a band's i-th column strings together the i-th station of each of its cities (slices, not copied), so each
    city's sum and count are a horizontal sum over k long columns, and its mean the exact S · (K / n) with K the
    lcm of 1 … the largest k (every count of valid stations a city can have), or of the counts that occur when that
    does not fit 128 bits (a city of more than ~60 stations). Stations without a city cannot be
    attributed and are left out. The cities' layout is band after band (fewest stations first), by city id within
    a band: each band's result is one block of it (the codes are sorted by city again in _daily_codes).
    """
    n_h = stations.n_days * 24
    members = (
        pl.DataFrame({"city": city_of, "station": pl.int_range(city_of.len(), dtype=pl.Int64, eager=True)})
        .drop_nulls("city")
        .group_by("city")
        .agg("station")
        .sort("city")
    )
    if members.height == 0:
        raise InputTableError(Problem("no row has a city_id", column="city_id"))
    groups: list[list[int]] = members.get_column("station").to_list()
    bands: dict[int, list[int]] = {}  # number of stations → the cities (positions in ``groups``) with that many
    for j, group in enumerate(groups):
        bands.setdefault(len(group), []).append(j)
    bands = dict(sorted(bands.items()))
    top = max(bands)
    count_type = pl.UInt8 if top < 256 else pl.UInt32
    columns = {p: stations.values.get_column(p) for p in POLLUTANTS}

    def slots(size: int, cities: list[int]) -> pl.DataFrame:  # the band's k columns per pollutant, as slices
        return pl.DataFrame(
            [
                pl.concat([columns[p].slice(groups[j][i] * n_h, n_h) for j in cities], rechunk=False).alias(f"{p}{i}")
                for p in POLLUTANTS
                for i in range(size)
            ]
        )

    def sum_and_count(p: str, size: int) -> tuple[pl.Expr, pl.Expr]:
        cols = [pl.col(f"{p}{i}") for i in range(size)]
        # the stations that have a value that hour (missing as 0: a plain sum, faster than a null-aware one)
        total = functools.reduce(operator.add, [c.fill_null(0) for c in cols])
        exact = (total * SCALE).round(0).cast(pl.Int64)  # exact thousandths
        return exact, pl.sum_horizontal([c.is_not_null().cast(count_type) for c in cols])

    # the largest city-hour sum, bounded by the largest station value times the largest city: fixes the integer type
    peak = stations.values.select(pl.max_horizontal(pl.all().abs().max())).item()
    largest = math.ceil(peak * SCALE) * top if peak is not None and math.isfinite(peak) else 0
    try:
        k, dtype = _exact_scale(set(range(1, top + 1)), largest)
    except InputTableError:
        # lcm(1 … k) outgrows 128 bits past ~60 stations: then K from the counts that occur and the type from the
        # largest sum that occurs (as the grouped path takes them), in a first pass over the bands
        occurring: set[int] = set()
        largest = 0
        for size, cities in bands.items():
            found = slots(size, cities).select(
                expr
                for p in POLLUTANTS
                for expr in (
                    sum_and_count(p, size)[0].max().alias(f"{p}_s"),
                    sum_and_count(p, size)[1].unique().implode().alias(f"{p}_n"),
                )
            )
            for p in POLLUTANTS:
                occurring |= {int(n) for n in found.item(0, f"{p}_n") if n}
                largest = max(largest, int(found.item(0, f"{p}_s") or 0))
        k, dtype = _exact_scale(occurring, largest)
    lookup = pl.lit(pl.Series([0] + [k // n for n in range(1, top + 1)], dtype=dtype))  # K / n, n stations valid
    blocks = []
    for size, cities in bands.items():
        exprs = []
        for p in POLLUTANTS:
            exact, n = sum_and_count(p, size)
            exprs.append(pl.when(n > 0).then(exact.cast(dtype) * lookup.gather(n)).alias(p))
        blocks.append(slots(size, cities).select(exprs))  # the pollutants in parallel
    order = [j for cities in bands.values() for j in cities]
    ids = members.get_column("city").gather(order)
    return _Dense(pl.concat(blocks, rechunk=False), ids, stations.first, stations.n_days, 1, SCALE * k)


def _city_grouped(lf: pl.LazyFrame, by: str, one_year: bool = False) -> _Dense:
    """City hourly means by one group-by over (city, hour), for tables where a station is not one column of
    one city (no station_id, rows without a station, a station under two cities)."""
    # HJ 663-2013: a city's hourly value is the arithmetic mean of its stations' valid hourly values.
    # Grouping on one integer key (city index · 2^24 + local hour) with the streaming engine is about
    # twice as fast as grouping on (string, datetime); rows without a city cannot be attributed and are left out.
    ids = lf.select(pl.col(by).cast(pl.String).unique().drop_nulls()).collect(engine="streaming").to_series().sort()
    key = pl.col(by).cast(pl.String).cast(pl.Enum(ids)).to_physical().cast(pl.Int64) * _HOUR_SPAN + _local_hours(lf)
    sums = []
    for p in POLLUTANTS:
        sums += [(pl.col(p).cast(pl.Float64).sum() * SCALE).round(0).alias(f"{p}_s"), pl.col(p).count().alias(f"{p}_n")]
    grouped = (
        lf.filter(pl.col(by).is_not_null())
        .select(key.alias("_k"), *POLLUTANTS)
        .group_by("_k")
        .agg(sums)
        .collect(engine="streaming")
    )
    occurring = {int(n) for p in POLLUTANTS for n in grouped.get_column(f"{p}_n").unique().to_list() if n}
    largest = int(grouped.select(pl.max_horizontal([pl.col(f"{p}_s").max() for p in POLLUTANTS])).item() or 0)
    k, dtype = _exact_scale(occurring, largest)
    means = pl.DataFrame(
        [
            _exact_means(grouped.get_column(f"{p}_s").cast(pl.Int64), grouped.get_column(f"{p}_n"), k, dtype).alias(p)
            for p in POLLUTANTS
        ]
    )
    key_column = grouped.get_column("_k")
    day0, n_days = _span(key_column % _HOUR_SPAN, one_year)
    pos = pl.select(
        _position(pl.lit(key_column // _HOUR_SPAN), pl.lit(key_column % _HOUR_SPAN), day0, n_days, ids.len())
    ).to_series()
    return _layout(pos, means, ids, day0, n_days, 1, SCALE * k)


def _daily_codes(
    frame: pl.DataFrame | pl.LazyFrame,
    by: str,
    area_class: AreaClass = DEFAULT_AREA_CLASS,
    plan: tuple[Edition, ...] | None = None,
    *,
    one_year: bool = False,
) -> tuple[pl.DataFrame, Edition]:
    """Per (id, date): the daily values as exact integers, null when not valid, and the edition whose validity and
    rounding rules made them: each value is a whole number of its rounding step (``_units``: µg/m³; CO 0.1 mg/m³)."""
    _check_by(by)
    _check_area_class(area_class)
    layout = _dense(frame, by, one_year)
    dense, ids, first, n_days = layout.values, layout.ids, layout.first, layout.n_days
    last_day = first + dt.timedelta(days=n_days - 1)
    rules = _edition_on(plan or _plan("2012"), last_day)  # validity and the O3 exception: see EditionChoice
    valid = rules.validity
    r, dn = layout.r, layout.dn
    del layout
    # Stations come as read (floats, made exact thousandths on the sums); city means are exact integers already.
    exact_values = dense.schema["o3"].is_integer()
    # daily values rounded to the edition's step by its rule (HJ 663-2013: GB/T 8170-2008 half to even, CO to 0.1)
    units, rule = _units(rules), rules.concentration_rounding
    counts = range(valid.min_hours_per_8h, 9)  # the hours an 8-h window may have
    window_k = math.lcm(*counts)
    if exact_values and dense.schema["o3"] == pl.Int64 and (window_k > 168 or max(units.values()) > 10):
        # an edition with finer steps or a lower window minimum than the built-in ones: city sums beyond the room
        # _SUM_FACTOR leaves in 64 bits (24 hours · 10 for CO's tenths; 8 hours · 168 / 6) are taken in 128 bits
        dense = dense.cast(pl.Int128)
    int_type = dense.schema["o3"] if exact_values else pl.Int64()
    dn_ = pl.lit(dn, dtype=int_type)  # may exceed 64 bits for cities of many stations

    def exact_int(expr: pl.Expr) -> pl.Expr:
        return expr if exact_values else (expr * r).round(0).cast(pl.Int64)

    def day(column: str, fill: int | None = None) -> pl.Expr:
        hourly = pl.col(column) if fill is None else pl.col(column).fill_null(fill)
        return hourly.reshape((-1, 24))

    # Daily max 8-h O3: the 17 windows starting at 00:00 … 16:00 (none crosses midnight); a window is valid
    # with ≥ 6 hourly values (GB 3095-2012 表4) and its mean is taken over those hours. The day's 24 hours become
    # 24 columns of the (much shorter) daily table, as exact thousandths with missing hours as 0 and as presence
    # (0/1); each window's sum and hour count are sums over 8 of them, in exact integers.
    # A window's mean · window_k · Dn is the exact integer sum · (window_k / n), comparable across n = 6, 7, 8 hours
    # (window_k = lcm(6, 7, 8) = 168, or of whatever hours the edition's minimum allows).

    def key_of(total: pl.Expr, n: pl.Expr) -> pl.Expr:  # null when the window has too few hours
        chain: Then | ChainedThen = pl.when(n == 8).then(total * (window_k // 8))
        for n_hours in counts[:-1]:
            chain = chain.when(n == n_hours).then(total * (window_k // n_hours))
        return chain.otherwise(None)

    filled = [exact_int(pl.col("_o3").arr.get(h).fill_null(0)).alias(f"_v{h}") for h in range(24)]
    present = [pl.col("_o3").arr.get(h).is_not_null().cast(pl.Int8).alias(f"_p{h}") for h in range(24)]
    window_keys, window_ok = [], []
    for w in range(valid.o3_windows):
        total = pl.sum_horizontal([pl.col(f"_v{h}") for h in range(w, w + 8)])
        n = pl.sum_horizontal([pl.col(f"_p{h}") for h in range(w, w + 8)])
        window_keys.append(key_of(total, n))
        window_ok.append((n >= valid.min_hours_per_8h).cast(pl.Int64))
    o3_days = (
        dense.lazy()
        .select(pl.col("o3").reshape((-1, 24)).alias("_o3"))
        .select(*filled, *present)
        .select(pl.max_horizontal(window_keys).alias("_o3_key"), pl.sum_horizontal(window_ok).alias("o3_8h_windows"))
        .collect()
    )

    # One pollutant at a time: viewing a column's days as arrays copies it out of its chunks (a Parquet file gives
    # one per row group), and six such copies at once were most of the peak memory (benchmarks/air.py).
    def sums_of(p: str) -> list[pl.Expr]:
        return [
            # the sum of the hours that have a value: nulls as 0 first, as Polars sums arrays without nulls ~3× faster
            *([exact_int(day(p, fill=0).arr.sum()).alias(f"{p}_sum")] if p in _MEAN_POLLUTANTS else []),
            pl.col(p).is_not_null().reshape((-1, 24)).arr.sum().cast(pl.Int64).alias(f"{p}_n"),
            # concentrations are ≥ 0, so a missing hour as −1 never wins the maximum (a day of none: o3_n = 0)
            *([exact_int(day("o3", fill=-1).arr.max()).alias("o3_max")] if p == "o3" else []),
        ]

    # One pollutant at a time: viewing a column's days as arrays copies it out of its chunks (a Parquet file gives
    # one per row group), and six such copies at once were most of the peak memory; two at a time was no faster.
    per_pollutant = [dense.lazy().select(sums_of(p)).collect() for p in POLLUTANTS]
    first_pass = pl.concat([*per_pollutant, o3_days], how="horizontal")
    del dense

    ok24 = {p: pl.col(f"{p}_n") >= valid.min_hours_per_day for p in _MEAN_POLLUTANTS}  # GB 3095-2012 表4

    def in_units(expr: pl.Expr, key: str) -> pl.Expr:
        return expr if units[key] == 1 else expr * units[key]

    o3_8h = _round(in_units(pl.col("_o3_key"), "o3_8h"), window_k * dn_, rule).cast(pl.Int64)
    # HJ 663-2013: ≥ 14 valid 8-h values a day, or fewer when the daily max exceeds the limit (GB 3095-2012 表1
    # for the area's class), compared as the rounded daily value (the one reported and indexed)
    o3_limit = _o3_limit(area_class, ids, n_days, rules, last_day)
    o3_valid = (pl.col("o3_8h_windows") >= valid.min_o3_windows) | (o3_8h > o3_limit)
    has_data = pl.any_horizontal([pl.col(f"{p}_n") > 0 for p in POLLUTANTS])
    out = (
        first_pass.lazy()
        .with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
            has_data.alias("_has_data"),
        )
        .filter(pl.col("_has_data"))
        .select(
            "_row",
            *[
                pl.when(ok24[p])
                .then(_round(in_units(pl.col(f"{p}_sum"), p), pl.col(f"{p}_n") * dn_, rule).cast(pl.Int64))
                .alias(p)
                for p in _MEAN_POLLUTANTS
            ],
            pl.when(o3_valid).then(o3_8h).alias("o3_8h"),
            pl.when(pl.col("o3_n") > 0)
            .then(_round(in_units(pl.col("o3_max"), "o3_1h"), dn_, rule).cast(pl.Int64))
            .alias("o3_1h"),
            *[pl.col(f"{p}_n").alias(f"{p}_hours") for p in POLLUTANTS],
            "o3_8h_windows",
        )
        .collect()
    )
    ident = ids.gather(out["_row"] // n_days).alias(by)
    codes = out.select(
        pl.lit(ident),
        (pl.lit(first) + pl.duration(days=pl.col("_row") % n_days)).cast(pl.Date).alias("date"),
        *DAILY_KEYS,
        *[f"{p}_hours" for p in POLLUTANTS],
        "o3_8h_windows",
    )
    if not ids.is_sorted():  # a layout in another order (city means by band): by id and date, as everywhere else
        codes = codes.sort(by, "date")
    return codes, rules


def _iaqi_expr(key: str, edition: Edition, unit: int) -> pl.Expr:
    """HJ 633 式(1) on the integer daily value (``unit`` codes a µg/m³, mg/m³ for CO) by ``edition``'s table 1, rounded
    by its rule (HJ 633-2012 §4: up), in integer arithmetic only: a breakpoint with decimals stays exact."""
    row = _IAQI_ROW[key]
    exact_bps = [Fraction(b) * unit for b in edition.breakpoints(*row)]
    scale = math.lcm(*[b.denominator for b in exact_bps])  # codes · scale and every breakpoint · scale are integers
    bps = [int(b * scale) for b in exact_bps]
    levels = edition.iaqi_levels
    c = pl.col(key)
    cs = c * scale if scale != 1 else c
    chain: Then | ChainedThen = pl.when(c.is_null()).then(None)
    limit = edition.not_computed_above.get(row)
    if limit is not None:
        chain = chain.when(c > math.floor(Fraction(limit) * unit)).then(None)  # HJ 633-2012 表1 注(2), 注(3)
    chain = chain.when(cs >= bps[-1]).then(levels[len(bps) - 1])
    for i in range(1, len(bps)):
        lo, hi, i_lo, i_hi = bps[i - 1], bps[i], levels[i - 1], levels[i]
        # the whole of i_lo + (i_hi − i_lo)·(c − lo) / (hi − lo), rounded: one quotient of non-negative integers, its
        # numerator (i_hi − i_lo)·c + (i_lo·(hi − lo) − (i_hi − i_lo)·lo) with the constant folded
        numerator = (i_hi - i_lo) * cs + (i_lo * (hi - lo) - (i_hi - i_lo) * lo)
        value = _round(numerator, hi - lo, edition.iaqi_rounding)
        chain = chain.when(cs <= hi).then(value)
    return chain.otherwise(None).cast(pl.Int64)


def _category_expr(aqi: pl.Expr, edition: Edition) -> pl.Expr:
    chain: Then | ChainedThen = pl.when(aqi.is_null()).then(pl.lit(None, dtype=pl.String))
    for upper, name in edition.categories:  # HJ 633 表2
        chain = chain.when(aqi <= upper).then(pl.lit(name))
    return chain.otherwise(pl.lit(edition.worst_category))


def _with_aqi(coded: tuple[pl.DataFrame, Edition], plan: tuple[Edition, ...], *, labels: bool = True) -> pl.DataFrame:
    """Adds IAQI columns, the AQI of valid days (all six pollutants valid), the ``edition`` each day follows and,
    with ``labels``, category and primary (the annual evaluation needs neither). ``coded``: ``_daily_codes``'s."""
    codes, rules = coded
    units = _units(rules)
    if len(plan) > 1 and codes.height:  # only the editions in force on some day of the data: one expression each
        lo, hi = codes.select(pl.col("date").min().alias("lo"), pl.col("date").max().alias("hi")).row(0)
        in_force = (_edition_on(plan, lo + dt.timedelta(days=d)) for d in range((hi - lo).days + 1))
        plan = tuple({e.id: e for e in in_force}.values())
    valid_day = pl.all_horizontal([pl.col(k).is_not_null() for k in DAILY_KEYS if k != "o3_1h"])

    def iaqi(key: str) -> pl.Expr:
        row = _IAQI_ROW[key]
        return _by_day(
            plan,
            lambda e: _iaqi_expr(key, e, units[key]),
            lambda e: (e.breakpoints(*row), e.iaqi_levels, e.not_computed_above.get(row), e.iaqi_rounding),
        )

    withi = codes.with_columns(
        *[iaqi(k).alias(f"iaqi_{k}") for k in DAILY_KEYS],
        _by_day(plan, lambda e: pl.lit(e.id), lambda e: e.id).alias("edition"),
    ).with_columns(valid_day.alias("valid_day"))
    aqi = pl.when(pl.col("valid_day")).then(pl.max_horizontal([pl.col(f"iaqi_{k}") for k in DAILY_KEYS]))
    withi = withi.with_columns(aqi.alias("aqi"))
    if not labels:
        return withi
    # Built as "pm25,o3_8h" and split: much faster in Polars than concatenating lists.
    primary = pl.concat_str(
        [pl.when(pl.col(f"iaqi_{k}") == pl.col("aqi")).then(pl.lit(k)) for k in DAILY_KEYS],
        separator=",",
        ignore_nulls=True,
    ).str.split(",")
    return withi.with_columns(
        _by_day(plan, lambda e: _category_expr(pl.col("aqi"), e), lambda e: (e.categories, e.worst_category)).alias(
            "category"
        ),
        # HJ 633-2012 §4.3: the primary pollutant(s) are named only when AQI > 50.
        pl.when(pl.col("aqi") > 50)
        .then(primary)
        .when(pl.col("aqi").is_not_null())
        .then(pl.lit([], dtype=pl.List(pl.String)))
        .alias("primary"),
    )


def daily(
    frame: pl.DataFrame | pl.LazyFrame,
    by: By = "station_id",
    area_class: AreaClass = DEFAULT_AREA_CLASS,
    edition: EditionChoice = "auto",
) -> pl.DataFrame:
    """One row per id and date: the seven daily values, ``aqi, category, primary, valid_day``.

    Precondition: ``frame`` is valid hourly data (see ``read_hourly``): one row per (station, hour),
    non-negative concentrations. so2 no2 pm10 pm25 o3_8h o3_1h are whole µg/m³, co is mg/m³ to 0.1; a daily
    value is null when it is not valid (fewer than 20 hours; for o3_8h fewer than 14 valid 8-h windows, unless
    the value exceeds the 8-h limit of the area's class: ``area_class`` 1 or 2, for all ids or per id, default 2).
    ``aqi``/``category``/``primary`` are null unless ``valid_day`` (all six pollutants valid). Only days with
    at least one hourly value appear. ``*_hours`` and ``o3_8h_windows`` show how much data each day had.
    ``edition`` (see ``EditionChoice``; default "auto": each day by the edition in force that day) is named per
    day in the ``edition`` column.
    """
    plan = _plan(edition)
    coded = _daily_codes(frame, by, area_class, plan)
    units = _units(coded[1])
    codes = _with_aqi(coded, plan)
    return codes.select(
        by,
        "date",
        *[_from_codes(pl.col(k), units[k]).alias(k) for k in DAILY_KEYS],
        "aqi",
        "category",
        "primary",
        "valid_day",
        *[f"{p}_hours" for p in POLLUTANTS],
        "o3_8h_windows",
        "edition",
    )


def _from_codes(codes: pl.Expr, unit: int) -> pl.Expr:
    """Codes (whole rounding steps) as µg/m³ (mg/m³ for CO): integers when the step is 1, else to its decimals
    (round drops float noise such as 1.2000000000000002)."""
    return codes if unit == 1 else (codes / unit).round(len(str(unit)) - 1)


def _percentile_expr(col: str, p: int, rule: RoundingRule) -> pl.Expr:
    """HJ 663-2013 附录A on a sorted list of integers, ×100 kept exact, then rounded by the edition's rule."""
    xs = pl.col(col)
    n = xs.list.len().cast(pl.Int64)
    num = (n - 1) * p  # k − 1 = num / 100
    s = num // 100 + 1
    frac100 = num % 100
    x_s = xs.list.get(s - 1, null_on_oob=True)
    x_next = xs.list.get(pl.min_horizontal(s, n - 1), null_on_oob=True)
    value100 = 100 * x_s + (x_next - x_s) * frac100
    return pl.when(n > 0).then(_round(value100, 100, rule))


# 达标 (HJ 663-2013 §5 评价方法): a pollutant meets the standard when its annual statistics are within GB 3095 表1's
# limits: the annual means against the annual limits, the daily percentiles against the 24-h (O3: 8-h) limits.
_LIMITED = {
    "so2_mean": ("so2", "annual"),
    "no2_mean": ("no2", "annual"),
    "pm10_mean": ("pm10", "annual"),
    "pm25_mean": ("pm25", "annual"),
    "so2_p98": ("so2", "24h"),
    "no2_p98": ("no2", "24h"),
    "pm10_p95": ("pm10", "24h"),
    "pm25_p95": ("pm25", "24h"),
    "co_p95": ("co", "24h"),
    "o3_8h_p90": ("o3", "8h"),
}


def evaluate_year(
    frame: pl.DataFrame | pl.LazyFrame,
    by: By = "city_id",
    area_class: AreaClass = DEFAULT_AREA_CLASS,
    edition: EditionChoice = "auto",
    *,
    exceptional: pl.DataFrame | None = None,
    exclude_exceptional: bool | None = None,
) -> pl.DataFrame:
    """One row per id over one calendar year (``area_class`` as for :func:`daily`).

    Columns: ``year, days_with_data, valid_days, good_days, good_ratio, heavy_days, heavy_ratio``;
    ``so2_mean no2_mean pm10_mean pm25_mean`` (whole µg/m³); the HJ 663-2013 percentiles ``so2_p98
    no2_p98 pm10_p95 pm25_p95 co_p95 o3_8h_p90`` (co in mg/m³ to 0.1); per pollutant ``<p>_days`` (valid
    daily values) and ``<p>_annual_valid`` (GB 3095-2012 表4: ≥ 324 a year, ≥ 27 in each month, ≥ 25 in
    February). Each statistic uses that pollutant's valid days, and is given even when the annual rule fails.
    good day: AQI ≤ 100; heavy day: AQI > 200; the ratios are over ``valid_days`` (null when there are none).

    ``edition`` as for :func:`daily`: the days are combined as each was evaluated; ``editions`` names the editions
    the id's days followed ("2012", "2026" or "2012+2026"). 达标: ``<statistic>_limit`` and ``<statistic>_met`` for
    the annual means and percentiles (GB 3095 表1 for the id's class, in the edition and stage in force on the
    last day of the data, named in ``limits``), and ``compliant`` when all of them are met (null while one is not
    known).

    Exceptional events (HJ 663-2026, per the published summary; :mod:`kaohe.monitoring.air.exceptional`):
    ``exceptional`` is the office's list (:func:`~kaohe.monitoring.air.exceptional.read_exceptional`, or a frame
    with its columns). Its approved days are left out of the annual statistics when ``exclude_exceptional`` is True,
    or when it is None and the edition in force on the last day asks for it (option ``exceptional_events``: 2026).
    Left out of the means, percentiles, good/heavy days and ratios, and of ``days_with_data``, ``valid_days`` and
    ``<p>_days`` (the days behind each statistic); **not** out of ``<p>_annual_valid``, which counts the measured
    days (GB 3095 表4 is about data coverage: an approved day does not make a year's data incomplete). With a
    list, the table has ``excluded_days`` per id (0 when the exclusion does not apply);
    :func:`evaluate_year_with_excluded` also returns the list of the days left out.
    """
    return evaluate_year_with_excluded(
        frame, by, area_class, edition, exceptional=exceptional, exclude_exceptional=exclude_exceptional
    ).table


class YearEvaluation(NamedTuple):
    table: pl.DataFrame  # evaluate_year's
    excluded: pl.DataFrame  # the exceptional-event days left out
    exceptional_applied: bool  # a list was given and its approved days were left out (whether any matched or not)


def evaluate_year_with_excluded(
    frame: pl.DataFrame | pl.LazyFrame,
    by: By = "city_id",
    area_class: AreaClass = DEFAULT_AREA_CLASS,
    edition: EditionChoice = "auto",
    *,
    exceptional: pl.DataFrame | None = None,
    exclude_exceptional: bool | None = None,
) -> YearEvaluation:
    """:func:`evaluate_year`'s table, the exceptional-event days it left out
    (:func:`kaohe.monitoring.air.exceptional.excluded_days`: ``<by>, date, kind, listed_as, listed_id, note, row``;
    empty when nothing was left out) and whether the exclusion applied."""
    if exclude_exceptional and exceptional is None:
        raise ValueError("exclude_exceptional=True needs the list of exceptional-event days (exceptional=)")
    events = None if exceptional is None else parse_exceptional(exceptional)
    plan = _plan(edition)
    coded = _daily_codes(frame, by, area_class, plan, one_year=True)  # the span checked before any day is built
    units, rounding = _units(coded[1]), coded[1].concentration_rounding  # the codes' step and rule
    days = _with_aqi(coded, plan, labels=False)
    del coded
    first_day, last_day = days.select(pl.col("date").min().alias("a"), pl.col("date").max().alias("b")).row(0)
    assert isinstance(first_day, dt.date) and isinstance(last_day, dt.date)
    if first_day.year != last_day.year:
        raise InputTableError(
            Problem(
                f"the data span {first_day.year}–{last_day.year}; evaluate one calendar year at a time",
                column="timestamp",
            )
        )
    rules = _edition_on(plan, last_day)
    validity, stage = rules.validity, rules.stage_on(last_day)
    excluding = events is not None and (
        rules.option("exceptional_events") if exclude_exceptional is None else exclude_exceptional
    )
    removed = pl.DataFrame(schema={by: pl.String, **EXCLUDED_SCHEMA})
    if events is not None and excluding:
        station_city = None
        if by == "station_id" and events.get_column("city_id").is_not_null().any():
            station_city = (  # a city's approved day covers its stations
                frame.lazy()
                .select(pl.col("station_id").cast(pl.String), pl.col("city_id").cast(pl.String))
                .unique()
                .collect()
            )
        removed = excluded_days(days, events, by, station_city)
        days = days.join(removed.select(by, "date", pl.lit(False).alias("_keep")), on=[by, "date"], how="left")
        days = days.with_columns(pl.col("_keep").fill_null(True))
    keep = pl.col("_keep") if "_keep" in days.columns else None

    def kept(expr: pl.Expr) -> pl.Expr:
        return expr if keep is None else expr.filter(keep)

    keys = ("so2", "no2", "pm10", "pm25", "co", "o3_8h")
    month = pl.col("date").dt.month()
    monthly = (
        days.group_by(by, month.alias("month"))
        .agg([pl.col(k).count().alias(k) for k in keys])
        .group_by(by)
        .agg(
            [
                # GB 3095-2012 表4: every one of the 12 months needs 27 daily values (February 25).
                (
                    pl.col(k)
                    >= pl.when(pl.col("month") == 2)
                    .then(validity.min_days_february)
                    .otherwise(validity.min_days_per_month)
                )
                .sum()
                .alias(f"{k}_months_ok")
                for k in keys
            ]
        )
    )
    valid = pl.col("valid_day")
    per_id = days.group_by(by).agg(
        (pl.len() if keep is None else keep.sum()).alias("days_with_data"),
        kept(valid).sum().alias("valid_days"),
        kept(pl.col("aqi") <= 100).sum().alias("good_days"),
        kept(pl.col("aqi") > 200).sum().alias("heavy_days"),
        *[kept(pl.col(k)).sum().alias(f"{k}_total") for k in ("so2", "no2", "pm10", "pm25")],
        *[kept(pl.col(k)).count().alias(f"{k}_days") for k in keys],
        *[kept(pl.col(k)).drop_nulls().sort().alias(f"{k}_sorted") for k in keys],
        # the measured days, excluded or not: GB 3095 表4's annual validity
        *([] if keep is None else [pl.col(k).count().alias(f"{k}_measured") for k in keys]),
        pl.col("edition").unique().sort().str.join("+").alias("editions"),
    )
    ratio = {
        name: pl.when(pl.col("valid_days") > 0).then(pl.col(name) / pl.col("valid_days"))
        for name in ("good_days", "heavy_days")
    }
    table = per_id.join(monthly, on=by, how="left").with_columns(
        [pl.col(c).cast(pl.Int64) for c in ("days_with_data", "valid_days", "good_days", "heavy_days")]
    )
    ids = table.get_column(by)
    classes = pl.Series("_class", _class_of(area_class, ids), dtype=pl.Int64)
    result = table.with_columns(classes).select(
        "_class",
        by,
        pl.lit(last_day.year, dtype=pl.Int32).alias("year"),
        "days_with_data",
        "valid_days",
        "good_days",
        ratio["good_days"].alias("good_ratio"),
        "heavy_days",
        ratio["heavy_days"].alias("heavy_ratio"),
        *[
            _from_codes(
                pl.when(pl.col(f"{k}_days") > 0).then(
                    _round(pl.col(f"{k}_total"), pl.col(f"{k}_days").cast(pl.Int64), rounding)
                ),
                units[k],
            ).alias(f"{k}_mean")
            for k in ("so2", "no2", "pm10", "pm25")
        ],
        *[
            _from_codes(_percentile_expr(f"{k}_sorted", p, rounding), units[k]).alias(f"{k}_p{p}")
            for k, p in _PERCENTILES.items()
        ],
        *[pl.col(f"{k}_days").cast(pl.Int64) for k in keys],
        *[
            (
                (pl.col(f"{k}_days" if keep is None else f"{k}_measured") >= validity.min_days_per_year)
                & (pl.col(f"{k}_months_ok") == 12)
            ).alias(f"{k}_annual_valid")
            for k in keys
        ],
        "editions",
    )
    if events is not None:
        counts = removed.group_by(by).agg(pl.len().cast(pl.Int64).alias("excluded_days"))
        result = result.join(counts, on=by, how="left").with_columns(pl.col("excluded_days").fill_null(0))
    limits = []
    for column, (pollutant, statistic) in _LIMITED.items():
        by_class = {c: float(stage.limits[(c, pollutant, statistic)]) for c in AREA_CLASSES}
        limit = pl.when(pl.col("_class") == 1).then(by_class[1]).otherwise(by_class[2])
        limits += [limit.alias(f"{column}_limit"), (pl.col(column) <= limit).alias(f"{column}_met")]
    met = [pl.col(f"{column}_met") for column in _LIMITED]
    table = (
        result.with_columns(limits)
        .with_columns(
            pl.when(pl.any_horizontal([m.is_null() for m in met]))
            .then(None)
            .otherwise(pl.all_horizontal(met))
            .alias("compliant"),
            pl.lit(f"{rules.name} · {stage.name}").alias("limits"),
        )
        .drop("_class")
        .sort(by)
    )
    return YearEvaluation(table, removed, bool(excluding))


def as_inputs(year_frame: pl.DataFrame, scheme: inputs.SchemeLike) -> pl.DataFrame:
    """The scheme's monitoring inputs, one row per unit: ``unit_id`` (the city_id) and one column per input
    whose ``source`` is ``air.<column of evaluate_year>``, multiplied by ``source_scale`` when set
    (:func:`kaohe.monitoring.inputs.as_inputs`, shared with water)."""
    if "city_id" not in year_frame.columns:
        raise UserInputError("scheme inputs are per city: evaluate the year with by='city_id'")
    return inputs.as_inputs(year_frame, scheme, kind="air", key="city_id", results_name="air results")
