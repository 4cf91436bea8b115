"""HJ 633-2012 IAQI/AQI and the HJ 663-2013 percentile, with expected values worked out by hand.

Formula (1) of HJ 633-2012: IAQI = (I_hi − I_lo) / (BP_hi − BP_lo) · (C − BP_lo) + I_lo, rounded up (进位取整).
"""

from __future__ import annotations

import aqi as python_aqi
import pytest
from aqi import constants as aqi_constants

from kaohe.monitoring.air import aqi_category, daily_aqi, iaqi, percentile

LEVELS = (0, 50, 100, 150, 200, 300, 400, 500)
# HJ 633-2012 table 1, copied from the standard's text (not from the module under test).
TABLE_1 = {
    ("so2", "24h"): (0, 50, 150, 475, 800, 1600, 2100, 2620),
    ("so2", "1h"): (0, 150, 500, 650, 800),
    ("no2", "24h"): (0, 40, 80, 180, 280, 565, 750, 940),
    ("no2", "1h"): (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    ("pm10", "24h"): (0, 50, 150, 250, 350, 420, 500, 600),
    ("co", "24h"): (0, 2, 4, 14, 24, 36, 48, 60),
    ("co", "1h"): (0, 5, 10, 35, 60, 90, 120, 150),
    ("o3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("o3", "8h"): (0, 100, 160, 215, 265, 800),
    ("pm25", "24h"): (0, 35, 75, 115, 150, 250, 350, 500),
}
BOUNDARIES = [(p, period, bp, LEVELS[i]) for (p, period), bps in TABLE_1.items() for i, bp in enumerate(bps)]


@pytest.mark.parametrize(("pollutant", "period", "concentration", "expected"), BOUNDARIES)
def test_it_gives_the_table_level_at_every_breakpoint(
    pollutant: str, period: str, concentration: int, expected: int
) -> None:
    assert iaqi(pollutant, concentration, period) == expected


@pytest.mark.parametrize(
    ("pollutant", "period", "concentration", "expected"),
    [
        # PM2.5 35.5: 50/40 · 0.5 + 50 = 50.625 ⇒ 51 (rounded up)
        ("pm25", "24h", 35.5, 51),
        # PM2.5 35.01: 50/40 · 0.01 + 50 = 50.0125 ⇒ 51; just above a breakpoint already leaves 50
        ("pm25", "24h", "35.01", 51),
        # PM2.5 74: 50/40 · 39 + 50 = 98.75 ⇒ 99
        ("pm25", "24h", 74, 99),
        # PM10 151: 50/100 · 1 + 100 = 100.5 ⇒ 101
        ("pm10", "24h", 151, 101),
        # SO2 24-h 1: 50/50 · 1 = 1
        ("so2", "24h", 1, 1),
        # NO2 24-h 81: 50/100 · 1 + 100 = 100.5 ⇒ 101
        ("no2", "24h", 81, 101),
        # CO 24-h 2.2: 50/2 · 0.2 + 50 = 55
        ("co", "24h", 2.2, 55),
        # CO 24-h 4.1: 50/10 · 0.1 + 100 = 100.5 ⇒ 101 (exact: the float 4.1 is read as 41/10)
        ("co", "24h", 4.1, 101),
        # O3 8-h 161: 50/55 · 1 + 100 = 100.909… ⇒ 101
        ("o3", "8h", 161, 101),
        # O3 1-h 201: 50/100 · 1 + 100 = 100.5 ⇒ 101
        ("o3", "1h", 201, 101),
        # SO2 1-h 650.5: 50/150 · 0.5 + 150 = 150.1666… ⇒ 151
        ("so2", "1h", 650.5, 151),
    ],
)
def test_it_interpolates_and_rounds_up(pollutant: str, period: str, concentration: float, expected: int) -> None:
    assert iaqi(pollutant, concentration, period) == expected


def test_it_does_not_compute_so2_1h_above_800() -> None:
    # table 1 note (2): SO2 1-h above 800 µg/m³ is not computed; 800 itself is the IAQI-200 breakpoint.
    assert iaqi("so2", 800, "1h") == 200
    assert iaqi("so2", 801, "1h") is None
    assert iaqi("so2", "800.001", "1h") is None


def test_it_does_not_compute_o3_8h_above_800() -> None:
    # table 1 note (3): O3 8-h above 800 µg/m³ is not computed (the 1-h IAQI is used); 800 ⇒ 300.
    assert iaqi("o3", 800, "8h") == 300
    assert iaqi("o3", 800.5, "8h") is None


@pytest.mark.parametrize(
    ("pollutant", "period", "concentration"),
    [("pm25", "24h", 501), ("pm10", "24h", 1000), ("co", "24h", 61), ("o3", "1h", 1300), ("no2", "1h", 5000)],
)
def test_it_caps_other_values_above_the_top_at_500(pollutant: str, period: str, concentration: float) -> None:
    assert iaqi(pollutant, concentration, period) == 500


def test_it_returns_none_for_missing_values() -> None:
    assert iaqi("pm25", None, "24h") is None
    assert iaqi("pm25", float("nan"), "24h") is None


def test_it_rejects_pairs_table_1_does_not_have() -> None:
    with pytest.raises(ValueError, match="no 1h row"):
        iaqi("pm25", 10, "1h")
    with pytest.raises(ValueError, match="negative"):
        iaqi("pm25", -1, "24h")


@pytest.mark.parametrize(
    ("value", "category"),
    [
        (0, "优"),
        (50, "优"),
        (51, "良"),
        (100, "良"),
        (101, "轻度污染"),
        (150, "轻度污染"),
        (151, "中度污染"),
        (200, "中度污染"),
        (201, "重度污染"),
        (300, "重度污染"),
        (301, "严重污染"),
        (500, "严重污染"),
    ],
)
def test_it_names_the_category_of_table_2(value: int, category: str) -> None:
    assert aqi_category(value) == category


def test_daily_aqi_takes_the_largest_iaqi_and_names_the_primary_pollutants() -> None:
    # pm25 75 ⇒ 100; pm10 150 ⇒ 100; so2 10 ⇒ 10; no2 40 ⇒ 50; co 1.0 ⇒ 25; o3_8h 100 ⇒ 50; o3_1h 160 ⇒ 50
    day = daily_aqi({"so2": 10, "no2": 40, "pm10": 150, "pm25": 75, "co": 1.0, "o3_8h": 100, "o3_1h": 160})
    assert (day.aqi, day.category, day.primary) == (100, "良", ["pm10", "pm25"])


def test_daily_aqi_names_no_primary_pollutant_at_50_or_below() -> None:
    # everything at its IAQI-50 breakpoint: AQI 50, 优, no primary pollutant (HJ 633-2012 §4.3: AQI > 50 only)
    day = daily_aqi({"so2": 50, "no2": 40, "pm10": 50, "pm25": 35, "co": 2, "o3_8h": 100, "o3_1h": 160})
    assert (day.aqi, day.category, day.primary) == (50, "优", [])


def test_daily_aqi_uses_the_1h_ozone_when_8h_is_above_800() -> None:
    # o3_8h 801 is not computed; o3_1h 900: 100/200 · 100 + 300 = 350 ⇒ AQI 350 from o3_1h
    day = daily_aqi({"so2": 5, "no2": 20, "pm10": 30, "pm25": 20, "co": 0.5, "o3_8h": 801, "o3_1h": 900})
    assert day.iaqi["o3_8h"] is None
    assert (day.aqi, day.category, day.primary) == (350, "严重污染", ["o3_1h"])


def test_daily_aqi_below_800_keeps_the_8h_ozone() -> None:
    # o3_8h 800 ⇒ 300; o3_1h 700: 100/400 · 300 + 200 = 275 ⇒ AQI 300 from o3_8h
    day = daily_aqi({"so2": 5, "no2": 20, "pm10": 30, "pm25": 20, "co": 0.5, "o3_8h": 800, "o3_1h": 700})
    assert (day.aqi, day.primary) == (300, ["o3_8h"])


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        # n = 6, p = 90: k = 1 + 5 · 0.9 = 5.5; sorted 2 3 4 4 5 8 ⇒ X5 + (X6 − X5) · 0.5 = 5 + 3 · 0.5 = 6.5
        ([3, 4, 8, 2, 5, 4], 90, 6.5),
        # n = 5, p = 50: k = 3 ⇒ X3 = 30
        ([50, 10, 30, 20, 40], 50, 30),
        # n = 5, p = 95: k = 1 + 4 · 0.95 = 4.8 ⇒ 40 + (50 − 40) · 0.8 = 48
        ([50, 10, 30, 20, 40], 95, 48),
        # n = 1: k = 1 ⇒ the only value
        ([7], 98, 7),
        # n = 2, p = 100: k = 2 ⇒ X2
        ([1, 9], 100, 9),
        # missing values are left out: n = 3, p = 90, k = 2.8 ⇒ 2 + (3 − 2) · 0.8 = 2.8
        ([1, None, 2, 3], 90, 2.8),
    ],
)
def test_percentile_follows_hj_663(values: list[float | None], p: int, expected: float) -> None:
    assert percentile(values, p) == pytest.approx(expected, abs=1e-12)


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], 95) is None


# python-aqi's "aqi_cn" (MEP) algorithm: a cross-check where both read the same table, and the places where
# it must differ from HJ 633-2012.
@pytest.mark.parametrize(
    ("constant", "pollutant", "period", "concentration"),
    [
        (aqi_constants.POLLUTANT_PM25, "pm25", "24h", "35"),
        (aqi_constants.POLLUTANT_PM25, "pm25", "24h", "75"),
        (aqi_constants.POLLUTANT_PM25, "pm25", "24h", "150"),
        (aqi_constants.POLLUTANT_PM10, "pm10", "24h", "150"),
        (aqi_constants.POLLUTANT_PM10, "pm10", "24h", "350"),
        (aqi_constants.POLLUTANT_SO2_24H, "so2", "24h", "150"),
        (aqi_constants.POLLUTANT_NO2_24H, "no2", "24h", "80"),
        (aqi_constants.POLLUTANT_O3_8H, "o3", "8h", "160"),
        (aqi_constants.POLLUTANT_O3_1H, "o3", "1h", "200"),
        (aqi_constants.POLLUTANT_PM25, "pm25", "24h", "20"),
    ],
)
def test_it_agrees_with_python_aqi_at_breakpoints_and_in_the_first_segment(
    constant: str, pollutant: str, period: str, concentration: str
) -> None:
    expected = int(python_aqi.to_iaqi(constant, concentration, algo=aqi_constants.ALGO_MEP))
    assert iaqi(pollutant, concentration, period) == expected


def test_it_differs_from_python_aqi_where_python_aqi_departs_from_hj_633() -> None:
    # 1. python-aqi truncates the concentration (35.5 ⇒ 35) and uses EPA-style segments starting at 36 and
    #    IAQI 51; HJ 633-2012 interpolates from (35, 50) and rounds up: 50.625 ⇒ 51.
    assert int(python_aqi.to_iaqi(aqi_constants.POLLUTANT_PM25, "35.5", algo=aqi_constants.ALGO_MEP)) == 50
    assert iaqi("pm25", 35.5, "24h") == 51
    # 2. python-aqi rounds half to even instead of up: PM2.5 74 ⇒ 51 + 49/39 · 38 = 98.74 vs HJ 98.75 ⇒ 99.
    assert int(python_aqi.to_iaqi(aqi_constants.POLLUTANT_PM25, "74", algo=aqi_constants.ALGO_MEP)) == 99
    assert iaqi("pm25", 74, "24h") == 99
    # 3. CO: python-aqi truncates mg/m³ to whole numbers: 2.9 ⇒ 2 ⇒ 50, where HJ gives 50/2 · 0.9 + 50 = 72.5 ⇒ 73.
    assert int(python_aqi.to_iaqi(aqi_constants.POLLUTANT_CO_24H, "2.9", algo=aqi_constants.ALGO_MEP)) == 50
    assert iaqi("co", 2.9, "24h") == 73
    # 4. Above the top breakpoint python-aqi crashes; HJ 633-2012 caps at 500.
    with pytest.raises(Exception):  # noqa: B017 (python-aqi raises a bare TypeError/IndexError here)
        python_aqi.to_iaqi(aqi_constants.POLLUTANT_PM25, "600", algo=aqi_constants.ALGO_MEP)
    assert iaqi("pm25", 600, "24h") == 500
