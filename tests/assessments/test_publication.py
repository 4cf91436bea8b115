"""The published lists are built once (issue 9 §1, ``dashboard.publication``): the public page, the Word 通报 and
the results workbook list the sequences, the units and the grade counts in the same order."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from kaohe.assessments import actions
from kaohe.assessments.models import Result
from kaohe.core.scheme import GRADES
from tests import world as conftest
from tests.world import GOOD_VALUES, World

CITY = "  - {id: city, name: 市, indicators: ['1', '2', '3']}\n"
COUNTY = "  - {id: county, name: 县, indicators: ['1', '2']}\n"


@pytest.fixture
def published(db: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    """The web test scheme with its sequences declared 县 first (the ids sort the other way round), so the
    published order must be the scheme's. 甲市 97, 乙市 87 (three bad months), 丙县 77 (test_reports_docx); then
    甲市's result is made unranked (as a blocked unit's is), which places it after 乙市."""
    assert CITY + COUNTY in conftest.SCHEME_YAML
    monkeypatch.setattr(conftest, "SCHEME_YAML", conftest.SCHEME_YAML.replace(CITY + COUNTY, COUNTY + CITY))
    world = conftest.build_world()
    world.fill("A")
    world.fill("B", {**GOOD_VALUES, "water_months": 3})
    world.fill("C")
    for unit in ("A", "B", "C"):
        world.submit(unit)
        world.verify_all(unit)
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    Result.objects.filter(assessment=world.assessment("A")).update(rank=None)
    return world


# 县 before 市 (the scheme's order); in 市, 乙市 (rank 2) before the unranked 甲市.
EXPECTED = [("县", ["丙县"]), ("市", ["乙市", "甲市"])]


def test_the_public_page_lists_as_the_notice_and_the_workbook_do(published: World) -> None:
    client = published.client("anon")
    html = client.get(reverse("public_results", args=[published.cycle.pk])).content.decode()
    page = [
        (name, re.findall(r'<a href="/assessments/\d+/result/">([^<]+)</a>', body))
        for name, body in re.findall(r'<section class="card"><h2>([^<]+)</h2>(.*?)</section>', html, re.S)
        if "<table>" in body
    ]
    assert page == EXPECTED

    notice = Document(io.BytesIO(client.get(reverse("reports:notice", args=[published.cycle.pk])).content))
    headings = [p.text for p in notice.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert headings == ["（一）县（1 个单位）", "（二）市（2 个单位）"]
    assert [[row.cells[1].text for row in table.rows[1:]] for table in notice.tables] == [
        names for _, names in EXPECTED
    ]

    office = published.client("alice")
    workbook = load_workbook(
        io.BytesIO(office.get(reverse("reports:results_export", args=[published.cycle.pk])).content)
    )
    sheets = [(name, [row[2] for row in workbook[name].iter_rows(min_row=2, values_only=True)]) for name, _ in EXPECTED]
    assert sheets == EXPECTED
    assert workbook.sheetnames[:2] == ["县", "市"]


def test_grade_counts_follow_the_core_order_on_the_page_and_in_the_notice(published: World) -> None:
    # 甲市 97 优秀, 乙市 87 良好, 丙县 77 合格: best grade first, as kaohe.core.scheme.GRADES orders them
    assert GRADES[:3] == ("优秀", "良好", "合格")
    client = published.client("anon")
    html = client.get(reverse("public_results", args=[published.cycle.pk])).content.decode()
    assert re.search(r"优秀 1 个，\s*良好 1 个，\s*合格 1 个", html)
    notice = Document(io.BytesIO(client.get(reverse("reports:notice", args=[published.cycle.pk])).content))
    assert "其中优秀 1 个、良好 1 个、合格 1 个" in next(p.text for p in notice.paragraphs if p.text.startswith("根据"))
