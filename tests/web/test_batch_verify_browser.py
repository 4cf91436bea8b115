"""Batch 核实无误 in a real browser (Debian's chromium through Playwright; issue 10 §1): vera filters her queue to
甲市, ticks two rows and verifies them in one click, then verifies the rest of what the filter shows after the
confirmation that names the count. Screenshots in test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, Dialog, expect

from kaohe.assessments.models import SelfEvaluation
from tests.world import World, build_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any) -> World:
    return build_world()


def test_a_verifier_filters_selects_two_rows_and_batch_verifies(
    live_world: World, browser: Browser, live_server: Any
) -> None:
    world = live_world
    for unit in ("A", "B", "C"):
        world.fill(unit)
        world.submit(unit)
    folder = ARTIFACTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("用户名").fill("vera")
        page.get_by_label("密码").fill("pw")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("button", name="退出")).to_be_visible()
        page.goto(f"/cycles/{world.cycle.pk}/verify/")
        # vera's queue: 2, B1 and D1 of three units
        expect(page.locator("#batch input[name=items]")).to_have_count(9)
        page.locator("#queue-filter input[name=unit]").fill("220100")
        page.locator("#queue-filter").get_by_role("button", name="筛选").click()
        expect(page.locator("#batch input[name=items]")).to_have_count(3)
        page.get_by_label("选择 甲市 2").check()
        page.get_by_label("选择 甲市 B1").check()
        page.screenshot(path=str(folder / "batch-verify-selected.png"), full_page=True)
        page.get_by_role("button", name="核实无误（所选）").click()
        expect(page.locator(".messages")).to_contain_text("已核实无误 2 项")
        # back on the same filter: only 甲市's D1 is left
        expect(page.locator("#queue-filter input[name=unit]")).to_have_value("220100")
        expect(page.locator("#batch input[name=items]")).to_have_count(1)

        questions: list[str] = []

        def accept(dialog: Dialog) -> None:
            questions.append(dialog.message)
            dialog.accept()

        page.once("dialog", accept)
        page.get_by_role("button", name="当前筛选的全部核实无误（1 项）").click()
        expect(page.locator(".messages")).to_contain_text("已核实无误 1 项")
        assert questions and "将当前筛选的 1 项待核实项全部核实无误" in questions[0]
        expect(page.locator("#batch input[name=items]")).to_have_count(0)
        page.screenshot(path=str(folder / "batch-verify-done.png"), full_page=True)
    finally:
        context.close()
    accepted = SelfEvaluation.ItemStatus.ACCEPTED
    assert {i.indicator_id for i in world.assessment("A").items.filter(status=accepted)} == {"2", "B1", "D1"}
    assert not world.assessment("B").items.filter(status=accepted).exists()
