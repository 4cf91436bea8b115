"""HJ 633-2012 IAQI/AQI and the HJ 663-2013 percentile, with expected values worked out by hand.

Formula (1) of HJ 633-2012: IAQI = (I_hi − I_lo) / (BP_hi − BP_lo) · (C − BP_lo) + I_lo, rounded up (进位取整).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import aqi as python_aqi
import pytest
from aqi import constants as aqi_constants

from kaohe.monitoring.air import aqi_category, daily_aqi, iaqi, percentile
from kaohe.monitoring.air.editions import load_edition, round_quotient

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


# ── the edition's rounding.iaqi: ceiling (进位取整, both built-in editions) or half_even (GB/T 8170-2008 §3.3) ─────
# A copy of 2012.yaml whose rounding.iaqi says half_even (a test file, not a standard's). 24-h PM2.5 35–75 → IAQI
# 50–100 by HJ 633 式(1): IAQI = (100 − 50)/(75 − 35)·(C − 35) + 50 = 50 + 5·(C − 35)/4.
EDITION_2012 = Path(__file__).resolve().parents[3] / "src/kaohe/monitoring/air/editions/2012.yaml"


@pytest.fixture
def half_even(tmp_path: Path) -> Path:
    text = EDITION_2012.read_text(encoding="utf-8")
    assert text.count("iaqi: {value: ceiling,") == 1
    path = tmp_path / "half_even.yaml"
    path.write_text(text.replace("iaqi: {value: ceiling,", "iaqi: {value: half_even,"), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("concentration", "ceiling", "half_to_even"),
    [
        (36, 52, 51),  # 50 + 5·1/4 = 51.25: up ⇒ 52, nearest ⇒ 51
        (37, 53, 52),  # 50 + 5·2/4 = 52.5, a tie: up ⇒ 53, to even ⇒ 52
        (41, 58, 58),  # 50 + 5·6/4 = 57.5, a tie: to even ⇒ 58 (up too)
        ("35.5", 51, 51),  # 50 + 5·0.5/4 = 50.625
        (38, 54, 54),  # 50 + 5·3/4 = 53.75
        (39, 55, 55),  # 50 + 5·4/4 = 55 exactly: no rounding either way
    ],
)
def test_iaqi_follows_the_editions_rounding_rule(
    half_even: Path, concentration: int | str, ceiling: int, half_to_even: int
) -> None:
    assert iaqi("pm25", concentration, "24h") == ceiling
    assert iaqi("pm25", concentration, "24h", edition=half_even) == half_to_even
    assert iaqi("pm25", concentration, "24h", edition=load_edition(half_even)) == half_to_even


def test_daily_aqi_follows_the_editions_rounding_rule(half_even: Path) -> None:
    # PM2.5 37 ⇒ 52.5 (above); the other values give IAQI ≤ 50 under both rules
    day = {"so2": 10, "no2": 20, "pm10": 40, "pm25": 37, "co": 0.5, "o3_8h": 60, "o3_1h": 60}
    assert (daily_aqi(day).aqi, daily_aqi(day, edition=half_even).aqi) == (53, 52)
    assert daily_aqi(day, edition=half_even).primary == ["pm25"]


@pytest.mark.parametrize(
    ("numerator", "denominator", "ceiling", "half_to_even"),
    [
        (101, 2, 51, 50),  # 50.5: a tie, to even ⇒ 50
        (103, 2, 52, 52),  # 51.5 ⇒ 52
        (205, 4, 52, 51),  # 51.25
        (207, 4, 52, 52),  # 51.75
        (102, 2, 51, 51),  # 51
        (-5, 2, -2, -2),  # −2.5: up ⇒ −2, to even ⇒ −2
        (Fraction(69, 2), 1, 35, 34),  # 34.5 (GB/T 8170 §3.3's example of a tie) ⇒ 34
        (Fraction(71, 2), 1, 36, 36),  # 35.5 ⇒ 36
        (Fraction(9, 4), Fraction(1, 10), 23, 22),  # CO 2.25 mg/m³ to 0.1: 22.5 steps ⇒ 2.2
    ],
)
def test_round_quotient_is_the_one_rounding_rule(
    numerator: int | Fraction, denominator: int | Fraction, ceiling: int, half_to_even: int
) -> None:
    assert round_quotient(numerator, denominator, "ceiling") == ceiling
    assert round_quotient(numerator, denominator, "half_even") == half_to_even
