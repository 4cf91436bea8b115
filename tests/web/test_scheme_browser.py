"""The scheme seen in a real browser (Debian's chromium through Playwright, issue 10 §3): the office follows the
dashboard's 考核方案 link to the whole scheme in words, and a unit opens one indicator's rule on its own page.
Screenshots in test-artifacts/browser/<database>/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, expect

from tests.world import World, build_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any) -> World:
    return build_world()


def signed_in(browser: Browser, base_url: str, username: str) -> Page:
    page = browser.new_context(base_url=base_url, locale="zh-CN").new_page()
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pw")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    return page


def test_the_office_reads_the_scheme_and_a_unit_its_rule(live_world: World, browser: Browser, live_server: Any) -> None:
    folder = ARTIFACTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)

    office = signed_in(browser, live_server.url, "alice")
    office.goto(f"/cycles/{live_world.cycle.pk}/")
    office.get_by_role("link", name="考核方案").click()
    expect(office.get_by_role("heading", name="指标体系与评分规则")).to_be_visible()
    expect(office.locator("#scheme-tree")).to_contain_text("断面不达标，每次扣 5 分；扣完为止。")
    expect(office.locator("#scheme-special")).to_contain_text("考核结果直接评定为不合格")
    expect(office.locator("#scheme-ranking")).to_contain_text("先进：每个序列排名前三分之一的单位")
    office.screenshot(path=str(folder / "scheme-01-office-scheme.png"), full_page=True)

    unit = signed_in(browser, live_server.url, "fay")
    unit.goto(f"/assessments/{live_world.assessment('A').pk}/")
    panel = unit.locator("details.about").nth(1)  # indicator 2, 空气质量
    expect(panel).not_to_have_attribute("open", "")
    panel.locator("summary").click()
    expect(panel).to_contain_text("优良天数比例不低于优良天数比例目标的，得满分 40 分；否则不得分。")
    expect(panel).to_contain_text("本单位目标（目标责任书）：优良天数比例目标 85")
    unit.screenshot(path=str(folder / "scheme-02-unit-rule.png"), full_page=True)
