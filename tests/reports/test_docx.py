"""The Word 通报: opened with python-docx, its tables and lists checked against the scheme's arithmetic."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from kaohe.assessments import actions
from kaohe.assessments.models import Result
from kaohe.reports.views import DOCX
from tests.world import GOOD_VALUES, World


@pytest.fixture
def approved(world: World) -> World:
    """As in test_reports_excel: 甲市 97 优秀, 乙市 87 良好 (three bad months), 丙县 77 合格 (no indicator 3).
    Approved on 2025-03-10 (Beijing time)."""
    world.fill("A")
    world.fill("B", {**GOOD_VALUES, "water_months": 3})
    world.fill("C")
    for unit in ("A", "B", "C"):
        world.submit(unit)
        world.verify_all(unit)
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    with time_machine.travel("2025-03-10 09:30 +0800", tick=False):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    return world


def notice(world: World, who: str) -> Any:
    response = world.client(who).get(reverse("reports:notice", args=[world.cycle.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    return Document(io.BytesIO(response.content))


def table_rows(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def section(document: Any, heading: str) -> list[str]:
    """The units named under a level-1 heading: one sentence "甲市、乙市。" (GB/T 9704 body text), "无。" when none."""
    out: list[str] = []
    inside = False
    for p in document.paragraphs:
        if p.style.name.startswith("Heading"):
            inside = p.text == heading
        elif inside and not p.text:  # the blank line before the signature (7.3.5)
            inside = False
        elif inside:
            out += ["无"] if p.text == "无。" else p.text.rstrip("。").split("、")
    return out


def names(world: World, **flag: bool) -> list[str]:
    return [
        r.assessment.unit.name for r in Result.objects.filter(cycle=world.cycle, **flag).order_by("sequence", "rank")
    ]


def test_the_published_notice_has_a_ranking_table_per_sequence(approved: World) -> None:
    actions.check_publish_cycle(cycle=approved.cycle, acting_user=approved.people["alice"])
    document = notice(approved, "anon")
    assert [table_rows(t) for t in document.tables] == [
        [
            ["名次", "单位", "得分", "等级", "备注"],
            ["1", "甲市", "97.00", "优秀", ""],
            ["2", "乙市", "87.00", "良好", ""],
        ],
        [["名次", "单位", "得分", "等级", "备注"], ["1", "丙县", "77.00", "合格", ""]],
    ]
    titles = [p for p in document.paragraphs if p.style.name == "Title"]
    assert [p.text for p in titles] == ["关于2024年度考核结果的通报"]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "一、考核结果",
        "（一）市（2 个单位）",
        "（二）县（1 个单位）",
        "二、先进单位",
        "三、约谈单位",
        "四、启动问责程序的单位",
    ]


def test_the_notice_lists_advanced_interview_and_accountability_units(approved: World) -> None:
    actions.check_publish_cycle(cycle=approved.cycle, acting_user=approved.people["alice"])
    document = notice(approved, "anon")
    # 先进 is the top third of each sequence, rounded down: ⌊2/3⌋ = ⌊1/3⌋ = 0 units.
    assert section(document, "二、先进单位") == ["无"]
    # 约谈 is the bottom unit of each sequence: 乙市 in the city pool (87 < 97), 丙县 alone in its own.
    assert section(document, "三、约谈单位") == ["乙市", "丙县"] == names(approved, interview=True)
    # No earlier cycles, so three unmet years cannot have happened.
    assert section(document, "四、启动问责程序的单位") == ["无"]


def test_the_preamble_names_cycle_scheme_year_and_approval_date(approved: World) -> None:
    with time_machine.travel("2025-03-12 10:00 +0800", tick=False):
        actions.check_publish_cycle(cycle=approved.cycle, acting_user=approved.people["alice"])
    document = notice(approved, "anon")
    preamble = next(p.text for p in document.paragraphs if p.text.startswith("根据"))
    assert "《网页测试方案》" in preamble and "2024年度" in preamble and "（2024年度考核）" in preamble
    assert "于2025年3月10日经领导审定" in preamble
    assert "共考核 3 个单位，其中优秀 1 个、良好 1 个、合格 1 个" in preamble
    assert document.paragraphs[-2].text == "2025年3月12日"  # signed on the publication day
    assert document.paragraphs[-1].text.startswith("校验码 ")  # the audit chain's head (test_audit_keys.py)
    assert all("审阅稿" not in p.text for p in document.paragraphs)


def test_before_publication_only_office_and_approver_get_a_draft(approved: World) -> None:
    url = reverse("reports:notice", args=[approved.cycle.pk])
    got = {who: approved.client(who).get(url).status_code for who in ("anon", "alice", "linda", "fay", "bob", "vera")}
    assert got == {"anon": 302, "alice": 200, "linda": 200, "fay": 403, "bob": 403, "vera": 403}
    with time_machine.travel("2025-03-11 12:00 +0800", tick=False):
        document = notice(approved, "alice")
    title = next(n for n, p in enumerate(document.paragraphs) if p.style.name == "Title")
    assert document.paragraphs[title + 1].text == "（审阅稿，尚未通报）"
    assert document.paragraphs[-2].text == "2025年3月11日"  # not published: signed on the day it is printed


def test_after_publication_everyone_gets_it(approved: World) -> None:
    actions.check_publish_cycle(cycle=approved.cycle, acting_user=approved.people["alice"])
    url = reverse("reports:notice", args=[approved.cycle.pk])
    got = {who: approved.client(who).get(url).status_code for who in ("anon", "fay", "bob", "vera")}
    assert got == dict.fromkeys(("anon", "fay", "bob", "vera"), 200)


def test_a_cycle_without_results_has_no_notice(world: World) -> None:
    response = world.client("alice").get(reverse("reports:notice", args=[world.cycle.pk]))
    assert response.status_code == 404
