"""待办 in a real browser (Debian's chromium through Playwright): fay signs in and lands on her 待办, where the item
walt returned comes first with his comment, one click from the item (issue 10 §1). Screenshot in test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, expect

from kaohe.assessments import actions
from tests.world import World, build_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
COMMENT = "佐证材料不全，请补充断面监测报告原件"


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any) -> World:
    return build_world()


def test_the_filler_lands_on_the_todo_page_with_the_returned_item(
    live_world: World, browser: Browser, live_server: Any
) -> None:
    world = live_world
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    actions.check_return_item(item=item, comment=COMMENT, version=item.version, acting_user=world.people["walt"])

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("用户名").fill("fay")
        page.get_by_label("密码").fill("pw")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("待办")
        assert page.url.endswith("/todo/")
        returned = page.locator("#todo-returned")
        expect(returned).to_contain_text(COMMENT)
        expect(returned).to_contain_text("甲市")
        # the returned items are the first thing on the page
        first = page.locator("main section").first
        expect(first).to_have_attribute("id", "todo-returned")
        ARTIFACTS.joinpath(connection.vendor).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / connection.vendor / "todo-filler-returned.png"), full_page=True)
        returned.get_by_role("link", name="1 水环境质量").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("甲市")
        expect(page.locator(f"#item-{item.pk}")).to_contain_text(COMMENT)
        # the header leads back to 待办 from every page
        page.get_by_role("link", name="待办").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("待办")
    finally:
        context.close()
