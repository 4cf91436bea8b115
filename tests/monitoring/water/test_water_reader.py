"""read_sections: formats, the detection-limit convention, and one located Problem per mistake."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from kaohe.core.exceptions import InputTableError, Problem
from kaohe.monitoring.water import read_sections

HEADER = "section_id,section_name,unit_id,waterbody,target_class,month,codmn,nh3n,tp"
GOOD = [
    "S1,甲,U1,river,III,1,4.0,0.8,0.1",
    "S1,甲,U1,river,III,2,4.2,0.9,0.12",
]


def write_csv(tmp_path: Path, lines: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "sections.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def problems(path: Path) -> list[Problem]:
    with pytest.raises(InputTableError) as info:
        read_sections(path)
    return info.value.problems


def test_it_reads_a_valid_csv_into_typed_columns(tmp_path: Path) -> None:
    out = read_sections(write_csv(tmp_path, GOOD))
    assert out.schema["month"] == pl.Int64
    assert out.schema["codmn"] == pl.Float64
    assert out["nh3n"].to_list() == [0.8, 0.9]
    assert out["target_class"].to_list() == ["III", "III"]


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("<0.01", 0.005),  # half the limit (环办监测函〔2020〕82号 第七点)
        ("< 0.02", 0.01),
        ("0.01L", 0.005),  # HJ/T 91-2002 notation
        ("ND", 0.0),  # no limit given
        ("nd", 0.0),
        ("未检出", 0.0),
        (" 0.03 ", 0.03),
        ("", None),  # empty = not measured
    ],
)
def test_it_reads_values_below_the_detection_limit(tmp_path: Path, cell: str, value: float | None) -> None:
    out = read_sections(write_csv(tmp_path, [f"S1,甲,U1,river,III,1,4.0,0.8,{cell}"]))
    assert out["tp"].to_list() == [pytest.approx(value) if value is not None else None]


def test_it_normalises_classes_waterbodies_and_levels(tmp_path: Path) -> None:
    header = HEADER + ",section_level,section_type,year"
    out = read_sections(
        write_csv(
            tmp_path,
            ["S1,甲,U1,湖库,Ⅱ,1,4,0.8,0.1,省控,drinking,2020", "S2,乙,U1,River,iv,1,4,0.8,0.1,,,2020"],
            header,
        )  # fmt: skip
    )
    assert out["waterbody"].to_list() == ["lake", "river"]
    assert out["target_class"].to_list() == ["II", "IV"]
    assert out["section_level"].to_list() == ["provincial", None]
    assert out["section_type"].to_list() == ["drinking", None]


@pytest.mark.parametrize(
    ("line", "row", "column", "message"),
    [
        ("S1,甲,U1,river,III,3,abc,0.8,0.1", 3, "codmn", "'abc' is not a number"),
        ("S1,甲,U1,river,III,3,4.0,-0.1,0.1", 3, "nh3n", "'-0.1' is negative"),
        ("S1,甲,U1,river,III,13,4.0,0.8,0.1", 3, "month", "expected 1-12"),
        ("S1,甲,U1,river,III,0,4.0,0.8,0.1", 3, "month", "expected 1-12"),
        ("S1,甲,U1,river,III,March,4.0,0.8,0.1", 3, "month", "'March' is not a month"),
        ("S1,甲,U1,river,VI,3,4.0,0.8,0.1", 3, "target_class", "'VI' is not a target class; expected I, II"),
        (
            "S1,甲,U1,sea,III,3,4.0,0.8,0.1",
            3,
            "waterbody",
            "'sea' is not a waterbody; expected river or lake",
        ),
        ("S1,甲,,river,III,3,4.0,0.8,0.1", 3, "unit_id", "empty"),
        ("S1,甲;乙,U1,river,III,3,4.0,0.8,0.1", 3, "section_name", "contains ';'"),
        (
            "S1,甲,U1,river,III,1,4.0,0.8,0.1",
            3,
            "month",
            "duplicate row for section 'S1', month 1 (first at row 2)",
        ),
    ],
)
def test_it_locates_each_mistake(tmp_path: Path, line: str, row: int, column: str, message: str) -> None:
    found = problems(write_csv(tmp_path, [GOOD[0], line]))
    assert [(p.line, p.column) for p in found] == [(row, column)]
    assert message in found[0].message
    assert found[0].file == str(tmp_path / "sections.csv")
    assert str(found[0]).startswith(f"{tmp_path / 'sections.csv'}, row {row}, column {column}: ")


def test_it_reports_every_mistake_at_once(tmp_path: Path) -> None:
    found = problems(write_csv(tmp_path, ["S1,甲,U1,river,III,13,x,0.8,0.1", "S2,乙,U1,lake,VII,1,4,-1,0.1"]))
    assert {(p.line, p.column) for p in found} == {
        (2, "month"),
        (2, "codmn"),
        (3, "target_class"),
        (3, "nh3n"),
    }


def test_it_rejects_a_ph_below_detection_limit(tmp_path: Path) -> None:
    found = problems(write_csv(tmp_path, ["S1,甲,U1,river,III,1,ND"], header=HEADER.split(",codmn")[0] + ",ph"))
    assert [(p.line, p.column) for p in found] == [(2, "ph")]


def test_it_names_missing_and_unknown_columns(tmp_path: Path) -> None:
    header = "section_id,section_name,unit_id,waterbody,month,NH3-N"
    found = problems(write_csv(tmp_path, ["S1,甲,U1,river,1,0.5"], header))
    messages = [str(p) for p in found]
    assert any("unknown column 'NH3-N'" in m for m in messages)
    assert any("missing required column 'target_class'" in m for m in messages)
    assert any("no parameter column" in m for m in messages)


def test_it_rejects_a_section_that_changes_unit(tmp_path: Path) -> None:
    found = problems(write_csv(tmp_path, [GOOD[0], "S1,甲,U2,river,III,2,4.0,0.8,0.1"]))
    assert [(p.column, p.line) for p in found] == [("unit_id", 3)]


def test_it_accepts_the_same_month_in_two_years(tmp_path: Path) -> None:
    header = HEADER + ",year"
    out = read_sections(write_csv(tmp_path, [GOOD[0] + ",2019", GOOD[0] + ",2020"], header))
    assert out["year"].to_list() == [2019, 2020]


def test_it_reads_xlsx_with_spreadsheet_row_numbers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["S1", "甲", "U1", "river", "III", 1, 4.0, 0.8, "<0.02"])
    sheet.append([None] * 9)  # an empty row still counts in the numbering
    sheet.append(["S1", "甲", "U1", "river", "III", 2, 4.0, "bad", 0.1])
    path = tmp_path / "sections.xlsx"
    book.save(path)
    found = problems(path)
    assert [(p.line, p.column) for p in found] == [(4, "nh3n")]
    sheet.cell(row=4, column=8, value=0.9)
    book.save(path)
    out = read_sections(path)
    assert out["tp"].to_list() == [pytest.approx(0.01), 0.1]
    assert out["month"].to_list() == [1, 2]


def test_it_reads_parquet(tmp_path: Path) -> None:
    path = tmp_path / "sections.parquet"
    pl.DataFrame(
        {
            "section_id": ["S1"],
            "section_name": ["甲"],
            "unit_id": ["U1"],
            "waterbody": ["river"],
            "target_class": ["III"],
            "month": [1],
            "codmn": [4.0],
            "tp": [-0.1],
        }  # fmt: skip
    ).write_parquet(path)
    assert [(p.line, p.column) for p in problems(path)] == [(1, "tp")]


def test_it_rejects_other_file_types_and_missing_files(tmp_path: Path) -> None:
    assert "unsupported file type" in problems(tmp_path / "x.json")[0].message
    assert problems(tmp_path / "absent.csv")[0].message == "file not found"


def test_it_reads_the_shipped_sample() -> None:
    from importlib.resources import files

    sample = files("kaohe") / "data" / "samples" / "water_sections_sample.csv"
    out = read_sections(str(sample))
    assert out.height == 240
    assert sorted(out["unit_id"].unique().to_list()) == ["330109", "330110", "330111"]
    assert sorted(out["year"].unique().to_list()) == [2019, 2020]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_it_reads_csv_saved_by_excel(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "sections.csv"
    path.write_bytes("\n".join([HEADER, *GOOD]).encode(encoding))
    out = read_sections(path)
    assert out.columns[0] == "section_id"
    assert out["section_name"].to_list() == ["甲", "甲"]


def test_it_accepts_whole_numbers_written_as_floats(tmp_path: Path) -> None:
    path = tmp_path / "sections.parquet"
    pl.DataFrame(
        {
            "section_id": ["S1", "S1"],
            "section_name": ["甲", "甲"],
            "unit_id": ["U1", "U1"],
            "waterbody": ["river", "river"],
            "target_class": ["III", "III"],
            "month": [1.0, 2.5],
            "codmn": [4.0, 4.0],
        }  # fmt: skip
    ).write_parquet(path)
    found = problems(path)
    assert [(p.line, p.column, p.message) for p in found] == [(2, "month", "'2.5' is not a month; expected 1-12")]
