"""The whole cycle through the screens (HTTP forms), as the office, units, verifiers and approver use it."""

from __future__ import annotations

import io

import polars as pl
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.assessments.models import Cycle, ImportedValue, ResponsibilityLetter, Result, State
from kaohe.audit.models import AuditLog
from tests.world import SCHEME_YAML, World


def test_the_office_opens_a_cycle_from_an_uploaded_scheme(world: World) -> None:
    response = world.client("alice").post(
        "/cycles/new/",
        {
            "name": "2025年度考核",
            "year": 2025,
            "scheme_id": "",
            "scheme_file": SimpleUploadedFile("rules-2025.yaml", SCHEME_YAML.encode()),
            "self_evaluation_deadline": "2026-02-28",
            "units": [world.units["A"].pk, world.units["C"].pk],
        },
    )
    cycle = Cycle.objects.get(year=2025)
    assert response.status_code == 302 and response["Location"] == f"/cycles/{cycle.pk}/"
    assert cycle.scheme_id == "web-test"
    assert sorted(cycle.assessments.values_list("sequence", flat=True)) == ["city", "county"]


def test_a_broken_scheme_is_refused_with_its_line(world: World) -> None:
    broken = SCHEME_YAML.replace("kind: deduct", "kind: subtract")
    response = world.client("alice").post(
        "/cycles/new/",
        {
            "name": "坏方案",
            "year": 2025,
            "scheme_file": SimpleUploadedFile("bad.yaml", broken.encode()),
            "units": [world.units["A"].pk],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "unknown rule kind" in page and "line" in page
    assert not Cycle.objects.filter(year=2025).exists()


def test_the_office_issues_a_letter(world: World) -> None:
    letter = ResponsibilityLetter.objects.get(cycle=world.cycle, unit=world.units["B"])
    client = world.client("alice")
    client.post(f"/letters/{letter.pk}/", {"t_good_days_target": "88.5"})
    letter.refresh_from_db()
    assert letter.targets == {"good_days_target": 88.5}
    response = client.post(f"/letters/{letter.pk}/", {"t_good_days_target": "很高"}, follow=True)
    assert "“很高” 不是有效值，应为数字" in response.content.decode()
    assert ResponsibilityLetter.objects.get(pk=letter.pk).targets == {"good_days_target": 88.5}


def test_the_office_imports_monitoring_values(world: World) -> None:
    csv = "unit_id,good_days\n220100,81.5\n220200,90\n"
    response = world.client("alice").post(
        f"/cycles/{world.cycle.pk}/import/", {"file": SimpleUploadedFile("air.csv", csv.encode())}, follow=True
    )
    assert "已导入 2 个监测数据值" in response.content.decode()
    assert ImportedValue.objects.get(unit=world.units["A"]).value == 81.5
    bad = "unit_id,good_days\n999999,81.5\n"
    response = world.client("alice").post(
        f"/cycles/{world.cycle.pk}/import/", {"file": SimpleUploadedFile("air.csv", bad.encode())}, follow=True
    )
    assert response.status_code == 400  # the page the office was on, with the list next to the upload
    assert "第 2 行 单位代码 [unit_id] 列：单位 999999 不在本周期" in response.content.decode()


def test_the_cycle_end_to_end_through_the_screens(world: World) -> None:
    fay, hank, walt = world.client("fay"), world.client("hank"), world.client("walt")
    a = world.assessment("A")
    for item in a.items.all():
        field = next(iter(item.values))
        value = {"water_months": "1", "good_days": "86", "tasks_done": "true", "awards": "0", "incidents": "0"}[field]
        assert fay.post(f"/items/{item.pk}/", {"version": item.version, f"v_{field}": value}).status_code == 302
    assert hank.post(f"/assessments/{a.pk}/submit/").status_code == 302
    assert world.assessment("A").state == State.SUBMITTED

    # 水利局 returns indicator 1; the unit corrects it and submits again.
    item = world.item("A", "1")
    walt.post(f"/items/{item.pk}/return/", {"version": item.version, "comment": "请附月报"})
    assert world.assessment("A").state == State.RETURNED
    assert "请附月报" in fay.get(f"/assessments/{a.pk}/").content.decode()
    item = world.item("A", "1")
    fay.post(f"/items/{item.pk}/", {"version": item.version, "v_water_months": "2"})
    hank.post(f"/assessments/{a.pk}/submit/")

    # Every verifier verifies; walt changes the value with a reason.
    item = world.item("A", "1")
    assert walt.post(f"/items/{item.pk}/verify/", {"version": item.version, "v_water_months": "3"}).status_code == 400
    walt.post(f"/items/{item.pk}/verify/", {"version": item.version, "v_water_months": "3", "reason": "月报为 3 个月"})
    for indicator in ("2", "3", "B1", "D1"):
        item = world.item("A", indicator)
        who = world.client("dora" if indicator == "3" else "vera")
        field = next(iter(item.values))
        raw = item.values[field]
        shown = "true" if raw is True else str(raw)
        assert who.post(f"/items/{item.pk}/verify/", {"version": item.version, f"v_{field}": shown}).status_code == 302
    assert world.assessment("A").state == State.VERIFIED

    for unit in ("B", "C"):
        world.fill(unit)
        world.submit(unit)
        world.verify_all(unit)
    office, leader, anon = world.client("alice"), world.client("linda"), world.client("anon")
    office.post(f"/cycles/{world.cycle.pk}/evaluate/")
    assert Result.objects.get(assessment=a).scores["1"] == 25.0  # 40 − 3 × 5: the verified value counts
    leader.post(f"/cycles/{world.cycle.pk}/send-back/", {"comment": "请复核甲市"})
    assert world.assessment("A").state == State.VERIFIED
    office.post(f"/cycles/{world.cycle.pk}/evaluate/")
    leader.post(f"/cycles/{world.cycle.pk}/approve/")
    office.post(f"/cycles/{world.cycle.pk}/publish/")
    assert world.assessment("A").state == State.PUBLISHED
    page = anon.get(f"/public/{world.cycle.pk}/").content.decode()
    assert page.index("乙市") < page.index("甲市")  # 乙市 kept all points; 甲市 lost 15 on water
    assert AuditLog.objects.filter(action="cycle.send_back", reason="请复核甲市").exists()


def test_the_office_records_its_findings(world: World) -> None:
    client = world.client("alice")
    url = f"/cycles/{world.cycle.pk}/findings/"
    assert "特别重大事件" in client.get(url).content.decode()
    client.post(url, {"unit_id": "220281", "f_major_incident": "true"})
    client.post(url, {"unit_id": "220100", "f_major_incident": "false"})
    client.post(url, {"unit_id": "220200", "f_major_incident": ""})  # 未认定 stays undecided, never a silent 否
    stored = dict(ImportedValue.objects.filter(cycle=world.cycle).values_list("unit__code", "value"))
    assert stored == {"220281": True, "220100": False}
    assert world.client("linda").post(url, {"unit_id": "220100", "f_major_incident": "true"}).status_code == 403
    world.through_verified()
    client.post(f"/cycles/{world.cycle.pk}/evaluate/")
    grades = dict(Result.objects.filter(cycle=world.cycle).values_list("assessment__unit__code", "grade"))
    assert grades["220281"] == "不合格" and grades["220100"] == "优秀"


def test_a_monitoring_file_with_a_bad_number_applies_nothing(world: World) -> None:
    buffer = io.BytesIO()
    pl.DataFrame({"unit_id": ["220100", "220200"], "good_days": [81.5, float("nan")]}).write_parquet(buffer)
    files = [
        ("air.parquet", buffer.getvalue(), "第 3 行 优良天数比例 (%) [good_days] 列：“NaN” 不是有效值，应为数字"),
        (
            "water.csv",
            b"unit_id,water_months\n220100,2\n220200,inf\n",
            "第 3 行 断面不达标月数 [water_months] 列：“inf” 不是有效值",
        ),
        (
            "twice.csv",
            b"unit_id,good_days\n220100,81.5\n220100,90\n",
            "第 3 行 单位代码 [unit_id] 列：单位 “220100” 重复出现",
        ),
    ]
    for name, data, where in files:
        response = world.client("alice").post(
            f"/cycles/{world.cycle.pk}/import/", {"file": SimpleUploadedFile(name, data)}, follow=True
        )
        assert response.status_code == 400 and where in response.content.decode(), name
    assert not ImportedValue.objects.exists()
