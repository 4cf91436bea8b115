"""Targets imported from Excel in a real browser (Debian's chromium through Playwright, issue 10 §3): the office
downloads the template from the letters screen, fills one value with openpyxl as Excel would, uploads it and sees
the target in the table as a draft. Screenshot in test-artifacts/browser/<database>/."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from kaohe.assessments import actions
from kaohe.assessments.models import ResponsibilityLetter
from tests.web.test_scheme_browser import ARTIFACTS, live_world, signed_in
from tests.world import SCHEME_YAML, World

pytestmark = pytest.mark.browser
__all__ = ["live_world"]  # the fixture, used by name


def test_the_office_fills_the_template_and_uploads_it(
    live_world: World, browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    folder = ARTIFACTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    cycle = actions.check_open_cycle(
        name="2025年度考核",
        year=2025,
        scheme_id="",
        units=live_world.units.values(),
        scheme_file=ContentFile(SCHEME_YAML.encode(), name="web_scheme.yaml"),
        acting_user=live_world.people["alice"],
    )
    a = ResponsibilityLetter.objects.get(cycle=cycle, unit=live_world.units["A"])

    page = signed_in(browser, live_server.url, "alice")
    page.goto(f"/cycles/{cycle.pk}/letters/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载目标值模板（Excel）").click()
    path = tmp_path / "targets.xlsx"
    download.value.save_as(path)

    wb = load_workbook(path)
    ws = wb["目标值"]
    assert [c.value for c in ws[1]] == [
        "单位代码 [unit_id]",
        "单位名称 [unit_name]",
        "优良天数比例目标 (%) [good_days_target]",
    ]
    assert (ws["A2"].value, ws["B2"].value) == ("220100", "甲市")
    ws["C2"] = 88  # 甲市's target; the other rows stay empty
    out = io.BytesIO()
    wb.save(out)
    path.write_bytes(out.getvalue())

    page.locator("#targets-import input[type=file]").set_input_files(str(path))
    page.locator("#targets-import").get_by_role("button", name="导入").click()
    expect(page.get_by_text("已导入 1 个单位的目标值：甲市")).to_be_visible()
    expect(page.locator(f'input[form="letter-{a.pk}"][name="t_good_days_target"]')).to_have_value(
        "88.0"
    )  # stored as a number, shown as the screen shows issued ones
    expect(page.locator("table")).to_contain_text("草稿（未下达）")
    page.screenshot(path=str(folder / "letters-01-targets-imported.png"), full_page=True)
    a.refresh_from_db()
    assert a.targets == {"good_days_target": 88} and a.issued_at is None
