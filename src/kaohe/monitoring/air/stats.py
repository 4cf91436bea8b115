"""Daily and annual air statistics over whole frames, vectorised in Polars.

    hourly frame ──_hourly()──▶ one row per (id, hour)     station: as read; city: mean of valid stations
                 ──_daily_codes()──▶ one row per (id, day)  dense (id × day × 24 h) layout, exact integers
                 ──daily()─────────▶ + IAQI, AQI, category, primary, valid_day
                 ──evaluate_year()─▶ one row per id         means, percentiles, ratios, annual validity

Exactness. Daily values are rounded half-to-even (GB/T 8170-2008 §3.3) on the exact decimal value, never on a
binary float. Hourly values are taken at 0.001 µg/m³ (mg/m³ for CO): a daily sum computed in float64 is
turned back into the exact integer number of thousandths by rounding, which is exact for inputs with up to
three decimals (float64 error is ~1e-12 there). All later arithmetic (division, the 8-h window maxima, the
rounding itself, IAQI, means and percentiles) is done on integers. City hourly values are the exact mean
of the city's valid stations, kept as integers in units of 1 / (1000 · 720720): 720720 = lcm(1…16), so the
mean is exact for cities of up to 16 stations (and any count dividing 720720) and off by < 1e-9 µg/m³ beyond.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal, Protocol

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from kaohe.core.exceptions import InputTableError, Problem, UserInputError
from kaohe.monitoring.air.index import DAILY_KEYS, POLLUTANTS
from kaohe.monitoring.air.tables import (
    BREAKPOINTS,
    CATEGORIES,
    IAQI_LEVELS,
    MIN_DAYS_FEBRUARY,
    MIN_DAYS_PER_MONTH,
    MIN_DAYS_PER_YEAR,
    MIN_HOURS_PER_8H,
    MIN_HOURS_PER_DAY,
    MIN_O3_WINDOWS,
    NOT_COMPUTED_ABOVE,
    O3_WINDOWS,
    WORST_CATEGORY,
)

By = Literal["station_id", "city_id"]
SCALE = 1000  # hourly values are exact to 0.001 µg/m³ (mg/m³ for CO)
CITY_K = 720720  # lcm(1…16): a city hourly mean over m ≤ 16 stations is a whole number of 1/(1000·CITY_K)
_HOUR_SPAN = 1 << 24  # hours since 1970 fit in 24 bits until the year 3883
WINDOW_K = 168  # lcm(6, 7, 8): compares 8-h means over 6, 7 or 8 hours as integers
_MEAN_POLLUTANTS = ("so2", "no2", "pm10", "pm25", "co")
# HJ 663-2013 annual evaluation: the percentile of each pollutant's daily values.
_PERCENTILES = {"so2": 98, "no2": 98, "pm10": 95, "pm25": 95, "co": 95, "o3_8h": 90}
# Daily value → (table-1 row, unit factor): CO is kept in tenths of mg/m³, everything else in whole µg/m³.
_IAQI_ROW = {
    "so2": (("so2", "24h"), 1),
    "no2": (("no2", "24h"), 1),
    "pm10": (("pm10", "24h"), 1),
    "pm25": (("pm25", "24h"), 1),
    "co": (("co", "24h"), 10),
    "o3_8h": (("o3", "8h"), 1),
    "o3_1h": (("o3", "1h"), 1),
}


def _round_half_even(num: pl.Expr, den: pl.Expr | int) -> pl.Expr:
    """num / den rounded half to even, for non-negative integers: exact (GB/T 8170-2008 §3.3)."""
    q = num // den
    twice_r = 2 * (num - q * den)
    up = (twice_r > den) | ((twice_r == den) & (q % 2 == 1))
    return q + up.cast(pl.Int64)


def _check_by(by: str) -> None:
    if by not in ("station_id", "city_id"):
        raise ValueError(f"by must be 'station_id' or 'city_id', not {by!r}")


def _hourly(frame: pl.DataFrame | pl.LazyFrame, by: str) -> tuple[pl.DataFrame, int, int]:
    """(id, timestamp, six pollutants) with the factor R that turns sums into integers and the unit Dn.

    An integer sum S = round(Σ value · R) stands for the concentration sum S / Dn.
    """
    lf = frame.lazy()
    names = lf.collect_schema().names()
    missing = [c for c in (by, "timestamp", *POLLUTANTS) if c not in names]
    if missing:
        raise InputTableError([Problem(f"missing column {c!r}", column=c) for c in missing])
    ts = pl.col("timestamp")
    tz = getattr(lf.collect_schema()["timestamp"], "time_zone", None)
    if tz is not None:  # local China Standard Time is what the day boundaries mean
        ts = ts.dt.convert_time_zone("Asia/Shanghai").dt.replace_time_zone(None)
    ident = pl.col(by).cast(pl.String).alias("id")
    if by == "station_id":
        df = lf.select(ident, ts.alias("timestamp"), *[pl.col(p).cast(pl.Float64) for p in POLLUTANTS]).collect()
        return df, SCALE, SCALE
    # HJ 663-2013: a city's hourly value is the arithmetic mean of its stations' valid hourly values.
    # Grouping on one integer key (city index · 2^24 + hours since 1970) with the streaming engine is about
    # twice as fast as grouping on (string, datetime); rows without a city cannot be attributed and are left out.
    ids = lf.select(pl.col(by).cast(pl.String).unique().drop_nulls()).collect(engine="streaming").to_series().sort()
    hour = ts.dt.epoch("s") // 3600
    key = pl.col(by).cast(pl.String).cast(pl.Enum(ids)).to_physical().cast(pl.Int64) * _HOUR_SPAN + hour
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
    df = grouped.select(
        pl.col("_k"),
        pl.from_epoch((pl.col("_k") % _HOUR_SPAN) * 3600, time_unit="s").cast(pl.Datetime("us")).alias("timestamp"),
        *[
            pl.when(pl.col(f"{p}_n") > 0).then((pl.col(f"{p}_s") * CITY_K / pl.col(f"{p}_n")).round(0)).alias(p)
            for p in POLLUTANTS
        ],
    )
    df = df.with_columns(ids.gather(df.get_column("_k") // _HOUR_SPAN).alias("id")).drop("_k")
    df = df.select("id", "timestamp", *POLLUTANTS)
    return df, 1, SCALE * CITY_K


def _daily_codes(frame: pl.DataFrame | pl.LazyFrame, by: str) -> pl.DataFrame:
    """Per (id, date): the daily values as exact integers (µg/m³; CO in 0.1 mg/m³), null when not valid."""
    _check_by(by)
    df, r, dn = _hourly(frame, by)
    if df.height == 0:
        raise InputTableError("the table has no rows")
    first = df["timestamp"].min()
    last = df["timestamp"].max()
    assert isinstance(first, dt.datetime) and isinstance(last, dt.datetime)
    day0 = dt.datetime.combine(first.date(), dt.time())
    n_days = (last.date() - first.date()).days + 1
    ids = df["id"].unique().sort()
    n_cells = ids.len() * n_days * 24
    # Dense layout: row = id_index · n_days · 24 + hours since day0, so each day is 24 consecutive cells.
    pos = df.select(
        pl.col("id").cast(pl.Enum(ids)).to_physical().cast(pl.Int64) * (n_days * 24)
        + (pl.col("timestamp") - day0).dt.total_hours()
    ).to_series()
    if df.height == n_cells and pos.is_sorted() and pos[0] == 0 and pos[-1] == n_cells - 1:
        dense = df.select(POLLUTANTS)  # every (id, hour) has a row, in order: already dense
    else:
        rows = pl.Series([None], dtype=pl.UInt32).extend_constant(None, n_cells - 1)
        rows = rows.scatter(pos, pl.int_range(0, df.height, dtype=pl.UInt32, eager=True))
        dense = df.select([pl.col(p).gather(rows) for p in POLLUTANTS])
    del df, pos

    def day(p: str) -> pl.Expr:
        return pl.col(p).reshape((-1, 24))

    first_pass = dense.select(
        *[(day(p).arr.sum() * r).round(0).cast(pl.Int64).alias(f"{p}_sum") for p in _MEAN_POLLUTANTS],
        *[pl.col(p).is_not_null().reshape((-1, 24)).arr.sum().cast(pl.Int64).alias(f"{p}_n") for p in POLLUTANTS],
        (day("o3").arr.max() * r).round(0).cast(pl.Int64).alias("o3_max"),
        day("o3").arr.to_struct([f"h{i}" for i in range(24)]).struct.unnest(),
    )
    del dense
    # Daily max 8-h O3: the 17 windows starting at 00:00 … 16:00 (none crosses midnight); a window is valid
    # with ≥ 6 hourly values (GB 3095-2012 表4) and its mean is taken over those hours.
    keys, valid = [], []
    for w in range(O3_WINDOWS):
        hours = [pl.col(f"h{h}") for h in range(w, w + 8)]
        n = pl.sum_horizontal([h.is_not_null().cast(pl.Int64) for h in hours])
        total = (pl.sum_horizontal(hours) * r).round(0).cast(pl.Int64)
        ok = n >= MIN_HOURS_PER_8H
        # window mean · WINDOW_K · Dn as an exact integer, comparable across 6, 7 and 8 hours
        keys.append(pl.when(ok).then(total * (WINDOW_K // n)))
        valid.append(ok.cast(pl.Int64))

    ok24 = {p: pl.col(f"{p}_n") >= MIN_HOURS_PER_DAY for p in _MEAN_POLLUTANTS}  # GB 3095-2012 表4
    has_data = pl.any_horizontal([pl.col(f"{p}_n") > 0 for p in POLLUTANTS])
    out = (
        first_pass.lazy()
        .with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
            pl.max_horizontal(keys).alias("_o3_key"),
            pl.sum_horizontal(valid).alias("o3_8h_windows"),
            has_data.alias("_has_data"),
        )
        .filter(pl.col("_has_data"))
        .select(
            "_row",
            *[
                pl.when(ok24[p]).then(_round_half_even(pl.col(f"{p}_sum"), pl.col(f"{p}_n") * dn)).alias(p)
                for p in ("so2", "no2", "pm10", "pm25")
            ],
            pl.when(ok24["co"]).then(_round_half_even(pl.col("co_sum") * 10, pl.col("co_n") * dn)).alias("co"),
            pl.when(pl.col("o3_8h_windows") >= MIN_O3_WINDOWS)  # HJ 663-2013: ≥ 14 valid 8-h values a day
            .then(_round_half_even(pl.col("_o3_key"), WINDOW_K * dn))
            .alias("o3_8h"),
            pl.when(pl.col("o3_n") > 0).then(_round_half_even(pl.col("o3_max"), dn)).alias("o3_1h"),
            *[pl.col(f"{p}_n").alias(f"{p}_hours") for p in POLLUTANTS],
            "o3_8h_windows",
        )
        .collect()
    )
    ident = ids.gather(out["_row"] // n_days).alias(by)
    return out.select(
        pl.lit(ident),
        (pl.lit(first.date()) + pl.duration(days=pl.col("_row") % n_days)).cast(pl.Date).alias("date"),
        *DAILY_KEYS,
        *[f"{p}_hours" for p in POLLUTANTS],
        "o3_8h_windows",
    )


def _iaqi_expr(key: str) -> pl.Expr:
    """HJ 633-2012 式(1) on the integer daily value, rounded up, in integer arithmetic only."""
    row, factor = _IAQI_ROW[key]
    bps = [int(b * factor) for b in BREAKPOINTS[row]]
    c = pl.col(key)
    chain: Then | ChainedThen = pl.when(c.is_null()).then(None)
    limit = NOT_COMPUTED_ABOVE.get(row)
    if limit is not None:
        chain = chain.when(c > int(limit * factor)).then(None)  # 表1 注(2), 注(3)
    chain = chain.when(c >= bps[-1]).then(IAQI_LEVELS[len(bps) - 1])
    for i in range(1, len(bps)):
        lo, hi, i_lo, i_hi = bps[i - 1], bps[i], IAQI_LEVELS[i - 1], IAQI_LEVELS[i]
        # ceil((i_hi − i_lo)·(c − lo) / (hi − lo)) for non-negative integers
        chain = chain.when(c <= hi).then(i_lo + ((i_hi - i_lo) * (c - lo) + (hi - lo - 1)) // (hi - lo))
    return chain.otherwise(None).cast(pl.Int64)


def _category_expr(aqi: pl.Expr) -> pl.Expr:
    chain: Then | ChainedThen = pl.when(aqi.is_null()).then(pl.lit(None, dtype=pl.String))
    for upper, name in CATEGORIES:  # HJ 633-2012 表2
        chain = chain.when(aqi <= upper).then(pl.lit(name))
    return chain.otherwise(pl.lit(WORST_CATEGORY))


def _with_aqi(codes: pl.DataFrame) -> pl.DataFrame:
    """Adds IAQI columns, the AQI of valid days (all six pollutants valid), category and primary."""
    valid_day = pl.all_horizontal([pl.col(k).is_not_null() for k in DAILY_KEYS if k != "o3_1h"])
    withi = codes.with_columns([_iaqi_expr(k).alias(f"iaqi_{k}") for k in DAILY_KEYS]).with_columns(
        valid_day.alias("valid_day")
    )
    aqi = pl.when(pl.col("valid_day")).then(pl.max_horizontal([pl.col(f"iaqi_{k}") for k in DAILY_KEYS]))
    withi = withi.with_columns(aqi.alias("aqi"))
    # Built as "pm25,o3_8h" and split: much faster in Polars than concatenating lists.
    primary = pl.concat_str(
        [pl.when(pl.col(f"iaqi_{k}") == pl.col("aqi")).then(pl.lit(k)) for k in DAILY_KEYS],
        separator=",",
        ignore_nulls=True,
    ).str.split(",")
    return withi.with_columns(
        _category_expr(pl.col("aqi")).alias("category"),
        # HJ 633-2012 §4.3: the primary pollutant(s) are named only when AQI > 50.
        pl.when(pl.col("aqi") > 50)
        .then(primary)
        .when(pl.col("aqi").is_not_null())
        .then(pl.lit([], dtype=pl.List(pl.String)))
        .alias("primary"),
    )


def daily(frame: pl.DataFrame | pl.LazyFrame, by: By = "station_id") -> pl.DataFrame:
    """One row per id and date: the seven daily values, ``aqi, category, primary, valid_day``.

    Precondition: ``frame`` is valid hourly data (see ``read_hourly``): one row per (station, hour),
    non-negative concentrations. so2 no2 pm10 pm25 o3_8h o3_1h are whole µg/m³, co is mg/m³ to 0.1; a daily
    value is null when it is not valid (fewer than 20 hours; fewer than 14 valid 8-h windows for o3_8h).
    ``aqi``/``category``/``primary`` are null unless ``valid_day`` (all six pollutants valid). Only days with
    at least one hourly value appear. ``*_hours`` and ``o3_8h_windows`` show how much data each day had.
    """
    codes = _with_aqi(_daily_codes(frame, by))
    return codes.select(
        by,
        "date",
        "so2",
        "no2",
        "pm10",
        "pm25",
        (pl.col("co") / 10).round(1).alias("co"),  # tenths ⇒ mg/m³; round(1) drops float noise like 1.2000000000000002
        "o3_8h",
        "o3_1h",
        "aqi",
        "category",
        "primary",
        "valid_day",
        *[f"{p}_hours" for p in POLLUTANTS],
        "o3_8h_windows",
    )


def _percentile_expr(col: str, p: int) -> pl.Expr:
    """HJ 663-2013 附录A on a sorted list of integers, ×100 kept exact, then rounded half to even."""
    xs = pl.col(col)
    n = xs.list.len().cast(pl.Int64)
    num = (n - 1) * p  # k − 1 = num / 100
    s = num // 100 + 1
    frac100 = num % 100
    x_s = xs.list.get(s - 1, null_on_oob=True)
    x_next = xs.list.get(pl.min_horizontal(s, n - 1), null_on_oob=True)
    value100 = 100 * x_s + (x_next - x_s) * frac100
    return pl.when(n > 0).then(_round_half_even(value100, 100))


def evaluate_year(frame: pl.DataFrame | pl.LazyFrame, by: By = "city_id") -> pl.DataFrame:
    """One row per id over one calendar year.

    Columns: ``year, days_with_data, valid_days, good_days, good_ratio, heavy_days, heavy_ratio``;
    ``so2_mean no2_mean pm10_mean pm25_mean`` (whole µg/m³); the HJ 663-2013 percentiles ``so2_p98
    no2_p98 pm10_p95 pm25_p95 co_p95 o3_8h_p90`` (co in mg/m³ to 0.1); per pollutant ``<p>_days`` (valid
    daily values) and ``<p>_annual_valid`` (GB 3095-2012 表4: ≥ 324 a year, ≥ 27 in each month, ≥ 25 in
    February). Each statistic uses that pollutant's valid days, and is given even when the annual rule fails.
    good day: AQI ≤ 100; heavy day: AQI > 200; the ratios are over ``valid_days`` (null when there are none).
    """
    days = _with_aqi(_daily_codes(frame, by))
    years = sorted(days["date"].dt.year().unique().to_list())
    if len(years) > 1:
        raise InputTableError(
            Problem(
                f"the data span {years[0]}–{years[-1]}; evaluate one calendar year at a time",
                column="timestamp",
            )
        )
    keys = ("so2", "no2", "pm10", "pm25", "co", "o3_8h")
    month = pl.col("date").dt.month()
    monthly = (
        days.group_by(by, month.alias("month"))
        .agg([pl.col(k).count().alias(k) for k in keys])
        .group_by(by)
        .agg(
            [
                # GB 3095-2012 表4: every one of the 12 months needs 27 daily values (February 25).
                (pl.col(k) >= pl.when(pl.col("month") == 2).then(MIN_DAYS_FEBRUARY).otherwise(MIN_DAYS_PER_MONTH))
                .sum()
                .alias(f"{k}_months_ok")
                for k in keys
            ]
        )
    )
    valid = pl.col("valid_day")
    per_id = days.group_by(by).agg(
        pl.col("date").dt.year().first().alias("year"),
        pl.len().alias("days_with_data"),
        valid.sum().alias("valid_days"),
        (pl.col("aqi") <= 100).sum().alias("good_days"),
        (pl.col("aqi") > 200).sum().alias("heavy_days"),
        *[pl.col(k).sum().alias(f"{k}_total") for k in ("so2", "no2", "pm10", "pm25")],
        *[pl.col(k).count().alias(f"{k}_days") for k in keys],
        *[pl.col(k).drop_nulls().sort().alias(f"{k}_sorted") for k in keys],
    )
    ratio = {
        name: pl.when(pl.col("valid_days") > 0).then(pl.col(name) / pl.col("valid_days"))
        for name in ("good_days", "heavy_days")
    }
    table = per_id.join(monthly, on=by, how="left").with_columns(
        [pl.col(c).cast(pl.Int64) for c in ("days_with_data", "valid_days", "good_days", "heavy_days")]
    )
    return table.select(
        by,
        pl.col("year").cast(pl.Int32),
        "days_with_data",
        "valid_days",
        "good_days",
        ratio["good_days"].alias("good_ratio"),
        "heavy_days",
        ratio["heavy_days"].alias("heavy_ratio"),
        *[
            pl.when(pl.col(f"{k}_days") > 0)
            .then(_round_half_even(pl.col(f"{k}_total"), pl.col(f"{k}_days").cast(pl.Int64)))
            .alias(f"{k}_mean")
            for k in ("so2", "no2", "pm10", "pm25")
        ],
        *[
            ((_percentile_expr(f"{k}_sorted", p) / 10).round(1) if k == "co" else _percentile_expr(f"{k}_sorted", p)).alias(
                f"{k}_p{p}"
            )
            for k, p in _PERCENTILES.items()
        ],
        *[pl.col(f"{k}_days").cast(pl.Int64) for k in keys],
        *[
            ((pl.col(f"{k}_days") >= MIN_DAYS_PER_YEAR) & (pl.col(f"{k}_months_ok") == 12)).alias(
                f"{k}_annual_valid"
            )
            for k in keys
        ],
    ).sort(by)


class _InputLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def source(self) -> str | None: ...
    @property
    def source_scale(self) -> float | None: ...


class _SchemeLike(Protocol):
    @property
    def inputs(self) -> Sequence[_InputLike]: ...


def as_inputs(year_frame: pl.DataFrame, scheme: _SchemeLike) -> pl.DataFrame:
    """The scheme's monitoring inputs, one row per unit: ``unit_id`` (the city_id) and one column per input
    whose ``source`` is ``air.<column of evaluate_year>``, multiplied by ``source_scale`` when set."""
    if "city_id" not in year_frame.columns:
        raise UserInputError("scheme inputs are per city: evaluate the year with by='city_id'")
    columns = [pl.col("city_id").alias("unit_id")]
    problems = []
    for definition in scheme.inputs:
        source = definition.source
        if not source or not source.startswith("air."):
            continue
        name = source.removeprefix("air.")
        if name not in year_frame.columns:
            problems.append(
                Problem(f"input {definition.id}: {source!r} is not a column of the air results", key=definition.id)
            )
            continue
        expr = pl.col(name)
        if definition.source_scale is not None:
            expr = expr.cast(pl.Float64) * definition.source_scale
        columns.append(expr.alias(definition.id))
    if problems:
        raise UserInputError(problems)
    if len(columns) == 1:
        raise UserInputError("the scheme declares no input with a source 'air.…'")
    return year_frame.select(columns)
