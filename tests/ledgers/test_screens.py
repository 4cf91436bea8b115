"""The registers' screens: the office's import (preview, then all or nothing), the lists' scope and filters, the unit's
销号 application and the office's 验收, the 待办 warnings (通报预警) and the public page of disclosed rows."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.audit.models import AuditLog
from kaohe.ledgers.models import RectificationProblem
from tests.ledgers.helpers import RECTIFICATION_ROWS, import_rectification, problem, workbook
from tests.world import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data: bytes, name: str = "整改台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def test_the_office_previews_then_imports(world: World) -> None:
    client = world.client("alice")
    response = client.post(
        "/ledgers/rectification/import/", {"file": upload(workbook("rectification", RECTIFICATION_ROWS))}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "新增 3 条，修改 0 条" in text
    assert RectificationProblem.objects.count() == 0  # a preview writes nothing
    token = response.context["token"]
    response = client.post("/ledgers/rectification/import/apply/", {"token": token})
    assert response.status_code == 302
    assert RectificationProblem.objects.count() == 3
    assert AuditLog.objects.filter(action="ledger.import").count() == 3
    # the token is spent: a second confirmation imports nothing more
    response = client.post("/ledgers/rectification/import/apply/", {"token": token})
    assert AuditLog.objects.filter(action="ledger.import").count() == 3


def test_a_bad_file_lists_every_mistake_and_imports_nothing(world: World) -> None:
    rows = [dict(r) for r in RECTIFICATION_ROWS]
    rows[0]["source"] = "中央督察"
    rows[2]["completed_on"] = "明年"
    response = world.client("alice").post(
        "/ledgers/rectification/import/", {"file": upload(workbook("rectification", rows))}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "文件有误，没有导入任何记录" in text
    assert "问题来源 [source]" in text and "完成整改日期 [completed_on]" in text
    assert RectificationProblem.objects.count() == 0


def test_a_unit_sees_its_own_rows_only(world: World) -> None:
    import_rectification(world)
    text = world.client("fay").get("/ledgers/rectification/").content.decode()
    assert "P-A1" in text and "P-A2" in text and "P-B1" not in text
    assert world.client("fay").get(f"/ledgers/rectification/{problem('P-B1').pk}/").status_code == 403
    office = world.client("alice").get("/ledgers/rectification/").content.decode()
    assert "P-B1" in office
    filtered = world.client("alice").get("/ledgers/rectification/?unit=220200&state=closed").content.decode()
    assert "P-B1" in filtered and "P-A1" not in filtered
    by_year = world.client("alice").get("/ledgers/rectification/?year=2024&source=绿盾").content.decode()
    assert "P-A2" in by_year and "P-B1" not in by_year and "P-A1" not in by_year


@time_machine.travel(dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC))
def test_the_unit_applies_for_closure_and_the_office_accepts_on_the_screens(world: World) -> None:
    import_rectification(world)
    pk = problem("P-A1").pk
    fay, alice = world.client("fay"), world.client("alice")
    page = fay.get(f"/ledgers/rectification/{pk}/").content.decode()
    assert "申请销号" in page and "验收通过" not in page
    response = fay.post(
        f"/ledgers/rectification/{pk}/apply/",
        {"apply-completed_on": "2025-02-28", "apply-text": "管网改造完成，附竣工验收报告"},
    )
    assert response.status_code == 302
    assert problem("P-A1").state == RectificationProblem.State.APPLIED
    assert (
        fay.post(
            f"/ledgers/rectification/{pk}/accept/", {"accept-closed_on": "2025-03-01", "accept-text": "x"}
        ).status_code
        == 403
    )
    response = alice.post(
        f"/ledgers/rectification/{pk}/accept/", {"accept-closed_on": "2025-03-01", "accept-text": "现场核查属实"}
    )
    assert response.status_code == 302
    page = fay.get(f"/ledgers/rectification/{pk}/").content.decode()
    assert "已销号" in page and "现场核查属实" in page


def test_an_empty_step_form_answers_with_the_form_and_writes_nothing(world: World) -> None:
    import_rectification(world)
    before = AuditLog.objects.count()
    response = world.client("fay").post(f"/ledgers/rectification/{problem('P-A1').pk}/progress/", {})
    assert response.status_code == 400
    assert AuditLog.objects.count() == before


@time_machine.travel(dt.datetime(2024, 6, 10, 9, tzinfo=dt.UTC))
def test_overdue_and_due_soon_rows_are_warned_on_the_list_and_the_units_todo(world: World) -> None:
    rows = [dict(r) for r in RECTIFICATION_ROWS]
    rows[0]["deadline"] = "2024-05-31"  # P-A1 overdue on 2024-06-10
    rows[1]["completed_on"] = ""  # P-A2 due 2024-06-30: within 30 days
    import_rectification(world, rows)
    listing = world.client("alice").get("/ledgers/rectification/?state=overdue").content.decode()
    assert "P-A1" in listing and "P-A2" not in listing
    todo = world.client("fay").get("/todo/").content.decode()
    assert 'id="todo-ledgers"' in todo
    assert "逾期" in todo and "临期" in todo and "P-A1" in todo and "P-A2" in todo
    assert "P-A1" not in world.client("bob").get("/todo/").content.decode()
    office = world.client("alice").get("/todo/").content.decode()
    assert "逾期 1 条" in office and "临期 1 条" in office


def test_the_public_page_shows_only_rows_flagged_for_disclosure(world: World) -> None:
    from kaohe.ledgers import actions
    from kaohe.ledgers.imports import read_ledger_file

    data = workbook("rectification", RECTIFICATION_ROWS, extra={"信息公开 [_disclose]": ["是", "否", "否"]})
    table = read_ledger_file("rectification", "a.xlsx", data)
    actions.check_import_register(table=table, acting_user=world.people["alice"])
    text = world.client("anon").get("/ledgers/public/").content.decode()
    assert "城区污水管网雨污混流" in text  # P-A1, disclosed
    assert "自然保护区内违规采石" not in text and "P-B1" not in text


def test_the_export_downloads_the_rows_the_unit_sees(world: World) -> None:
    import_rectification(world)
    response = world.client("fay").get("/ledgers/rectification/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    from kaohe.ledgers.imports import read_ledger_file

    table = read_ledger_file("rectification", "x.xlsx", response.content)
    assert sorted(r["problem_id"] for r in table.rows) == ["P-A1", "P-A2"]
