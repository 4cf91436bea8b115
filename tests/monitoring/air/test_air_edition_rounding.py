"""An edition file's rounding rules and steps in the vectorised path (issue 11: "validity and rounding rules" are
part of an edition, and an office's file changes them without a code change): rounding.iaqi, rounding.concentrations,
rounding.decimals, breakpoints with decimals and validity.min_hours_per_8h, in daily() and evaluate_year().

Each edition here is editions/2012.yaml with one line changed (test values, not a standard's). Expected values by hand
from HJ 633-2012 式(1) (IAQI = (IAQI_hi − IAQI_lo) / (BP_hi − BP_lo) · (C − BP_lo) + IAQI_lo) on its table 1, the
arithmetic written beside each. The other pollutants stay clean (tests.monitoring.air.test_air_stats.CLEAN: IAQI ≤ 40),
so the AQI is PM2.5's IAQI.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from kaohe.monitoring.air import daily, evaluate_year
from kaohe.monitoring.air.editions import Edition, load_edition
from kaohe.monitoring.air.stats import By
from tests.monitoring.air.test_air_stats import day_rows, frame

EDITIONS = Path(__file__).resolve().parents[3] / "src/kaohe/monitoring/air/editions"
D1, D2 = dt.date(2023, 3, 1), dt.date(2023, 3, 2)
PM25_ROW = "24h: {value: [0, 35, 75, 115, 150, 250, 350, 500]"


def variant(tmp_path: Path, old: str, new: str) -> Edition:
    text = (EDITIONS / "2012.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "office.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_edition(path)


def pm25_day(values: float | list[float], day: dt.date = D1) -> list[dict[str, object]]:
    return day_rows(day, pm25=values)


@pytest.mark.parametrize(
    ("pm25", "ceiling", "half_even"),
    [
        (36.0, 52, 51),  # 50 + 50 · (36 − 35) / 40 = 51.25 ⇒ up 52, nearest 51
        (37.0, 53, 52),  # 50 + 50 · 2 / 40 = 52.5: a tie ⇒ up 53, to even 52
        (41.0, 58, 58),  # 50 + 50 · 6 / 40 = 57.5: a tie ⇒ up 58, to even 58
    ],
)
def test_the_iaqi_follows_the_editions_rounding_rule(tmp_path: Path, pm25: float, ceiling: int, half_even: int) -> None:
    half = variant(tmp_path, "iaqi: {value: ceiling", "iaqi: {value: half_even")
    data = frame(pm25_day(pm25))
    assert daily(data, edition="2012").get_column("aqi").to_list() == [ceiling]
    assert daily(data, edition=half).get_column("aqi").to_list() == [half_even]
    # the city path (exact integer means) rounds the same way
    assert daily(data, by="city_id", edition=half).get_column("aqi").to_list() == [half_even]


def test_daily_and_annual_values_follow_the_concentration_rule(tmp_path: Path) -> None:
    up = variant(tmp_path, "concentrations: {value: half_even", "concentrations: {value: ceiling")
    # day 1: 24 × 10 ⇒ 10. day 2: 20 × 10 + 4 × 11 = 244; 244 / 24 = 10.1666… ⇒ half to even 10, up 11
    data = frame(pm25_day(10.0, D1) + pm25_day([10.0] * 20 + [11.0] * 4, D2))
    assert daily(data, edition="2012").get_column("pm25").to_list() == [10, 10]
    assert daily(data, edition=up).get_column("pm25").to_list() == [10, 11]
    # annual mean: 2012 (10 + 10) / 2 = 10; ceiling (10 + 11) / 2 = 10.5 ⇒ 11 (half to even would give 10)
    assert evaluate_year(data, by="station_id", edition="2012").get_column("pm25_mean").to_list() == [10]
    assert evaluate_year(data, by="station_id", edition=up).get_column("pm25_mean").to_list() == [11]


def test_decimals_keep_a_finer_step_through_the_iaqi_and_the_year(tmp_path: Path) -> None:
    tenths = variant(tmp_path, "pm25: 0, co: 1", "pm25: 1, co: 1")
    # day 1: 24 × 35.4 ⇒ 35.4; IAQI 50 + 50 · 0.4 / 40 = 50.5 ⇒ up 51. Whole µg/m³ (2012): 35 ⇒ IAQI 50.
    # day 2: 12 × 35.4 + 12 × 35.5 = 850.8; / 24 = 35.45 ⇒ to 0.1 half to even 35.4 (4 is even); whole: 35.
    data = frame(pm25_day(35.4, D1) + pm25_day([35.4] * 12 + [35.5] * 12, D2))
    fine = daily(data, edition=tenths)
    assert fine.get_column("pm25").to_list() == [35.4, 35.4]
    assert fine.get_column("aqi").to_list() == [51, 51]
    whole = daily(data, edition="2012")
    assert whole.get_column("pm25").to_list() == [35, 35]
    assert whole.get_column("aqi").to_list() == [50, 50]
    # annual: (35.4 + 35.4) / 2 = 35.4; P95 of [35.4, 35.4] = 35.4
    year = evaluate_year(data, by="station_id", edition=tenths)
    assert year.select("pm25_mean", "pm25_p95").row(0) == (35.4, 35.4)
    assert daily(data, by="city_id", edition=tenths).get_column("pm25").to_list() == [35.4, 35.4]


def test_a_breakpoint_with_decimals_is_exact(tmp_path: Path) -> None:
    edition = variant(tmp_path, PM25_ROW, "24h: {value: [0, 35.5, 75, 115, 150, 250, 350, 500]")
    # 34: 50 · 34 / 35.5 = 47.887… ⇒ 48 (2012: 50 · 34 / 35 = 48.57… ⇒ 49)
    # 36: 50 + 50 · (36 − 35.5) / (75 − 35.5) = 50.632… ⇒ 51 (2012: 51.25 ⇒ 52)
    data = frame(pm25_day(34.0, D1) + pm25_day(36.0, D2))
    assert daily(data, edition=edition).get_column("aqi").to_list() == [48, 51]
    assert daily(data, edition="2012").get_column("aqi").to_list() == [49, 52]


@pytest.mark.parametrize("by", ["station_id", "city_id"])
def test_a_lower_window_minimum_counts_windows_of_fewer_hours(tmp_path: Path, by: By) -> None:
    five = variant(tmp_path, "min_hours_per_8h: {value: 6", "min_hours_per_8h: {value: 5")
    # O3 200 at 00–04, missing at 05–07, 60 from 08 on. Window 0 (00–07) has 5 hours, windows 1–5 have 5 (four or
    # fewer 200s and 60s), windows 6–16 have 8 or 6 hours of 60.
    # Minimum 5: all 17 windows valid (≥ 14); window 0 = 5 · 200 / 5 = 200, window 1 = (4 · 200 + 60) / 5 = 172 ⇒
    # O3 8-h 200. Minimum 6 (2012): 11 valid windows < 14 and the maximum 60 ≤ 160 ⇒ not valid (null).
    o3: list[float | None] = [200.0] * 5 + [None] * 3 + [60.0] * 16
    data = frame(day_rows(D1, o3=o3))
    assert daily(data, by=by, edition=five).select("o3_8h", "o3_8h_windows").row(0) == (200, 17)
    assert daily(data, by=by, edition="2012").select("o3_8h", "o3_8h_windows").row(0) == (None, 11)


def test_the_builtin_editions_keep_their_results() -> None:
    # CO to 0.1 mg/m³ and the rest whole, half to even: 12 × 2.1 + 12 × 2.4 = 54.0; / 24 = 2.25 ⇒ 2.2
    data = frame(day_rows(D1, co=[2.1] * 12 + [2.4] * 12))
    result = daily(data, edition="2012")
    assert result.get_column("co").to_list() == [2.2]
    assert result.schema["pm25"] == pl.Int64
