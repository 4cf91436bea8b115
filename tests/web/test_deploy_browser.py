"""Under the production Content-Security-Policy the pages still work in a real browser: signing in through the
login form (django-axes in the way), the ECharts dashboard, the language switch (its script is a file now)."""

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


@pytest.fixture
def published(transactional_db: Any, live_server: Any) -> World:
    world = build_world()
    world.through_verified()
    office = world.people["alice"]
    if hasattr(actions, "check_decide_remaining_findings_no"):
        actions.check_decide_remaining_findings_no(cycle=world.cycle, acting_user=office)
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    actions.check_publish_cycle(cycle=world.cycle, acting_user=office)
    return world


def test_dashboard_charts_and_language_switch_under_the_csp(
    published: World, browser: Browser, live_server: Any
) -> None:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    failed: list[str] = []
    page.on(
        "response", lambda r: failed.append(r.url) if r.status >= 400 and not r.url.endswith("/favicon.ico") else None
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto("/login/")
        page.get_by_label("用户名").fill("alice")
        page.get_by_label("密码").fill("pw")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("button", name="退出")).to_be_visible()

        response = page.goto(f"/cycles/{published.cycle.pk}/")
        assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
        for chart in ("chart-distribution", "chart-ranking", "chart-states"):
            expect(page.locator(f"#{chart} canvas").first).to_be_visible()  # ECharts drew it
        box = page.locator("#chart-distribution canvas").first.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8)  # a tooltip (inline styles)
        ARTIFACTS.joinpath(connection.vendor).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / connection.vendor / "csp-dashboard.png"), full_page=True)

        page.locator("select[name=language]").select_option("en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.locator("select[name=language]").select_option("zh-hans")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    finally:
        context.close()
    refused = [p for p in problems if "Content Security Policy" in p or "Refused to" in p]
    assert refused == [] and failed == []
    assert [p for p in problems if not p.startswith("Failed to load resource")] == []  # (the favicon's 404)
