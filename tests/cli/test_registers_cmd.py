"""``kaohe registers derive`` and ``kaohe registers template`` (issue 12 §2): counts from small register files, the
template filled in and read back, then scored; one clear line and no output file for every mistake."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

import kaohe
from kaohe.cli import main
from kaohe.core.synthetic import synthetic_inputs
from kaohe.core.tables import parse_table, read_raw
from kaohe.registers import REGISTERS

RECT = (
    "unit_id,problem_id,source,level,listed_by_nation,description,deadline,completed_on,closed_on\n"
    "U1,P1,中央生态环境保护督察,中央,否,甲,2020-03-01,2020-03-01,2020-04-01\n"
    "U1,P2,省级督察,省,否,乙,2020-12-31,2021-01-02,\n"
    "U1,P3,绿盾,中央,是,丙,2019-12-31,,\n"
    "U2,P4,绿盾,中央,是,丁,2020-06-30,2020-06-01,2020-12-31\n"
)
COMPLAINTS = (
    "unit_id,case_id,channel,category,assigned_by,received_on,due_on,closed_on\n"
    "U1,C1,督察交办,大气,中央生态环境保护督察,2020-01-02,2020-01-20,2020-01-21\n"
    "U2,C2,督察交办,水,省级督察,2020-02-02,2020-02-20,2020-02-20\n"
    "U2,C3,12369热线,噪声,,2020-03-03,2020-03-20,\n"
)
NOTICES = (
    "unit_id,notice_id,date,level,kind,cause,rectified_in_time\n"
    "U1,N1,2020-05-05,中央,督办,整改不到位,\n"
    "U1,N2,2020-06-06,市,督办,其他,否\n"
    "U2,N3,2020-07-07,省,批示,,否\n"
)
INCIDENTS = "unit_id,incident_id,date,severity,supervision_failure,group_incident\nU2,E1,2020-08-08,重大,是,否\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def registers(tmp_path: Path) -> list[str]:
    return [
        *("--rectification", str(write(tmp_path, "r.csv", RECT))),
        *("--complaints", str(write(tmp_path, "c.csv", COMPLAINTS))),
        *("--notices", str(write(tmp_path, "n.csv", NOTICES))),
        *("--incidents", str(write(tmp_path, "e.csv", INCIDENTS))),
    ]


def test_derive_writes_the_schemes_register_inputs_one_row_per_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "derived.csv"
    args = ["registers", "derive", "--scheme", "xx-city-2020", "--year", "2020", *registers(tmp_path)]
    assert main([*args, "--out", str(out)]) == 0
    assert "2 units × 10 inputs of xx-city-2020 for 2020" in capsys.readouterr().out
    got = pl.read_csv(out).to_dicts()
    # U1: P1 on time, P2 two days late, P3 due in 2019 ⇒ late 1; P3 绿盾 listed, never closed ⇒ lvdun 1;
    #     C1 (中央督察) a day late ⇒ petitions 1; N1 中央督办 for 整改不到位 ⇒ central 1;
    #     N2 市级督办 not in time ⇒ city 1
    # U2: P4 done early and 销号 on 31 December ⇒ 0 0; C2 closed on the due day, C3 late but not from a 督察 ⇒ 0;
    #     N3 a provincial 批示 not carried out ⇒ d3_provincial 1; E1 重大 with supervision failure ⇒ d4 1
    zeros = dict.fromkeys(
        [
            "lvdun_listed_unclosed",
            "rectification_tasks_late",
            "rectification_central_notices",
            "rectification_provincial_notices",
            "rectification_city_notices",
            "petitions_overdue",
            "d3_national",
            "d3_provincial",
            "d3_city",
            "d4_incidents",
        ],
        0,
    )
    assert got == [
        {
            "unit_id": "U1",
            **zeros,
            "lvdun_listed_unclosed": 1,
            "rectification_tasks_late": 1,
            "rectification_central_notices": 1,
            "rectification_city_notices": 1,
            "petitions_overdue": 1,
        },
        {"unit_id": "U2", **zeros, "d3_provincial": 1, "d4_incidents": 1},
    ]


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_derive_writes_xlsx_and_parquet_that_score_reads(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"derived{suffix}"
    args = ["registers", "derive", "--scheme", "jilin-2021-2025", "--year", "2020", *registers(tmp_path)]
    assert main([*args, "--out", str(out)]) == 0
    scheme = kaohe.load_scheme("jilin-2021-2025")
    frame, sheet = read_raw(out)
    parsed = parse_table(scheme, frame, file=str(out), sheet=sheet, partial=True)
    # U1: rect due 2020 P1 P2, done P1; C1 due 2020, late ⇒ received 1 closed 0; no incident
    # U2: P4 due and done; C2 closed on the due day, C3 not closed ⇒ 2 / 1; E1 is 重大, not 特别重大 ⇒ false
    assert parsed.select("unit_id", "rect_due", "rect_done", "complaints_received", "complaints_closed").rows() == [
        ("U1", 2.0, 1.0, 1.0, 0.0),
        ("U2", 1.0, 1.0, 2.0, 1.0),
    ]
    assert parsed.get_column("incident_pollution").to_list() == [False, False]


def test_template_round_trip_filled_derived_and_scored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scheme = kaohe.load_scheme("jilin-2021-2025")
    paths = {}
    for kind in ("rectification", "complaints", "incidents"):
        paths[kind] = tmp_path / f"{kind}.xlsx"
        assert main(["registers", "template", kind, "--out", str(paths[kind])]) == 0
    book = load_workbook(paths["rectification"])
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [c.header for c in REGISTERS["rectification"].columns]
    assert book.sheetnames == ["督察整改台账", "说明"]
    kinds = {str(dv.sqref)[0]: dv for dv in sheet.data_validations.dataValidation}  # by column letter
    assert kinds["C"].formula1 == '"中央生态环境保护督察,省级督察,市级督办,绿盾,长江经济带,其他"'  # source
    assert kinds["E"].formula1 == '"是,否"' and kinds["G"].type == "date"  # listed_by_nation, deadline
    # filled in as a person would: dates as Excel dates, words from the drop-down lists
    sheet.append(["U1", "P1", "中央生态环境保护督察", "中央", "否", "甲", date(2021, 6, 30), date(2021, 6, 30), None])
    sheet.append(["U1", "P2", "省级督察", "省", "否", "乙", date(2021, 12, 31), None, None])
    sheet.append(["U2", "P3", "其他", None, None, None, date(2021, 3, 1), date(2021, 2, 1), date(2021, 3, 5)])
    book.save(paths["rectification"])
    book = load_workbook(paths["complaints"])
    book.worksheets[0].append(
        ["U1", "C1", "12369热线", "大气", None, date(2021, 1, 1), date(2021, 1, 15), date(2021, 1, 10)]
    )
    book.save(paths["complaints"])
    book = load_workbook(paths["incidents"])
    book.worksheets[0].append(["U2", "E1", date(2021, 9, 9), "特别重大", "否", "否"])
    book.save(paths["incidents"])
    derived = tmp_path / "derived.csv"
    opts = [f"--{kind}={path}" for kind, path in paths.items()]
    assert main(["registers", "derive", "--scheme", scheme.id, "--year", "2021", *opts, "--out", str(derived)]) == 0
    # U1: P1 done on the deadline day, P2 not done ⇒ rect 1 of 2; C1 closed early ⇒ 1 of 1
    # U2: P3 done early ⇒ 1 of 1; no complaints ⇒ 0 of 0; E1 特别重大 ⇒ incident_pollution true
    assert pl.read_csv(derived).rows() == [("U1", 1, 2, 1, 1, False), ("U2", 1, 1, 0, 0, True)]
    # scored with the other inputs: U1 loses half of C2.1.1 (3 points × 1/2) and is downgraded (R3a); U2 is vetoed
    base = synthetic_inputs(scheme, 2, seed=7).with_columns(unit_id=pl.Series(["U1", "U2"]))
    base = base.drop("rect_done", "rect_due", "complaints_closed", "complaints_received", "incident_pollution")
    flat = base.with_columns(pl.col(c).cast(pl.String) for c in base.columns)
    flat.write_csv(tmp_path / "base.csv")
    inputs = ["--inputs", str(tmp_path / "base.csv"), "--inputs", str(derived)]
    capsys.readouterr()
    assert main(["explain", "--scheme", scheme.id, *inputs, "--unit", "U1"]) == 0
    explained = capsys.readouterr().out
    assert "C2.1.1" in explained and "−1.5" in explained
    results = tmp_path / "results.csv"
    assert main(["score", "--scheme", scheme.id, *inputs, "--out", str(results)]) == 0
    scored = pl.read_csv(results).sort("unit_id")
    assert scored.get_column("C2.1.1").to_list() == [1.5, 3.0]
    assert scored.get_column("vetoed").to_list() == [False, True]


def test_a_register_the_scheme_reads_must_be_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "derived.csv"
    rect = write(tmp_path, "r.csv", RECT)
    args = ["registers", "derive", "--scheme", "jilin-2021-2025", "--year", "2020", "--rectification", str(rect)]
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: scheme jilin-2021-2025 reads complaints_closed, complaints_received from the 信访/12369案件: give "
        "--complaints FILE (`kaohe registers template complaints` writes an empty one)",
        "error: scheme jilin-2021-2025 reads incident_pollution from the 突发环境事件台账: give --incidents FILE "
        "(`kaohe registers template incidents` writes an empty one)",
    ]
    assert not out.exists()


def test_every_mistake_of_every_file_is_reported_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "derived.csv"
    opts = registers(tmp_path)
    write(tmp_path, "r.csv", RECT.replace("U2,P4,绿盾", "U2,P4,绿色"))  # a word not in the vocabulary
    write(tmp_path, "e.csv", INCIDENTS.replace("2020-08-08", "2020-8-32"))  # no 32nd
    args = ["registers", "derive", "--scheme", "xx-city-2020", "--year", "2020", *opts, "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"error: {tmp_path / 'r.csv'}, row 5, column 问题来源 [source]: “绿色” 不是可选值" in err
    assert f"error: {tmp_path / 'e.csv'}, row 2, column 发生日期 [date]: “2020-8-32” 不是有效值" in err
    assert "Traceback" not in err and not out.exists()


def test_units_file_gives_every_unit_a_row_and_refuses_rows_of_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = write(tmp_path, "units.csv", "unit_id,unit_name,sequence\nU3,丙,governments\nU1,甲,governments\n")
    out = tmp_path / "derived.csv"
    args = ["registers", "derive", "--scheme", "county-party-government", "--year", "2020"]
    rect = write(tmp_path, "r.csv", RECT.replace("U2,", "U1,"))
    incidents = write(tmp_path, "e.csv", INCIDENTS.replace("U2,", "U1,"))
    opts = ["--rectification", str(rect), "--incidents", str(incidents), "--units", str(units)]
    assert main([*args, *opts, "--out", str(out)]) == 0
    # U3 has no rows: 0, 0, false; U1: P1 P2 P4 due in 2020, P1 P4 on time; E1 重大 with failure ⇒ true
    assert pl.read_csv(out).rows() == [("U3", 0, 0, False), ("U1", 2, 3, True)]
    assert main([*args, "--rectification", str(write(tmp_path, "r2.csv", RECT)), "--incidents", str(incidents),
                 "--units", str(units), "--out", str(out)]) == 2  # fmt: skip
    assert f"{tmp_path / 'r2.csv'}, row 5, column 单位代码 [unit_id]: 单位 “U2” 不在" in capsys.readouterr().err


def test_a_scheme_without_register_inputs_and_a_bad_output_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    yaml = Path(kaohe.load_scheme("jilin-2021-2025").file).read_text(encoding="utf-8")
    plain = write(tmp_path, "plain.yaml", yaml.replace("source: register.", "note: register."))
    args = ["registers", "derive", "--scheme", str(plain), "--year", "2021", "--out", str(tmp_path / "o.csv")]
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("error: scheme jilin-2021-2025 has no input with source 'register.…'")
    assert main(["registers", "template", "notices", "--out", str(tmp_path / "t.csv")]) == 2
    assert "unsupported format '.csv'; expected one of .xlsx" in capsys.readouterr().err


def test_the_command_is_registered_and_imports_no_django() -> None:
    code = "import sys, kaohe.cli.registers_cmd; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
