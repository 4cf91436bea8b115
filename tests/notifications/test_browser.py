"""In Debian's chromium (Playwright): vera returns an item of 甲市 on its verification page; fay, signed in, sees the
bell count go to 1, finds vera's comment in her inbox and marks it read. Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, expect

from tests.web.test_browser import Screens
from tests.world import World, build_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "notifications"


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any) -> World:
    return build_world()


@pytest.fixture
def screens(browser: Browser, live_server: Any) -> Iterator[Screens]:
    s = Screens(browser, live_server.url, ARTIFACTS / connection.vendor)
    yield s
    s.close()


def test_a_returned_item_reaches_the_fillers_bell_and_inbox(live_world: World, screens: Screens) -> None:
    world = live_world
    world.fill("A")
    world.submit("A")
    item = world.item("A", "2")

    fay = screens.open("fay")
    expect(fay.locator("[data-unread]")).to_have_text("0")

    vera = screens.open("vera")
    vera.on("dialog", lambda dialog: dialog.accept())  # a confirmation, if the page asks for one
    vera.goto(f"/items/{item.pk}/verify/")
    vera.locator("textarea[name=comment]").fill("请补充省控站的年度监测报告")
    vera.get_by_role("button", name="退回单位补正").click()
    expect(vera.locator(".messages")).to_contain_text("已退回：甲市")

    fay.reload()
    expect(fay.locator("[data-unread]")).to_have_text("1")
    fay.locator("a.bell").click()
    expect(fay.get_by_role("heading", level=1)).to_contain_text("通知")
    row = fay.locator("tr.unread")
    expect(row).to_contain_text("退回补正：甲市 · 指标 2「空气质量」")
    expect(row).to_contain_text("请补充省控站的年度监测报告")
    screens.shot(fay, "filler-inbox")
    row.get_by_role("button", name="标为已读").click()
    expect(fay.locator(".messages")).to_contain_text("已标为已读")
    expect(fay.locator("[data-unread]")).to_have_text("0")
    expect(fay.locator("tr.read")).to_contain_text("请补充省控站的年度监测报告")
