"""``kaohe cycles | import | export`` against the test database: the same services as the screens."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from kaohe.assessments import actions
from kaohe.assessments.models import ImportedValue
from kaohe.audit.models import AuditLog
from kaohe.cli import main
from tests.world import World


def test_it_lists_the_cycles(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cycles"]) == 0
    out = capsys.readouterr().out
    assert str(world.cycle.pk) in out and world.cycle.name in out and "填报中 3" in out


def test_it_imports_monitoring_values_as_the_office(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "air_inputs.csv"
    path.write_text("unit_id,good_days\n220100,81.5\n220281,90\n", encoding="utf-8")
    assert main(["import", str(world.cycle.pk), str(path), "--user", "alice"]) == 0
    assert "imported 2 values" in capsys.readouterr().out
    stored = dict(ImportedValue.objects.filter(cycle=world.cycle).values_list("unit__code", "value"))
    assert stored == {"220100": 81.5, "220281": 90}
    entry = AuditLog.objects.filter(action="monitoring.import").order_by("seq").first()
    assert entry is not None and entry.actor_name == "alice" and entry.reason == "air_inputs.csv"


def test_a_bad_import_names_file_and_row_and_applies_nothing(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "air_inputs.csv"
    path.write_text("unit_id,good_days\n220100,81.5\n999999,70\n220281,abc\n", encoding="utf-8")
    assert main(["import", world.cycle.name, str(path), "--user", "alice"]) == 2
    err = capsys.readouterr().err
    # one located line each (issue 9 §1: the structured errors of kaohe.core), as kaohe score prints them
    assert f"error: {path}, row 3, column 单位代码 [unit_id]: 单位 999999 不在本周期\n" in err
    assert (
        f"error: {path}, row 4, column 优良天数比例 (%) [good_days]: "
        "“abc” 不是有效值，应为数字 ('abc' is not valid; expected a number)\n" in err
    )
    assert len(err.splitlines()) == 2
    assert not ImportedValue.objects.exists()


def test_only_the_office_imports(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "air_inputs.csv"
    path.write_text("unit_id,good_days\n220100,81.5\n", encoding="utf-8")
    assert main(["import", str(world.cycle.pk), str(path), "--user", "fay"]) == 2
    assert "fay may not import" in capsys.readouterr().err
    assert main(["import", "no such cycle", str(path), "--user", "alice"]) == 2
    assert "no cycle 'no such cycle'" in capsys.readouterr().err
    assert not ImportedValue.objects.exists()


def test_it_exports_the_results_workbook_and_the_notice(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.xlsx"
    assert main(["export", str(world.cycle.pk), "--out", str(out)]) == 2  # nothing evaluated yet
    assert "no results yet" in capsys.readouterr().err and not out.exists()

    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    assert main(["export", str(world.cycle.pk), "--out", str(out)]) == 0
    sheet = load_workbook(out).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    a_row = next(row for row in rows if "220100" in [str(v) for v in row])
    # 40 − 5 (one month) + 40 + 20, bonus one award × 2 (as in test_workflow)
    assert any(isinstance(v, int | float) and v == pytest.approx(97.0) for v in a_row), (header, a_row)

    notice = tmp_path / "通报.docx"
    assert main(["export", str(world.cycle.pk), "--out", str(notice)]) == 0
    assert "审阅稿" in capsys.readouterr().out
    text = "\n".join(p.text for p in Document(str(notice)).paragraphs)
    assert world.cycle.name in text and "甲市" in "\n".join(
        cell.text for table in Document(str(notice)).tables for row in table.rows for cell in row.cells
    )
