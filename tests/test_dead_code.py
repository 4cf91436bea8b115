"""Dead code removed by issue 9 §3 stays removed: nothing used it, and two pieces stated rules that were not the live
ones (``SelfEvaluation.effective_values`` ignored imported monitoring values and the verifier's emptied values; the
fallback to ``scheme.indicators_iter`` named a method no scheme has). Checked on the source text, without Django."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kaohe"


def defined_names(relative: str) -> set[str]:
    """Names bound at module level and in class bodies (methods, attributes) of one source file."""
    tree = ast.parse((SRC / relative).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_the_old_results_workbook_module_is_gone() -> None:
    assert not (SRC / "core" / "results_xlsx.py").exists()  # the results workbook is core/workbooks.py


@pytest.mark.parametrize(
    ("relative", "name"),
    [
        ("assessments/evaluation.py", "SUMMARY_COLUMNS"),
        ("core/rules.py", "RULE_KINDS"),
        ("audit/models.py", "decoded_old"),
        ("assessments/models.py", "effective_values"),
    ],
)
def test_a_removed_name_is_not_defined_again(relative: str, name: str) -> None:
    assert name not in defined_names(relative)


def test_no_code_falls_back_to_a_method_schemes_do_not_have() -> None:
    assert not [p for p in SRC.rglob("*.py") if "indicators_iter" in p.read_text(encoding="utf-8")]
