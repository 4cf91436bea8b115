"""The rectification register's main path in a real browser (Debian's chromium through Playwright, issue 12 §1): the
office imports the register from an .xlsx (preview, then 确认导入), 甲市's filler sees only 甲市's problems and
applies for 销号, the office accepts it (验收销号) and the row shows 已销号. Screenshots in test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.ledgers.helpers import RECTIFICATION_ROWS, workbook
from tests.world import World, build_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any) -> World:
    return build_world()


def sign_in(browser: Browser, live_server: Any, who: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("用户名").fill(who)
    page.get_by_label("密码").fill("pw")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待办")
    return context, page


def shot(page: Page, name: str) -> None:
    folder = ARTIFACTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def test_import_apply_for_closure_and_accept(
    live_world: World, browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    rows = [dict(r) for r in RECTIFICATION_ROWS]
    rows[1]["completed_on"] = ""  # P-A2 (due 2024-06-30) is overdue: warned on the list
    path = tmp_path / "督察整改台账.xlsx"
    path.write_bytes(workbook("rectification", rows, extra={"包保领导 [_lead_leader]": ["张副市长", "王副市长", ""]}))

    office, page = sign_in(browser, live_server, "alice")
    try:
        page.get_by_role("link", name="台账").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("台账")
        page.locator("#ledger-index").get_by_role("link", name="导入").first.click()
        page.get_by_label("台账文件（.xlsx / .csv）").set_input_files(str(path))
        page.get_by_role("button", name="上传并预览").click()
        expect(page.locator("#import-preview")).to_contain_text("新增 3 条，修改 0 条")
        page.get_by_role("button", name="确认导入").click()
        expect(page.locator(".messages")).to_contain_text("新增 3 条")
        expect(page.locator("#ledger-rows tr")).to_have_count(4)  # the header and three problems
        expect(page.locator("#row-P-A2")).to_contain_text("逾期")
        shot(page, "ledgers-rectification-office.png")
    finally:
        office.close()

    unit, page = sign_in(browser, live_server, "fay")
    try:
        expect(page.locator("#todo-ledgers")).to_contain_text("P-A2")  # 通报预警 on the unit's 待办
        page.get_by_role("link", name="台账").first.click()
        page.get_by_role("link", name="督察整改台账").click()
        rows_table = page.locator("#ledger-rows")
        expect(rows_table).to_contain_text("P-A1")
        expect(rows_table).to_contain_text("P-A2")
        expect(rows_table).not_to_contain_text("P-B1")  # 乙市's problem
        shot(page, "ledgers-rectification-unit.png")
        page.get_by_role("link", name="P-A1").click()
        step = page.locator("#step-apply")
        step.get_by_label("整改完成情况及佐证").fill("雨污分流改造完成，附竣工验收报告")
        report = tmp_path / "竣工验收报告.pdf"
        report.write_bytes(b"%PDF-1.4\n% acceptance report\n%%EOF\n")
        step.get_by_label("佐证材料（可选，最多 10 个文件）").set_input_files(str(report))
        step.get_by_role("button", name="申请销号").click()
        expect(page.locator("#row-state")).to_have_text("待验收")
        expect(page.locator("#reports .report-files")).to_contain_text("竣工验收报告.pdf")
    finally:
        unit.close()

    office, page = sign_in(browser, live_server, "alice")
    try:
        page.goto("/ledgers/rectification/?state=applied")
        page.get_by_role("link", name="P-A1").click()
        expect(page.locator("#reports")).to_contain_text("雨污分流改造完成")
        with page.expect_download() as download:  # the office opens the unit's 佐证材料
            page.locator("#reports").get_by_role("link", name="竣工验收报告.pdf").click()
        assert download.value.suggested_filename == "竣工验收报告.pdf"
        shot(page, "ledgers-rectification-applied.png")
        step = page.locator("#step-accept")
        step.get_by_label("验收意见").fill("现场核查属实，同意销号")
        step.get_by_role("button", name="验收通过，销号").click()
        expect(page.locator("#row-state")).to_have_text("已销号")
        page.get_by_role("link", name="督察整改台账").click()
        expect(page.locator("#row-P-A1")).to_contain_text("已销号")
        shot(page, "ledgers-rectification-closed.png")
    finally:
        office.close()


def test_the_office_adds_a_row_and_corrects_it_with_a_reason(
    live_world: World, browser: Browser, live_server: Any
) -> None:
    # 新增一行 on the list, filled in on the form (drop-down words, a date picker), then 修改 with a reason; the
    # row shows the change
    office, page = sign_in(browser, live_server, "alice")
    try:
        page.goto("/ledgers/rectification/")
        page.locator("#row-new").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("新增一行")
        form = page.locator("#row-form")
        form.get_by_label("责任单位").select_option("220100")
        form.get_by_label("问题编号").fill("P-N1")
        form.get_by_label("问题来源").select_option("省级督察")
        form.get_by_label("交办层级").select_option("省")
        form.get_by_label("问题描述").fill("工业园区污水处理厂超标排放")
        form.get_by_label("整改时限").fill("2025-09-30")
        shot(page, "ledgers-row-new.png")
        form.get_by_role("button", name="保存").click()
        expect(page.locator(".messages")).to_contain_text("已新增")
        expect(page.locator("#row-fields")).to_contain_text("工业园区污水处理厂超标排放")
        expect(page.locator("#row-fields")).to_contain_text("2025-09-30")

        page.locator("#row-edit").click()
        form = page.locator("#row-form")
        expect(form.get_by_label("问题编号")).to_be_disabled()
        expect(form).to_contain_text("延期请用详情页的“同意延期”")  # an extension is not a correction
        form.get_by_label("问题描述").fill("工业园区污水处理厂总氮超标排放")
        form.get_by_role("button", name="保存").click()  # without a reason the browser does not send the form
        expect(page.get_by_role("heading", level=1)).to_contain_text("修改 P-N1")
        expect(form.get_by_label("修改原因")).to_have_attribute("required", "")
        form.get_by_label("修改原因").fill("督察组来函更正超标因子")
        form.get_by_role("button", name="保存").click()
        expect(page.locator(".messages")).to_contain_text("已保存修改")
        expect(page.locator("#row-fields")).to_contain_text("工业园区污水处理厂总氮超标排放")
        shot(page, "ledgers-row-edited.png")
    finally:
        office.close()
