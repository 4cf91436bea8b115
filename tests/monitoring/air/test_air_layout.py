"""The dense layout's fast path (stats._as_read): a table that already is the layout (one row per station and
hour, stations in id order, hours in order) is used as read; any other table is placed row by row. Both give the
same results; these tests hold the check to exactly the tables that are the layout."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kaohe.monitoring.air import daily, evaluate_year
from kaohe.monitoring.air.stats import _as_read
from tests.monitoring.air.test_air_stats import day_rows, frame

DAYS = [dt.date(2023, 3, 1), dt.date(2023, 3, 2)]


def layout_table() -> pl.DataFrame:
    """Stations S1 and S2, two days each, in layout order; PM2.5 differs by hour and station."""
    rows = []
    for station, base in (("S1", 20.0), ("S2", 40.0)):
        for day in DAYS:
            rows += day_rows(day, station=station, pm25=[base + h for h in range(24)])
    return frame(rows)


def is_dense(table: pl.DataFrame, with_city: bool = False) -> bool:
    return _as_read(table.lazy(), with_city=with_city, one_year=False) is not None


def test_the_layout_itself_is_recognised() -> None:
    assert is_dense(layout_table()) and is_dense(layout_table(), with_city=True)
    layout = _as_read(layout_table().lazy(), with_city=True, one_year=False)
    assert layout is not None
    assert layout[0].ids.to_list() == ["S1", "S2"] and layout[1] is not None and layout[1].to_list() == ["C1", "C1"]


def test_a_station_under_two_cities_is_not_read_as_the_layout_by_city() -> None:
    # S2's second day under C2: each station is not one column of one city; by station it still is the layout
    table = layout_table().with_columns(
        pl.when((pl.col("station_id") == "S2") & (pl.col("timestamp").dt.date() == DAYS[1]))
        .then(pl.lit("C2"))
        .otherwise(pl.col("city_id"))
        .alias("city_id")
    )
    assert is_dense(table) and not is_dense(table, with_city=True)
    # the general path's mean of the stations by city and hour: C2 has S2's second day alone
    by_city = daily(table, by="city_id")
    assert by_city.get_column("city_id").to_list() == ["C1", "C1", "C2"]


@pytest.mark.parametrize(
    "change",
    [
        "sorted by hour first",
        "stations in reverse order",
        "two hours swapped",
        "one row missing",
        "one row repeated in place of another",
    ],
)
def test_other_tables_are_placed_row_by_row_with_the_same_results(change: str) -> None:
    table = layout_table()
    if change == "sorted by hour first":
        other = table.sort("timestamp", "station_id")
    elif change == "stations in reverse order":
        other = table.sort("station_id", "timestamp", descending=[True, False])
    elif change == "two hours swapped":
        other = pl.concat([table.slice(0, 5), table.slice(6, 1), table.slice(5, 1), table.slice(7)])
    elif change == "one row missing":
        other = pl.concat([table.slice(0, 30), table.slice(31)])
    else:  # the same number of rows, but hour 31 given twice and hour 30 not at all
        other = pl.concat([table.slice(0, 30), table.slice(31, 1), table.slice(31)])
    assert not is_dense(other)
    if change in ("one row missing", "one row repeated in place of another"):
        return  # different data: only the check matters
    for by in ("station_id", "city_id"):
        assert evaluate_year(other, by=by).equals(evaluate_year(table, by=by))
        assert daily(other, by=by).equals(daily(table, by=by))


def test_a_station_that_changes_within_a_block_is_not_the_layout() -> None:
    # S1 for the first 40 rows, S2 from row 40: each block of 48 rows still starts at the first hour and its
    # timestamps run on by the hour, the blocks' first stations still ascend (S1, S2); S2's hours 16–23 of day 2
    # are then given twice (rows 40–47 and 88–95)
    table = layout_table().with_columns(
        pl.when(pl.int_range(pl.len()) >= 40).then(pl.lit("S2")).otherwise(pl.lit("S1")).alias("station_id")
    )
    assert not is_dense(table) and not is_dense(table, with_city=True)


def test_a_city_that_changes_within_a_station_block_is_not_the_layout_by_city() -> None:
    # the city changes in the middle of S1's first day (a station under two cities), nowhere else
    table = layout_table().with_columns(
        pl.when(pl.int_range(pl.len()) == 10).then(pl.lit("C9")).otherwise(pl.col("city_id")).alias("city_id")
    )
    assert is_dense(table) and not is_dense(table, with_city=True)


@pytest.mark.parametrize("column", ["station_id", "timestamp"])
def test_a_row_without_a_station_or_a_time_is_not_the_layout(column: str) -> None:
    at = 50 if column == "station_id" else 20  # inside S2's first day; inside S1's first day
    table = layout_table().with_columns(
        pl.when(pl.int_range(pl.len()) == at).then(None).otherwise(pl.col(column)).alias(column)
    )
    assert not is_dense(table) and not is_dense(table, with_city=True)


def test_a_block_that_starts_an_hour_late_is_not_the_layout() -> None:
    # S2 from 01:00 on the first day to 00:00 after the last: as many rows, hours in order, but S2's block starts
    # an hour after the span's first hour (and the span has a third day, so the row count no longer fits either)
    table = layout_table().with_columns(
        pl.when(pl.col("station_id") == "S2")
        .then(pl.col("timestamp") + pl.duration(hours=1))
        .otherwise(pl.col("timestamp"))
        .alias("timestamp")
    )
    assert not is_dense(table)
    # the same shift by a whole day keeps each block's hours in order but not from the span's first hour
    shifted = layout_table().with_columns(
        pl.when(pl.col("station_id") == "S2")
        .then(pl.col("timestamp") + pl.duration(days=2))
        .otherwise(pl.col("timestamp"))
        .alias("timestamp")
    )
    assert not is_dense(shifted)


def test_a_layout_in_utc_is_recognised_by_its_local_days() -> None:
    # the same hours as UTC instants (local midnight is 16:00 UTC the day before): still one block per station from
    # the span's first local hour, and the same days as the naive local table
    table = layout_table()
    utc = table.with_columns(pl.col("timestamp").dt.replace_time_zone("Asia/Shanghai").dt.convert_time_zone("UTC"))
    assert is_dense(utc) and is_dense(utc, with_city=True)
    for by in ("station_id", "city_id"):
        assert daily(utc, by=by).equals(daily(table, by=by))
