"""The newer screens speak English when chosen (issue 10: "Everything here has Chinese and English strings"): 待办, the
office's 申诉处理 list during 公示 and the scheme screen. The English words are the locale's entries for the headings
and columns those pages write in {% translate %}; the Chinese ones must then be gone. So are the words made in Python
that those screens show: the appeal decision's message, the newest kinds of notification in the inbox, what a batch
核实无误 skipped and why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kaohe.assessments import actions, appeals, comments
from kaohe.assessments.actions import ActionError
from kaohe.assessments.models import Appeal, SelfEvaluation
from kaohe.maps.actions import check_upload_area_map
from kaohe.notifications.actions import NotificationError, check_mark_read
from kaohe.notifications.models import Notification
from kaohe.reports.actions import check_save_document_settings
from tests.world import World

APPROVED = "2025-03-10 09:30 +0800"
DURING = "2025-03-12 10:00 +0800"  # inside the 7 days of 公示 from the approval


def english(world: World, who: str) -> Client:
    client = world.client(who)
    client.cookies["django_language"] = "en"
    return client


def test_the_todo_page_speaks_english_when_chosen(world: World) -> None:
    page = english(world, "fay").get("/todo/").content.decode()  # fay's unit has empty items to fill
    assert "<h1>To-do</h1>" in page and "Indicators to fill in" in page and "Self-evaluation deadline" in page
    assert "待办" not in page and "待填报的指标" not in page


def test_the_appeals_list_speaks_english_when_chosen(world: World) -> None:
    office = world.people["alice"]
    appeals.check_set_publicity_days(cycle=world.cycle, days=7, acting_user=office)
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    with time_machine.travel(APPROVED, tick=False):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    with time_machine.travel(DURING, tick=False):
        appeals.check_lodge_appeal(
            assessment=world.assessment("A"), reasons="第 2 项核实有误", files=[], acting_user=world.people["hank"]
        )
        page = english(world, "alice").get(f"/cycles/{world.cycle.pk}/appeals/").content.decode()
    for text in ("Appeals</h1>", "In public notice until", "Grounds of appeal", "Appellant", "Submit decision"):
        assert text in page, text
    assert "申诉处理" not in page and "公示中" not in page and "提交处理结果" not in page


def test_the_scheme_screen_speaks_english_when_chosen(world: World) -> None:
    page = english(world, "alice").get(f"/cycles/{world.cycle.pk}/scheme/").content.decode()
    for text in ("Indicators and scoring rules", "Scoring rules", "Special rules", "Grades and ranking", "Points"):
        assert text in page, text
    assert "指标体系与评分规则" not in page and "等级与排名" not in page


# ------------------------------------------------------------------------------ words made in Python (messages)
def in_public_notice(world: World) -> Appeal:
    """The cycle approved with 7 days of 公示 and 甲市's head appealing during them."""
    office = world.people["alice"]
    appeals.check_set_publicity_days(cycle=world.cycle, days=7, acting_user=office)
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    with time_machine.travel(APPROVED, tick=False):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    with time_machine.travel(DURING, tick=False):
        return appeals.check_lodge_appeal(
            assessment=world.assessment("A"), reasons="第 2 项核实有误", files=[], acting_user=world.people["hank"]
        )


@pytest.mark.parametrize(
    "decision,english,chinese",
    [
        ("rejected", "Appeal of 甲市 rejected", "甲市的申诉已驳回"),
        ("upheld", "Appeal of 甲市 upheld: the approval is withdrawn", "甲市的申诉成立"),
    ],
)
def test_an_appeal_decision_is_confirmed_in_english(world: World, decision: str, english: str, chinese: str) -> None:
    appeal = in_public_notice(world)
    url = reverse("appeal_decide", args=[appeal.pk])
    with time_machine.travel(DURING, tick=False):
        page = english_page(world, "alice", url, {"decision": decision, "reason": "监测数据无误"})
    assert english in page and chinese not in page


def test_an_appeal_decision_without_a_reason_is_refused_in_english(world: World) -> None:
    appeal = in_public_notice(world)
    url = reverse("appeal_decide", args=[appeal.pk])
    with time_machine.travel(DURING, tick=False):
        page = english_page(world, "alice", url, {"decision": "rejected", "reason": ""})
    assert "Appeal of 甲市: " in page and "甲市的申诉：" not in page
    assert Appeal.objects.get(pk=appeal.pk).decision == Appeal.Decision.PENDING


def english_page(world: World, who: str, url: str, data: dict[str, Any]) -> str:
    response = english(world, who).post(url, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_newest_kinds_of_notification_are_named_in_english(world: World) -> None:
    """新留言, 新申诉 and 申诉已处理 in the inbox's 类别 column: the words of the kind (the stored title and body stay
    in the site's language, Chinese: see the next test)."""
    comments.check_add_comment(item=world.item("A", "2"), text="请补充监测报告", acting_user=world.people["alice"])
    appeal = in_public_notice(world)
    with time_machine.travel(DURING, tick=False):
        appeals.check_decide_appeal(
            appeal=appeal, decision="rejected", reason="监测数据无误", acting_user=world.people["alice"]
        )
    fay = english(world, "fay").get("/notifications/").content.decode()
    alice = english(world, "alice").get("/notifications/").content.decode()
    for page, english_kind, chinese_kind in (
        (fay, "New comment", "新留言"),
        (alice, "New appeal", "新申诉"),
        (fay, "Appeal decided", "申诉已处理"),
    ):
        assert re.search(rf'<span class="badge \w+">{english_kind}</span>', page), english_kind
        assert not re.search(rf'<span class="badge \w+">{chinese_kind}</span>', page), chinese_kind


def test_a_notification_is_written_in_chinese_whatever_the_language_of_who_caused_it(world: World) -> None:
    """alice decides in English; fay, who reads Chinese, is told in Chinese, the decision's name too (before, the
    decision was written in alice's English inside the Chinese sentence)."""
    appeal = in_public_notice(world)
    url = reverse("appeal_decide", args=[appeal.pk])
    with time_machine.travel(DURING, tick=False):
        english_page(world, "alice", url, {"decision": "rejected", "reason": "监测数据无误"})
    n = Notification.objects.get(kind="appeal_decided", recipient=world.people["fay"])
    assert n.title == "申诉已处理：申诉驳回（2024年度考核）"
    assert n.body == "考核办已处理甲市的申诉：申诉驳回。处理意见：监测数据无误"


def test_batch_verification_says_in_english_what_it_skipped(world: World) -> None:
    url = f"/cycles/{world.cycle.pk}/verify/batch/"
    # nothing submitted yet: "everything the filter shows" is nothing
    page = english_page(world, "vera", url, {"scope": "filtered"})
    assert "Select the items to verify first" in page and "请先选择要核实的项" not in page
    world.fill("A")
    world.submit("A")
    a1, a2 = world.item("A", "1"), world.item("A", "2")  # walt's (水利局) and vera's
    page = english_page(world, "vera", url, {"scope": "selected", "items": [a1.pk, a2.pk]})
    assert "Not an indicator your lead unit verifies; you may not verify it" in page
    assert "不是本牵头单位负责核实的指标" not in page
    assert world.item("A", "2").status == SelfEvaluation.ItemStatus.ACCEPTED


def test_the_dashboards_progress_filter_and_the_offices_deadline_lines_are_in_english(world: World) -> None:
    world.cycle.self_evaluation_deadline = dt.date(2025, 2, 28)
    world.cycle.save()
    client = world.client("alice")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with time_machine.travel("2025-03-05 10:00 +0800", tick=False):
        dashboard = client.get(f"/cycles/{world.cycle.pk}/").content.decode()
        todo = client.get("/todo/").content.decode()
    assert "Unit name or code" in dashboard and "Overdue only" in dashboard and "All states" in dashboard
    assert "3 units" in dashboard and "单位名称或代码" not in dashboard
    assert (
        "Self-evaluation (Assessed unit): 3 units have not submitted their self-evaluation (due 2025-02-28, overdue)"
        in todo
    )


# ------------------------------------------------------------------------------ the older screens' words made in Python
def test_a_batch_verification_is_summed_up_in_english(world: World) -> None:
    world.fill("A")
    world.submit("A")
    a1, a2 = world.item("A", "1"), world.item("A", "2")  # walt's (水利局) and vera's
    page = english_page(
        world, "vera", f"/cycles/{world.cycle.pk}/verify/batch/", {"scope": "selected", "items": [a1.pk, a2.pk]}
    )
    assert "1 item verified as correct" in page and "已核实无误" not in page
    assert "1 item not verified: " in page and "项未核实" not in page


def test_evaluating_before_verification_is_refused_in_english(world: World) -> None:
    page = english_page(world, "alice", f"/cycles/{world.cycle.pk}/evaluate/", {})
    assert "Some units have not finished verification, so the cycle cannot be evaluated: 甲市, " in page
    assert "还有单位未完成核实" not in page


def test_the_permission_refusal_page_speaks_english_when_chosen(world: World) -> None:
    response = english(world, "fay").get(f"/cycles/{world.cycle.pk}/")  # a unit's filler: not the dashboard
    page = response.content.decode()
    assert response.status_code == 403
    assert (
        "<h1>No permission</h1>" in page
        and "You may not do this. To get access, contact the assessment office." in page
    )
    assert "没有权限" not in page and "请联系考核办" not in page


def test_the_queues_filters_are_labelled_in_english(world: World) -> None:
    page = english(world, "vera").get(f"/cycles/{world.cycle.pk}/verify/").content.decode()
    for text in ("Unit (name or code)", "All units", "All indicators", "Verification status", "Lead unit"):
        assert text in page, text
    assert '<option value="all">All</option>' in page and '<option value="" selected>Open</option>' in page
    assert "单位（名称或代码）" not in page and "全部指标" not in page


def test_the_map_document_and_notification_refusals_speak_the_chosen_language(world: World) -> None:
    fay = world.people["fay"]  # a unit's filler: none of these is hers to do
    refusals: list[tuple[type[Exception], Callable[[], object]]] = [
        (
            ActionError,
            lambda: check_upload_area_map(raw=b"{}", file_name="a.json", code_property="code", acting_user=fay),
        ),
        (ActionError, lambda: check_save_document_settings(cycle=world.cycle, values={}, acting_user=fay)),
        (NotificationError, lambda: check_mark_read(notification_id=999_999, acting_user=fay)),
    ]
    for error, refused in refusals:
        with translation.override("en"), pytest.raises(error) as in_english:
            refused()
        with translation.override("zh-hans"), pytest.raises(error) as in_chinese:
            refused()
        assert "没有权限" not in str(in_english.value) and "not" in str(in_english.value).lower()
        assert str(in_chinese.value) == "没有权限执行此操作"
