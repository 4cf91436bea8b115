"""daily() and evaluate_year() on small hand-made hourly frames; expected values worked out in the comments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction

import polars as pl
import pytest

from kaohe.core.exceptions import InputTableError
from kaohe.monitoring.air import daily, evaluate_year, iaqi
from kaohe.monitoring.air.stats import _exact_scale

POLLUTANTS = ("so2", "no2", "pm10", "pm25", "co", "o3")
CLEAN = {"so2": 10.0, "no2": 20.0, "pm10": 40.0, "pm25": 20.0, "co": 0.5, "o3": 60.0}


def day_rows(
    date: dt.date, station: str = "S1", city: str = "C1", hours: Sequence[int] = range(24), **series: object
) -> list[dict[str, object]]:
    """24 hourly rows (or those in ``hours``); a pollutant given as a list has one value per hour of the day."""
    rows = []
    for h in hours:
        row: dict[str, object] = {"station_id": station, "city_id": city}
        row["timestamp"] = dt.datetime.combine(date, dt.time(h))  # naive local time, as the input
        for p in POLLUTANTS:
            value = series.get(p, CLEAN[p])
            row[p] = value[h] if isinstance(value, list) else value
        rows.append(row)
    return rows


def day_rows_with(date: dt.date, pollutant: str, value: float) -> list[dict[str, object]]:
    """``day_rows`` with one pollutant, named at run time, at ``value`` every hour."""
    return [row | {pollutant: value} for row in day_rows(date)]


def frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "station_id": pl.String,
            "city_id": pl.String,
            "timestamp": pl.Datetime("us"),
            **{p: pl.Float64 for p in POLLUTANTS},
        },
    )


D = dt.date(2023, 3, 1)


def test_it_rounds_daily_means_half_to_even_on_the_exact_decimal() -> None:
    rows = day_rows(
        D,
        # 12 × 34 + 12 × 35 = 828; 828 / 24 = 34.5 ⇒ 34 (tie, 4 is even)
        pm25=[34.0] * 12 + [35.0] * 12,
        # 12 × 35 + 12 × 36 = 852; 852 / 24 = 35.5 ⇒ 36 (tie, 6 is even)
        pm10=[35.0] * 12 + [36.0] * 12,
        # 12 × 2.1 + 12 × 2.4 = 54.0; 54 / 24 = 2.25 ⇒ 2.2 (tie, 2 is even); binary floats are off at the tie
        co=[2.1] * 12 + [2.4] * 12,
    )
    result = daily(frame(rows), by="station_id")
    assert result.select("pm25", "pm10", "co").row(0) == (34, 36, 2.2)
    # 12 × 2.3 + 12 × 2.4 = 56.4; 56.4 / 24 = 2.35 ⇒ 2.4 (tie, 4 is even)
    rows = day_rows(D, co=[2.3] * 12 + [2.4] * 12)
    assert daily(frame(rows), by="station_id")["co"][0] == 2.4


def test_a_24h_mean_needs_20_hours() -> None:
    twenty = daily(frame(day_rows(D, hours=range(20))), by="station_id")
    nineteen = daily(frame(day_rows(D, hours=range(19))), by="station_id")
    assert twenty.select("pm25", "valid_day").row(0) == (20, True)
    assert nineteen.select("pm25", "so2", "co", "valid_day", "aqi").row(0) == (None, None, None, False, None)
    assert nineteen["pm25_hours"][0] == 19


def test_the_8h_ozone_needs_14_valid_windows_of_6_hours() -> None:
    # Hours 0–4 missing: the window starting at 3 (hours 3–10) has 6 values ⇒ windows 3…16 are valid: 14.
    o3 = [None] * 5 + [100.0] * 18 + [200.0]
    fourteen = daily(frame(day_rows(D, o3=o3)), by="station_id")
    # Hours 0–5 missing: the window at 3 has 5 values; windows 4…16 are valid: 13.
    thirteen = daily(frame(day_rows(D, o3=[None] * 6 + [100.0] * 17 + [200.0])), by="station_id")
    assert fourteen["o3_8h_windows"][0] == 14
    assert thirteen["o3_8h_windows"][0] == 13
    # The best window is 16–23: (7 · 100 + 200) / 8 = 112.5 ⇒ 112 (half to even); the 1-h max is 200.
    assert fourteen.select("o3_8h", "o3_1h", "valid_day").row(0) == (112, 200, True)
    assert thirteen.select("o3_8h", "o3_1h", "valid_day").row(0) == (None, 200, False)


def test_an_8h_window_averages_its_valid_hours_only() -> None:
    # Hours 10 and 11 missing: window 4–11 has 6 values of 90 ⇒ 90, not 6 · 90 / 8 = 67.5.
    o3 = [30.0] * 4 + [90.0] * 6 + [None, None] + [30.0] * 12
    result = daily(frame(day_rows(D, o3=o3)), by="station_id")
    assert result["o3_8h"][0] == 90


def test_windows_do_not_cross_midnight() -> None:
    # Day 1 ends with 8 hours of 300 only in hours 16–23 ⇒ that window is day 1's; day 2 starts low.
    day1 = day_rows(D, o3=[50.0] * 16 + [300.0] * 8)
    day2 = day_rows(D + dt.timedelta(days=1), o3=[50.0] * 24)
    result = daily(frame(day1 + day2), by="station_id").sort("date")
    assert result["o3_8h"].to_list() == [300, 50]


# The city path has two implementations: per-station columns summed per city (a station_id column, one city per
# station) and one group-by over (city, hour) for any other table. Each hand-derived case runs through both.
CITY_PATHS = pytest.mark.parametrize("path", ["by station", "grouped"])


def city_daily(rows: list[dict[str, object]], path: str) -> pl.DataFrame:
    table = frame(rows)
    return daily(table if path == "by station" else table.drop("station_id"), by="city_id")


@CITY_PATHS
def test_city_hours_are_the_mean_of_the_stations_with_a_value(path: str) -> None:
    # A: 30 every hour; B: 41 in hours 0–11, missing after. City hours: 0–11 (30 + 41) / 2 = 35.5, 12–23: 30.
    # Day: (12 · 35.5 + 12 · 30) / 24 = 32.75 ⇒ 33. (Pooling all 36 values would give 33.67 ⇒ 34; averaging the
    # stations' daily means would drop B, valid for 12 hours only, and give 30.)
    a = day_rows(D, station="A", city="C", pm25=30.0)
    b = day_rows(D, station="B", city="C", pm25=[41.0] * 12 + [None] * 12)
    result = city_daily(a + b, path)
    assert result.select("city_id", "pm25", "pm25_hours").row(0) == ("C", 33, 24)


@CITY_PATHS
def test_city_means_stay_exact_with_three_stations(path: str) -> None:
    # Three stations 10, 10, 11 in hours 0–11 ⇒ 31/3 each; hours 12–23 only the first two ⇒ 10.
    # Day: (12 · 31/3 + 12 · 10) / 24 = (124 + 120) / 24 = 10.1666… ⇒ 10.
    # PM10 built to land on a tie: 12 · (21 + 22 + 23)/3 + 12 · 21.5 → hours 0–11 mean 22, 12–23 (21 + 22)/2
    # = 21.5 ⇒ day (12 · 22 + 12 · 21.5) / 24 = 21.75 ⇒ 22.
    rows = (
        day_rows(D, station="A", city="C", pm25=10.0, pm10=21.0)
        + day_rows(D, station="B", city="C", pm25=10.0, pm10=22.0)
        + day_rows(D, station="X", city="C", pm25=[11.0] * 12 + [None] * 12, pm10=[23.0] * 12 + [None] * 12)
    )
    assert city_daily(rows, path).select("pm25", "pm10").row(0) == (10, 22)


@CITY_PATHS
def test_a_city_of_17_stations_is_averaged_exactly(path: str) -> None:
    # HJ 663-2013: the city hour is the mean of its stations; GB/T 8170-2008 §3.3: the daily value rounds half to
    # even on the exact decimal. 17 stations: in hours 0–22 eight read 52 and nine 51 (sum 875, mean 875/17 =
    # 51.4705…), in hour 23 three read 53 and fourteen 52 (sum 887). Day: (23 · 875 + 887) / (17 · 24) = 21012 / 408
    # = 51.5 exactly ⇒ 52 (51 is odd). Carried to 1/720720 of 0.001 µg/m³ (720720 = lcm(1…16), 17 does not divide
    # it) each 875/17 hour lost 0.06 of a unit and the day came out just under 51.5 ⇒ 51.
    rows = []
    for i in range(17):
        rows += day_rows(
            D, station=f"S{i:02d}", city="C", pm25=[52.0 if i < 8 else 51.0] * 23 + [53.0 if i < 3 else 52.0]
        )
    assert city_daily(rows, path).select("pm25", "pm25_hours").row(0) == (52, 24)


@CITY_PATHS
def test_a_city_whose_station_counts_vary_is_averaged_exactly_in_128_bits(path: str) -> None:
    # 43 stations; in hours 0–7 only the first 17, 19, 23, 29, 31, 37, 41 and 43 of them report, then all 43.
    # The least common multiple of those counts (4.4e11) times the sums does not fit 64 bits: 128-bit integers.
    # Station i reads 30 + (i mod 7) / 10 µg/m³; the expected value is the exact mean of the exact hourly means.
    counts = [17, 19, 23, 29, 31, 37, 41, 43] + [43] * 16
    value = [Fraction(300 + i % 7, 10) for i in range(43)]
    rows = []
    for i in range(43):
        hours = [float(value[i]) if i < counts[h] else None for h in range(24)]
        rows += day_rows(D, station=f"S{i:02d}", city="C", pm25=hours, o3=hours)
    hourly = [sum(value[: counts[h]], Fraction(0)) / counts[h] for h in range(24)]
    day_mean = round(sum(hourly, Fraction(0)) / 24)  # Fraction rounds half to even (GB/T 8170-2008 §3.3)
    assert _exact_scale(set(counts), 43 * 30_600)[1] == pl.Int128
    assert city_daily(rows, path).select("pm25", "o3_1h").row(0) == (day_mean, round(max(hourly)))


@CITY_PATHS
def test_a_city_of_70_stations_is_averaged_exactly(path: str) -> None:
    # lcm(1 … 70) ≈ 2.7e29: K from every count a city of 70 could have does not fit 128 bits with values of 200, so
    # K comes from the counts that occur. 70 stations; in hours 0–11 the first 69 report, in hours 12–23 all 70.
    # Station i reads 200 + (i mod 3) µg/m³: the 69 first sum to 69 · 200 + 23 · (0 + 1 + 2) = 13869 ⇒ 201 an hour;
    # all 70 add station 69 (69 mod 3 = 0: 200) ⇒ 14069 / 70 = 200.9857… Day: (12 · 201 + 12 · 14069 / 70) / 24
    # = (201 + 200.9857…) / 2 = 200.99… ⇒ 201. PM10 200.0 at every station and hour ⇒ 200.
    rows = []
    for i in range(70):
        hours = [None if i == 69 and h < 12 else 200.0 + i % 3 for h in range(24)]
        rows += day_rows(D, station=f"S{i:02d}", city="C", pm25=hours, pm10=200.0)
    assert city_daily(rows, path).select("pm25", "pm10", "pm25_hours").row(0) == (201, 200, 24)


@CITY_PATHS
def test_cities_with_different_numbers_of_stations_and_rows_in_any_order(path: str) -> None:
    # C1 has one station (pm25 30), C2 three (10, 20, 33 ⇒ 21 each hour), C3 two (40 and 45 ⇒ 42.5 ⇒ tie ⇒ 42),
    # C4 three again (7, 8, 9 ⇒ 8). A station without a city (S0) is left out. Rows are shuffled.
    rows = (
        day_rows(D, station="S1", city="C1", pm25=30.0)
        + day_rows(D, station="S2", city="C2", pm25=10.0)
        + day_rows(D, station="S3", city="C2", pm25=20.0)
        + day_rows(D, station="S4", city="C2", pm25=33.0)
        + day_rows(D, station="S5", city="C3", pm25=40.0)
        + day_rows(D, station="S6", city="C3", pm25=45.0)
        + day_rows(D, station="S7", city="C4", pm25=7.0)
        + day_rows(D, station="S8", city="C4", pm25=8.0)
        + day_rows(D, station="S9", city="C4", pm25=9.0)
        + [{**row, "city_id": None} for row in day_rows(D, station="S0", pm25=500.0)]
    )
    shuffled = [rows[i] for i in sorted(range(len(rows)), key=lambda i: (i * 7919) % len(rows))]
    result = city_daily(shuffled, path)
    assert result.select("city_id", "pm25").rows() == [("C1", 30), ("C2", 21), ("C3", 42), ("C4", 8)]


def test_a_station_listed_under_two_cities_counts_each_row_in_its_own_city() -> None:
    # S moves from C1 to C2 at noon: C1 hours 0–11 are (10 + 20) / 2 = 15 and 12–23 are 10 (A alone) ⇒ 12.5 ⇒ 12;
    # C2 has S only, 12 hours of 20 ⇒ fewer than 20 hours ⇒ no valid 24-h mean, 12 hours counted.
    a = day_rows(D, station="A", city="C1", pm25=10.0)
    s = day_rows(D, station="S", city="C1", hours=range(12), pm25=20.0)
    s += day_rows(D, station="S", city="C2", hours=range(12, 24), pm25=20.0)
    result = daily(frame(a + s), by="city_id")
    assert result.select("city_id", "pm25", "pm25_hours").rows() == [("C1", 12, 24), ("C2", None, 12)]


def test_both_city_paths_agree_on_a_random_month() -> None:
    # 6 cities of 1–4 stations, one month, values with up to three decimals, ~10 % of values and ~5 % of rows
    # missing, rows in random order: the per-station path must give exactly what the plain group-by gives.
    import random

    rng = random.Random(20231)
    rows = []
    for c in range(6):
        for s in range(1 + c % 4):
            for day in range(31):
                for h in range(24):
                    if rng.random() < 0.05:
                        continue
                    row: dict[str, object] = {"station_id": f"S{c}{s}", "city_id": f"C{c}"}
                    row["timestamp"] = dt.datetime(2023, 1, 1 + day, h)  # noqa: DTZ001 (naive local time)
                    for p in POLLUTANTS:
                        scale = 0.5 if p == "co" else 60.0
                        value = round(rng.uniform(0, 4) * scale, rng.choice([0, 1, 3]))
                        row[p] = None if rng.random() < 0.1 else value
                    rows.append(row)
    rng.shuffle(rows)
    table = frame(rows)
    by_station = daily(table, by="city_id")
    grouped = daily(table.drop("station_id"), by="city_id")
    assert by_station.height == 6 * 31
    assert by_station.equals(grouped)
    assert evaluate_year(table, by="city_id").equals(evaluate_year(table.drop("station_id"), by="city_id"))


def test_daily_aqi_category_and_primary_from_the_frame() -> None:
    # pm25 36 ⇒ 50/40 · 1 + 50 = 51.25 ⇒ 52; everything else lower ⇒ AQI 52, 良, primary pm25
    result = daily(frame(day_rows(D, pm25=36.0)), by="station_id")
    assert result.select("aqi", "category", "primary").row(0) == (52, "良", ["pm25"])
    clean = daily(frame(day_rows(D)), by="station_id")
    # pm25 20 ⇒ 50/35 · 20 = 28.57 ⇒ 29; pm10 40 ⇒ 40; o3_8h 60 ⇒ 30; o3_1h 60 ⇒ 19 ⇒ AQI 40, no primary
    assert clean.select("aqi", "category", "primary").row(0) == (40, "优", [])


@pytest.mark.parametrize(
    ("pollutant", "value"),
    [
        ("pm25", 75.0),
        ("pm25", 115.5),
        ("pm10", 350.0),
        ("so2", 801.0),
        ("no2", 565.0),
        ("co", 14.0),
        ("co", 4.1),
        ("pm25", 600.0),
    ],
)
def test_the_frame_iaqi_matches_the_scalar_one(pollutant: str, value: float) -> None:
    # A constant hourly value is its own daily mean (rounded), so the day's AQI is its IAQI (table 1).
    result = daily(frame(day_rows_with(D, pollutant, value)), by="station_id")
    rounded = round(value, 1) if pollutant == "co" else round(value)  # 115.5 ⇒ 116 (even), the others exact
    assert result["aqi"][0] == iaqi(pollutant, rounded, "24h")


def test_the_frame_uses_the_1h_ozone_when_8h_is_above_800() -> None:
    # o3 900 all day: o3_8h 900 is not computed (note 3); o3_1h 900: 100/200 · 100 + 300 = 350.
    result = daily(frame(day_rows(D, o3=900.0)), by="station_id")
    assert result.select("o3_8h", "aqi", "primary").row(0) == (900, 350, ["o3_1h"])


def year_rows(days_per_month: dict[int, int], pm25: float = 30.0) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for month, count in days_per_month.items():
        for d in range(1, count + 1):
            rows += day_rows(dt.date(2023, month, d), pm25=pm25)
    return rows


FULL = {m: 27 for m in range(1, 13)} | {2: 25}  # 11 · 27 + 25 = 322


def test_the_annual_rule_holds_at_324_days_27_a_month_and_25_in_february() -> None:
    days = FULL | {1: 28, 3: 28}  # 322 + 1 + 1 = 324
    result = evaluate_year(frame(year_rows(days)), by="station_id")
    assert result.select("pm25_days", "pm25_annual_valid", "o3_8h_annual_valid").row(0) == (324, True, True)


def test_the_annual_rule_fails_at_323_days() -> None:
    days = FULL | {1: 28}  # 322 + 1 = 323
    result = evaluate_year(frame(year_rows(days)), by="station_id")
    assert result.select("pm25_days", "pm25_annual_valid").row(0) == (323, False)
    assert result["pm25_mean"][0] == 30  # the statistic is still given


def test_the_annual_rule_fails_with_24_days_in_february() -> None:
    days = FULL | {1: 29, 2: 24, 3: 29}  # 322 + 2 − 1 + 2 = 325 days, but February has 24
    result = evaluate_year(frame(year_rows(days)), by="station_id")
    assert result.select("pm25_days", "pm25_annual_valid").row(0) == (325, False)


def test_the_annual_rule_fails_with_26_days_in_another_month() -> None:
    days = FULL | {1: 31, 3: 31, 4: 26}  # 322 + 4 + 4 − 1 = 329 days, but April has 26
    result = evaluate_year(frame(year_rows(days)), by="station_id")
    assert result.select("pm25_days", "pm25_annual_valid").row(0) == (329, False)


def days_with(values: Sequence[float], pollutant: str = "pm25") -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    for i, v in enumerate(values):
        rows += day_rows_with(D + dt.timedelta(days=i), pollutant, v)
    return frame(rows)


def test_year_percentiles_follow_hj_663_and_round_half_to_even() -> None:
    # pm25 daily values 10 20 30 40 50: p95 k = 1 + 4 · 0.95 = 4.8 ⇒ 40 + 10 · 0.8 = 48
    assert evaluate_year(days_with([30, 10, 50, 20, 40]), by="station_id")["pm25_p95"][0] == 48
    # 1 … 11: k = 1 + 10 · 0.95 = 10.5 ⇒ 10 + 1 · 0.5 = 10.5 ⇒ 10 (tie, even)
    assert evaluate_year(days_with(range(1, 12)), by="station_id")["pm25_p95"][0] == 10
    # CO 0.5 … 1.5 by 0.1 (11 days): k = 10.5 ⇒ 1.4 + 0.1 · 0.5 = 1.45 ⇒ 1.4
    co = [round(0.5 + i / 10, 1) for i in range(11)]
    assert evaluate_year(days_with(co, "co"), by="station_id")["co_p95"][0] == 1.4


def test_year_counts_good_and_heavy_days_over_valid_days() -> None:
    # pm25 means 75 (IAQI 100, good), 76 (50/40 · 1 + 100 = 101.25 ⇒ 102, not good), 151 (50/100 · 1 + 200
    # = 200.5 ⇒ 201, heavy); a fourth day with 19 hours only is not valid.
    frame_ = days_with([75, 76, 151])
    short = frame(day_rows(D + dt.timedelta(days=3), hours=range(19)))
    result = evaluate_year(pl.concat([frame_, short]), by="station_id")
    row = result.select("days_with_data", "valid_days", "good_days", "good_ratio", "heavy_days", "heavy_ratio").row(0)
    assert row == (4, 3, 1, pytest.approx(1 / 3), 1, pytest.approx(1 / 3))
    # The short day's pm25 (19 hours) is not a daily value: mean (75 + 76 + 151) / 3 = 100.67 ⇒ 101.
    assert result["pm25_mean"][0] == 101


def test_a_frame_spanning_two_years_is_refused() -> None:
    rows = day_rows(dt.date(2022, 12, 31)) + day_rows(dt.date(2023, 1, 1))
    with pytest.raises(InputTableError, match="one calendar year"):
        evaluate_year(frame(rows), by="station_id")


def test_a_day_without_any_value_is_not_a_day_with_data() -> None:
    rows = day_rows(D) + day_rows(D + dt.timedelta(days=2))  # nothing on the day in between
    assert evaluate_year(frame(rows), by="station_id")["days_with_data"][0] == 2


# HJ 663-2013 (statistical validity of 日最大8小时平均): with fewer than 14 valid 8-h values the daily max is valid
# all the same when it exceeds the limit, here GB 3095-2012 表1's 8-h O3 limit: 160 (class 2), 100 (class 1).
# Hours 0–6 missing: the window starting at w covers w … w+7 and has w + 1 values for w < 7, so windows 5 … 16
# (≥ 6 values, GB 3095-2012 表4) are valid: 12. Hours 7–15 are 100 and hours 16–23 are ``peak``, so the best
# window is 16–23 with mean ``peak`` (every other window mixes in hours of 100).
def twelve_windows(peak: list[float] | float, date: dt.date = D) -> list[dict[str, object]]:
    tail = peak if isinstance(peak, list) else [peak] * 8
    return day_rows(date, o3=[None] * 7 + [100.0] * 9 + tail)


def test_an_o3_day_with_12_windows_above_the_limit_is_valid() -> None:
    result = daily(frame(twelve_windows(170.0)), by="station_id")
    # o3_8h 170 > 160 ⇒ valid. IAQI 8-h: 100 + 50 · (170 − 160) / (215 − 160) = 109.09 ⇒ 110 (HJ 633-2012 表1);
    # 1-h: 50 + 50 · (170 − 160) / (200 − 160) = 62.5 ⇒ 63; the clean rest ≤ 40 ⇒ AQI 110, 轻度污染, primary O3 8-h.
    row = result.select("o3_8h_windows", "o3_8h", "o3_1h", "valid_day", "aqi", "category", "primary").row(0)
    assert row == (12, 170, 170, True, 110, "轻度污染", ["o3_8h"])


def test_an_o3_day_with_12_windows_below_the_limit_is_not_valid() -> None:
    result = daily(frame(twelve_windows(150.0)), by="station_id")
    assert result.select("o3_8h_windows", "o3_8h", "o3_1h", "valid_day", "aqi").row(0) == (12, None, 150, False, None)


@pytest.mark.parametrize(
    ("peak", "expected"),
    [
        (160.0, None),  # equal to the limit: does not exceed it
        (161.0, 161),
        # 4 · 160 + 4 · 161 = 1284; / 8 = 160.5 ⇒ 160 (half to even, GB/T 8170-2008): the daily value is 160
        ([160.0] * 4 + [161.0] * 4, None),
        # 4 · 161 + 4 · 162 = 1292; / 8 = 161.5 ⇒ 162 (half to even)
        ([161.0] * 4 + [162.0] * 4, 162),
    ],
)
def test_the_limit_is_compared_with_the_rounded_daily_value(peak: list[float] | float, expected: int | None) -> None:
    assert daily(frame(twelve_windows(peak)), by="station_id")["o3_8h"][0] == expected


def test_a_class_1_area_uses_the_limit_100() -> None:
    # 150 > 100 (GB 3095-2012 表1, 一级; §4.2: 一类区适用一级浓度限值) ⇒ valid. IAQI 8-h: 50 + 50 · (150 − 100)
    # / (160 − 100) = 91.67 ⇒ 92; 1-h 150: 50 · 150 / 160 = 46.875 ⇒ 47 ⇒ AQI 92, 良.
    rows = twelve_windows(150.0) + [{**r, "station_id": "S2"} for r in twelve_windows(150.0)]
    result = daily(frame(rows), by="station_id", area_class={"S1": 1}).sort("station_id")
    assert result.select("station_id", "o3_8h", "aqi", "category").rows() == [
        ("S1", 150, 92, "良"),
        ("S2", None, None, None),
    ]
    everywhere = daily(frame(rows), by="station_id", area_class=1)
    assert everywhere["o3_8h"].to_list() == [150, 150]


def test_an_unknown_area_class_is_refused() -> None:
    with pytest.raises(ValueError, match="area class"):
        daily(frame(twelve_windows(170.0)), by="station_id", area_class=3)


@CITY_PATHS
def test_a_heavy_o3_day_with_12_windows_counts_in_the_year(path: str) -> None:
    # Day 1 clean (AQI 40, good); day 2 the 170 day above (AQI 110): 2 valid days, 1 good ⇒ 50 %. Dropping day 2
    # would report 1 of 1 = 100 %. o3_8h p90 over 60 and 170: k = 1 + 0.9 = 1.9 ⇒ 60 + 110 · 0.9 = 159.
    table = frame(day_rows(D) + twelve_windows(170.0, D + dt.timedelta(days=1)))
    result = evaluate_year(table if path == "by station" else table.drop("station_id"), by="city_id")
    row = result.select("valid_days", "good_days", "good_ratio", "o3_8h_days", "o3_8h_p90").row(0)
    assert row == (2, 1, 0.5, 2, 159)


def test_evaluate_year_checks_the_span_on_the_raw_timestamps_before_any_daily_table() -> None:
    # One hour at 9999-12-31 23:00 among 2020 data made the dense daily layout span 8,000 years (23.7 GB, killed).
    hourly = pl.DataFrame(
        {
            "station_id": ["S1", "S1"],
            "city_id": ["C1", "C1"],
            "timestamp": [dt.datetime(2020, 1, 1, 0), dt.datetime(9999, 12, 31, 23)],  # noqa: DTZ001
            **{p: [10.0, 10.0] for p in ("so2", "no2", "pm10", "pm25", "co", "o3")},
        }
    )
    with pytest.raises(InputTableError, match="the data span 2020–9999"):
        evaluate_year(hourly, by="city_id")
