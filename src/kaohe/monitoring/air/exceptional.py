"""Exceptional-event days (例外事件) of HJ 663-2026, **per the published summary**: reading the office's list and
finding the days of an evaluation it removes. Pure Polars, no Django.

What is known (press release of 2026-02-24, issue 11): HJ 663-2026 "新增例外事件定义和相关要求" — days of
exceptional events (sand and dust, fireworks …) that the office imports and approves are left out of the annual
statistics. The text of the standard is not reachable here; the reading implemented is:

- a list names a day of one **city** (``city_id``) or of one **station** (``station_id``), its ``kind`` and whether
  the office ``approved`` it; only approved days are left out, whatever their kind;
- a city's day is left out of that city's evaluation, and of the evaluation of each of its stations (the event
  was approved for the city, which covers its stations);
- a station's day is left out of that station's evaluation only: it does **not** remove the city's day (the city's
  daily value is the mean of all its stations, HJ 663-2013; a city day is left out only when the city is listed);
- a listed day without data for that id (another year, an unknown id, no hourly value that day) removes nothing.

The list (CSV, UTF-8 or GBK; .xlsx, first visible sheet; Parquet), read by :func:`read_exceptional` with the
conventions of every kaohe table (:func:`kaohe.core.tables.read_raw`): one row per day,

    city_id | station_id   exactly one of them filled on each row (a list may have both columns)
    date                   YYYY-MM-DD (or YYYY/MM/DD; an Excel date cell)
    kind                   沙尘 | 烟花爆竹 | 其他 (English: dust, fireworks, other)
    approved               是/否, true/false, 1/0 (yes/no)
    note                   optional: the approval's reference, a remark

Every mistake is reported at once with file, sheet, row (the header is row 1) and column, and nothing is returned
unless the whole list is valid: unknown or missing columns, a row with no id or with both, a date that is not a
date, a kind outside the vocabulary, an ``approved`` that is not yes/no, the same id and day listed twice.

The kinds. The published summary names sand and dust (沙尘) and fireworks (烟花爆竹) as examples; its full list of
event types is not known, so 其他 (other) takes the rest. The kind is recorded and listed with the excluded days;
it does not change what is excluded.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from kaohe.core.exceptions import InputTableError, Problem
from kaohe.core.values import FALSE, TRUE

ID_COLUMNS = ("city_id", "station_id")
REQUIRED = ("date", "kind", "approved")
OPTIONAL = ("note",)
# The vocabulary of ``kind`` (the published summary of HJ 663-2026: 沙尘, 烟花爆竹 as examples; 其他 for the rest).
KINDS = ("沙尘", "烟花爆竹", "其他")
_KIND_WORDS = {
    "沙尘": "沙尘",
    "dust": "沙尘",
    "sand and dust": "沙尘",
    "烟花爆竹": "烟花爆竹",
    "fireworks": "烟花爆竹",
    "其他": "其他",
    "other": "其他",
}
# The parsed list: one row per listed day; ``row`` is where it was listed (for messages).
SCHEMA = {
    "city_id": pl.String,
    "station_id": pl.String,
    "date": pl.Date,
    "kind": pl.String,
    "approved": pl.Boolean,
    "note": pl.String,
    "row": pl.Int64,
}
# The days an evaluation left out, after its ``<by>`` column: whose list row removed each, and why.
EXCLUDED_SCHEMA = {
    "date": pl.Date,
    "kind": pl.String,
    "listed_as": pl.String,
    "listed_id": pl.String,
    "note": pl.String,
    "row": pl.Int64,
}
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
MAX_PROBLEMS = 50


def read_exceptional(path: str | Path) -> pl.DataFrame:
    """The exceptional-event list of ``path`` (see the module's docstring), or :class:`InputTableError`."""
    from kaohe.core.tables import read_raw  # the reader of every kaohe table: UTF-8/GBK CSV, .xlsx, Parquet

    path = Path(path)
    raw, sheet = read_raw(path)
    # CSV and Excel count the header as row 1; Parquet has no header row, so its first record is row 1
    first_row = 1 if path.suffix.lower() == ".parquet" else 2
    return parse_exceptional(raw, file=str(path), sheet=sheet, first_row=first_row)


def parse_exceptional(
    frame: pl.DataFrame, file: str | None = None, sheet: str | None = None, first_row: int = 1
) -> pl.DataFrame:
    """Checks a list given as a table (text or typed cells) and returns it typed as :data:`SCHEMA`.

    ``first_row`` is the row number of the first record in messages (2 under a header row). A frame that already has
    :data:`SCHEMA` (a list read before) is returned as it is.
    """
    if dict(frame.schema) == SCHEMA:
        return frame
    problems: list[Problem] = []

    def problem(message: str, row: int | None = None, column: str | None = None, **what: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(Problem(message, file=file, sheet=sheet, line=row, column=column, **what))
        elif len(problems) == MAX_PROBLEMS:
            problems.append(Problem("… and more problems", file=file, sheet=sheet))

    names: dict[str, str] = {}
    for column in frame.columns:
        key = column.strip().lower()
        if key not in (*ID_COLUMNS, *REQUIRED, *OPTIONAL):
            expected = "city_id or station_id, date, kind, approved, note"
            problem(f"unknown column {column!r}; expected {expected}", column=column, expected=expected)
        elif key in names.values():
            problem(f"column {key!r} appears twice", column=column)
        else:
            names[column] = key
    for key in REQUIRED:
        if key not in names.values():
            problem(f"missing column {key!r}", column=key)
    if not any(key in names.values() for key in ID_COLUMNS):
        problem("missing column 'city_id' or 'station_id' (whose day each row is)", column="city_id")
    if problems:
        raise InputTableError(problems)
    text = frame.select(
        [pl.col(old).cast(pl.String).str.strip_chars().alias(new) for old, new in names.items()]
    ).with_columns(
        [pl.lit(None, dtype=pl.String).alias(c) for c in (*ID_COLUMNS, *OPTIONAL) if c not in names.values()]
    )

    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, str, dt.date], int] = {}
    for index, record in enumerate(text.iter_rows(named=True)):
        line = index + first_row
        cells = {k: (v or None) for k, v in record.items()}  # "" is empty
        if all(v is None for v in cells.values()):
            continue  # a blank line in the list
        ids = [(c, cells[c]) for c in ID_COLUMNS if cells[c] is not None]
        if len(ids) != 1:
            found = "none" if not ids else "both"
            problem(
                f"give city_id or station_id (whose day this is), not {found}",
                line,
                "city_id" if not ids else "station_id",
                expected="exactly one of city_id, station_id",
                found=found,
            )
        date = _date(cells["date"])
        if date is None:
            problem(
                f"{cells['date']!r} is not a date (use YYYY-MM-DD)" if cells["date"] else "empty date",
                line,
                "date",
                expected="a date YYYY-MM-DD",
                found=str(cells["date"] or ""),
            )
        kind = _KIND_WORDS.get(str(cells["kind"] or "").lower())
        if kind is None:
            problem(
                f"{cells['kind']!r} is not a kind of exceptional event; expected {' / '.join(KINDS)}"
                if cells["kind"]
                else f"empty kind; expected {' / '.join(KINDS)}",
                line,
                "kind",
                expected=" / ".join(KINDS),
                found=str(cells["kind"] or ""),
            )
        word = str(cells["approved"] or "").lower()
        approved = True if word in TRUE else False if word in FALSE else None
        if approved is None:
            problem(
                f"{cells['approved']!r} is not yes or no (是/否, true/false, 1/0)"
                if cells["approved"]
                else "empty approved: say whether the office approved the day (是/否)",
                line,
                "approved",
                expected="是/否, true/false, 1/0",
                found=str(cells["approved"] or ""),
            )
        if len(ids) == 1 and date is not None:
            day = (ids[0][0], str(ids[0][1]), date)
            if day in seen:
                problem(f"{ids[0][1]} {date} is listed twice (also row {seen[day]})", line, ids[0][0])
            else:
                seen[day] = line
        rows.append(
            {
                "city_id": cells["city_id"],
                "station_id": cells["station_id"],
                "date": date,
                "kind": kind,
                "approved": approved,
                "note": cells["note"],
                "row": line,
            }
        )
    if problems:
        raise InputTableError(problems)
    return pl.DataFrame(rows, schema=SCHEMA)


def _date(text: str | None) -> dt.date | None:
    match = _DATE.match(text or "")
    if match is None:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:  # 2026-02-30
        return None


def excluded_days(
    days: pl.DataFrame, events: pl.DataFrame, by: str, station_city: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The days of ``days`` (columns ``by``, ``date``: the days with data of an evaluation) that the approved events
    of ``events`` (:data:`SCHEMA`) remove, one row each: ``by, date, kind, listed_as, listed_id, note, row``.

    By city: the city's listed days. By station: the station's listed days and its city's (``station_city``:
    columns ``station_id, city_id``); a day listed for both is named once, by the station's row.
    """
    approved = events.filter(pl.col("approved"))
    keys = days.select(pl.col(by).cast(pl.String), "date").unique()
    columns = [by, "date", "kind", "listed_as", "listed_id", "note", "row"]
    own = (
        approved.filter(pl.col(by).is_not_null())
        .select(pl.col(by), "date", "kind", pl.lit(by).alias("listed_as"), pl.col(by).alias("listed_id"), "note", "row")
        .join(keys, on=[by, "date"], how="semi")
    )
    parts = [own]
    if by == "station_id" and station_city is not None:
        by_city = (
            approved.filter(pl.col("city_id").is_not_null())
            .select("city_id", "date", "kind", "note", "row")
            .join(station_city.select(pl.col("station_id", "city_id").cast(pl.String)), on="city_id")
            .select(
                "station_id",
                "date",
                "kind",
                pl.lit("city_id").alias("listed_as"),
                pl.col("city_id").alias("listed_id"),
                "note",
                "row",
            )
            .join(keys, on=["station_id", "date"], how="semi")
        )
        parts.append(by_city)
    found = pl.concat(parts).select(columns)
    # a station's own row first, then its city's: one row per (id, day)
    return found.sort(by, "date", pl.col("listed_as") != by).unique([by, "date"], keep="first", maintain_order=True)
