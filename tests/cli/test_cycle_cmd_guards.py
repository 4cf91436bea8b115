"""``kaohe import`` and ``kaohe export`` check the file they are given before any work (issue 9 §2): a directory,
a truncated .xlsx or an --out in a folder that cannot be written is one located line and exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.assessments import actions
from kaohe.assessments.models import ImportedValue
from kaohe.cli import main
from tests.world import World

CORPUS = Path(__file__).resolve().parent.parent / "bad_inputs"


@pytest.mark.parametrize(
    ("source", "words"),
    [("air_evaluate/directory.csv", "is a directory"), ("air_evaluate/truncated.xlsx", "truncated or damaged")],
)
def test_import_refuses_a_file_it_cannot_read(
    world: World, capsys: pytest.CaptureFixture[str], source: str, words: str
) -> None:
    path = CORPUS / source
    assert main(["import", str(world.cycle.pk), str(path), "--user", "alice"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {path}: ") and words in line
    assert not ImportedValue.objects.exists()


@pytest.mark.parametrize(
    ("out", "words"), [("DIR/results.xlsx", "names a directory"), ("/proc/kaohe.docx", "cannot write")]
)
def test_export_refuses_an_out_it_cannot_write(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str, words: str
) -> None:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    folder = tmp_path / "out"  # tmp_path also holds the test's media files
    folder.mkdir()
    target = out.replace("DIR", str(folder))
    if target.startswith(str(folder)):
        Path(target).mkdir()
    assert main(["export", str(world.cycle.pk), "--out", target]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {target}: ") and words in line
    made = ["results.xlsx"] if target.startswith(str(folder)) else []
    assert [p.name for p in folder.iterdir()] == made  # only the directory the case made
