"""An input workbook with merged cells in its header or data rows is refused, one located problem per range (issue 9
§2): calamine reads every cell of a range but the first as empty, so a value merged over three units was read as
missing for two of them, silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from kaohe.core.exceptions import InputTableError
from kaohe.core.tables import read_raw

ROWS: list[list[object]] = [
    ["unit_id", "unit_name", "sequence", "good_days"],
    ["a", "甲区", "d", 80],
    ["b", "乙区", "d", 81],
    ["c", "丙区", "d", 82],
]


def workbook(path: Path, *merges: str) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "填报"
    for row in ROWS:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    book.save(path)
    return path


def test_a_merged_range_in_the_data_rows_is_refused_with_its_cells(tmp_path: Path) -> None:
    path = workbook(tmp_path / "in.xlsx", "C2:C4")  # one sequence written once for the three units
    with pytest.raises(InputTableError) as caught:
        read_raw(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.sheet, problem.row, problem.column) == (str(path), "填报", 2, "sequence")
    assert problem.message.startswith("C2:C4 是合并单元格：请取消合并，并在每一行填写该值")
    assert problem.found == "merged range C2:C4"


def test_every_range_touching_the_header_or_a_data_row_is_listed_in_sheet_order(tmp_path: Path) -> None:
    # A1:B1 a title over two headers; D3:D4 two units' value; F20:G21 below the table (rows 1–4), empty: harmless
    path = workbook(tmp_path / "in.xlsx", "F20:G21", "D3:D4", "A1:B1")
    with pytest.raises(InputTableError) as caught:
        read_raw(path)
    assert [(p.row, p.found) for p in caught.value.problems] == [(1, "merged range A1:B1"), (3, "merged range D3:D4")]


def test_a_workbook_without_merged_cells_reads_as_before(tmp_path: Path) -> None:
    frame, sheet = read_raw(workbook(tmp_path / "in.xlsx", "F20:G21"))
    assert sheet == "填报" and frame.get_column("sequence").to_list() == ["d", "d", "d"]
