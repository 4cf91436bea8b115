"""HJ 633-2026 by the scalar functions (issue 11): the 24-h PM2.5 and PM10 rows of the 2026 edition, every segment,
against the 2012 rows; the other rows unchanged. Expected values by hand from 式(1), IAQI = ⌈(I_hi − I_lo)/(C_hi −
C_lo)·(C − C_lo) + I_lo⌉, with the breakpoints of editions/2026.yaml (HJ 633-2026 as independent public
implementations give it, not yet confirmed from the text) and HJ 633-2012 表1."""

from __future__ import annotations

import pytest

from kaohe.monitoring.air import daily_aqi, iaqi
from kaohe.monitoring.air.index import aqi_category


@pytest.mark.parametrize(
    ("concentration", "expected"),
    [
        (20, 29),  # 0–35 → 0–50: 50·20/35 = 28.57
        (35, 50),
        (36, 52),  # 35–60 → 50–100: 50 + 50·1/25 = 52
        (60, 100),
        (61, 101),  # 60–115 → 100–150: 100 + 50·1/55 = 100.9
        (115, 150),
        (116, 152),  # 115–150 → 150–200: 150 + 50/35 = 151.4
        (150, 200),
        (200, 250),  # 150–250 → 200–300
        (300, 350),  # 250–350 → 300–400
        (425, 450),  # 350–500 → 400–500
        (600, 500),  # above the top: 500
    ],
)
def test_pm25_24h_under_2026(concentration: int, expected: int) -> None:
    assert iaqi("pm25", concentration, "24h", edition="2026") == expected


def test_pm25_24h_60_and_61_under_each_edition() -> None:
    # 2012: 35–75 → 50–100: 60 ⇒ 50 + 50·25/40 = 81.25 ⇒ 82; 61 ⇒ 82.5 ⇒ 83
    assert [iaqi("pm25", c, "24h") for c in (60, 61)] == [82, 83]
    assert [iaqi("pm25", c, "24h", edition="2026") for c in (60, 61)] == [100, 101]


@pytest.mark.parametrize(
    ("concentration", "under_2012", "under_2026"),
    [
        (50, 50, 50),
        (100, 75, 86),  # 2012: 50–150 → 50 + 50·50/100; 2026: 50–120 → 50 + 50·50/70 = 85.7
        (120, 85, 100),  # 2012: 50 + 50·70/100 = 85
        (121, 86, 101),  # 2026: 120–250 → 100 + 50·1/130 = 100.4; 2012: 85.5
        (200, 125, 131),  # 2012: 150–250 → 100 + 50·50/100; 2026: 100 + 50·80/130 = 130.8
        (250, 150, 150),
        (420, 300, 300),
    ],
)
def test_pm10_24h_under_each_edition(concentration: int, under_2012: int, under_2026: int) -> None:
    assert iaqi("pm10", concentration, "24h") == under_2012
    assert iaqi("pm10", concentration, "24h", edition="2026") == under_2026


@pytest.mark.parametrize(
    ("pollutant", "period", "concentration"),
    [("so2", "24h", 100), ("no2", "1h", 150), ("co", "24h", 3), ("o3", "8h", 180), ("o3", "1h", 250)],
)
def test_the_other_rows_are_those_of_2012(pollutant: str, period: str, concentration: int) -> None:
    assert iaqi(pollutant, concentration, period, edition="2026") == iaqi(pollutant, concentration, period)


def test_a_day_at_pm25_61_is_good_under_2012_and_lightly_polluted_under_2026() -> None:
    values = {"so2": 5, "no2": 20, "pm10": 40, "pm25": 61, "co": 0.5, "o3_8h": 60, "o3_1h": 80}
    old, new = daily_aqi(values), daily_aqi(values, edition="2026")
    assert (old.aqi, old.category, old.primary) == (83, "良", ["pm25"])
    assert (new.aqi, new.category, new.primary) == (101, "轻度污染", ["pm25"])
    assert aqi_category(101, "2026") == aqi_category(101) == "轻度污染"  # HJ 633 表2 unchanged
