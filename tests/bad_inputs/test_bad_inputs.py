"""The bad-input corpus (README.md here): every case through the ``kaohe`` command line, in-process.

Each case must end with exit status 2, exactly one ``error:`` line on stderr that names where the mistake is
(the file, and a row, line or column where the file has one), no traceback and no output file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kaohe.cli import main

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent.parent / "src" / "kaohe" / "data" / "samples"
NOT_CASES = {"README.md", "test_bad_inputs.py", "make_xlsx_cases.py", "__init__.py", "__pycache__"}


def _argv(folder: str, case: Path, tmp: Path) -> list[str]:
    """The command line a case runs: by folder, or the case's own lines in args/."""
    if folder == "schemes_validate":
        return ["schemes", "validate", str(case)]
    if folder == "air_evaluate":
        return ["air", "evaluate", str(case), "--out", str(tmp / "air.csv")]
    if folder == "water_evaluate":
        return ["water", "evaluate", str(case), "--year", "2020", "--out", str(tmp / "water.csv")]
    if folder == "score_history":
        inputs = SAMPLES / "xx_district_inputs_2020.csv"
        return [
            "score",
            "--scheme",
            "xx-city-2020",
            "--inputs",
            str(inputs),
            "--history",
            str(case),
            "--out",
            str(tmp / "r.csv"),
        ]
    if folder == "score_inputs":
        return ["score", "--scheme", "xx-city-2020", "--inputs", str(case), "--out", str(tmp / "r.csv")]
    if folder == "restore":
        return ["restore", str(case)]
    assert folder == "args", folder
    fill = {"here": str(HERE), "samples": str(SAMPLES), "tmp": str(tmp)}
    return [line.format(**fill) for line in case.read_text(encoding="utf-8").splitlines() if line]


def _expected() -> dict[str, list[str]]:
    """README row ⇒ the `quoted` fragments of its last column."""
    rows: dict[str, list[str]] = {}
    for line in (HERE / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and "/" in cells[0]:
            rows[cells[0]] = re.findall(r"`([^`]+)`", cells[2])
    return rows


def _cases() -> list[tuple[str, Path]]:
    return [
        (folder.name, case)
        for folder in sorted(HERE.iterdir())
        if folder.is_dir() and folder.name not in NOT_CASES
        for case in sorted(folder.iterdir())
        if case.name not in NOT_CASES
    ]


def test_the_corpus_covers_every_folder_and_the_readme_lists_every_case() -> None:
    cases = _cases()
    assert {folder for folder, _ in cases} == {
        "schemes_validate",
        "air_evaluate",
        "water_evaluate",
        "score_history",
        "score_inputs",
        "restore",
        "args",
    }
    expected = _expected()
    assert sorted(f"{folder}/{case.name}" for folder, case in cases) == sorted(expected)
    assert all(expected.values())


@pytest.mark.parametrize(("folder", "case"), _cases(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_a_bad_input_is_refused_on_one_located_line(
    folder: str, case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # air_evaluate/inflating.xlsx unpacks to 2 MB: the bound is lowered so that the case stays small.
    monkeypatch.setenv("KAOHE_MAX_UNPACKED_MB", "1")
    argv = _argv(folder, case, tmp_path)
    code = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    # A case file is named in its line; an args case names the file or the option (with its value) it refuses.
    named = [arg for arg in argv[1:] if os.sep in arg or arg.startswith("--")]
    located = str(case) if folder != "args" else next((a for a in named if a in lines[0]), None)
    assert located is not None and located in lines[0], (lines[0], argv)
    missing = [part for part in _expected()[f"{folder}/{case.name}"] if part not in lines[0]]
    assert missing == [], lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written, not even a temporary file
