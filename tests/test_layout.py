"""The tests mirror ``src/kaohe`` (issue 9 §3): each folder of tests is named after the package it tests, so a
reader finds a module's tests by its path. Folders of data and the bad-input corpus are the only exceptions."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SRC = ROOT / "src" / "kaohe"
NOT_PACKAGES = {"data", "bad_inputs", "__pycache__"}


def test_every_test_folder_names_a_package_of_src() -> None:
    strays = []
    for folder in sorted(p for p in TESTS.rglob("*") if p.is_dir()):
        relative = folder.relative_to(TESTS)
        if NOT_PACKAGES & set(relative.parts):
            continue
        if not (SRC / relative / "__init__.py").is_file():
            strays.append(str(relative))
    assert strays == []


def test_no_test_module_lies_loose_beside_the_folders_except_whole_tree_checks() -> None:
    # The files directly in tests/ check the whole tree (types, dead code, exports, one grade order, this layout).
    loose = sorted(p.name for p in TESTS.glob("test_*.py"))
    assert loose == [
        "test_dead_code.py",
        "test_exported_members.py",
        "test_layout.py",
        "test_one_grade_order.py",
        "test_type_checked.py",
    ]
