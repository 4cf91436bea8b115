"""历年排名 and the unit map in a real browser (Debian's chromium through Playwright, issue 10 §4): the office's
dashboard draws the map (from the uploaded GeoJSON, registerMap, nothing from the internet) and the history lines;
the public result page draws the unit's published years. Screenshots in test-artifacts/browser/<database>/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, expect

from kaohe.assessments import actions
from kaohe.assessments.models import Assessment
from kaohe.maps.actions import check_upload_area_map
from tests.assessments.test_accountability_history import run_cycle
from tests.maps.test_area_map import as_bytes, collection, feature, square
from tests.web.test_scheme_browser import signed_in
from tests.world import World, build_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any) -> World:
    world = build_world()
    office = world.people["alice"]
    area = collection(*(feature(u.code, square(120 + n, 40)) for n, u in enumerate(world.units.values())))
    check_upload_area_map(raw=as_bytes(area), file_name="area.geojson", code_property="code", acting_user=office)
    first = run_cycle(world, 2025, {"220200"})
    actions.check_publish_cycle(cycle=first, acting_user=office)
    run_cycle(world, 2026, {"220100"})
    return world


def test_the_dashboard_draws_the_map_and_the_history(live_world: World, browser: Browser, live_server: Any) -> None:
    folder = ARTIFACTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []

    office = signed_in(browser, live_server.url, "alice")
    office.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    office.goto(f"/cycles/{live_world.cycle.pk}/")
    expect(office.locator("#chart-map canvas")).to_have_count(1)
    expect(office.locator("#chart-history-0 canvas")).to_have_count(1)
    expect(office.locator("#ranking-history")).to_contain_text("2025")
    office.select_option("#map-metric", label="最终得分")
    office.locator("#unit-map").scroll_into_view_if_needed()
    office.screenshot(path=str(folder / "history-map-01-dashboard.png"), full_page=True)

    public = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    a_2025 = Assessment.objects.get(cycle__year=2025, unit=live_world.units["A"])
    public.goto(f"/assessments/{a_2025.pk}/result/")
    expect(public.locator("#chart-unit-history canvas")).to_have_count(1)
    expect(public.locator("#ranking-history table")).not_to_contain_text("2026")
    public.screenshot(path=str(folder / "history-map-02-unit-page.png"), full_page=True)
    assert errors == []
