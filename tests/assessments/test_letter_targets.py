"""Targets (目标值) of the 目标责任书 without typing them unit by unit (issue 10 §3, second and third bullets): the
Excel template and its import (all rows or none, located errors, issued letters refused), 从上一年度复制目标 (inputs
the scheme still has, unissued letters only, what was left out listed) and 以此为基础新建 (year + 1, same scheme and
units, deadlines a year later, targets copied as drafts). Only the office may do any of it; every letter written has
its audit entry and the log replays clean."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kaohe.assessments import actions, letter_targets
from kaohe.assessments.integrity import verify_all
from kaohe.assessments.models import Cycle, ResponsibilityLetter
from kaohe.audit.models import AuditLog
from kaohe.core.exceptions import InputTableError
from tests.world import SCHEME_YAML, World

TARGET = "优良天数比例目标 (%) [good_days_target]"  # values.label: name (unit) [id]
# The same scheme id with one more target input, as an earlier year's scheme that later dropped it.
EXTRA_YAML = SCHEME_YAML.replace(
    "  - {id: good_days_target,",
    "  - {id: dust_target, name: 降尘量目标, unit: 吨, min: 0, max: 100, target: true}\n  - {id: good_days_target,",
)


def open_cycle(world: World, year: int, yaml: str = SCHEME_YAML, units: str = "ABC", **deadlines: Any) -> Cycle:
    return actions.check_open_cycle(
        name=f"{year}年度考核",
        year=year,
        scheme_id="",
        units=[world.units[u] for u in units],
        scheme_file=ContentFile(yaml.encode(), name="web_scheme.yaml"),
        acting_user=world.people["alice"],
        **deadlines,
    )


def letter(cycle: Cycle, world: World, unit: str) -> ResponsibilityLetter:
    return ResponsibilityLetter.objects.get(cycle=cycle, unit=world.units[unit])


def workbook(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "目标值"
    ws.append(header or ["单位代码 [unit_id]", "单位名称 [unit_name]", TARGET])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(
    world: World, cycle: Cycle, data: bytes, name: str = "targets.xlsx", who: str = "alice", **extra: Any
) -> Any:
    return world.client(who).post(
        f"/cycles/{cycle.pk}/letters/import/", {"file": SimpleUploadedFile(name, data), **extra}, follow=True
    )


def draft_entries(cycle: Cycle) -> list[AuditLog]:
    ids = [str(pk) for pk in cycle.letters.values_list("pk", flat=True)]
    return list(AuditLog.objects.filter(action="letter.draft", object_id__in=ids).order_by("seq"))


# ------------------------------------------------------------------------------------------------ template
def test_the_template_has_a_row_per_unit_labelled_columns_and_validation(world: World) -> None:
    response = world.client("alice").get(f"/cycles/{world.cycle.pk}/letters/template/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["目标值"]
    assert wb.sheetnames[0] == "目标值"
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["单位代码 [unit_id]", "单位名称 [unit_name]", TARGET]
    # the world's letters were issued with 85 for every unit, ordered by code
    assert rows[1:] == [["220100", "甲市", 85], ["220200", "乙市", 85], ["220281", "丙县", 85]]
    [dv] = ws.data_validations.dataValidation
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", "100")
    assert str(dv.sqref) == "C2:C4"


# ------------------------------------------------------------------------------------------------ import
def test_a_good_import_sets_the_targets_as_drafts_with_audit_entries(world: World) -> None:
    cycle = open_cycle(world, 2025)
    data = workbook([["220100", "甲市", 88], ["220200", "乙市", "90%"], ["220281", "丙县", None]])
    page = upload(world, cycle, data).content.decode()
    assert "已导入 2 个单位的目标值：甲市、乙市" in page
    assert letter(cycle, world, "A").targets == {"good_days_target": 88}
    assert letter(cycle, world, "B").targets == {"good_days_target": 90}  # 90% of a % input is 90
    assert letter(cycle, world, "C").targets == {}  # an empty cell changes nothing
    assert not cycle.letters.filter(issued_at__isnull=False).exists()  # drafts: 下达 is still the office's step
    assert "草稿（未下达）" in world.client("alice").get(f"/cycles/{cycle.pk}/letters/").content.decode()
    entries = draft_entries(cycle)
    assert [(e.what, json.loads(e.new_value), e.reason) for e in entries] == [
        ("220100", {"good_days_target": 88}, "导入 targets.xlsx"),
        ("220200", {"good_days_target": 90}, "导入 targets.xlsx"),
    ]
    assert entries[0].actor == world.people["alice"] and json.loads(entries[0].old_value) == {}
    # the same file again changes nothing and writes nothing
    upload(world, cycle, data)
    assert len(draft_entries(cycle)) == 2
    report = verify_all()
    assert report.ok, report.problems[:5]


def test_an_import_may_issue_the_letters(world: World) -> None:
    cycle = open_cycle(world, 2025)
    upload(world, cycle, workbook([["220100", "甲市", 70]]), issue="on")
    a = letter(cycle, world, "A")
    assert a.targets == {"good_days_target": 70} and a.issued_at is not None
    assert letter(cycle, world, "B").issued_at is None  # not in the file
    assert AuditLog.objects.filter(action="letter.issue", object_id=str(a.pk)).count() == 1
    assert verify_all().ok


def test_a_bad_import_applies_nothing_and_locates_every_mistake(world: World) -> None:
    cycle = open_cycle(world, 2025)
    data = workbook(
        [
            ["220100", "甲市", "八十"],  # row 2: text in a number cell
            ["220200", "乙市", 120],  # row 3: above the input's 100
            ["220281", "丙县", 80],  # row 4: good
            ["220200", "乙市", 81],  # row 5: 乙市 a second time
            ["999999", "无名市", 82],  # row 6: not a unit of the cycle
        ]
    )
    response = upload(world, cycle, data, name="目标值.xlsx")
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件有误，没有导入任何内容：目标值.xlsx" in page
    errors = _errors(page)
    assert any(
        e.startswith(f"工作表「目标值」 第 2 行 {TARGET} 列：") and "“八十” 不是有效值，应为数字" in e for e in errors
    ), errors
    assert any(e.startswith(f"工作表「目标值」 第 3 行 {TARGET} 列：") and "120" in e for e in errors), errors
    assert any(e.startswith("工作表「目标值」 第 5 行 单位代码 [unit_id] 列：") and "220200" in e for e in errors), (
        errors
    )
    assert any(e.startswith("工作表「目标值」 第 6 行 单位代码 [unit_id] 列：单位 999999 不在本周期") for e in errors)
    assert not any("第 4 行" in e for e in errors)
    assert all(letter.targets == {} for letter in cycle.letters.all())
    assert draft_entries(cycle) == []


def test_a_column_that_is_no_target_is_refused(world: World) -> None:
    cycle = open_cycle(world, 2025)
    data = workbook([["220100", "甲市", 80, 5]], ["单位代码 [unit_id]", "单位名称 [unit_name]", TARGET, "good_days"])
    with pytest.raises(InputTableError) as caught:
        letter_targets.check_import_letter_targets(
            cycle=cycle, name="t.xlsx", data=data, acting_user=world.people["alice"]
        )
    [problem] = caught.value.problems
    assert (problem.file, problem.sheet, problem.column) == ("t.xlsx", "目标值", "good_days")
    assert letter(cycle, world, "A").targets == {}


def test_an_issued_letter_refuses_the_whole_file_naming_the_unit(world: World) -> None:
    cycle = open_cycle(world, 2025)
    actions.check_issue_letter(
        letter=letter(cycle, world, "C"), raw={"good_days_target": "85"}, acting_user=world.people["alice"]
    )
    # 甲市 is a draft and would be fine; 丙县 keeps its issued 85 (no change is no refusal), 乙市 is issued below
    actions.check_issue_letter(
        letter=letter(cycle, world, "B"), raw={"good_days_target": "85"}, acting_user=world.people["alice"]
    )
    data = workbook([["220100", "甲市", 80], ["220200", "乙市", 70], ["220281", "丙县", 85]])
    response = upload(world, cycle, data)
    assert response.status_code == 400
    errors = _errors(response.content.decode())
    assert errors == [
        "工作表「目标值」 第 3 行 单位代码 [unit_id] 列：乙市（220200）的目标责任书已经下达（签发），不能通过导入修改"
    ]
    assert letter(cycle, world, "A").targets == {}
    assert letter(cycle, world, "B").targets == {"good_days_target": 85}


# ------------------------------------------------------------------------------------------------ last year's
def test_copy_from_last_year_takes_the_inputs_that_still_exist_into_unissued_letters(world: World) -> None:
    office = world.people["alice"]
    before = open_cycle(world, 2026, EXTRA_YAML)  # later than the world's 2024: the one copied from
    actions.check_issue_letter(
        letter=letter(before, world, "A"), raw={"good_days_target": "80", "dust_target": "7"}, acting_user=office
    )
    actions.check_issue_letter(letter=letter(before, world, "B"), raw={"good_days_target": "82"}, acting_user=office)
    cycle = open_cycle(world, 2027)  # the scheme without 降尘量目标
    actions.check_issue_letter(letter=letter(cycle, world, "B"), raw={"good_days_target": "90"}, acting_user=office)
    response = world.client("alice").post(f"/cycles/{cycle.pk}/letters/copy/")
    page = response.content.decode()
    assert "已从2026年度考核复制 1 个单位的目标值（草稿，尚未下达）" in page
    assert letter(cycle, world, "A").targets == {"good_days_target": 80}
    assert letter(cycle, world, "A").issued_at is None
    assert letter(cycle, world, "B").targets == {"good_days_target": 90}  # issued: left alone
    assert letter(cycle, world, "C").targets == {}
    report = letter_targets.check_copy_letter_targets(cycle=cycle, acting_user=office)  # again: nothing new
    assert report.copied == []
    assert report.not_copied == [
        "乙市：本周期的目标责任书已经下达，未覆盖",
        "降尘量目标 [dust_target]：本周期的考核方案已没有该目标值（甲市）",
        "优良天数比例目标：2026年度考核没有目标值（丙县）",
    ]
    for line in report.not_copied:
        assert line in page
    [entry] = draft_entries(cycle)
    assert (entry.what, json.loads(entry.old_value), json.loads(entry.new_value), entry.reason) == (
        "220100",
        {},
        {"good_days_target": 80},
        "从2026年度考核复制",
    )
    assert verify_all().ok


def test_copy_needs_an_earlier_cycle_of_the_same_scheme(world: World) -> None:
    with pytest.raises(actions.ActionError, match="没有同一考核方案"):
        letter_targets.check_copy_letter_targets(cycle=world.cycle, acting_user=world.people["alice"])


def test_a_unit_the_earlier_cycle_did_not_assess_is_listed(world: World) -> None:
    before = open_cycle(world, 2026, units="AB")
    cycle = open_cycle(world, 2027)
    report = letter_targets.do_copy_letter_targets(cycle=cycle, source=before, acting_user=world.people["alice"])
    assert "丙县：2026年度考核没有该单位的目标责任书" in report.not_copied


# ------------------------------------------------------------------------------------------------ a new cycle
def test_a_new_cycle_from_last_year_is_prefilled_and_gets_the_targets_as_drafts(world: World) -> None:
    base = open_cycle(
        world,
        2024,
        units="AB",
        self_evaluation_deadline=dt.date(2024, 2, 29),
        verification_deadline=dt.date(2024, 3, 15),
        evaluation_deadline=dt.date(2024, 4, 1),
    )
    office = world.people["alice"]
    actions.check_issue_letter(letter=letter(base, world, "A"), raw={"good_days_target": "77"}, acting_user=office)
    client = world.client("alice")
    assert f"/cycles/new/?from={base.pk}" in client.get("/cycles/").content.decode()
    response = client.get(f"/cycles/new/?from={base.pk}")
    initial = response.context["form"].initial
    assert initial["name"] == "2025年度考核" and initial["year"] == 2025
    assert sorted(initial["units"]) == sorted([world.units["A"].pk, world.units["B"].pk])
    # each deadline a year later; 29 February becomes the last day of February
    assert (initial["self_evaluation_deadline"], initial["verification_deadline"], initial["evaluation_deadline"]) == (
        dt.date(2025, 2, 28),
        dt.date(2025, 3, 15),
        dt.date(2025, 4, 1),
    )
    page = response.content.decode()
    assert 'value="2025-02-28"' in page and "以“2024年度考核”为基础" in page
    data = {k: ("" if v is None else v) for k, v in initial.items() if k != "units"}
    data["units"] = initial["units"]
    response = client.post("/cycles/new/", data, follow=True)
    new = Cycle.objects.get(year=2025)
    assert response.redirect_chain[-1][0] == f"/cycles/{new.pk}/letters/"
    assert new.scheme_id == "web-test" and new.scheme_file  # the base's uploaded scheme, reused
    assert set(new.assessments.values_list("unit__code", flat=True)) == {"220100", "220200"}
    assert letter(new, world, "A").targets == {"good_days_target": 77}
    assert not new.letters.filter(issued_at__isnull=False).exists()
    assert [e.what for e in draft_entries(new)] == ["220100"]
    assert verify_all().ok


def test_a_new_cycle_from_last_year_keeps_the_deadline_check(world: World) -> None:
    data = {"name": "2025年度考核", "year": 2025, "base": world.cycle.pk, "units": [world.units["A"].pk]}
    data |= {"self_evaluation_deadline": "2025-03-01", "verification_deadline": "2025-02-01"}
    response = world.client("alice").post("/cycles/new/", data)
    assert response.status_code == 200 and "早于自评截止" in response.content.decode()
    assert not Cycle.objects.filter(year=2025).exists()
    with pytest.raises(actions.ActionError, match="早于自评截止"):
        letter_targets.check_open_cycle_from(
            base=world.cycle,
            acting_user=world.people["alice"],
            name="x",
            year=2025,
            scheme_id="",
            scheme_file=None,
            units=[world.units["A"]],
            self_evaluation_deadline=dt.date(2025, 3, 1),
            verification_deadline=dt.date(2025, 2, 1),
        )
    assert not Cycle.objects.filter(year=2025).exists()


# ------------------------------------------------------------------------------------------------ permissions
@pytest.mark.parametrize("who", ["linda", "fay", "hank", "vera"])
def test_only_the_office_imports_or_copies_targets(world: World, who: str) -> None:
    cycle = open_cycle(world, 2025)
    client = world.client(who)
    assert client.get(f"/cycles/{cycle.pk}/letters/template/").status_code == 403
    assert upload(world, cycle, workbook([["220100", "甲市", 80]]), who=who).status_code == 403
    assert client.post(f"/cycles/{cycle.pk}/letters/copy/").status_code == 403
    assert client.get(f"/cycles/new/?from={cycle.pk}").status_code == 403
    with pytest.raises(actions.ActionError):
        letter_targets.check_copy_letter_targets(cycle=cycle, acting_user=world.people[who])
    with pytest.raises(actions.ActionError):
        letter_targets.check_import_letter_targets(
            cycle=cycle, name="t.xlsx", data=workbook([["220100", "甲市", 80]]), acting_user=world.people[who]
        )
    assert letter(cycle, world, "A").targets == {}


def _errors(page: str) -> list[str]:
    """The lines listed next to the upload."""
    section = re.search(r'<section id="import-errors">(.*?)</section>', page, re.S)
    assert section, page
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", section.group(1), re.S)]


def test_the_letters_tools_speak_english_when_chosen(world: World) -> None:
    cycle = open_cycle(world, 2025)
    client = world.client("alice")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/cycles/{cycle.pk}/letters/").content.decode()
    assert "Download the targets template (Excel)" in page and "Copy the targets from last year" in page
    assert "从上一年度复制目标" not in page and "导入后直接下达" not in page
    assert "New cycle based on this one" in client.get("/cycles/").content.decode()
