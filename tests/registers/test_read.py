"""kaohe.registers.read: a register file all or nothing, every mistake located by file, sheet, row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from kaohe.core.exceptions import InputTableError, UserInputError
from kaohe.registers import REGISTERS, read_register

HEADER = "unit_id,case_id,channel,category,assigned_by,received_on,due_on,closed_on\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_csv_is_typed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.csv",
        HEADER + "U1,C1,12369热线,大气,,2024-01-02,2024-01-20,2024-01-19\nU1,C2, 督察交办 ,水,省级督察,2024-2-1,,\n",
    )
    frame = read_register("complaints", path)
    assert frame.columns == REGISTERS["complaints"].ids
    assert frame.row(1) == ("U1", "C2", "督察交办", "水", "省级督察", date(2024, 2, 1), None, None)
    assert frame.schema["due_on"] == pl.Date


def test_every_mistake_is_located_and_nothing_is_returned(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.csv",
        HEADER
        + "U1,C1,12369热线,大气,,2024-01-02,2024-01-20,2024-01-19\n"
        + "U1,C2,电话,空气,,2024-01-02,2024-02-30,\n"  # channel and category outside their words, no 30 February
        + ",C1,网络,水,,2024-01-02,明天,\n",  # no unit, the id again, a word for a date
    )
    with pytest.raises(InputTableError) as caught:
        read_register("complaints", path)
    lines = [str(p) for p in caught.value.problems]
    assert [(p.file, p.line, p.column) for p in caught.value.problems] == [
        (str(path), 2, "案件编号 [case_id]"),
        (str(path), 3, "受理渠道 [channel]"),
        (str(path), 3, "案件类别 [category]"),
        (str(path), 3, "办结时限 [due_on]"),
        (str(path), 4, "单位代码 [unit_id]"),
        (str(path), 4, "案件编号 [case_id]"),
        (str(path), 4, "办结时限 [due_on]"),
    ]
    assert "“电话” 不是可选值，应为 12369热线、网络、信访、督察交办 之一" in lines[1]
    assert "“2024-02-30” 不是有效值，应为日期，如 2024-03-01" in lines[3]
    assert "单位代码不能为空" in lines[4]
    assert "“C1” 重复出现" in lines[5]


def test_a_missing_or_unknown_column_is_refused_with_the_file(tmp_path: Path) -> None:
    # 'dealine' misspelt: every deadline would read as empty, and no task would ever be due
    path = write(
        tmp_path,
        "r.csv",
        "unit_id,problem_id,source,level,listed_by_nation,description,dealine,completed_on,closed_on,_remark\n"
        "U1,P1,其他,,,,2024-01-01,,,anything\n",
    )
    with pytest.raises(InputTableError) as caught:
        read_register("rectification", path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}, column 整改时限 [deadline]: 缺少列 整改时限 [deadline] (missing column 'deadline' of the "
        "rectification register)",
        f"{path}, column dealine: 未知列 “dealine” (unknown column 'dealine'; the rectification register has "
        "unit_id、problem_id、source、level、listed_by_nation、description、deadline、completed_on、closed_on)",
    ]  # _remark: a column of the office's own, allowed


def test_a_bad_xlsx_names_its_sheet_row_and_column(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "台账"
    sheet.append([c.header for c in REGISTERS["incidents"].columns])
    sheet.append(["U1", "E1", date(2024, 3, 1), "特别重大", "是", None])
    sheet.append(["U1", "E2", "2024/13/01", "很大", "maybe", "否"])
    path = tmp_path / "e.xlsx"
    book.save(path)
    with pytest.raises(InputTableError) as caught:
        read_register("incidents", path)
    assert [(p.sheet, p.line, p.column) for p in caught.value.problems] == [
        ("台账", 3, "发生日期 [date]"),
        ("台账", 3, "事件等级 [severity]"),
        ("台账", 3, "因监管不力 [supervision_failure]"),
    ]
    assert str(caught.value.problems[1]).startswith(f"{path}, sheet 台账, row 3, column 事件等级 [severity]: “很大”")


def test_headers_may_be_ids_template_headers_or_chinese_labels_and_an_empty_register_is_valid(tmp_path: Path) -> None:
    path = write(
        tmp_path, "e.csv", "单位代码,事件编号 [incident_id],date,事件等级,supervision_failure,group_incident\n"
    )
    frame = read_register("incidents", path)
    assert frame.height == 0 and frame.schema["date"] == pl.Date and frame.schema["group_incident"] == pl.Boolean


def test_a_parquet_register_with_typed_columns_reads_as_text_would(tmp_path: Path) -> None:
    path = tmp_path / "n.parquet"
    pl.DataFrame(
        {
            "unit_id": ["U1"],
            "notice_id": ["N1"],
            "date": [date(2024, 5, 5)],
            "level": ["市"],
            "kind": ["督办"],
            "cause": [None],
            "rectified_in_time": [False],
        },
        schema_overrides={"cause": pl.String},
    ).write_parquet(path)
    assert read_register("notices", path).row(0) == ("U1", "N1", date(2024, 5, 5), "市", "督办", None, False)


def test_the_importers_guards_run_first(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="is a directory"):
        read_register("notices", tmp_path)
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(UserInputError, match="not a readable .xlsx"):
        read_register("notices", tmp_path / "broken.xlsx")
