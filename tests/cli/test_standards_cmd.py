"""``kaohe standards list | show``: the editions, their tables with unconfirmed values marked, and a bad file's
refusal (exit status 2, file and line, no traceback)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kaohe.cli import main
from kaohe.monitoring.air.editions import BUILTIN_DIR, builtin_editions

KAOHE = Path(__file__).parents[2] / ".venv" / "bin" / "kaohe"


def rows(output: str, start: str) -> list[list[str]]:
    """The lines of ``output`` (stripped) that begin with ``start``, split on blanks."""
    return [line.split() for line in output.splitlines() if line.strip().startswith(start)]


def test_list_names_each_edition_with_its_unconfirmed_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    unconfirmed = len(builtin_editions()["2026"].unconfirmed())
    assert unconfirmed > 0
    assert [line.split() for line in lines] == [
        ["2012", "HJ", "633-2012", "/", "HJ", "663-2013", "/", "GB", "3095-2012"]
        + ["in", "force", "from", "2016-01-01", "0", "unconfirmed"],
        ["2026", "HJ", "633-2026", "/", "HJ", "663-2026", "/", "GB", "3095-2026"]
        + ["in", "force", "from", "2026-03-01", str(unconfirmed), "unconfirmed"],
    ]


def test_show_2012_prints_the_tables_unmarked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "show", "2012"]) == 0
    out = capsys.readouterr().out
    assert "*" not in out.replace("values marked * are", "")
    assert rows(out, "pm25 24h") == [
        ["pm25", "24h", "0", "35", "75", "115", "150", "250", "350", "500"],  # HJ 633-2012 表1 breakpoints
        ["pm25", "24h", "35", "75"],  # GB 3095-2012 表1 24小时平均 一级/二级
    ]
    assert rows(out, "pm25 annual") == [["pm25", "annual", "15", "35"]]  # GB 3095-2012 表1 一级/二级
    assert rows(out, "0 unconfirmed") == [["0", "unconfirmed", "values"]]


def test_show_2026_marks_what_is_not_confirmed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "show", "2026"]) == 0
    out = capsys.readouterr().out
    # HJ 633-2026 as public implementations give it: unconfirmed, every value marked.
    assert rows(out, "pm25 24h") == [
        ["pm25", "24h", *(f"{v}*" for v in (0, 35, 60, 115, 150, 250, 350, 500))],
        ["pm25", "24h", "35*", "60"],  # transitional: press release 日均二级 60; class 1 not named
        ["pm25", "24h", "25", "50"],  # final: press release 日均 一级 25, 二级 50
    ]
    # transitional stage, then final: class 2 from the press release (confirmed), class 1 transitional not.
    assert rows(out, "pm25 annual") == [["pm25", "annual", "15*", "30"], ["pm25", "annual", "10", "25"]]
    assert rows(out, "pm10 annual") == [["pm10", "annual", "40*", "70*"], ["pm10", "annual", "40*", "70*"]]
    assert "transitional 过渡阶段  2026-03-01 … 2030-12-31" in out and "final 第二阶段  from 2031-01-01" in out
    assert "* breakpoints.pm25.24h (line " in out
    # HJ 663-2026's options, per the published summary: the three-year form as issue 11 reads it
    assert rows(out, "three_year_form") == [["three_year_form", "annual_means*"]]


def test_show_takes_a_standard_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "office.yaml"
    text = (BUILTIN_DIR / "2026.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace('id: "2026"', 'id: "office"'), encoding="utf-8")
    assert main(["standards", "show", "--standard-file", str(path)]) == 0
    assert f"(edition office, {path})" in capsys.readouterr().out


def test_show_needs_one_edition(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "show"]) == 2
    assert main(["standards", "show", "2012", "--standard-file", "x.yaml"]) == 2
    assert capsys.readouterr().err.count("error: give either an edition id") == 2


def test_a_bad_standard_file_exits_2_with_file_and_line_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = (BUILTIN_DIR / "2012.yaml").read_text(encoding="utf-8")
    bad = text.replace("[0, 35, 75, 115, 150, 250, 350, 500]", "[0, 35, 75, 70, 150, 250, 350, 500]")
    assert bad != text
    path.write_text(bad, encoding="utf-8")
    line = next(i + 1 for i, s in enumerate(bad.splitlines()) if "[0, 35, 75, 70," in s)
    proc = subprocess.run(
        [str(KAOHE), "standards", "show", "--standard-file", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr == (
        f"error: {path}, line {line}, key breakpoints.pm25.24h.value[3]: "
        "pm25 24h breakpoints must increase strictly: 70 after 75\n"
    )


def test_a_directory_given_as_the_edition_file_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["standards", "show", "--standard-file", str(tmp_path)]) == 2
    assert f"{tmp_path}: is a directory, not an edition file" in capsys.readouterr().err
