"""The three-year moving evaluation (HJ 663-2026 三年滑动平均, per the published summary; issue 11): the mean of the
three annual values of each statistic, rounded half to even like the annual values (GB/T 8170-2008; CO to 0.1),
good_ratio as the mean of the three ratios; an id missing in one year gives null. Expected values by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from kaohe.core.exceptions import InputTableError
from kaohe.monitoring.air import evaluate_year
from kaohe.monitoring.air.three_year import evaluate_three_years, evaluate_three_years_pooled, read_year_table
from tests.monitoring.air.test_air_stats import day_rows, frame

HEADER = ["city_id", "year", "pm25_mean", "pm10_mean", "co_p95", "good_ratio", "pm25_annual_valid"]


def table(year: int, *rows: tuple[str, str, str, str, str, str]) -> pl.DataFrame:
    """An annual table as text cells, as a hand-made CSV reads: (city_id, pm25_mean, pm10_mean, co_p95,
    good_ratio, pm25_annual_valid)."""
    return pl.DataFrame([(r[0], str(year), *r[1:]) for r in rows], schema=HEADER, orient="row")


Y2024 = table(
    2024,
    ("C1", "30.5", "70", "1.1", "0.8", "true"),
    ("C2", "29.5", "35", "0.9", "0.5", "true"),
    ("C3", "20", "30", "0.5", "1", "true"),
)
Y2025 = table(2025, ("C1", "31", "71", "1.2", "0.9", "true"), ("C2", "30", "36", "1.0", "0.75", "false"))
Y2026 = table(
    2026,
    ("C1", "33", "71", "1.2", "0.85", "true"),
    ("C2", "32", "36", "1.0", "1", "true"),
    ("C3", "20", "30", "0.5", "1", "true"),  # C3 has no 2025 row
)


def test_the_mean_of_the_three_annual_values_rounded_half_to_even() -> None:
    result = evaluate_three_years([Y2026, Y2024, Y2025])  # any order: sorted by year
    assert result.columns[:3] == ["city_id", "years", "missing_years"]
    c1, c2 = result.row(0, named=True), result.row(1, named=True)
    assert c1["years"] == "2024+2025+2026"
    # C1: PM2.5 (30.5 + 31 + 33) / 3 = 31.5, a tie ⇒ 32 (2 is even); PM10 (70 + 71 + 71) / 3 = 70.67 ⇒ 71;
    # CO (1.1 + 1.2 + 1.2) / 3 = 1.1667 ⇒ 1.2; good_ratio (0.8 + 0.9 + 0.85) / 3 = 0.85 (mean of the ratios)
    assert (c1["pm25_mean"], c1["pm10_mean"], c1["co_p95"], c1["missing_years"]) == (32, 71, 1.2, None)
    assert c1["good_ratio"] == pytest.approx(0.85, abs=1e-12)
    assert c1["pm25_annual_valid"] is True
    # C2: PM2.5 (29.5 + 30 + 32) / 3 = 30.5, a tie ⇒ 30 (0 is even); PM10 (35 + 36 + 36) / 3 = 35.67 ⇒ 36;
    # CO (0.9 + 1.0 + 1.0) / 3 = 0.9667 ⇒ 1.0; good_ratio (0.5 + 0.75 + 1) / 3 = 0.75; 2025 not valid ⇒ False
    assert (c2["pm25_mean"], c2["pm10_mean"], c2["co_p95"], c2["good_ratio"]) == (30, 36, 1.0, 0.75)
    assert c2["pm25_annual_valid"] is False


def test_an_id_missing_in_one_year_gets_null() -> None:
    c3 = evaluate_three_years([Y2024, Y2025, Y2026]).row(2, named=True)
    assert c3["city_id"] == "C3" and c3["missing_years"] == "2025"
    assert [c3[c] for c in ("pm25_mean", "pm10_mean", "co_p95", "good_ratio", "pm25_annual_valid")] == [None] * 5


def test_three_tables_of_evaluate_year_and_the_limits_of_the_latest() -> None:
    # PM2.5 20, 21, 22 µg/m³ every hour of one day in 2024, 2025 and 2026 (after 2026-03-01): annual means 20, 21,
    # 22 ⇒ (20 + 21 + 22) / 3 = 21. Limits: the 2026 year's, GB 3095-2026 transitional stage, class 2: annual 30.
    years = [
        evaluate_year(frame(day_rows(dt.date(y, 6, 1), pm25=v))) for y, v in ((2024, 20.0), (2025, 21.0), (2026, 22.0))
    ]
    result = evaluate_three_years(years)
    row = result.row(0, named=True)
    assert (row["years"], row["pm25_mean"], row["pm25_mean_limit"], row["pm25_mean_met"]) == (
        "2024+2025+2026",
        21,
        30.0,
        True,
    )
    assert row["limits"] == years[2].get_column("limits")[0]


def test_years_that_do_not_follow_each_other_are_refused() -> None:
    y2023 = table(2023, ("C1", "30", "70", "1.0", "0.8", "true"))
    with pytest.raises(InputTableError, match="three consecutive years"):
        evaluate_three_years([y2023, Y2025, Y2026], names=["a.csv", "b.csv", "c.csv"])


def test_a_bad_year_table_is_refused_with_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "air_2025.csv"
    path.write_text("city_id,year,pm25_mean,good_ratio\nC1,2025,abc,0.9\nC1,2025,31,1.5\n", encoding="utf-8")
    with pytest.raises(InputTableError) as caught:
        read_year_table(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}, row 2, column pm25_mean: 'abc' is not a non-negative number",
        f"{path}, row 3, column city_id: city_id C1 appears twice (also row 2)",
        f"{path}, row 3, column good_ratio: '1.5' is not a ratio from 0 to 1",
    ]


def test_the_pooled_form_takes_each_statistic_over_the_three_years_days() -> None:
    # PM2.5 by day: 2024-03-01 10, 2024-03-02 20; 2025-03-01 30; 2026-03-02 61 (the other pollutants clean).
    # Pooled: mean (10 + 20 + 30 + 61) / 4 = 30.25 ⇒ 30; P95 k = 1 + 3 · 0.95 = 3.85 ⇒ X(3) + 0.85 · (X(4) − X(3))
    # = 30 + 0.85 · 31 = 56.35 ⇒ 56. The means of the annual values would give (15 + 30 + 61) / 3 = 35.33 ⇒ 35.
    # AQI: 2012 for 2024 and 2025 (PM2.5 ≤ 30 ⇒ IAQI ≤ 43; PM10 40 ⇒ 40: good); 2026-03-02 under HJ 633-2026,
    # PM2.5 61 ⇒ 100 + 50 · 1 / 55 = 100.9 ⇒ 101: not good ⇒ good_ratio 3/4, heavy_ratio 0.
    years = [
        frame(day_rows(dt.date(2024, 3, 1), pm25=10.0) + day_rows(dt.date(2024, 3, 2), pm25=20.0)),
        frame(day_rows(dt.date(2025, 3, 1), pm25=30.0)),
        frame(day_rows(dt.date(2026, 3, 2), pm25=61.0)),
    ]
    pooled = evaluate_three_years_pooled(years, by="station_id")
    row = pooled.row(0, named=True)
    assert (row["station_id"], row["years"], row["missing_years"]) == ("S1", "2024+2025+2026", None)
    assert (row["pm25_mean"], row["pm25_p95"]) == (30, 56)
    assert (row["good_ratio"], row["heavy_ratio"]) == (0.75, 0.0)
    assert row["pm25_annual_valid"] is False  # a few days a year (GB 3095 表4: 324)
    assert row["pm25_mean_limit"] == 30.0 and row["pm25_mean_met"] is True  # GB 3095-2026 transitional, class 2
    means = evaluate_three_years([evaluate_year(y, by="station_id") for y in years])
    assert means.row(0, named=True)["pm25_mean"] == 35
    # a station missing from one year has no pooled values
    years[1] = frame(day_rows(dt.date(2025, 3, 1), station="S2", pm25=30.0))
    rows = {r["station_id"]: r for r in evaluate_three_years_pooled(years, by="station_id").iter_rows(named=True)}
    assert (rows["S1"]["missing_years"], rows["S1"]["pm25_mean"]) == ("2025", None)
