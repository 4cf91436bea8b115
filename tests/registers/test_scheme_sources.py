"""Schemes name register inputs ``source: register.<metric>`` (issue 12 §2): checked at load with file and line, and
the four built-in schemes read from the registers exactly the inputs listed here."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kaohe
from kaohe.cli import main
from kaohe.core.exceptions import SchemeError
from kaohe.core.scheme import load_scheme_file
from kaohe.registers import scheme_metrics

SCHEME = """\
id: t
name: 测试
year: 2024
total_points: 10
sequences: [{{id: s, name: 序列}}]
inputs:
  - {{id: a, name: 甲, unit: 项, kind: integer, min: 0}}
  - {{id: b, name: 乙, unit: 项, kind: {kind}, source: {source}}}
indicators:
  - id: '1'
    name: 一
    points: 10
    rule: {{kind: deduct, events: [{{input: a, per: 1, label: 甲}}, {{input: b, per: 1, label: 乙}}]}}
"""


def scheme_file(tmp_path: Path, source: str, kind: str = "integer") -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(SCHEME.format(source=source, kind=kind), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("source", "kind", "message"),
    [
        ("register.x", "integer", "unknown register metric 'x' in source 'register.x'; known: rect_due, rect_done"),
        ("registers.rect_due", "integer", "unknown source 'registers.rect_due'; expected air.<column>, water.<column>"),
        ("rect_due", "integer", "unknown source 'rect_due'"),
        ("register.incident_pollution", "integer", "register.incident_pollution is a yes/no (是/否); input 'b' must"),
        ("register.rect_due", "boolean", "register.rect_due is a count; input 'b' must have kind: integer"),
    ],
)
def test_an_unknown_source_is_refused_with_file_and_line(tmp_path: Path, source: str, kind: str, message: str) -> None:
    path = scheme_file(tmp_path, source, kind)
    with pytest.raises(SchemeError) as caught:
        load_scheme_file(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == (str(path), 8)  # the line of input b
    assert message in problem.message


def test_schemes_validate_prints_the_file_and_line_of_an_unknown_register_metric(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = scheme_file(tmp_path, "register.x")
    assert main(["schemes", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}, line 8, key inputs['b'].source: unknown register metric 'x'")


def test_a_known_register_metric_loads(tmp_path: Path) -> None:
    scheme = load_scheme_file(scheme_file(tmp_path, "register.rect_due"))
    assert [(spec.id, metric.id) for spec, metric in scheme_metrics(scheme)] == [("b", "rect_due")]


FROM_REGISTERS = {
    "county-party-government": {
        "rect_done": "rect_done",
        "rect_due": "rect_due",
        "major_incident_responsible": "incident_major_responsible",
    },
    "jilin-2020-campaign": {
        "rect_done": "rect_done",
        "rect_due": "rect_due",
        "complaints_closed": "complaints_closed",
        "complaints_received": "complaints_received",
        "incident_pollution": "incident_pollution",
    },
    "xx-city-2020": {
        "lvdun_listed_unclosed": "lvdun_listed_unclosed",
        "rectification_tasks_late": "rectification_tasks_late",
        "rectification_central_notices": "rectification_central_notices",
        "rectification_provincial_notices": "rectification_provincial_notices",
        "rectification_city_notices": "rectification_city_notices",
        "petitions_overdue": "petitions_overdue",
        "d3_national": "instructions_unmet_national",
        "d3_provincial": "instructions_unmet_provincial",
        "d3_city": "instructions_unmet_city",
        "d4_incidents": "incidents_supervision_failure",
    },
}
FROM_REGISTERS["jilin-2021-2025"] = FROM_REGISTERS["jilin-2020-campaign"]


@pytest.mark.parametrize("scheme_id", sorted(FROM_REGISTERS))
def test_the_builtin_schemes_read_these_inputs_from_the_registers(scheme_id: str) -> None:
    scheme = kaohe.load_scheme(scheme_id)
    assert {spec.id: metric.id for spec, metric in scheme_metrics(scheme)} == FROM_REGISTERS[scheme_id]
    # and the scheme's notes say what stays manual and why
    assert any("Stay manual" in note and "registers derive" in note for note in scheme.notes)


def test_schemes_show_inputs_prints_the_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemes", "show", "jilin-2021-2025", "--inputs"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert lines["rect_due"].endswith("← register.rect_due")
    assert lines["good_ratio"].endswith("← air.good_ratio")
    assert "←" not in lines["m_2_2"]  # typed by hand


def test_the_registers_import_no_django() -> None:
    code = "import sys, kaohe.registers; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=True)
