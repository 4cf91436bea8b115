"""The grade order is written once (issue 9 §1): ``kaohe.core.scheme.Grade`` / ``GRADES``. No other module of
``src/`` spells two or more grades out in a list, tuple, set, dict or message; they import the order instead."""

from __future__ import annotations

import ast
from pathlib import Path

from kaohe.core.scheme import GRADES, Grading

SRC = Path(__file__).resolve().parents[1] / "src" / "kaohe"
HOME = ("core/scheme.py", "Grade")
# Seed 004 item 1.2 grades a boundary section on its own five levels, worst first (所有指标不合格 … 优秀): another
# scale, not the assessment's grade order.
OTHER_SCALES = {("monitoring/water/evaluate.py", "BOUNDARY_GRADES")}


def _copies(path: Path) -> list[tuple[str, int, str]]:
    """(where, line, assigned name or "") of every literal in ``path`` holding two or more grades (docstrings and
    comments, which explain, are not copies)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    targets: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            names = node.targets if isinstance(node, ast.Assign) else [node.target]
            for sub in ast.walk(node.value):
                targets[id(sub)] = next((t.id for t in names if isinstance(t, ast.Name)), "")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            elements: list[ast.expr | None] = list(node.keys)
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            elements = list(node.elts)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if sum(g in node.value for g in ("优秀", "良好", "合格")) >= 2:
                found.append((path.relative_to(SRC).as_posix(), node.lineno, targets.get(id(node), "")))
            continue
        else:
            continue
        if sum(isinstance(e, ast.Constant) and e.value in GRADES for e in elements) >= 2:
            found.append((path.relative_to(SRC).as_posix(), node.lineno, targets.get(id(node), "")))
    return found


def test_the_grade_order_is_written_only_in_the_core() -> None:
    copies = [c for path in sorted(SRC.rglob("*.py")) for c in _copies(path)]
    home = [c for c in copies if (c[0], c[2]) == HOME]
    assert len(home) == 1, copies
    others = [c for c in copies if (c[0], c[2]) != HOME and (c[0], c[2]) not in OTHER_SCALES]
    assert others == [], "the grade order is copied here; import kaohe.core.scheme.GRADES instead"


def test_the_order_is_best_first_and_the_bands_check_quotes_it() -> None:
    # seed 000 第六条: 考核结果分为优秀、良好、合格、不合格四个等次
    assert GRADES == ("优秀", "良好", "合格", "不合格")
    try:
        Grading.model_validate({"bands": [{"grade": "良好", "min": 80}, {"grade": "优秀"}]})
    except ValueError as exc:
        assert "bands must be listed best first: 优秀, 良好, 合格, 不合格" in str(exc)
    else:
        raise AssertionError("bands listed worst first were accepted")
