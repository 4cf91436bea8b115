"""The scheme seen (issue 10 §3): the office's screen of the whole scheme, and each unit's rules on its own page.

Expected sentences come from tests/data/web_scheme.yaml: indicator 1 deducts 5 per 断面不达标 month (the input has
no unit, so 每次), indicator 2 is a threshold on 优良天数比例 ≥ its target for 40 points, the veto R2 reads
特别重大事件, 先进 is a third, 约谈 the bottom one.
"""

from __future__ import annotations

import re

import pytest

from tests.world import World

WATER_RULE = "断面不达标，每次扣 5 分；扣完为止。"
AIR_RULE = "优良天数比例不低于优良天数比例目标的，得满分 40 分；否则不得分。"


def main_text(html: str) -> str:
    """The page's own content (between <main> tags), without the layout's links and scripts."""
    found = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("who", ["alice", "linda", "vera", "walt"])
def test_the_office_leader_and_verifiers_see_the_whole_scheme(world: World, who: str) -> None:
    response = world.client(who).get(f"/cycles/{world.cycle.pk}/scheme/")
    assert response.status_code == 200
    page = main_text(response.content.decode())
    for text in (
        "1 水环境质量",
        "40 分",
        WATER_RULE,
        AIR_RULE,
        "国家表彰，每次加 2 分。本项最多加 5 分。",  # the bonus item B1
        "较大环境事件，每次扣 10 分。本项最多扣 20 分。",  # the deduction item D1
        "水利局",
        "断面不达标月数",  # the inputs a rule reads, by name (and unit), never their ids (issue 10 §2)
        "优良天数比例（%）",
        "否决",
        "特别重大事件",
        "考核结果直接评定为不合格",
        "先进：每个序列排名前三分之一的单位",
        "约谈：每个序列排名后 1 位的单位（与第 1 位并列的一并约谈）",
        "问责：连续 3 年考核等级为不合格的单位",
        "排名序列“市”：考核指标 1 水环境质量、2 空气质量、3 重点工作",
    ):
        assert text in page, text
    assert "[water_months]" not in page and "[good_days]" not in page


def test_the_scheme_screen_shows_words_not_codes(world: World) -> None:
    page = main_text(world.client("alice").get(f"/cycles/{world.cycle.pk}/scheme/").content.decode())
    assert "R2" not in page  # the veto's id
    assert not re.search(r"\b(city|county)\b", page)  # sequence ids
    assert "{" not in page and "deduct" not in page and "threshold" not in page  # no raw rule data


def test_the_dashboard_links_the_scheme(world: World) -> None:
    page = world.client("alice").get(f"/cycles/{world.cycle.pk}/").content.decode()
    assert f'href="/cycles/{world.cycle.pk}/scheme/"' in page


@pytest.mark.parametrize("who", ["fay", "hank", "bob"])
def test_a_unit_may_not_open_the_whole_scheme(world: World, who: str) -> None:
    assert world.client(who).get(f"/cycles/{world.cycle.pk}/scheme/").status_code == 403


def test_a_unit_sees_each_of_its_indicators_rule_points_lead_and_own_target(world: World) -> None:
    page = main_text(world.client("fay").get(f"/assessments/{world.assessment('A').pk}/").content.decode())
    assert page.count('<details class="about"') == 5  # indicators 1, 2, 3, B1 and D1 of the city sequence
    assert WATER_RULE in page and AIR_RULE in page
    assert "分值 40 分 · 达标得分" in page
    assert "牵头单位：生态环境局" in page
    assert "本单位目标（目标责任书）：优良天数比例目标 85" in page  # issued in tests/world.py
    assert "序列 市" in page and not re.search(r"\b(city|county)\b", page)  # the sequence's name, not its id


def test_a_county_unit_sees_only_its_own_indicators(world: World) -> None:
    page = main_text(world.client("carl").get(f"/assessments/{world.assessment('C').pk}/").content.decode())
    assert WATER_RULE in page and AIR_RULE in page
    assert "重点任务完成的，得满分 20 分" not in page  # indicator 3 is the city sequence's only
