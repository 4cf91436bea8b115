"""``kaohe inputs-template``, ``kaohe score`` and ``kaohe explain`` on real files, including user mistakes:
one message per problem naming file, sheet, row, column and what was expected; exit 2; no output file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kaohe.cli import main

MINI = Path(__file__).parents[1] / "core" / "data" / "mini.yaml"
HEADER = "unit_id,unit_name,sequence,sections,missed,infv,met,improved,aqi,aqi_e,aqi_s,incident"
GOOD_ROWS = [
    "a,甲区,d,A;B,2;1,1;0,false;true,1,88,92,95,否",
    "b,乙区,d,A,0,0,true,5,93.5,92,95,否",
    "c,丙区,d,X,3,0,true,0,96,92,95,是",
]


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_it_scores_a_csv_and_writes_an_office_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = write_csv(tmp_path / "in.csv", GOOD_ROWS)
    out = tmp_path / "results.xlsx"
    code, stdout, _ = run(["score", "--scheme", str(MINI), "--inputs", str(inputs), "--out", str(out)], capsys)
    assert code == 0 and "乙区" in stdout
    wb = load_workbook(out)
    assert wb.sheetnames == ["区", "指标得分", "加扣分明细"]
    ws = wb["区"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    # 乙区: water 100 + 5×5 = 125 capped at bonus 20 ⇒ 120; air 93.5 ⇒ 36 + 4×1.5/3 = 38; total 158 ⇒ 优秀, rank 1
    # 丙区: water 100 (3 months waived); air 96 ≥ 95 ⇒ 40; 140 ⇒ 优秀 by score, 特别重大事件 ⇒ 良好
    # 甲区: water 100 − (2×5 + 1×10) + 5 = 85; air 88 ⇒ 36 − (2×1 + 2×2) = 30; 115 ⇒ 良好
    assert [(r["排名"], r["单位名称"], r["总分"], r["等级"]) for r in rows] == [
        (1, "乙区", 158, "优秀"),
        (2, "丙区", 140, "良好"),
        (3, "甲区", 115, "良好"),
    ]
    reasons = [[c.value for c in r] for r in wb["加扣分明细"].iter_rows(min_row=2)]
    assert ["a", "1", "水", -10, "A 反弹为劣Ⅴ类 1 月次 ×10"] in reasons


def test_the_workbook_names_vetoes_consequences_and_rules_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # mini.yaml with its 特别重大事件 rule turned into a veto that declares a consequence: 丙区 (140, the 2nd score)
    # ⇒ 不合格 and vetoed ⇒ placed last (3) after 乙区 158 and 甲区 115; the sheet says so in words, not "R2"
    text = MINI.read_text(encoding="utf-8").replace(
        "never_excellent: [{id: R1, name: 特别重大事件, when: {input: incident}}]",
        "veto: [{id: R2, name: 发生特别重大事件的直接评定为不合格, when: {input: incident}, "
        "consequence: 不得评为先进单位（第九条（三））}]",
    )
    assert "veto:" in text
    scheme = tmp_path / "veto.yaml"
    scheme.write_text(text, encoding="utf-8")
    out = tmp_path / "results.xlsx"
    code, stdout, _ = run(
        [
            "score",
            "--scheme",
            str(scheme),
            "--inputs",
            str(write_csv(tmp_path / "in.csv", GOOD_ROWS)),
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0
    # the printed list marks it too; with 3 units all three are in the bottom three (约谈)
    assert [line.split()[-2:] for line in stdout.splitlines() if "丙区" in line] == [["约谈", "否决"]]
    ws = load_workbook(out)["区"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert [(r["排名"], r["单位名称"], r["等级"], r["否决"], r["结果处理"], r["触发规则"]) for r in rows] == [
        (1, "乙区", "优秀", None, None, None),
        (2, "甲区", "良好", None, None, None),
        (3, "丙区", "不合格", "是", "不得评为先进单位（第九条（三））", "发生特别重大事件的直接评定为不合格"),
    ]


def test_it_writes_json_and_csv_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = write_csv(tmp_path / "in.csv", GOOD_ROWS)
    assert (
        run(["score", "--scheme", str(MINI), "--inputs", str(inputs), "--out", str(tmp_path / "r.json")], capsys)[0]
        == 0
    )
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert {d["unit_id"]: d["grade"] for d in data} == {"a": "良好", "b": "优秀", "c": "良好"}
    assert (
        run(["score", "--scheme", str(MINI), "--inputs", str(inputs), "--out", str(tmp_path / "r.csv")], capsys)[0] == 0
    )
    assert (
        (tmp_path / "r.csv")
        .read_text(encoding="utf-8")
        .splitlines()[0]
        .startswith("unit_id,unit_name,sequence,1,2,base_total")
    )


BAD_CASES = {
    "missing column": (
        HEADER.replace(",aqi_s", ""),
        [r.rsplit(",", 2)[0] + "," + r.rsplit(",", 1)[1] for r in GOOD_ROWS],
        ["column aqi_s: missing column 力争值 (%) [aqi_s]"],
    ),
    "text in a number cell": (
        HEADER,
        [GOOD_ROWS[0].replace(",88,", ",很好,"), *GOOD_ROWS[1:]],
        ["row 2, column 优良天数比例 (%) [aqi]: “很好” 不是有效值，应为数字 ('很好' is not valid; expected a number)"],
    ),
    "ratio of 130%": (
        HEADER,
        [GOOD_ROWS[0].replace(",88,", ",130%,"), *GOOD_ROWS[1:]],
        [
            "row 2, column 优良天数比例 (%) [aqi]: 130 超出范围，应为 0–100 % 的数值 "
            "(130 is out of range; expected a number in [0, 100] %)"
        ],
    ),
    "duplicate unit": (
        HEADER,
        [*GOOD_ROWS, GOOD_ROWS[1]],
        [
            "row 3, column 单位代码 [unit_id]: 单位 “b” 重复出现 (duplicate unit 'b')",
            "row 5, column 单位代码 [unit_id]: 单位 “b” 重复出现 (duplicate unit 'b')",
        ],
    ),
    "unknown sequence": (
        HEADER,
        [GOOD_ROWS[0].replace(",d,", ",县,"), *GOOD_ROWS[1:]],
        [
            "row 2, column 排名序列 [sequence]: 未知序列 “县”，应为 d 之一 "
            "(unknown sequence '县'; expected one of ['d'])"
        ],
    ),
    "list lengths differ": (
        HEADER,
        [GOOD_ROWS[0].replace("2;1,1;0", "2;1,1"), *GOOD_ROWS[1:]],
        ["row 2, column 劣V月数 [infv]: has 1 values but 'sections' lists 2 sections (indicator 1)"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_it_reports_each_user_mistake_and_writes_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows, expected = BAD_CASES[case]
    inputs = write_csv(tmp_path / "in.csv", rows, header)
    out = tmp_path / "results.xlsx"
    code, _, err = run(["score", "--scheme", str(MINI), "--inputs", str(inputs), "--out", str(out)], capsys)
    assert code == 2
    assert not out.exists() and list(tmp_path.iterdir()) == [inputs]
    lines = err.strip().splitlines()
    assert lines == [f"error: {inputs}, {message}" for message in expected]


def test_it_reports_the_sheet_of_an_excel_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    units = write_csv(tmp_path / "units.csv", ["a,甲区,d", "b,乙区,d"], "unit_id,unit_name,sequence")
    template = tmp_path / "template.xlsx"
    assert (
        run(["inputs-template", "--scheme", str(MINI), "--units", str(units), "--out", str(template)], capsys)[0] == 0
    )
    wb = load_workbook(template)
    ws = wb["填报"]
    ws["I2"] = "很好"  # aqi of unit a (column I)
    wb.save(template)
    code, _, err = run(
        ["score", "--scheme", str(MINI), "--inputs", str(template), "--out", str(tmp_path / "r.xlsx")], capsys
    )
    assert code == 2
    assert (
        f"error: {template}, sheet 填报, row 2, column 优良天数比例 (%) [aqi]: "
        "“很好” 不是有效值，应为数字 ('很好' is not valid; expected a number)\n" in err
    )


def test_the_template_has_chinese_headers_validation_and_instructions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = write_csv(tmp_path / "units.csv", ["a,甲区,d", "b,乙区,d"], "unit_id,unit_name,sequence")
    template = tmp_path / "template.xlsx"
    run(["inputs-template", "--scheme", str(MINI), "--units", str(units), "--out", str(template)], capsys)
    wb = load_workbook(template)
    ws = wb["填报"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["单位代码 [unit_id]", "单位名称 [unit_name]", "排名序列 [sequence]", "断面 [sections]"]
    assert "优良天数比例 (%) [aqi]" in header
    assert [ws.cell(row=r, column=1).value for r in (2, 3)] == ["a", "b"]
    validations = {
        str(dv.sqref).split(":")[0]: (dv.type, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation
    }
    assert validations["I2"] == ("decimal", "0", "100")  # aqi, 0–100 %
    assert validations["L2"] == ("list", '"是,否"', None)  # incident, yes/no
    assert validations["C2"] == ("list", '"d"', None)  # the scheme's sequences
    assert wb["说明"]["A2"].value == "sections"


def test_a_filled_template_scores_like_the_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    units = write_csv(tmp_path / "units.csv", ["a,甲区,d", "b,乙区,d", "c,丙区,d"], "unit_id,unit_name,sequence")
    template = tmp_path / "template.xlsx"
    run(["inputs-template", "--scheme", str(MINI), "--units", str(units), "--out", str(template)], capsys)
    wb = load_workbook(template)
    ws = wb["填报"]
    for r, line in enumerate(GOOD_ROWS, start=2):
        for c, value in enumerate(line.split(",")[3:], start=4):
            ws.cell(row=r, column=c, value=value)
    wb.save(template)
    assert (
        run(["score", "--scheme", str(MINI), "--inputs", str(template), "--out", str(tmp_path / "r.json")], capsys)[0]
        == 0
    )
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [d["final_score"] for d in data] == [115, 158, 140]


def test_explain_lists_each_point_lost(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = write_csv(tmp_path / "in.csv", GOOD_ROWS)
    code, out, _ = run(["explain", "--scheme", str(MINI), "--inputs", str(inputs), "--unit", "a"], capsys)
    assert code == 0
    assert "A 水质不达标 2 月次 ×5" in out and "−10" in out
    assert "总分 115  等级 良好" in out


def test_an_unknown_scheme_is_a_clear_error_without_traceback(tmp_path: Path) -> None:
    inputs = write_csv(tmp_path / "in.csv", GOOD_ROWS)
    proc = subprocess.run(
        [
            str(Path(__file__).parents[2] / ".venv" / "bin" / "kaohe"),
            "score",
            "--scheme",
            "nope",
            "--inputs",
            str(inputs),
            "--out",
            str(tmp_path / "r.xlsx"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "unknown scheme 'nope'" in proc.stderr and "Traceback" not in proc.stderr


def test_history_flags_accountability_for_the_given_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # mini.yaml: 连续3年 不合格 ⇒ 问责. 甲区 scores 115 (良好) in this table, so make it fail: 8 劣V months
    # in A ⇒ 100 − (2×5 + 8×10) = 10, +5 bonus = 15; air 30 ⇒ 45 < 60 ⇒ 不合格.
    rows = [GOOD_ROWS[0].replace("2;1,1;0", "2;1,8;0"), *GOOD_ROWS[1:]]
    inputs = write_csv(tmp_path / "in.csv", rows)
    history = tmp_path / "history.csv"
    history.write_text("unit_id,year,grade\na,2022,不合格\na,2023,不合格\nb,2023,不合格\n", encoding="utf-8")
    out = tmp_path / "r.json"
    args = ["score", "--scheme", str(MINI), "--inputs", str(inputs), "--history", str(history), "--out", str(out)]
    assert run([*args, "--year", "2024"], capsys)[0] == 0
    data = {d["unit_id"]: d for d in json.loads(out.read_text(encoding="utf-8"))}
    assert (data["a"]["final_score"], data["a"]["grade"], data["a"]["accountability"]) == (45, "不合格", True)
    assert data["b"]["accountability"] is False
    assert run(args, capsys)[0] == 0  # scheme year 2020: 2018 and 2019 are not in the history
    assert json.loads(out.read_text(encoding="utf-8"))[0]["accountability"] is False
