"""read_hourly(): every bad input is reported with its file, row and column; and the ``kaohe air`` command."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from kaohe.cli import main
from kaohe.core.exceptions import InputTableError, UserInputError
from kaohe.monitoring.air import as_inputs, read_hourly

HEADER = "station_id,city_id,timestamp,so2,no2,pm10,pm25,co,o3"
GOOD = "S1,C1,2023-03-01 00:00,10,20,40,20,0.5,60"


def write(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "hourly.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def problems(path: Path, **kwargs: object) -> list[str]:
    with pytest.raises(InputTableError) as info:
        read_hourly(path, **kwargs)  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


def test_it_reads_a_good_file(tmp_path: Path) -> None:
    table = read_hourly(write(tmp_path, GOOD, "S1,C1,2023-03-01 01:00,,21,41,,0.6,61"))
    assert table.columns == ["station_id", "city_id", "timestamp", "so2", "no2", "pm10", "pm25", "co", "o3"]
    assert table["timestamp"].to_list() == [dt.datetime(2023, 3, 1, 0), dt.datetime(2023, 3, 1, 1)]  # noqa: DTZ001
    assert table["so2"].to_list() == [10.0, None]  # empty = missing


def test_it_names_file_row_and_column_of_a_negative_value(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, "S1,C1,2023-03-01 01:00,10,-3,40,20,0.5,60")
    assert problems(path) == [f"{path}, row 3, column no2: negative concentration -3"]  # as written


def test_it_rejects_text_that_is_not_a_number(tmp_path: Path) -> None:
    path = write(tmp_path, "S1,C1,2023-03-01 00:00,10,20,abc,20,0.5,60")
    assert problems(path) == [f"{path}, row 2, column pm10: not a number: 'abc'"]


def test_it_rejects_a_timestamp_off_the_hour(tmp_path: Path) -> None:
    path = write(tmp_path, "S1,C1,2023-03-01 00:30,10,20,40,20,0.5,60")
    [message] = problems(path)
    assert message.startswith(f"{path}, row 2, column timestamp: 2023-03-01 00:30 is not on the hour")


def test_it_rejects_a_timestamp_that_is_not_a_date(tmp_path: Path) -> None:
    path = write(tmp_path, "S1,C1,yesterday,10,20,40,20,0.5,60")
    assert "row 2, column timestamp: not a date and time: 'yesterday'" in problems(path)[0]


def test_it_rejects_duplicate_station_hours(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, "S1,C1,2023-03-01 00:00:00,11,20,40,20,0.5,60")
    found = problems(path)
    assert len(found) == 2
    assert all("duplicate row for this station and hour" in p for p in found)
    assert "row 2," in found[0] and "row 3," in found[1]


def test_it_rejects_unknown_and_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "S1,C1,2023-03-01 00:00,10,20,40,20,0.5,60,7", header=HEADER + ",nox")
    assert problems(path) == [
        f"{path}, column nox: unknown column 'nox'; "
        "expected station_id, city_id, timestamp, so2, no2, pm10, pm25, co, o3"
    ]
    path = write(tmp_path, "S1,C1,2023-03-01 00:00,10,20,40,20,0.5", header=HEADER.removesuffix(",o3"))
    assert problems(path) == [f"{path}, column o3: missing column 'o3'"]


def test_it_rejects_co_in_micrograms(tmp_path: Path) -> None:
    path = write(tmp_path, *[f"S1,C1,2023-03-01 {h:02d}:00,10,20,40,20,{800 + h},60" for h in range(5)])
    assert problems(path) == [f"{path}, column co: CO values look like µg/m³ (median 802); CO must be in mg/m³"]


def test_it_rejects_a_single_impossible_co_value(tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOD, "S1,C1,2023-03-01 01:00,10,20,40,20,900,60", "S1,C1,2023-03-01 02:00,10,20,40,20,0.7,60"
    )
    assert problems(path) == [f"{path}, row 3, column co: CO 900.0 mg/m³ is above any ambient value; is it µg/m³?"]


def test_it_rejects_a_station_in_two_cities(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, "S1,C2,2023-03-01 01:00,10,20,40,20,0.5,60")
    assert problems(path) == [f"{path}, column city_id: station S1 is listed under several cities: C1, C2"]


def test_below_detection_limit_counts_at_half_the_limit(tmp_path: Path) -> None:
    # 《环境空气质量监测规范(试行)》附件五: below the detection limit ⇒ half the limit. "<3" ⇒ 1.5, "3L" ⇒ 1.5,
    # "ND" with --detection-limit so2=4 ⇒ 2.
    path = write(
        tmp_path,
        "S1,C1,2023-03-01 00:00,<3,20,40,20,<0.01,60",
        "S1,C1,2023-03-01 01:00,3L,20,40,20,0.5,60",
        "S1,C1,2023-03-01 02:00,ND,20,40,20,0.5,60",
    )
    table = read_hourly(path, detection_limits={"so2": 4})
    assert table["so2"].to_list() == [1.5, 1.5, 2.0]
    assert table["co"][0] == pytest.approx(0.005)


def test_a_bare_nd_without_a_limit_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "S1,C1,2023-03-01 00:00,ND,20,40,20,0.5,60")
    [message] = problems(path)
    assert message.startswith(f"{path}, row 2, column so2: 'ND' gives no detection limit")


def test_it_reads_parquet_and_excel(tmp_path: Path) -> None:
    table = read_hourly(write(tmp_path, GOOD))
    table.write_parquet(tmp_path / "h.parquet")
    assert read_hourly(tmp_path / "h.parquet").equals(table)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["S1", "C1", dt.datetime(2023, 3, 1), 10, 20, 40, 20, 0.5, 60])  # noqa: DTZ001
    sheet.append(["S1", "C1", dt.datetime(2023, 3, 1, 1), 10, -20, 40, 20, 0.5, 60])  # noqa: DTZ001
    book.save(tmp_path / "h.xlsx")
    found = problems(tmp_path / "h.xlsx")
    assert found == [f"{tmp_path / 'h.xlsx'}, sheet Sheet, row 3, column no2: negative concentration -20"]


# ── the command ──────────────────────────────────────────────────────────────────────────────────────────


def year_csv(tmp_path: Path) -> Path:
    lines = []
    for station, city in (("S1", "C1"), ("S2", "C1"), ("S3", "C2")):
        for day in range(3):
            for h in range(24):
                ts = dt.datetime(2023, 3, 1 + day, h)  # noqa: DTZ001
                lines.append(f"{station},{city},{ts:%Y-%m-%d %H:%M},10,20,40,{30 + day},0.6,{60 + h}")
    return write(tmp_path, *lines)


def test_the_command_writes_the_year_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "year.csv"
    assert main(["air", "evaluate", str(year_csv(tmp_path)), "--by", "city_id", "--out", str(out)]) == 0
    table = pl.read_csv(out)
    # pm25 daily 30, 31, 32 ⇒ mean 31; valid days 3, none annual-valid
    assert table.select("city_id", "valid_days", "pm25_mean", "pm25_annual_valid").rows() == [
        ("C1", 3, 31, False),
        ("C2", 3, 31, False),
    ]
    assert "wrote" in capsys.readouterr().out


def test_the_command_writes_excel_and_parquet(tmp_path: Path) -> None:
    source = year_csv(tmp_path)
    for suffix in (".xlsx", ".parquet"):
        out = tmp_path / f"year{suffix}"
        assert main(["air", "evaluate", str(source), "--by", "station_id", "--out", str(out)]) == 0
        table = pl.read_excel(out) if suffix == ".xlsx" else pl.read_parquet(out)
        assert table["station_id"].to_list() == ["S1", "S2", "S3"]


def test_the_command_exits_2_and_writes_nothing_on_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path, GOOD, "S1,C1,2023-03-01 00:00,10,20,40,20,0.5,60")  # duplicate hour
    out = tmp_path / "year.csv"
    assert main(["air", "evaluate", str(source), "--out", str(out)]) == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]  # no temporary file left either
    assert "duplicate row for this station and hour" in capsys.readouterr().err


def test_the_command_refuses_an_unknown_output_type(tmp_path: Path) -> None:
    assert main(["air", "evaluate", str(year_csv(tmp_path)), "--out", str(tmp_path / "year.json")]) == 2


def test_as_inputs_needs_cities(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "inputs.csv"
    code = main(
        ["air", "evaluate", str(year_csv(tmp_path)), "--by", "station_id", "--out", str(out), "--as-inputs", "x"]
    )
    assert code == 2 and not out.exists()
    assert "--as-inputs needs --by city_id" in capsys.readouterr().err


# ── into the assessment: --as-inputs ─────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class FakeInput:
    id: str
    source: str | None
    source_scale: float | None = None


@dataclass(frozen=True)
class FakeScheme:
    inputs: list[FakeInput]


def test_as_inputs_takes_the_air_sources_scaled_and_keyed_by_unit() -> None:
    year = pl.DataFrame({"city_id": ["C1", "C2"], "good_ratio": [0.9, 0.75], "pm25_mean": [31, 40]})
    scheme = FakeScheme(
        [
            FakeInput("good", "air.good_ratio", 100),
            FakeInput("pm25", "air.pm25_mean"),
            FakeInput("sections", "water.wq_sections"),
            FakeInput("manual", None),
        ]
    )
    result = as_inputs(year, scheme)
    assert result.columns == ["unit_id", "good", "pm25"]
    assert result.rows() == [("C1", pytest.approx(90.0), 31), ("C2", pytest.approx(75.0), 40)]


def test_as_inputs_names_a_source_that_is_not_a_column() -> None:
    year = pl.DataFrame({"city_id": ["C1"], "good_ratio": [0.9]})
    with pytest.raises(UserInputError, match="input x: 'air.nope' is not a column"):
        as_inputs(year, FakeScheme([FakeInput("x", "air.nope")]))


def test_the_command_writes_a_schemes_air_inputs(tmp_path: Path) -> None:
    # jilin-2021-2025 declares good_ratio (air.good_ratio × 100), pm25 (air.pm25_mean), heavy_ratio (× 100).
    out = tmp_path / "inputs.csv"
    args = ["air", "evaluate", str(year_csv(tmp_path)), "--by", "city_id", "--out", str(out)]
    assert main([*args, "--as-inputs", "jilin-2021-2025"]) == 0
    table = pl.read_csv(out)
    assert table.columns == ["unit_id", "good_ratio", "pm25", "heavy_ratio"]
    # every day: pm25 30–32 ⇒ IAQI ≤ 46, pm10 40 ⇒ 40, o3_8h ≤ 81 ⇒ ≤ 41, o3_1h 83 ⇒ 26 ⇒ all good, none heavy
    assert table.rows() == [("C1", 100.0, 31, 0.0), ("C2", 100.0, 31, 0.0)]


def test_the_command_takes_the_area_class_for_the_o3_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # S1 and S2 (cities C1, C2), one day: O3 missing in hours 0–6 ⇒ 12 valid 8-h windows (5 … 16); 150 in every
    # hour ⇒ daily max 8-h 150. Class 2: 150 ≤ 160 ⇒ not valid (HJ 663-2013); class 1: 150 > 100 ⇒ valid.
    lines = []
    for station, city in (("S1", "C1"), ("S2", "C2")):
        for h in range(24):
            o3 = "" if h < 7 else "150"
            lines.append(f"{station},{city},2023-03-01 {h:02d}:00,10,20,40,20,0.5,{o3}")
    source = write(tmp_path, *lines)
    out = tmp_path / "year.csv"
    args = ["air", "evaluate", str(source), "--by", "station_id", "--out", str(out)]
    assert main(args) == 0
    assert pl.read_csv(out)["o3_8h_days"].to_list() == [0, 0]
    assert main([*args, "--area-class", "1"]) == 0
    assert pl.read_csv(out)["o3_8h_days"].to_list() == [1, 1]
    assert main([*args, "--area-class", "S2=1"]) == 0
    assert pl.read_csv(out)["o3_8h_days"].to_list() == [0, 1]
    assert main([*args, "--area-class", "3"]) == 2
    assert "--area-class '3': expected 1 or 2" in capsys.readouterr().err


def test_the_excel_output_writes_formula_like_ids_as_text(tmp_path: Path) -> None:
    # issue 8 §2.3: a station id "=1+1" and a city id "@C" stay text (kaohe.core.xlsx_text: a leading ')
    lines = [f"=1+1,@C,2023-03-01 {h:02d}:00,10,20,40,30,0.6,60" for h in range(24)]
    out = tmp_path / "year.xlsx"
    assert main(["air", "evaluate", str(write(tmp_path, *lines)), "--by", "station_id", "--out", str(out)]) == 0
    cell = load_workbook(out)["air"]["A2"]
    assert (cell.value, cell.data_type) == ("'=1+1", "s")
    out = tmp_path / "city.xlsx"
    assert main(["air", "evaluate", str(write(tmp_path, *lines)), "--by", "city_id", "--out", str(out)]) == 0
    cell = load_workbook(out)["air"]["A2"]
    assert (cell.value, cell.data_type) == ("'@C", "s")
