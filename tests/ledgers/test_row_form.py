"""新增一行 / 修改 (the office's row form): one register row typed on a page, read by the same reader as a file
(``imports.parse_ledger_frame``: the same words, dates and keys are refused the same way), written by an audited
action (``ledger.edit``) with the reason for a change."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from kaohe.assessments.integrity import verify_all
from kaohe.audit.models import AuditLog
from kaohe.ledgers import actions
from kaohe.ledgers.imports import read_ledger_file
from kaohe.ledgers.models import MODELS, RectificationProblem
from tests.ledgers.helpers import FUTURE_DEADLINE, OTHER_ROWS, import_rectification, problem, workbook
from tests.world import World

NEW_PROBLEM = {
    "unit_id": "220200",
    "problem_id": "P-B2",
    "source": "省级督察",
    "level": "省",
    "listed_by_nation": "否",
    "description": "饮用水水源地保护区内违规建筑",
    "deadline": "2025-06-30",
    "completed_on": "",
    "closed_on": "",
}


@pytest.fixture
def ledger(world: World) -> World:
    import_rectification(world)
    return world


def form_data(page: Any) -> dict[str, Any]:
    """What the browser would send for the form as the page shows it."""
    form = page.context["form"]
    return {f.html_name: "" if f.value() is None else f.value() for f in form if not f.field.disabled}


def test_the_office_adds_a_row_that_is_audited_and_verifies_clean(ledger: World) -> None:
    office = ledger.client("alice")
    assert office.get("/ledgers/rectification/new/").status_code == 200
    response = office.post("/ledgers/rectification/new/", {**NEW_PROBLEM, "disclose": "否", "reason": ""})
    row = problem("P-B2")
    assert response.status_code == 302 and response["Location"] == f"/ledgers/rectification/{row.pk}/"
    assert (row.unit.code, row.source, row.deadline, row.state) == ("220200", "省级督察", dt.date(2025, 6, 30), "open")
    [entry] = AuditLog.objects.filter(action="ledger.edit")
    assert entry.old_value == "" and entry.reason == "新增" and entry.actor == ledger.people["alice"]
    new = json.loads(entry.new_value)
    assert new["problem_id"] == "P-B2" and new["deadline"] == "2025-06-30"
    report = verify_all()
    assert report.ok, report.problems[:5]


def test_a_new_row_whose_key_is_taken_is_refused_and_nothing_changes(ledger: World) -> None:
    before = AuditLog.objects.count()
    data = {**NEW_PROBLEM, "problem_id": "P-A1", "unit_id": "220100", "disclose": "否", "reason": ""}
    response = ledger.client("alice").post("/ledgers/rectification/new/", data)
    assert response.status_code == 400
    assert "督察整改台账中已有「P-A1」：请打开该行修改" in response.content.decode()
    assert problem("P-A1").description == "城区污水管网雨污混流" and AuditLog.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("deadline", "2025-02-30", "整改时限"),  # no 30 February: the reader's date check
        ("source", "群众举报", "问题来源"),  # not one of the register's words (a tampered form)
        ("unit_id", "999999", "单位"),  # not a unit of the system
    ],
)
def test_a_mistake_is_shown_on_its_field_and_nothing_is_written(
    ledger: World, field: str, value: str, words: str
) -> None:
    before = AuditLog.objects.count()
    response = ledger.client("alice").post(
        "/ledgers/rectification/new/", {**NEW_PROBLEM, field: value, "disclose": "否", "reason": ""}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert not RectificationProblem.objects.filter(problem_id="P-B2").exists()
    assert AuditLog.objects.count() == before
    assert words in response.content.decode()


def test_a_change_needs_a_reason_and_is_audited_with_it(ledger: World) -> None:
    office = ledger.client("alice")
    row = problem("P-A1")
    url = f"/ledgers/rectification/{row.pk}/edit/"
    page = office.get(url)
    assert page.status_code == 200
    data = form_data(page)
    assert data["deadline"] == FUTURE_DEADLINE.isoformat() and data["unit_id"] == "220100"
    data["description"] = "城区污水管网雨污混流（含老城区）"
    refused = office.post(url, {**data, "reason": ""})
    assert refused.status_code == 400 and "reason" in refused.context["form"].errors
    assert problem("P-A1").description == "城区污水管网雨污混流"
    response = office.post(url, {**data, "reason": "督察组补充说明问题范围", "problem_id": "P-A9"})
    assert response.status_code == 302
    changed = problem("P-A1")  # the key is not taken from the form: the same row is changed
    assert changed.description == "城区污水管网雨污混流（含老城区）"
    assert not RectificationProblem.objects.filter(problem_id="P-A9").exists()
    [entry] = AuditLog.objects.filter(action="ledger.edit")
    assert entry.reason == "督察组补充说明问题范围"
    old, new = json.loads(entry.old_value), json.loads(entry.new_value)
    assert (old["description"], new["description"]) == ("城区污水管网雨污混流", changed.description)
    assert verify_all().ok


def test_line_breaks_as_a_browser_sends_them_are_no_change(ledger: World) -> None:
    # a stored description of two lines; the browser sends the text box back with CRLF
    office = ledger.client("alice")
    row = problem("P-A1")
    RectificationProblem.objects.filter(pk=row.pk).update(description="第一行\n第二行")
    ledger_edit = f"/ledgers/rectification/{row.pk}/edit/"
    data = {**form_data(office.get(ledger_edit)), "description": "第一行\r\n第二行", "reason": "核对"}
    response = office.post(ledger_edit, data, follow=True)
    assert "没有修改任何内容" in response.content.decode()
    assert problem("P-A1").description == "第一行\n第二行"
    assert not AuditLog.objects.filter(action="ledger.edit").exists()


def test_a_form_saved_unchanged_writes_nothing(ledger: World) -> None:
    office = ledger.client("alice")
    row = problem("P-A2")
    page = office.get(f"/ledgers/rectification/{row.pk}/edit/")
    response = office.post(f"/ledgers/rectification/{row.pk}/edit/", {**form_data(page), "reason": "核对"}, follow=True)
    assert "没有修改任何内容" in response.content.decode()
    assert not AuditLog.objects.filter(action="ledger.edit").exists()


@pytest.mark.parametrize("kind", ["rectification", "complaints", "notices", "incidents"])
def test_every_registers_form_shows_a_row_as_it_is(ledger: World, kind: str) -> None:
    # each register's form, filled from a row and sent back as shown, reads back as the same row: its fields say
    # every column the way the reader takes it (words, dates, 是/否, web-only fields)
    if kind != "rectification":
        table = read_ledger_file(kind, "in.xlsx", workbook(kind, [OTHER_ROWS[kind]]))
        actions.check_import_register(table=table, acting_user=ledger.people["alice"])
    row = MODELS[kind]._default_manager.order_by("pk").first()
    assert row is not None
    office = ledger.client("alice")
    page = office.get(f"/ledgers/{kind}/{row.pk}/edit/")
    assert page.status_code == 200
    response = office.post(f"/ledgers/{kind}/{row.pk}/edit/", {**form_data(page), "reason": "核对"})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert not AuditLog.objects.filter(action="ledger.edit").exists()


def test_only_the_office_adds_or_changes_rows(ledger: World) -> None:
    row = problem("P-A1")
    for who in ("fay", "hank", "vera", "linda"):
        client = ledger.client(who)
        assert client.get("/ledgers/rectification/new/").status_code == 403
        assert client.post("/ledgers/rectification/new/", {**NEW_PROBLEM, "disclose": "否"}).status_code == 403
        assert client.get(f"/ledgers/rectification/{row.pk}/edit/").status_code == 403
    assert not RectificationProblem.objects.filter(problem_id="P-B2").exists()
