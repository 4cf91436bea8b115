"""The main paths of the complaints, notices and incidents registers in a real browser (Debian's chromium through
Playwright, issue 12 §1; the rectification register's is in test_ledgers_browser.py, whose sign-in and screenshots
these reuse). Each starts with the office importing a small .xlsx with the template's headers (preview, then 确认导入):

- 信访/12369: the list flags the overdue cases 逾期; 甲市's filler sees only 甲市's cases, records the handling of
  its overdue case, then closes it (办结) with the reply; the list shows it 已办结 without the flag, and so does the
  office's, whose detail page shows the handling.
- 通报·督办·批示 and 突发环境事件: the office filters the list by its words (层级 and 类型; 事件等级) and gets exactly
  the expected rows, opens one, and exports to Excel: the download re-reads as the rows imported. 乙市's filler sees
  only 乙市's rows and no import link (the import page refuses it).

Screenshots of each list in test-artifacts/browser/<vendor>/."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from kaohe.registers.kinds import register_kind
from tests.ledgers.helpers import workbook
from tests.web.test_ledgers_browser import shot, sign_in
from tests.world import World, build_world

pytestmark = pytest.mark.browser

# 甲市 220100, 乙市 220200, 丙县 220281 (tests/world.py). C-A1 and C-B2 are past their 办结时限 and open: 逾期.
COMPLAINT_ROWS: list[dict[str, Any]] = [
    {
        "unit_id": "220100",
        "case_id": "C-A1",
        "channel": "12369热线",
        "category": "大气",
        "assigned_by": "",
        "received_on": "2024-03-01",
        "due_on": "2024-03-31",
        "closed_on": "",
    },
    {
        "unit_id": "220100",
        "case_id": "C-A2",
        "channel": "网络",
        "category": "水",
        "assigned_by": "省级督察",
        "received_on": "2024-05-06",
        "due_on": "2099-12-31",
        "closed_on": "",
    },
    {
        "unit_id": "220200",
        "case_id": "C-B1",
        "channel": "信访",
        "category": "噪声",
        "assigned_by": "",
        "received_on": "2024-02-01",
        "due_on": "2024-04-30",
        "closed_on": "2024-04-20",
    },
    {
        "unit_id": "220200",
        "case_id": "C-B2",
        "channel": "督察交办",
        "category": "固废",
        "assigned_by": "中央生态环境保护督察",
        "received_on": "2024-06-03",
        "due_on": "2024-07-03",
        "closed_on": "",
    },
]
NOTICE_ROWS: list[dict[str, Any]] = [
    {
        "unit_id": "220100",
        "notice_id": "N-1",
        "date": "2024-03-05",
        "level": "中央",
        "kind": "通报",
        "cause": "整改不到位",
        "rectified_in_time": "否",
    },
    {
        "unit_id": "220100",
        "notice_id": "N-2",
        "date": "2024-05-10",
        "level": "省",
        "kind": "督办",
        "cause": "监管不力",
        "rectified_in_time": "是",
    },
    {
        "unit_id": "220200",
        "notice_id": "N-3",
        "date": "2024-06-01",
        "level": "市",
        "kind": "督办",
        "cause": "整改不到位",
        "rectified_in_time": "否",
    },
    {
        "unit_id": "220281",
        "notice_id": "N-4",
        "date": "2024-07-15",
        "level": "省",
        "kind": "批示",
        "cause": "未落实批示",
        "rectified_in_time": "是",
    },
    {
        "unit_id": "220200",
        "notice_id": "N-5",
        "date": "2023-11-20",
        "level": "省",
        "kind": "督办",
        "cause": "",
        "rectified_in_time": "否",
    },
]
NOTICE_CONTENT = ["督察反馈问题整改不到位", "饮用水水源地监管不力", "", "市长批示未落实", "省级督办交办件"]
INCIDENT_ROWS: list[dict[str, Any]] = [
    {
        "unit_id": "220100",
        "incident_id": "E-1",
        "date": "2024-04-02",
        "severity": "一般",
        "supervision_failure": "否",
        "group_incident": "否",
    },
    {
        "unit_id": "220100",
        "incident_id": "E-2",
        "date": "2024-08-19",
        "severity": "较大",
        "supervision_failure": "是",
        "group_incident": "否",
    },
    {
        "unit_id": "220200",
        "incident_id": "E-3",
        "date": "2024-06-30",
        "severity": "重大",
        "supervision_failure": "否",
        "group_incident": "是",
    },
    {
        "unit_id": "220281",
        "incident_id": "E-4",
        "date": "2023-09-09",
        "severity": "特别重大",
        "supervision_failure": "是",
        "group_incident": "是",
    },
]
INCIDENT_FINDING = ["", "企业违法排污，属地监管不力", "", "尾矿库泄漏，日常监管缺位"]


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any) -> World:
    return build_world()


def import_register(page: Page, label: str, path: Path, count: int) -> None:
    """The office, from 台账: the register's 导入, the file, 上传并预览, 确认导入 → its list."""
    page.get_by_role("link", name="台账").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("台账")
    page.locator("#ledger-index tr", has_text=label).get_by_role("link", name="导入").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"导入 {label}")
    page.get_by_label("台账文件（.xlsx / .csv）").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("#import-preview")).to_contain_text(f"新增 {count} 条，修改 0 条")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".messages")).to_contain_text(f"新增 {count} 条")
    expect(page.get_by_role("heading", level=1)).to_have_text(label)
    expect(page.locator("#ledger-rows tr")).to_have_count(count + 1)  # the header and the rows


def keys(page: Page) -> Any:
    """The first cells (the rows' ids) of the list, in the list's order."""
    return page.locator("#ledger-rows tr[id^='row-'] td:first-child")


def cell(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def exported_rows(page: Page, kind: str, tmp_path: Path, extra: list[str]) -> dict[str, dict[str, str]]:
    """Click 导出 Excel; the downloaded .xlsx's rows by key: the register's columns and ``extra`` ones, as text."""
    label = register_kind(kind).label
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    download = info.value
    name = download.suggested_filename
    assert name.startswith(label.replace("/", "、")) and name.endswith(".xlsx"), name
    path = tmp_path / name
    download.save_as(path)
    data = path.read_bytes()
    assert data[:2] == b"PK"  # a zip: an .xlsx, not an HTML page
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    assert ws is not None
    lines = list(ws.iter_rows(values_only=True))
    headers = [str(h) for h in lines[0]]
    wanted = [c.header for c in register_kind(kind).columns] + extra
    assert set(wanted) <= set(headers), headers
    key = register_kind(kind).column(register_kind(kind).key).header
    out: dict[str, dict[str, str]] = {}
    for line in lines[1:]:
        values = dict(zip(headers, line, strict=True))
        out[cell(values[key])] = {h: cell(values[h]) for h in wanted}
    return out


def imported(kind: str, rows: list[dict[str, Any]], extra: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """``rows`` as the export should give them back: by key, the template's headers, empty cells as ""."""
    register = register_kind(kind)
    out: dict[str, dict[str, str]] = {}
    for n, row in enumerate(rows):
        values = {c.header: str(row.get(c.id) or "") for c in register.columns}
        values.update({h: v[n] for h, v in extra.items()})
        out[str(row[register.key])] = values
    return out


def test_complaints_import_unit_closes_its_overdue_case(
    live_world: World, browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    path = tmp_path / "信访案件.xlsx"
    content = ["夜间工地扬尘", "河道排污口异味", "广场舞噪声扰民", "固废倾倒"]
    path.write_bytes(workbook("complaints", COMPLAINT_ROWS, extra={"反映问题 [_content]": content}))
    today = timezone.localdate()

    office, page = sign_in(browser, live_server, "alice")
    try:
        import_register(page, "信访/12369案件", path, 4)
        expect(keys(page)).to_have_text(["C-A1", "C-A2", "C-B1", "C-B2"])
        expect(page.locator("#row-C-A1")).to_contain_text("甲市")
        expect(page.locator("#row-C-A1")).to_contain_text("12369热线")
        expect(page.locator("#row-C-A1")).to_contain_text("大气")
        expect(page.locator("#row-C-A1")).to_contain_text("办理中")
        expect(page.locator("#row-C-A1")).to_contain_text("逾期")
        expect(page.locator("#row-C-B2")).to_contain_text("逾期")
        expect(page.locator("#row-C-B2")).to_contain_text("中央生态环境保护督察")
        expect(page.locator("#row-C-A2")).not_to_contain_text("逾期")  # due 2099
        expect(page.locator("#row-C-B1")).to_contain_text("已办结")
        expect(page.locator("#row-C-B1")).not_to_contain_text("逾期")
        shot(page, "ledgers-complaints-office.png")
        page.get_by_label("状态").select_option(label="逾期")
        page.get_by_role("button", name="筛选").click()
        expect(keys(page)).to_have_text(["C-A1", "C-B2"])
    finally:
        office.close()

    unit, page = sign_in(browser, live_server, "fay")  # 甲市's filler
    try:
        expect(page.locator("#todo-ledgers")).to_contain_text("C-A1")  # 通报预警 on the unit's 待办
        page.get_by_role("link", name="台账").first.click()
        page.get_by_role("link", name="信访/12369案件").click()
        expect(keys(page)).to_have_text(["C-A1", "C-A2"])  # not 乙市's C-B1, C-B2
        expect(page.get_by_role("link", name="导入 Excel")).to_have_count(0)
        shot(page, "ledgers-complaints-unit.png")
        page.get_by_role("link", name="C-A1").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("C-A1 · 甲市")
        expect(page.locator("#row-state")).to_have_text("办理中")
        expect(page.locator("#row-fields")).to_contain_text("夜间工地扬尘")
        step = page.locator("#step-handle")
        expect(step.get_by_role("heading")).to_have_text("办理情况")
        step.get_by_label("办理情况").fill("已现场检查，责令工地覆盖裸土并安装喷淋")
        step.get_by_role("button", name="保存").click()
        expect(page.locator(".messages")).to_contain_text("已保存办理情况")
        expect(page.locator("#row-state")).to_have_text("办理中")  # handled, not yet closed
        expect(page.get_by_role("heading", level=1)).to_contain_text("逾期")
        step = page.locator("#step-handle")
        expect(step.get_by_label("办理情况")).to_have_value("已现场检查，责令工地覆盖裸土并安装喷淋")
        step.get_by_label("答复情况").fill("已电话答复投诉人，整改完成")
        step.get_by_label("办结日期").fill(today.isoformat())
        step.get_by_role("button", name="保存").click()
        expect(page.locator("#row-state")).to_have_text("已办结")
        expect(page.get_by_role("heading", level=1)).not_to_contain_text("逾期")
        expect(page.locator("#step-handle")).to_have_count(0)  # a closed case is not handled again
        page.get_by_role("link", name="信访/12369案件").click()
        expect(page.locator("#row-C-A1")).to_contain_text("已办结")
        expect(page.locator("#row-C-A1")).to_contain_text(today.isoformat())
        expect(page.locator("#row-C-A1")).not_to_contain_text("逾期")
        shot(page, "ledgers-complaints-unit-closed.png")
    finally:
        unit.close()

    office, page = sign_in(browser, live_server, "alice")
    try:
        page.get_by_role("link", name="台账").first.click()
        page.get_by_role("link", name="信访/12369案件").click()
        expect(page.locator("#row-C-A1")).to_contain_text("已办结")
        expect(page.locator("#row-C-A1")).not_to_contain_text("逾期")
        expect(page.locator("#row-C-B2")).to_contain_text("逾期")
        page.get_by_label("状态").select_option(label="已办结")
        page.get_by_role("button", name="筛选").click()
        expect(keys(page)).to_have_text(["C-A1", "C-B1"])
        shot(page, "ledgers-complaints-closed.png")
        page.get_by_role("link", name="C-A1").click()
        fields = page.locator("#row-fields")
        expect(fields).to_contain_text("已现场检查，责令工地覆盖裸土并安装喷淋")
        expect(fields).to_contain_text("已电话答复投诉人，整改完成")
        expect(page.locator("#step-handle")).to_have_count(0)  # the office does not handle a unit's case
    finally:
        office.close()


def test_notices_import_filter_detail_export_and_the_units_view(
    live_world: World, browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    extra = {"内容 [_content]": NOTICE_CONTENT}
    path = tmp_path / "通报督办.xlsx"
    path.write_bytes(workbook("notices", NOTICE_ROWS, extra=extra))

    office, page = sign_in(browser, live_server, "alice")
    try:
        import_register(page, "通报·督办·批示台账", path, 5)
        expect(keys(page)).to_have_text(["N-4", "N-3", "N-2", "N-1", "N-5"])  # the latest first
        row = page.locator("#row-N-1")
        for word in ("甲市", "2024-03-05", "中央", "通报", "整改不到位", "否"):
            expect(row).to_contain_text(word)
        expect(page.locator("#row-N-4")).to_contain_text("丙县")
        shot(page, "ledgers-notices-office.png")

        page.get_by_label("层级").select_option("省")
        page.get_by_role("button", name="筛选").click()
        expect(keys(page)).to_have_text(["N-4", "N-2", "N-5"])
        expect(page.locator("#ledger-filter")).to_be_visible()
        page.get_by_label("类型").select_option("督办")
        page.get_by_role("button", name="筛选").click()
        expect(keys(page)).to_have_text(["N-2", "N-5"])
        expect(page.get_by_text("共 2 条")).to_be_visible()
        page.get_by_label("年度").fill("2024")
        page.get_by_role("button", name="筛选").click()
        expect(keys(page)).to_have_text(["N-2"])
        shot(page, "ledgers-notices-filtered.png")

        page.get_by_role("link", name="N-2").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("N-2 · 甲市")
        fields = page.locator("#row-fields")
        for label, value in (("层级", "省"), ("类型", "督办"), ("原因", "监管不力"), ("按时整改落实", "是")):
            expect(fields.locator("tr", has=page.locator("th", has_text=label)).first).to_contain_text(value)
        expect(fields).to_contain_text("饮用水水源地监管不力")

        page.get_by_role("link", name="通报·督办·批示台账").click()
        expect(page.locator("#ledger-rows tr[id^='row-']")).to_have_count(5)
        assert exported_rows(page, "notices", tmp_path, list(extra)) == imported("notices", NOTICE_ROWS, extra)
    finally:
        office.close()

    unit, page = sign_in(browser, live_server, "bob")  # 乙市's filler
    try:
        page.get_by_role("link", name="台账").first.click()
        expect(page.locator("#ledger-index").get_by_role("link", name="导入")).to_have_count(0)
        page.get_by_role("link", name="通报·督办·批示台账").click()
        expect(keys(page)).to_have_text(["N-3", "N-5"])
        expect(page.get_by_role("link", name="导入 Excel")).to_have_count(0)
        expect(page.get_by_role("link", name="下载模板")).to_have_count(0)
        shot(page, "ledgers-notices-unit.png")
        assert exported_rows(page, "notices", tmp_path, []) == imported(
            "notices", NOTICE_ROWS[2:3] + NOTICE_ROWS[4:], {}
        )
        response = page.goto("/ledgers/notices/import/")
        assert response is not None and response.status == 403
    finally:
        unit.close()


def test_incidents_import_filter_detail_export_and_the_units_view(
    live_world: World, browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    extra = {"调查认定 [_finding]": INCIDENT_FINDING}
    path = tmp_path / "突发环境事件.xlsx"
    path.write_bytes(workbook("incidents", INCIDENT_ROWS, extra=extra))

    office, page = sign_in(browser, live_server, "alice")
    try:
        import_register(page, "突发环境事件台账", path, 4)
        expect(keys(page)).to_have_text(["E-2", "E-3", "E-1", "E-4"])  # the latest first
        row = page.locator("#row-E-4")
        for word in ("丙县", "2023-09-09", "特别重大", "是"):
            expect(row).to_contain_text(word)
        shot(page, "ledgers-incidents-office.png")

        page.get_by_label("事件等级").select_option("重大")  # exactly 重大: not 特别重大
        page.get_by_role("button", name="筛选").click()
        expect(keys(page)).to_have_text(["E-3"])
        page.get_by_label("事件等级").select_option("特别重大")
        page.get_by_role("button", name="筛选").click()
        expect(keys(page)).to_have_text(["E-4"])
        shot(page, "ledgers-incidents-filtered.png")
        page.get_by_role("link", name="清除筛选").click()
        page.get_by_label("单位").select_option(label="甲市")
        page.get_by_role("button", name="筛选").click()
        expect(keys(page)).to_have_text(["E-2", "E-1"])

        page.get_by_role("link", name="E-2").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("E-2 · 甲市")
        fields = page.locator("#row-fields")
        for label, value in (("事件等级", "较大"), ("因监管不力", "是"), ("引发群体性事件", "否")):
            expect(fields.locator("tr", has=page.locator("th", has_text=label)).first).to_contain_text(value)
        expect(fields).to_contain_text("企业违法排污，属地监管不力")

        page.get_by_role("link", name="突发环境事件台账").click()
        expect(page.locator("#ledger-rows tr[id^='row-']")).to_have_count(4)
        assert exported_rows(page, "incidents", tmp_path, list(extra)) == imported("incidents", INCIDENT_ROWS, extra)
    finally:
        office.close()

    unit, page = sign_in(browser, live_server, "bob")  # 乙市's filler
    try:
        page.get_by_role("link", name="台账").first.click()
        expect(page.locator("#ledger-index").get_by_role("link", name="导入")).to_have_count(0)
        page.get_by_role("link", name="突发环境事件台账").click()
        expect(keys(page)).to_have_text(["E-3"])
        expect(page.get_by_role("link", name="导入 Excel")).to_have_count(0)
        shot(page, "ledgers-incidents-unit.png")
        page.get_by_role("link", name="E-3").click()
        expect(page.locator("#row-fields")).to_contain_text("重大")
        response = page.goto("/ledgers/incidents/import/")
        assert response is not None and response.status == 403
    finally:
        unit.close()
