"""A register's Excel import (all rows or none, every mistake located by file/sheet/row/column, the words of
kaohe.registers.kinds) and export (the template's headers; re-imports unchanged, and reads in the pure reader)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kaohe.core.exceptions import InputTableError
from kaohe.ledgers import actions
from kaohe.ledgers.imports import export_workbook, plan_import, read_ledger_file
from kaohe.ledgers.models import RectificationProblem
from kaohe.registers import read_register
from tests.ledgers.helpers import OTHER_ROWS, RECTIFICATION_ROWS, import_rectification, problem, workbook
from tests.world import World


def test_a_file_with_mistakes_imports_nothing_and_names_each_cell(world: World) -> None:
    rows = [dict(r) for r in RECTIFICATION_ROWS]
    rows[0]["source"] = "中央督察"  # not a word of the vocabulary
    rows[1]["deadline"] = "2024-02-30"
    rows[2]["unit_id"] = "999999"
    with pytest.raises(InputTableError) as caught:
        read_ledger_file("rectification", "整改台账.xlsx", workbook("rectification", rows))
    problems = caught.value.problems
    where = {(p.line, p.column) for p in problems}
    assert (2, "问题来源 [source]") in where
    assert (3, "整改时限 [deadline]") in where
    assert (4, "单位代码 [unit_id]") in where
    assert all(p.file == "整改台账.xlsx" and p.sheet for p in problems)
    assert any("中央生态环境保护督察" in (p.expected or "") for p in problems)  # the vocabulary's words
    assert RectificationProblem.objects.count() == 0


def test_a_duplicate_key_and_a_web_only_column_with_a_bad_value_are_located(world: World) -> None:
    rows = [dict(RECTIFICATION_ROWS[0]), dict(RECTIFICATION_ROWS[0])]
    data = workbook("rectification", rows, extra={"信息公开 [_disclose]": ["是", "也许"]})
    with pytest.raises(InputTableError) as caught:
        read_ledger_file("rectification", "a.xlsx", data)
    where = {(p.line, p.column) for p in caught.value.problems}
    assert (3, "问题编号 [problem_id]") in where
    assert (3, "信息公开 [_disclose]") in where


def test_the_preview_says_what_changes_and_a_second_import_changes_only_that(world: World) -> None:
    import_rectification(world)
    rows = [dict(r) for r in RECTIFICATION_ROWS]
    rows[1]["completed_on"] = "2024-06-28"
    table = read_ledger_file("rectification", "b.xlsx", workbook("rectification", rows))
    plan = plan_import(table)
    assert [c.kind for c in plan] == ["same", "changed", "same"]
    assert plan[1].changes == [("完成整改日期", "2024-07-15", "2024-06-28")]
    changed = actions.check_import_register(table=table, acting_user=world.people["alice"])
    assert [c.row.key for c in changed] == ["P-A2"]
    assert problem("P-A2").completed_on == dt.date(2024, 6, 28)


def test_only_the_office_imports(world: World) -> None:
    from kaohe.assessments.actions import ActionError

    table = read_ledger_file("rectification", "a.xlsx", workbook("rectification", RECTIFICATION_ROWS))
    with pytest.raises(ActionError):
        actions.check_import_register(table=table, acting_user=world.people["fay"])


def test_the_export_reimports_unchanged_and_reads_in_the_pure_reader(world: World, tmp_path: Path) -> None:
    import_rectification(world)
    alice = world.people["alice"]
    p = problem("P-A1")
    table = read_ledger_file(
        "rectification",
        "c.xlsx",
        workbook(
            "rectification",
            RECTIFICATION_ROWS,
            extra={
                "包保领导 [_lead_leader]": ["张副市长", "", "'=HYPERLINK(1)"],
                "信息公开 [_disclose]": ["是", "否", ""],
            },
        ),
    )
    actions.check_import_register(table=table, acting_user=alice)
    assert problem("P-A1").lead_leader == "张副市长" and problem("P-A1").disclose is True
    assert problem("P-B1").lead_leader == "=HYPERLINK(1)"  # text stays text
    data = export_workbook("rectification", RectificationProblem.objects.order_by("problem_id"))
    again = read_ledger_file("rectification", "export.xlsx", data)
    assert [c.kind for c in plan_import(again)] == ["same", "same", "same"]
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    frame = read_register("rectification", path)  # the CLI reads the web's export: `_`-columns skipped
    assert frame.height == 3
    assert frame.filter(frame["problem_id"] == "P-A2")["deadline"].to_list() == [dt.date(2024, 6, 30)]
    assert p.pk == problem("P-A1").pk


@pytest.mark.parametrize("kind", ["complaints", "notices", "incidents"])
def test_every_register_round_trips(world: World, kind: str) -> None:
    rows = OTHER_ROWS[kind]
    table = read_ledger_file(kind, "in.xlsx", workbook(kind, [rows]))
    actions.check_import_register(table=table, acting_user=world.people["alice"])
    from kaohe.ledgers.models import MODELS

    data = export_workbook(kind, MODELS[kind]._default_manager.all())
    assert [c.kind for c in plan_import(read_ledger_file(kind, "out.xlsx", data))] == ["same"]
