"""Scheme YAML mistakes are reported with file, line and key, and the CLI exits 2 without a traceback."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kaohe.cli import main
from kaohe.core import SchemeError, load_scheme_text

GOOD = """\
id: t
name: 测试
year: 2020
total_points: 30
sequences: [{id: d, name: 区}]
inputs:
  - {id: n, name: 次数, kind: integer, min: 0}
indicators:
  - id: '1'
    name: 父
    points: 30
    children:
      - id: '1.1'
        name: 子一
        points: 10
        rule: {kind: deduct, events: [{input: n, per: 1, label: 事件}]}
      - id: '1.2'
        name: 子二
        points: 20
        rule: {kind: deduct, events: [{input: n, per: 2, label: 事件}]}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SchemeError) as info:
        load_scheme_text(text, "s.yaml")
    return [str(p) for p in info.value.problems]


def test_it_accepts_a_valid_scheme() -> None:
    scheme = load_scheme_text(GOOD, "s.yaml")
    assert [n.id for n in scheme.nodes()] == ["1", "1.1", "1.2"]
    assert scheme.input("n").indicator == "1.1"


def test_it_names_line_and_key_of_an_unknown_rule_kind() -> None:
    text = GOOD.replace(
        "rule: {kind: deduct, events: [{input: n, per: 2", "rule: {kind: deduce, events: [{input: n, per: 2"
    )
    [problem] = problems_of(text)
    assert problem.startswith("s.yaml, line 20, key indicators['1'].children['1.2'].rule")
    assert "unknown rule kind 'deduce'" in problem and "deduct" in problem


def test_it_reports_children_points_that_do_not_add_up() -> None:
    [problem] = problems_of(GOOD.replace("points: 20", "points: 25"))
    assert "line 11" in problem and "children's points add up to 35, not 30" in problem


def test_it_rejects_a_negative_cap() -> None:
    text = GOOD.replace("[{input: n, per: 1, label: 事件}]}", "[{input: n, per: 1, label: 事件}], cap: -3}")
    [problem] = problems_of(text)
    assert "line 16" in problem and "cap" in problem and "greater than or equal to 0" in problem


def test_it_reports_an_input_that_is_read_but_not_declared() -> None:
    [problem] = problems_of(GOOD.replace("[{input: n, per: 2", "[{input: m, per: 2"))
    assert "line 20" in problem and "reads input 'm', which is not declared" in problem


def test_it_reports_a_yaml_syntax_error_with_its_line() -> None:
    [problem] = problems_of(GOOD.replace("name: 子二", "name: [子二"))
    assert problem.startswith("s.yaml, line ") and "YAML syntax" in problem


def test_it_reports_every_problem_not_just_the_first() -> None:
    text = GOOD.replace("points: 20", "points: 25").replace("[{input: n, per: 2", "[{input: m, per: 2")
    assert len(problems_of(text)) == 2


def test_validate_command_exits_2_with_located_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        GOOD.replace("kind: deduct, events: [{input: n, per: 2", "kind: nope, events: [{input: n, per: 2"),
        encoding="utf-8",
    )
    assert main(["schemes", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}, line 20" in err and "Traceback" not in err


def test_validate_command_accepts_every_builtin_scheme(capsys: pytest.CaptureFixture[str]) -> None:
    from kaohe.core.scheme import builtin_paths

    paths = [str(p) for p in builtin_paths().values()]
    assert paths, "no built-in schemes shipped"
    assert main(["schemes", "validate", *paths]) == 0


def test_core_imports_no_django() -> None:
    code = (
        "import sys, kaohe, kaohe.core, kaohe.monitoring; kaohe.load_scheme; "
        "assert 'django' not in sys.modules, 'django imported'"
    )
    subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=True)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("bonus_cap: 5\nbonus_cap_input: nope\n", "input 'nope' is not declared"),
        ("bonus_cap_input: cap\n", "overrides bonus_cap, which is not set"),
        ("bonus_cap: 5\nbonus_cap_input: flag\n", "input 'flag' must be a number"),
    ],
)
def test_a_bonus_cap_input_must_be_a_declared_number_overriding_a_cap(extra: str, message: str) -> None:
    text = (
        textwrap.dedent(
            """\
        id: t
        name: 测试
        year: 2021
        total_points: 10
        sequences: [{id: d, name: 区}]
        inputs:
          - {id: s, name: 得分}
          - {id: cap, name: 加分上限}
          - {id: flag, name: 标记, kind: boolean}
        indicators:
          - {id: x, name: 综合, points: 10, rule: {kind: manual, input: s}}
        """
        )
        + extra
    )
    with pytest.raises(SchemeError) as info:
        load_scheme_text(text, "s.yaml")
    assert message in str(info.value)
    assert "line" in str(info.value) and "bonus_cap_input" in str(info.value)


def test_it_names_the_line_of_an_unknown_ranking_setting() -> None:
    # ranking.vetoed is last or by_score; advanced_vacated is pass_on or leave_empty
    text = GOOD.replace("sequences:", "ranking: {vetoed: first, advanced_vacated: pass_on}\nsequences:")
    [problem] = problems_of(text)
    assert problem.startswith("s.yaml, line 5, key ranking.vetoed") and "'last' or 'by_score'" in problem
