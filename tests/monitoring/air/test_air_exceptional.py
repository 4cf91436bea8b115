"""Exceptional-event days (HJ 663-2026 例外事件, per the published summary; issue 11): approved days of the office's
list are left out of the annual statistics when the governing edition asks for it (2026) or when forced.

Expected values by hand. The clean hours of ``day_rows`` (SO2 10, NO2 20, PM10 40, PM2.5 20, CO 0.5, O3 60) give a
good day under both editions (largest IAQI: PM10 40 ⇒ 40). A PM10 of 600 all day is IAQI 500 under both editions
(600 is the top breakpoint of HJ 633-2012 表1 and of the 2026 row of editions/2026.yaml), AQI 500 > 200: a heavy
day (HJ 633 表2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from kaohe.core.exceptions import InputTableError
from kaohe.monitoring.air import evaluate_year
from kaohe.monitoring.air.exceptional import read_exceptional
from kaohe.monitoring.air.stats import evaluate_year_with_excluded
from tests.monitoring.air.test_air_stats import day_rows, frame

STORM = dt.date(2026, 3, 11)  # under "auto" the 2026 edition governs a year that ends after 2026-03-01


def three_days(storm: dt.date = STORM) -> pl.DataFrame:
    """Station S1 of city C1: PM10 40, 600 (the sand storm), 50 on three consecutive days."""
    before, after = storm - dt.timedelta(days=1), storm + dt.timedelta(days=1)
    return frame(day_rows(before, pm10=40.0) + day_rows(storm, pm10=600.0) + day_rows(after, pm10=50.0))


def events(*rows: tuple[str, str, str, str, str]) -> pl.DataFrame:
    """A list as text cells: (city_id, station_id, date, kind, approved)."""
    return pl.DataFrame(rows, schema=["city_id", "station_id", "date", "kind", "approved"], orient="row")


COLUMNS = ("days_with_data", "valid_days", "good_days", "good_ratio", "heavy_days", "pm10_mean", "pm10_p95")


def test_an_approved_sand_storm_day_is_left_out_of_the_statistics() -> None:
    data = three_days()
    # Kept: 3 days; good 2 (40, 50), heavy 1 (600); PM10 mean (40 + 600 + 50) / 3 = 230; P95 (HJ 663 附录A):
    # k = 1 + 2·0.95 = 2.9 ⇒ 50 + 0.9·(600 − 50) = 545.
    assert evaluate_year(data).select(COLUMNS).row(0) == (3, 3, 2, 2 / 3, 1, 230, 545)
    listed = events(("C1", "", "2026-03-11", "沙尘", "是"))
    table, excluded, applied = evaluate_year_with_excluded(data, exceptional=listed)
    # Left out: 2 days, both good ⇒ ratio 1.0, heavy 1 → 0; PM10 mean (40 + 50) / 2 = 45 (230 − 185); P95
    # k = 1 + 1·0.95 = 1.95 ⇒ 40 + 0.95·10 = 49.5 ⇒ 50 (half to even, GB/T 8170).
    assert table.select(*COLUMNS, "excluded_days").row(0) == (2, 2, 2, 1.0, 0, 45, 50, 1)
    assert applied is True
    assert excluded.select("city_id", "date", "kind", "listed_as", "listed_id", "row").rows() == [
        ("C1", STORM, "沙尘", "city_id", "C1", 1)
    ]


def test_an_unapproved_day_is_not_left_out() -> None:
    listed = events(("C1", "", "2026-03-11", "沙尘", "否"))  # the office did not approve it
    table = evaluate_year(three_days(), exceptional=listed)
    assert table.select("heavy_days", "pm10_mean", "excluded_days").row(0) == (1, 230, 0)


def test_the_2012_edition_does_not_exclude_unless_asked() -> None:
    storm = dt.date(2025, 3, 11)  # a 2025 year: the 2012 edition governs, its files have no exceptional_events
    listed = events(("C1", "", "2025-03-11", "烟花爆竹", "true"))
    kept = evaluate_year_with_excluded(three_days(storm), exceptional=listed)
    assert kept.table.select("heavy_days", "pm10_mean", "excluded_days").row(0) == (1, 230, 0)
    assert kept.excluded.height == 0 and kept.exceptional_applied is False
    forced = evaluate_year(three_days(storm), exceptional=listed, exclude_exceptional=True)
    assert forced.select("heavy_days", "pm10_mean", "excluded_days").row(0) == (0, 45, 1)
    # and the other way round: a 2026 year kept whole when told so
    whole = evaluate_year(
        three_days(), exceptional=events(("C1", "", "2026-03-11", "沙尘", "1")), exclude_exceptional=False
    )
    assert whole.select("heavy_days", "excluded_days").row(0) == (1, 0)


def test_without_a_list_the_table_is_as_before() -> None:
    assert "excluded_days" not in evaluate_year(three_days()).columns
    with pytest.raises(ValueError, match="needs the list"):
        evaluate_year(three_days(), exclude_exceptional=True)


def test_a_station_day_does_not_remove_the_city_day_but_a_city_day_covers_its_stations() -> None:
    data = three_days()
    station = events(("", "S1", "2026-03-11", "沙尘", "是"))
    # by city: the city's daily value is the mean of all its stations; only a listed city day is left out
    assert evaluate_year(data, exceptional=station).select("heavy_days", "excluded_days").row(0) == (1, 0)
    by_station = evaluate_year_with_excluded(data, by="station_id", exceptional=station)
    assert by_station.table.select("heavy_days", "pm10_mean", "excluded_days").row(0) == (0, 45, 1)
    city = events(("C1", "", "2026-03-11", "沙尘", "是"))
    covered = evaluate_year_with_excluded(data, by="station_id", exceptional=city)
    assert covered.table.select("heavy_days", "excluded_days").row(0) == (0, 1)
    assert covered.excluded.select("station_id", "listed_as", "listed_id").rows() == [("S1", "city_id", "C1")]


def test_a_listed_day_without_data_removes_nothing() -> None:
    listed = events(("C1", "", "2026-05-01", "其他", "是"), ("C9", "", "2026-03-11", "沙尘", "是"))
    table, excluded, applied = evaluate_year_with_excluded(three_days(), exceptional=listed)
    assert table.select("heavy_days", "excluded_days").row(0) == (1, 0)
    assert excluded.height == 0 and applied is True


def test_annual_validity_counts_the_excluded_days() -> None:
    # Every day of 2026 but 28–31 March: 361 days; March has 27 (GB 3095 表4: ≥ 324 a year, ≥ 27 a month).
    # Leaving out the approved 11 March takes PM10 to 360 days in the statistics, but the year's data stay
    # valid: the day was measured (the decision in docs/air.md).
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    rows = []
    for day in days:
        if day.month == 3 and day.day >= 28:
            continue
        rows += day_rows(day, pm10=600.0 if day == STORM else 40.0)
    listed = events(("C1", "", "2026-03-11", "沙尘", "是"))
    table = evaluate_year(frame(rows), exceptional=listed)
    assert table.select("pm10_days", "pm10_annual_valid", "heavy_days", "pm10_mean", "excluded_days").row(0) == (
        360,
        True,
        0,
        40,
        1,
    )


def test_a_list_is_read_from_csv_and_excel(tmp_path: Path) -> None:
    csv = tmp_path / "events.csv"
    csv.write_text("city_id,date,kind,approved,note\nC1,2026/3/11,dust,yes,环办 2026-12\n", encoding="utf-8")
    listed = read_exceptional(csv)
    assert listed.select("city_id", "date", "kind", "approved", "note", "row").rows() == [
        ("C1", STORM, "沙尘", True, "环办 2026-12", 2)
    ]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["station_id", "date", "kind", "approved"])
    sheet.append(["S1", STORM, "烟花爆竹", "是"])  # an Excel date cell
    xlsx = tmp_path / "events.xlsx"
    book.save(xlsx)
    assert read_exceptional(xlsx).select("station_id", "date", "kind", "approved").rows() == [
        ("S1", STORM, "烟花爆竹", True)
    ]


def test_a_bad_list_is_refused_with_every_mistake_located(tmp_path: Path) -> None:
    bad = tmp_path / "events.csv"
    bad.write_text(
        "city_id,station_id,date,kind,approved\n"
        "C1,,2026-02-30,沙尘,是\n"  # row 2: no 30 February
        "C1,S1,2026-03-11,沙暴,maybe\n"  # row 3: both ids, a kind outside the vocabulary, not yes/no
        ",,2026-03-12,其他,否\n"  # row 4: no id
        "C2,,2026-03-13,沙尘,\n"  # row 5: approved left empty
        "C2,,2026-03-13,沙尘,是\n",  # row 6: C2 2026-03-13 again
        encoding="utf-8",
    )
    with pytest.raises(InputTableError) as caught:
        read_exceptional(bad)
    lines = [str(p) for p in caught.value.problems]
    assert lines == [
        f"{bad}, row 2, column date: '2026-02-30' is not a date (use YYYY-MM-DD)",
        f"{bad}, row 3, column station_id: give city_id or station_id (whose day this is), not both",
        f"{bad}, row 3, column kind: '沙暴' is not a kind of exceptional event; expected 沙尘 / 烟花爆竹 / 其他",
        f"{bad}, row 3, column approved: 'maybe' is not yes or no (是/否, true/false, 1/0)",
        f"{bad}, row 4, column city_id: give city_id or station_id (whose day this is), not none",
        f"{bad}, row 5, column approved: empty approved: say whether the office approved the day (是/否)",
        f"{bad}, row 6, column city_id: C2 2026-03-13 is listed twice (also row 5)",
    ]
    columns = tmp_path / "columns.csv"
    columns.write_text("city,date,kind\nC1,2026-03-11,沙尘\n", encoding="utf-8")
    with pytest.raises(InputTableError) as caught:
        read_exceptional(columns)
    assert [str(p) for p in caught.value.problems] == [
        f"{columns}, column city: unknown column 'city'; expected city_id or station_id, date, kind, approved, note",
        f"{columns}, column approved: missing column 'approved'",
        f"{columns}, column city_id: missing column 'city_id' or 'station_id' (whose day each row is)",
    ]
