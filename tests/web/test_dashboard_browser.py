"""The office dashboard's progress table at a province's scale, in a real browser (Debian's chromium through
Playwright; issue 10 "Numbers" and §1): one page of units at a time, filtered by state, by a unit's name or code
and to the overdue ones, with the counts above it covering every unit; and a verifier's 待办 grouped per cycle.
The page size is made 2 so that the three units of the test world need two pages. Screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, expect

from kaohe.assessments import dashboard
from tests.world import World, build_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr(dashboard, "PROGRESS_PAGE_SIZE", 2)
    world = build_world()
    world.cycle.self_evaluation_deadline = dt.date(2020, 1, 31)  # long past: who has not submitted is 逾期
    world.cycle.save()
    world.fill("A")
    world.submit("A")
    return world


def _sign_in(browser: Browser, base_url: str, who: str) -> Page:
    page = browser.new_context(base_url=base_url, locale="zh-CN").new_page()
    page.goto("/login/")
    page.get_by_label("用户名").fill(who)
    page.get_by_label("密码").fill("pw")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    return page


def _units(page: Page) -> list[str]:
    return page.locator("#progress table tr td:first-child a").all_inner_texts()


def test_the_office_pages_and_filters_the_progress_table(live_world: World, browser: Browser, live_server: Any) -> None:
    world = live_world
    folder = ARTIFACTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    page = _sign_in(browser, live_server.url, "alice")
    page.goto(f"/cycles/{world.cycle.pk}/")
    expect(page.locator("#overdue-units b")).to_have_text("2")  # every unit counted, not the page's two
    expect(page.locator("#progress")).to_contain_text("共 3 个单位")
    expect(page.locator("#progress .pagination")).to_contain_text("第 1 / 2 页")
    assert _units(page) == ["甲市", "乙市"]  # the scheme's sequences in order (市 before 县), then by code
    page.screenshot(path=str(folder / "dashboard-progress-page-1.png"), full_page=True)
    page.locator("#progress .pagination").get_by_role("link", name="下一页").click()
    assert _units(page) == ["丙县"]

    page.locator("#progress-filter input[name=unit]").fill("乙")
    page.locator("#progress-filter").get_by_role("button", name="筛选").click()
    assert _units(page) == ["乙市"]
    expect(page.locator("#progress")).to_contain_text("共 1 个单位")
    expect(page.locator("#progress .pagination")).to_have_count(0)

    page.locator("#progress-filter input[name=unit]").fill("")
    page.locator("#progress-filter select[name=state]").select_option(label="已提交")
    page.locator("#progress-filter").get_by_role("button", name="筛选").click()
    assert _units(page) == ["甲市"]

    page.locator("#progress-filter select[name=state]").select_option(label="全部状态")
    page.locator("#progress-filter input[name=overdue]").check()
    page.locator("#progress-filter").get_by_role("button", name="筛选").click()
    assert _units(page) == ["乙市", "丙县"]  # 甲市 has submitted; the other two are past the deadline
    expect(page.locator("#progress .overdue").first).to_contain_text("单位逾期未提交自评")
    page.screenshot(path=str(folder / "dashboard-progress-overdue.png"), full_page=True)


def test_a_verifiers_todo_counts_per_cycle_and_links_to_the_queue(
    live_world: World, browser: Browser, live_server: Any
) -> None:
    page = _sign_in(browser, live_server.url, "vera")
    page.goto("/todo/")
    section = page.locator("#todo-verify")
    expect(section).to_contain_text("1 个单位共 3 项待核实")  # 甲市's 2, B1 and D1
    section.get_by_role("link", name="甲市").click()
    expect(page.locator("#queue-filter input[name=unit]")).to_have_value("220100")
    expect(page.locator("#batch input[name=items]")).to_have_count(3)
