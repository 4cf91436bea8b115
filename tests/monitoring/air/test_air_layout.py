"""The dense layout's fast path (stats._already_dense): a table that already is the layout (one row per station and
hour, stations in id order, hours in order) is used as read; any other table is placed row by row. Both give the
same results; these tests hold the check to exactly the tables that are the layout."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kaohe.monitoring.air import daily, evaluate_year
from kaohe.monitoring.air.stats import _already_dense, _local_hours
from tests.monitoring.air.test_air_stats import day_rows, frame

DAYS = [dt.date(2023, 3, 1), dt.date(2023, 3, 2)]


def layout_table() -> pl.DataFrame:
    """Stations S1 and S2, two days each, in layout order; PM2.5 differs by hour and station."""
    rows = []
    for station, base in (("S1", 20.0), ("S2", 40.0)):
        for day in DAYS:
            rows += day_rows(day, station=station, pm25=[base + h for h in range(24)])
    return frame(rows)


def is_dense(table: pl.DataFrame) -> bool:
    lf = table.lazy()
    ids = table.get_column("station_id").unique().sort()
    hours = table.select(_local_hours(lf)).to_series()
    h_min = int(hours.min())  # type: ignore[arg-type]
    h_max = int(hours.max())  # type: ignore[arg-type]
    return _already_dense(lf, ids, h_min // 24, h_max // 24 - h_min // 24 + 1)


def test_the_layout_itself_is_recognised() -> None:
    assert is_dense(layout_table())


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
