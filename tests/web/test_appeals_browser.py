"""公示 and 申诉 in a real browser (Debian's chromium through Playwright; issue 10 §4): the cycle is approved
with 7 days of 公示; hank, head of 甲市, finds his result marked 公示稿 and appeals with reasons and a PDF;
alice sees the appeal on the cycle's appeals page and rejects it with a reason; hank reads the decision on his
result page; the public still sees nothing. Screenshots in test-artifacts/browser/<database>/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, FilePayload, Page, expect

from kaohe.assessments import actions, appeals
from tests.world import World, build_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
REASONS = "第 2 项优良天数比例与省站发布数据不一致"
DECISION = "核实值以省站审核后的数据为准，理由不成立"


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any) -> World:
    return build_world()


def sign_in(browser: Browser, base_url: str, username: str | None) -> Page:
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    page = context.new_page()
    if username is not None:
        page.goto("/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("pw")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("button", name="退出")).to_be_visible()
    return page


def test_a_unit_appeals_during_publicity_and_the_office_decides(
    live_world: World, browser: Browser, live_server: Any
) -> None:
    world = live_world
    office = world.people["alice"]
    appeals.check_set_publicity_days(cycle=world.cycle, days=7, acting_user=office)
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    a = world.assessment("A")
    folder = ARTIFACTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    pages: list[Page] = []
    try:
        hank = sign_in(browser, live_server.url, "hank")
        pages.append(hank)
        hank.goto(f"/assessments/{a.pk}/result/")
        expect(hank.locator("#draft-mark")).to_have_text("公示稿")
        expect(hank.locator("#publicity-note")).to_contain_text("公示中")
        hank.get_by_label("申诉理由").fill(REASONS)
        hank.locator("#appeal-files").set_input_files(
            [FilePayload(name="监测报告.pdf", mimeType="application/pdf", buffer=PDF)]
        )
        hank.get_by_role("button", name="提交申诉").click()
        expect(hank.locator("#appeals")).to_contain_text("待处理")
        expect(hank.locator("#appeals")).to_contain_text("监测报告.pdf")
        expect(hank.locator("#appeal-form")).to_have_count(0)  # one pending appeal at a time
        hank.screenshot(path=str(folder / "appeal-lodged.png"), full_page=True)

        alice = sign_in(browser, live_server.url, "alice")
        pages.append(alice)
        alice.goto(f"/cycles/{world.cycle.pk}/")
        expect(alice.locator("#publicity")).to_contain_text("公示中")
        alice.locator("#publicity").get_by_role("link", name="申诉处理").click()
        expect(alice.locator("#publication-refusal")).to_contain_text("公示期未结束")
        row = alice.locator("#appeal-list tr", has_text="甲市")
        expect(row).to_contain_text(REASONS)
        row.get_by_label("申诉驳回").check()
        row.get_by_label("处理意见").fill(DECISION)
        row.get_by_role("button", name="提交处理结果").click()
        expect(alice.locator("#appeal-list")).to_contain_text("申诉驳回")
        expect(alice.locator("#appeal-list")).to_contain_text(DECISION)
        alice.screenshot(path=str(folder / "appeal-decided.png"), full_page=True)

        hank.reload()
        expect(hank.locator("#appeals")).to_contain_text("申诉驳回")
        expect(hank.locator("#appeals")).to_contain_text(DECISION)

        public = sign_in(browser, live_server.url, None)
        pages.append(public)
        public.goto(f"/cycles/{world.cycle.pk}/publicity/")
        expect(public.get_by_label("用户名")).to_be_visible()  # sent to sign in: never shown to the public
    finally:
        for page in pages:
            page.context.close()
