"""The whole cycle in a real browser (Debian's chromium through Playwright), screenshots in test-artifacts/.

甲市 (A) goes through the screens: fay fills every item and attaches a PDF, hank submits, vera (生态环境局) lowers
the good-days ratio with a reason; 乙市 and 丙县 are brought to "verified" through the actions, as are A's items
other verifiers lead. Then alice evaluates, linda approves, alice publishes, and the public sees the ranking.
Every step waits for what the page shows next; there are no sleeps.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from docx import Document
from playwright.sync_api import Browser, Dialog, FilePayload, Page, expect

from kaohe.assessments import actions
from tests.world import GOOD_VALUES, World, build_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any) -> World:
    return build_world()


class Screens:
    """Opens one browser context per person (Chinese, as a user in China has it) and numbers the screenshots."""

    def __init__(self, browser: Browser, base_url: str, folder: Path) -> None:
        self.browser, self.base_url, self.folder = browser, base_url, folder
        self.count = 0
        self.contexts: list[Any] = []
        self.confirmations: list[str] = []  # what each irreversible step asked before it ran (issue 10 §2)
        folder.mkdir(parents=True, exist_ok=True)

    def open(self, username: str | None) -> Page:
        context = self.browser.new_context(base_url=self.base_url, locale="zh-CN", accept_downloads=True)
        self.contexts.append(context)
        page = context.new_page()
        page.on("dialog", self._confirm)
        if username is not None:
            page.goto("/login/")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill("pw")
            page.get_by_role("button", name="登录").click()
            expect(page.get_by_role("button", name="退出")).to_be_visible()  # signed in
        return page

    def _confirm(self, dialog: Dialog) -> None:
        self.confirmations.append(dialog.message)
        dialog.accept()

    def shot(self, page: Page, name: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def screens(browser: Browser, live_server: Any) -> Iterator[Screens]:
    s = Screens(browser, live_server.url, ARTIFACTS / connection.vendor)
    yield s
    s.close()


def verify_as_reported(world: World, unit: str, skip: tuple[str, ...] = ()) -> None:
    for item in world.assessment(unit).items.exclude(indicator_id__in=skip):
        verifier = {"水利局": "walt", "生态环境局": "vera"}.get(item.lead_unit, "dora")
        actions.check_verify_item(
            item=item,
            raw_values=item.values,
            score=None,
            reason="",
            version=item.version,
            acting_user=world.people[verifier],
        )


def test_the_whole_cycle_in_the_browser(live_world: World, screens: Screens) -> None:
    world = live_world
    world.fill("B", {**GOOD_VALUES, "water_months": 3})
    world.fill("C")
    for unit in ("B", "C"):
        world.submit(unit)
        verify_as_reported(world, unit)
    assessment = world.assessment("A")
    items = {item.indicator_id: item.pk for item in assessment.items.all()}

    # --- fay fills every item of 甲市 and attaches the monitoring report to the air-quality item
    page = screens.open("fay")
    expect(page.get_by_role("heading", level=1)).to_have_text("待办")  # where everyone lands (issue 10 §1)
    page.locator("#todo-to-fill").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("甲市")
    fields = {
        "1": ("v_water_months", "1", "水环境质量"),
        "2": ("v_good_days", "86.5", "空气质量"),
        "B1": ("v_awards", "1", "国家表彰"),
        "D1": ("v_incidents", "0", "较大环境事件"),
    }
    for indicator_id, (name, value, title) in fields.items():
        section = page.locator(f"#item-{items[indicator_id]}")
        section.locator(f"input[name={name}]").fill(value)
        section.get_by_role("button", name="保存").click()
        # The item's own message: the previous page's message must not satisfy the wait.
        expect(page.locator(".messages")).to_contain_text(f"已保存：{title}")
    section = page.locator(f"#item-{items['3']}")
    section.locator("select[name=v_tasks_done]").select_option("true")
    section.locator("textarea[name=explanation]").fill("三项重点任务全部完成")
    section.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存：重点工作")
    section = page.locator(f"#item-{items['2']}")
    section.locator("input[type=file]").set_input_files(
        files=[FilePayload(name="空气质量监测报告.pdf", mimeType="application/pdf", buffer=PDF)]
    )
    section.get_by_role("button", name="上传佐证材料").click()
    expect(page.locator(".messages")).to_contain_text("佐证材料已上传")
    expect(page.locator(f"#item-{items['2']}").get_by_role("link", name="空气质量监测报告.pdf")).to_be_visible()
    screens.shot(page, "unit-filled")

    # --- hank, the head of 甲市, submits
    page = screens.open("hank")
    page.locator("#todo-submit").get_by_role("link", name="甲市").click()
    page.get_by_role("button", name="提交自评").click()
    expect(page.locator(".messages")).to_contain_text("自评已提交")
    assert screens.confirmations[-1].startswith("提交后单位不能再修改")  # asked before the step, then accepted
    expect(page.locator(".badge", has_text="已提交").first).to_be_visible()
    screens.shot(page, "unit-submitted")

    # --- vera (生态环境局) changes 甲市's good-days ratio from 86.5 to 80 with a reason
    page = screens.open("vera")
    page.goto(f"/cycles/{world.cycle.pk}/verify/")
    row = page.locator("tr", has_text="甲市").filter(has_text="空气质量")
    row.get_by_role("link", name="核实").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("甲市")
    expect(page.get_by_role("link", name="空气质量监测报告.pdf")).to_be_visible()
    page.locator("input[name=v_good_days]").fill("80")
    page.locator("textarea[name=reason]").fill("以省控监测站年度数据为准")
    screens.shot(page, "verifier-form")
    page.get_by_role("button", name="保存核实结果").click()
    expect(page.locator(".messages")).to_contain_text("已核实：甲市")
    screens.shot(page, "verifier-changed-value")
    verify_as_reported(world, "A", skip=("2",))  # the items other lead units verify

    # --- alice evaluates
    page = screens.open("alice")
    page.goto(f"/cycles/{world.cycle.pk}/")
    page.get_by_role("button", name="综合评价").click()
    expect(page.locator(".messages")).to_contain_text("综合评价完成：3 个单位")
    screens.shot(page, "office-evaluated")

    # --- linda approves
    page = screens.open("linda")
    page.goto(f"/cycles/{world.cycle.pk}/approval/")
    page.get_by_role("button", name="审定").click()
    expect(page.locator(".messages")).to_contain_text("已审定")
    assert screens.confirmations[-1].startswith("审定后考核结果即成定局")
    screens.shot(page, "approver-approved")

    # --- alice publishes
    page = screens.open("alice")
    page.goto(f"/cycles/{world.cycle.pk}/")
    page.get_by_role("button", name="通报", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已通报")
    assert screens.confirmations[-1].startswith("通报后考核结果向社会公开")

    # --- the public sees the ranking. With the verified 80 % below the 85 % target, 甲市 loses indicator 2:
    # 40−5 + 0 + 20 + 2 = 57 不合格; 乙市 40−15 + 40 + 20 + 2 = 87 良好; 丙县 (no indicator 3) 40−5 + 40 + 2 = 77 合格.
    page = screens.open(None)
    page.goto("/public/")
    page.get_by_role("link", name="2024年度考核").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2024年度考核")
    tables = page.locator("main section.card table")
    expect(tables).to_have_count(2)
    city = [
        [c.strip() for c in row.locator("td").all_inner_texts()[:4]] for row in tables.nth(0).locator("tr").all()[1:]
    ]
    county = [
        [c.strip() for c in row.locator("td").all_inner_texts()[:4]] for row in tables.nth(1).locator("tr").all()[1:]
    ]
    assert city == [["1", "乙市", "87.00", "良好"], ["2", "甲市", "57.00", "不合格"]]
    assert county == [["1", "丙县", "77.00", "合格"]]
    screens.shot(page, "public-ranking")

    # --- and can download the Word notice with the same ranking
    with page.expect_download() as download:
        page.get_by_role("link", name="下载通报（Word）").click()
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    # the 通报 has the public columns and a 备注 (one-vote veto / 政务失信记录): empty for this cycle
    assert [[c.text for c in row.cells] for row in document.tables[0].rows][1:] == [[*row, ""] for row in city]
