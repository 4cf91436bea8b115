"""The self-evaluation workbook round trip (download, fill offline, upload, preview, apply all or nothing) and the
cycle's results workbook. People and units are the conftest's: fay fills 甲市 (A), hank is its head."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from kaohe.assessments import actions
from kaohe.audit.actions import verify_chain
from kaohe.audit.models import AuditLog
from kaohe.reports import excel
from kaohe.reports.forms import SheetUploadForm
from kaohe.reports.views import XLSX
from tests.world import GOOD_VALUES, World

# Indicator order of the test scheme: base items first, then the bonus and the deduction item.
A_ITEMS = ["1", "2", "3", "B1", "D1"]


def download(world: World, who: str = "fay", unit: str = "A") -> Any:
    response = world.client(who).get(reverse("reports:sheet_download", args=[world.assessment(unit).pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def column(ws: Worksheet, header: str) -> int:
    return next(int(c.column) for c in ws[1] if c.value == header)  # openpyxl is untyped


def row_of(ws: Worksheet, indicator_id: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == indicator_id)


def put(ws: Worksheet, indicator_id: str, header: str, value: Any) -> None:
    ws.cell(row=row_of(ws, indicator_id), column=column(ws, header), value=value)


def as_upload(wb: Any, name: str = "甲市自评.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(world: World, wb: Any, who: str = "fay") -> Any:
    client = world.client(who)
    url = reverse("reports:sheet_upload", args=[world.assessment("A").pk])
    return client.post(url, {"file": as_upload(wb)})


def apply(world: World, preview: Any, who: str = "fay", client: Client | None = None) -> Any:
    token = preview.context["apply_form"].initial["token"]
    client = client or world.client(who)
    return client.post(reverse("reports:sheet_apply", args=[world.assessment("A").pk]), {"token": token})


def values_of(world: World) -> dict[str, dict[str, Any]]:
    return {item.indicator_id: item.values for item in world.assessment("A").items.all()}


# ------------------------------------------------------------------------------------------------ the sheet
def test_it_writes_one_row_per_item_in_scheme_order(world: World) -> None:
    ws = download(world)[excel.SHEET]
    # Every item of the test scheme reads one input, so one input pair.
    assert [c.value for c in ws[1]] == [
        "指标编号",
        "指标名称",
        "牵头单位",
        "版本",
        "输入项1",
        "填报值1",
        "自评得分",
        "自评说明",
    ]
    assert [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)] == A_ITEMS
    r = row_of(ws, "2")
    assert ws.cell(row=r, column=2).value == "空气质量"
    assert ws.cell(row=r, column=3).value == "生态环境局"
    assert ws.cell(row=r, column=5).value == "优良天数比例（%）[good_days]"
    assert ws.cell(row=r, column=6).value is None  # not filled yet


def test_it_locks_the_id_columns_and_unlocks_the_inputs(world: World) -> None:
    ws = download(world)[excel.SHEET]
    assert ws.protection.sheet
    r = row_of(ws, "1")
    locked = {ws.cell(row=r, column=c).protection.locked for c in range(1, 6)}
    unlocked = {ws.cell(row=r, column=c).protection.locked for c in range(6, 9)}
    assert locked == {True} and unlocked == {False}


def test_it_validates_ranges_from_the_scheme(world: World) -> None:
    ws = download(world)[excel.SHEET]
    by_cell = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_cell[rng.coord] = dv
    months = by_cell[f"F{row_of(ws, '1')}"]  # water_months: integer 0–120
    assert (months.type, months.formula1, months.formula2) == ("whole", "0", "120")
    days = by_cell[f"F{row_of(ws, '2')}"]  # good_days: number 0–100 %
    assert (days.type, days.formula1, days.formula2) == ("decimal", "0", "100")
    tasks = by_cell[f"F{row_of(ws, '3')}"]  # tasks_done: boolean
    assert (tasks.type, tasks.formula1) == ("list", '"是,否"')


def test_it_shows_current_values_in_the_sheet(world: World) -> None:
    world.fill("A")
    ws = download(world)[excel.SHEET]
    assert ws.cell(row=row_of(ws, "2"), column=6).value == GOOD_VALUES["good_days"]
    assert ws.cell(row=row_of(ws, "3"), column=6).value == "是"
    assert ws.cell(row=row_of(ws, "1"), column=4).value == world.item("A", "1").version


def test_the_unit_next_door_cannot_download_it(world: World) -> None:
    response = world.client("bob").get(reverse("reports:sheet_download", args=[world.assessment("A").pk]))
    assert response.status_code == 403


# ------------------------------------------------------------------------------------------------ upload and apply
def filled_sheet(world: World) -> Any:
    wb = download(world)
    ws = wb[excel.SHEET]
    put(ws, "1", "填报值1", 2)
    put(ws, "2", "填报值1", 88.5)
    put(ws, "3", "填报值1", "是")
    put(ws, "B1", "填报值1", 1)
    put(ws, "D1", "填报值1", 0)
    put(ws, "2", "自评得分", 40)
    put(ws, "2", "自评说明", "全年优良天数比例 88.5%")
    return wb


def test_it_previews_every_change_without_applying_it(world: World) -> None:
    before = values_of(world)
    response = upload(world, filled_sheet(world))
    assert response.status_code == 200
    changes = response.context["changes"]
    assert [c.indicator_id for c in changes] == A_ITEMS
    diffs = {(c.indicator_id, d.field): (d.old, d.new) for c in changes for d in c.diffs}
    assert diffs[("1", "断面不达标月数")] == ("—", "2")
    assert diffs[("2", "优良天数比例")] == ("—", "88.5")
    assert diffs[("2", "自评得分")] == ("—", "40.00")
    assert diffs[("2", "自评说明")] == ("—", "全年优良天数比例 88.5%")
    assert diffs[("3", "重点任务完成")] == ("—", "是")
    assert "88.5" in response.content.decode()
    assert values_of(world) == before  # nothing written by the preview


def test_it_applies_all_changes_through_the_audited_action(world: World) -> None:
    preview = upload(world, filled_sheet(world))
    seq_before = AuditLog.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = apply(world, preview)
    assert response.status_code == 302
    assert values_of(world) == {
        "1": {"water_months": 2},
        "2": {"good_days": 88.5},
        "3": {"tasks_done": True},
        "B1": {"awards": 1},
        "D1": {"incidents": 0},
    }
    item = world.item("A", "2")
    assert (item.self_score, item.explanation) == (Decimal("40.00"), "全年优良天数比例 88.5%")
    entries = list(AuditLog.objects.filter(seq__gt=seq_before).order_by("seq"))
    saves = [e for e in entries if e.action == "self_evaluation.save"]
    assert sorted(e.what for e in saves) == sorted(A_ITEMS)
    assert all(e.actor_name == "fay" for e in entries)
    assert entries[-1].action == "self_evaluation.import" and "甲市自评.xlsx" in entries[-1].what
    assert verify_chain().ok


def test_it_reports_an_unchanged_sheet_as_no_change(world: World) -> None:
    world.fill("A")
    response = upload(world, download(world))
    assert response.status_code == 200
    assert response.context["changes"] == []


def test_it_names_sheet_row_column_and_expectation_and_applies_nothing(world: World) -> None:
    world.fill("A")
    before = values_of(world)
    wb = download(world)
    ws = wb[excel.SHEET]
    put(ws, "3", "填报值1", "也许")  # not 是/否
    put(ws, "2", "填报值1", 120)  # above the declared max of 100
    put(ws, "1", "填报值1", 1.5)  # not an integer
    put(ws, "2", "自评得分", "四十")
    response = upload(world, wb)
    assert response.status_code == 400
    errors = [str(e) for e in response.context["errors"]]
    assert errors == [
        f"工作表「自评表」 第 {row_of(ws, '1')} 行 F 列（断面不达标月数）："
        "“1.5” 不是有效值，应为整数 (1.5 is not valid; expected a whole number)",
        f"工作表「自评表」 第 {row_of(ws, '2')} 行 F 列（优良天数比例）："
        "120 超出范围，应为 0–100 % 的数值 (120 is out of range; expected a number in [0, 100] %)",
        f"工作表「自评表」 第 {row_of(ws, '2')} 行 G 列（自评得分）：应为数字，不是“四十”",
        f"工作表「自评表」 第 {row_of(ws, '3')} 行 F 列（重点任务完成）："
        "“也许” 不是有效值，应为是或否 ('也许' is not valid; expected 是/否 (yes/no, true/false, 1/0))",
    ]
    assert "apply_form" not in response.context
    assert values_of(world) == before


def test_it_refuses_edited_locked_columns(world: World) -> None:
    wb = download(world)
    ws = wb[excel.SHEET]
    put(ws, "2", "指标编号", "9")
    put(ws, "3", "输入项1", "别的输入项")
    response = upload(world, wb)
    assert response.status_code == 400
    errors = [str(e) for e in response.context["errors"]]
    assert errors[0].startswith(f"工作表「自评表」 第 {row_of(ws, '9')} 行 A 列（指标编号）：“9”不是本单位的自评指标")
    assert errors[1].startswith(
        f"工作表「自评表」 第 {row_of(ws, '3')} 行 E 列（输入项1）：应为“重点任务完成 [tasks_done]”"
    )


def test_it_refuses_another_units_sheet(world: World) -> None:
    wb = download(world, who="bob", unit="B")
    response = upload(world, wb)
    assert response.status_code == 400
    assert "220200" in str(response.context["errors"][0]) and "甲市" in str(response.context["errors"][0])


def test_it_refuses_a_file_that_is_not_a_workbook(world: World) -> None:
    client = world.client("fay")
    url = reverse("reports:sheet_upload", args=[world.assessment("A").pk])
    response = client.post(url, {"file": SimpleUploadedFile("自评.xlsx", b"not a zip")})
    assert response.status_code == 400
    assert "无法读取文件" in str(response.context["errors"][0])


def test_an_oversized_sheet_is_refused_before_it_is_read(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel, "MAX_UPLOAD_BYTES", 1024)
    form = SheetUploadForm(files=MultiValueDict({"file": [SimpleUploadedFile("自评.xlsx", b"PK" + b"\x00" * 2048)]}))
    assert not form.is_valid() and "文件过大" in str(form.errors["file"])


def test_a_sheet_that_inflates_far_beyond_its_size_is_refused_unread(world: World) -> None:
    # A genuine sheet, plus 80 MB of blanks that deflate to about 80 KB: under the 5 MB upload limit, far over
    # the 64 MB a sheet may unpack to. Nothing is applied and nobody waits for openpyxl to parse it.
    buffer = io.BytesIO()
    filled_sheet(world).save(buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.xml", b" " * (80 * 1024 * 1024))
    assert len(buffer.getvalue()) < excel.MAX_UPLOAD_BYTES
    url = reverse("reports:sheet_upload", args=[world.assessment("A").pk])
    response = world.client("fay").post(url, {"file": SimpleUploadedFile("自评.xlsx", buffer.getvalue())})
    assert "文件解压后过大" in response.content.decode()
    assert world.item("A", "1").values["water_months"] is None


def test_it_refuses_rows_changed_on_the_server_since_download(world: World) -> None:
    wb = filled_sheet(world)
    item = world.item("A", "2")
    actions.check_save_self_evaluation(
        item=item,
        raw_values={"good_days": 70},
        self_score=None,
        explanation="",
        version=item.version,
        acting_user=world.people["hank"],
    )
    response = upload(world, wb)
    assert response.status_code == 400
    errors = [str(e) for e in response.context["errors"]]
    row = row_of(wb[excel.SHEET], "2")
    assert len(errors) == 1 and f"第 {row} 行 D 列（版本）" in errors[0] and "表中第 1 版，系统中第 2 版" in errors[0]


def test_it_applies_nothing_when_someone_saves_between_preview_and_apply(world: World) -> None:
    preview = upload(world, filled_sheet(world))
    item = world.item("A", "D1")  # the last item: every earlier one would already have been saved
    actions.check_save_self_evaluation(
        item=item,
        raw_values={"incidents": 3},
        self_score=None,
        explanation="",
        version=item.version,
        acting_user=world.people["hank"],
    )
    before = values_of(world)
    imports = AuditLog.objects.filter(action="self_evaluation.import").count()
    response = apply(world, preview)
    assert response.status_code == 409
    assert "没有导入任何改动" in response.context["apply_error"]
    assert values_of(world) == before
    assert AuditLog.objects.filter(action="self_evaluation.import").count() == imports
    assert verify_chain().ok


def test_it_refuses_a_tampered_preview(world: World) -> None:
    preview = upload(world, filled_sheet(world))
    token = preview.context["apply_form"].initial["token"]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = world.client("fay").post(
        reverse("reports:sheet_apply", args=[world.assessment("A").pk]), {"token": forged}
    )
    assert response.status_code == 400
    assert values_of(world)["2"] == {"good_days": None}


def test_a_preview_belongs_to_the_person_who_uploaded(world: World) -> None:
    preview = upload(world, filled_sheet(world))
    response = apply(world, preview, who="hank")
    assert response.status_code == 400
    assert values_of(world)["2"] == {"good_days": None}


def test_it_refuses_uploads_after_submission(world: World) -> None:
    wb = filled_sheet(world)
    world.fill("A")
    world.submit("A")
    assert upload(world, wb).status_code == 403


# ------------------------------------------------------------------------------------------------ results workbook
@pytest.fixture
def evaluated(world: World) -> World:
    """Every unit verified as reported and the cycle evaluated. 乙市 reports three bad months, so (test scheme):
    甲市 40−5 + 40 + 20 + 2 (one award) = 97 优秀, 乙市 40−15 + 40 + 20 + 2 = 87 良好, 丙县 (no indicator 3) 77 合格."""
    world.fill("A")
    world.fill("B", {**GOOD_VALUES, "water_months": 3})
    world.fill("C")
    for unit in ("A", "B", "C"):
        world.submit(unit)
        world.verify_all(unit)
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    return world


def test_it_exports_the_results_workbook_per_sequence(evaluated: World) -> None:
    response = evaluated.client("alice").get(reverse("reports:results_export", args=[evaluated.cycle.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["市", "县", "一票否决与政务失信", "指标得分", "加扣分明细", "审计校验码"]
    assert [r[0] for r in wb["一票否决与政务失信"].iter_rows(min_row=2, values_only=True)] == [
        "本周期无一票否决或纳入政务失信记录的单位"
    ]
    city = [(r[0], r[2]) for r in wb["市"].iter_rows(min_row=2, values_only=True)]
    assert city == [(1, "甲市"), (2, "乙市")]
    header = [c.value for c in wb["市"][1]]
    totals = {
        row[2]: (row[header.index("总分")], row[header.index("等级")])
        for row in wb["市"].iter_rows(min_row=2, values_only=True)
    }
    assert totals == {"甲市": (97, "优秀"), "乙市": (87, "良好")}
    county = list(wb["县"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[header.index("总分") - 1]) for r in county] == [("丙县", 77)]  # one indicator column fewer
    reasons = {(r[0], r[1]): r[3] for r in wb["加扣分明细"].iter_rows(min_row=2, values_only=True)}
    assert reasons[("220100", "1")] == -5  # one month × 5 points
    assert reasons[("220200", "1")] == -15
    assert reasons[("220100", "B1")] == 2


def test_only_office_and_approver_export_results(evaluated: World) -> None:
    url = reverse("reports:results_export", args=[evaluated.cycle.pk])
    got = {who: evaluated.client(who).get(url).status_code for who in ("anon", "alice", "linda", "fay", "vera")}
    assert got == {"anon": 302, "alice": 200, "linda": 200, "fay": 403, "vera": 403}


def test_the_sheet_validates_with_the_cores_words(world: World) -> None:
    # One home for an input's Excel validation (issue 9 §1): the sheet's rules are kaohe.core.values.data_validation's.
    # web_scheme.yaml: water_months an integer 0–120 (no unit), good_days a number 0–100 %, tasks_done yes/no.
    ws = download(world)[excel.SHEET]
    rules = {(dv.error, dv.prompt) for dv in ws.data_validations.dataValidation}
    assert ("断面不达标月数应为 0–120 的整数", "0–120 的整数") in rules
    assert ("优良天数比例应为 0–100 % 的数值", "0–100 % 的数值") in rules
    assert ("重点任务完成应为 是 或 否", "是 或 否") in rules
