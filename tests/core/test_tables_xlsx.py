"""Input workbooks read by calamine (fastexcel): the sheet a person sees, true row numbers, typed cells read as
text, and problems that carry what was expected and what was found (issue 9 §1, §2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from kaohe.cli import main
from kaohe.core.exceptions import InputTableError, Problem
from kaohe.core.scheme import load_scheme_file
from kaohe.core.tables import read_inputs, read_raw

MINI = Path(__file__).parent / "data" / "mini.yaml"
HEADER = [
    "unit_id",
    "unit_name",
    "sequence",
    "sections",
    "missed",
    "infv",
    "met",
    "improved",
    "aqi",
    "aqi_e",
    "aqi_s",
    "incident",
]
ROWS = [
    ["a", "甲区", "d", "A;B", "2;1", "1;0", "false;true", 1, 88, 92, 95, "否"],
    ["b", "乙区", "d", "A", 0, 0, True, 5, 93.5, 92, 95, "否"],
]


def workbook(path: Path, rows: list[list[object]], hidden_first: bool = False) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if hidden_first:  # an old copy someone hid, placed before the sheet they fill in
        ws.title = "旧表"
        ws.append(HEADER)
        ws.append(["z", "旧区", "d", "A", 9, 9, True, 0, 1, 1, 1, "是"])
        ws.sheet_state = "hidden"
        ws = wb.create_sheet("填报")
    else:
        ws.title = "填报"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_the_visible_sheet_is_read_not_a_hidden_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workbook(tmp_path / "in.xlsx", ROWS, hidden_first=True)
    frame, sheet = read_raw(path)
    assert sheet == "填报" and frame.get_column("unit_id").to_list() == ["a", "b"]
    out = tmp_path / "r.csv"
    assert main(["score", "--scheme", str(MINI), "--inputs", str(path), "--out", str(out)]) == 0
    assert "旧区" not in out.read_text(encoding="utf-8")
    printed = capsys.readouterr().out  # and it says which sheet it read
    assert f"{path}: read sheet 填报, the first visible one (hidden: 旧表)" in printed.splitlines()
    unhidden = workbook(tmp_path / "plain.xlsx", ROWS)
    assert main(["score", "--scheme", str(MINI), "--inputs", str(unhidden), "--out", str(out)]) == 0
    assert "read sheet" not in capsys.readouterr().out  # nothing to say when nothing was skipped


def test_typed_cells_read_as_the_text_a_person_typed(tmp_path: Path) -> None:
    frame = read_inputs(load_scheme_file(MINI), workbook(tmp_path / "in.xlsx", ROWS))
    assert frame.get_column("missed").to_list() == [[2.0, 1.0], [0.0]]  # a one-section list typed as a number
    assert frame.get_column("met").to_list() == [[False, True], [True]]  # an Excel TRUE
    assert frame.get_column("aqi").to_list() == [88.0, 93.5]


def test_rows_keep_their_sheet_numbers_and_problems_their_fields(tmp_path: Path) -> None:
    # row 3 left empty, row 4 holds 1.5 months: the problem is on row 4 (the sheet's number), not row 3
    rows: list[list[object]] = [
        ROWS[0],
        [None] * len(HEADER),
        ["c", "丙区", "d", "A", 1.5, 0, True, 0, 96, 92, 95, "否"],
        [None] * len(HEADER),
    ]
    path = workbook(tmp_path / "in.xlsx", rows)
    with pytest.raises(InputTableError) as err:
        read_inputs(load_scheme_file(MINI), path)
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "单位代码 [unit_id]"), (4, "不达标月数 [missed]")]
    month = next(p for p in err.value.problems if p.row == 4)
    assert month.sheet == "填报" and month.found == "1.5" and month.expected is not None
    assert month.expected.startswith("以“;”分隔的整数") and "(a list of integer values" in month.expected
    assert str(month).startswith(f"{path}, sheet 填报, row 4, column ")


def test_a_problem_prints_as_before() -> None:
    p = Problem(
        "'x' is not valid; expected a number", file="a.csv", line=3, column="PM [pm]", expected="a number", found="x"
    )
    assert str(p) == "a.csv, row 3, column PM [pm]: 'x' is not valid; expected a number"
    assert p.row == 3 and Problem("bad key", file="s.yaml", line=3, key="id").row is None


def test_formulas_with_calculated_values_are_read_and_errors_are_refused(tmp_path: Path) -> None:
    import zipfile

    path = workbook(tmp_path / "in.xlsx", [ROWS[0], ["b", "乙区", "d", "A", 0, 0, True, "=2+3", "=1/0", 92, 95, "否"]])
    calculated = tmp_path / "calculated.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(calculated, "w") as dst:
        for entry in src.infolist():
            body = src.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":  # what Excel saves: the value next to the formula
                body = body.replace(b"<f>2+3</f><v></v>", b"<f>2+3</f><v>5</v>")
                body = body.replace(b'<c r="I3"><f>1/0</f><v></v>', b'<c r="I3" t="e"><f>1/0</f><v>#DIV/0!</v>')
            dst.writestr(entry, body)
    with pytest.raises(InputTableError) as err:
        read_inputs(load_scheme_file(MINI), calculated)
    assert [(p.row, p.column, p.found) for p in err.value.problems] == [(3, "aqi", "#DIV/0!")]  # H3 (=2+3 → 5) is read
    with pytest.raises(InputTableError) as err:
        read_inputs(load_scheme_file(MINI), path)  # as openpyxl wrote it: no values at all
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "improved"), (3, "aqi")]
