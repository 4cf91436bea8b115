"""台账数据 into a cycle in a real browser (issue 12 §2): the office opens 台账数据 on the cycle, previews the counts
the registers give (甲市: 3 tasks late), confirms, and a verifier opens 甲市's item, sees the count beside the unit's
figure and follows its link to exactly the 3 register rows counted. Screenshots in test-artifacts/browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.ledgers.test_pull import fill, open_registers_cycle
from tests.web.test_ledgers_browser import shot, sign_in
from tests.world import World, build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any) -> World:
    return build_world()


def test_the_office_pulls_and_a_verifier_follows_the_count_to_its_rows(
    live_world: World, browser: Browser, live_server: Any
) -> None:
    cycle = open_registers_cycle(live_world)
    office, page = sign_in(browser, live_server, "alice")
    try:
        page.goto(f"/cycles/{cycle.pk}/")
        page.locator("#pull-link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("台账数据")
        expect(page.locator("#pull-counts")).to_contain_text("12")
        expect(page.locator("#pull-220100-rect_late")).to_contain_text("3")
        shot(page, "registers-pull-preview.png")
        page.get_by_role("button", name="确认导入（12 个值）").click()
        expect(page.locator(".messages")).to_contain_text("新增 12 个值")
        page.locator("#pull-link").click()
        expect(page.locator("#pull-nothing")).to_be_visible()
    finally:
        office.close()

    fill(live_world, cycle, "220100", {"rect_late": 0, "rect_done": 4, "good_days": 90}, "fay")
    from kaohe.assessments import actions

    assessment = cycle.assessments.get(unit__code="220100")
    actions.check_submit(assessment=assessment, acting_user=live_world.people["hank"])
    item = assessment.items.get(indicator_id="1")

    verifier, page = sign_in(browser, live_server, "vera")
    try:
        page.goto(f"/cycles/{cycle.pk}/verify/")
        page.locator(f"a[href='/items/{item.pk}/verify/']").first.click()
        expect(page.locator("td.register-value")).to_contain_text("3")
        expect(page.get_by_label("未按时完成的整改任务项数")).to_have_value("3")
        shot(page, "registers-pull-verify.png")
        page.locator("td.register-value").get_by_role("link", name="查看台账记录").click()
        expect(page.locator("#ledger-evidence")).to_contain_text("3 条")
        expect(page.locator("#ledger-rows tr")).to_have_count(4)  # the header and R2, R3, R4
        for key in ("R2", "R3", "R4"):
            expect(page.locator(f"#row-{key}")).to_be_visible()
        shot(page, "registers-pull-rows.png")
    finally:
        verifier.close()
