"""The newer screens speak English when chosen (issue 10: "Everything here has Chinese and English strings"): 待办, the
office's 申诉处理 list during 公示 and the scheme screen. The English words are the locale's entries for the headings
and columns those pages write in {% translate %}; the Chinese ones must then be gone.
"""

from __future__ import annotations

import time_machine
from django.test import Client

from kaohe.assessments import actions, appeals
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
