"""The streamed results workbook (kaohe.core.xlsx_stream): what Excel, openpyxl and calamine read back, and the
explanations going on past Excel's row limit instead of breaking the file (issue 9 §1)."""

from __future__ import annotations

from pathlib import Path

import fastexcel
import pytest
from openpyxl import load_workbook

import kaohe
from kaohe.core import workbooks, xlsx_stream
from kaohe.core.reference import Line
from kaohe.core.xlsx_stream import StreamWorkbook, column_letter


def test_cells_styles_and_panes_read_back(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    with StreamWorkbook(path, fills={"优秀": "C6EFCE"}) as wb:
        ws = wb.sheet("名单[1]", widths=[6, 20])
        ws.header(["排名", "单位"])
        ws.row([1, '=HYPERLINK("x")', 2.5, True, None, "a\x01b", " 空格 "], styles={1: "优秀"})
        other = wb.sheet("第二")
        other.row(["x"])
    book = load_workbook(path)
    assert book.sheetnames == ["名单_1_", "第二"]  # Excel refuses [ ] in sheet names
    sheet = book["名单_1_"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "FFDDEBF7"
    assert [c.value for c in sheet[2]] == [1, '\'=HYPERLINK("x")', 2.5, True, None, "ab", " 空格 "]
    assert sheet["B2"].fill.fgColor.rgb == "FFC6EFCE"
    assert sheet.column_dimensions["B"].width == 20
    frame = fastexcel.read_excel(str(path)).load_sheet(0, dtypes="string").to_polars()
    assert frame.columns[:2] == ["排名", "单位"] and frame.row(0)[:2] == ("1", '\'=HYPERLINK("x")')


def test_column_letters() -> None:
    assert [column_letter(i) for i in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_explanations_continue_past_the_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Excel holds 1,048,576 rows a sheet; 20,000 units of xx-city-2020 have ≈ 2.3 million explanation lines.
    # With a limit of 4 rows (header + 3 lines) seven lines take 加扣分明细 (3), 加扣分明细2 (3), 加扣分明细3 (1).
    monkeypatch.setattr(xlsx_stream, "MAX_ROWS", 4)
    monkeypatch.setattr(workbooks, "MAX_ROWS", 4)
    scheme = kaohe.load_scheme("xx-city-2020")
    from kaohe.core.synthetic import synthetic_inputs

    frame = synthetic_inputs(scheme, 2)
    results = kaohe.score(scheme, frame)
    lines = [
        ("U000000", Line(indicator_id="1.1", indicator_name="水", delta=-float(k + 1), reason=f"第{k + 1}条"))
        for k in range(7)
    ]
    out = tmp_path / "r.xlsx"
    workbooks.write_results(results, scheme, out, lines)
    book = load_workbook(out)
    parts = [book[n] for n in ("加扣分明细", "加扣分明细2", "加扣分明细3")]
    assert [[row[4] for row in ws.iter_rows(min_row=2, values_only=True)] for ws in parts] == [
        ["第1条", "第2条", "第3条"],
        ["第4条", "第5条", "第6条"],
        ["第7条"],
    ]
    assert all(ws["A1"].value == "单位代码" for ws in parts)
