"""An item's thread in a real browser (Debian's chromium through Playwright; issue 10 §2): vera returns 甲市's
indicator 2 with a comment, fay finds it at the head of the item's thread and answers there, vera sees the answer on
the item's page. Then fay opens the preview of a PDF in her page: the framed preview is not refused by the site's
own policy (X-Frame-Options, frame-ancestors, object-src) and Chromium's PDF viewer opens it. Screenshots in
test-artifacts/browser/<database>/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from playwright.sync_api import Browser, Page, expect

from kaohe.assessments import actions
from tests.world import World, build_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
RETURN = "优良天数比例与省站监测数据不符，请核对"
ANSWER = "已核对：3 月有 2 天数据缺失，已在自评说明中补充"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def live_world(transactional_db: Any, live_server: Any) -> World:
    return build_world()


def sign_in(browser: Browser, base_url: str, username: str) -> Page:
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # 退回 asks first (data-confirm); the person confirms
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pw")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    return page


def test_the_unit_answers_a_return_in_the_thread_and_the_verifier_sees_it(
    live_world: World, browser: Browser, live_server: Any
) -> None:
    world = live_world
    evidence = actions.check_add_evidence(
        item=world.item("A", "2"), upload=SimpleUploadedFile("监测报告.pdf", PDF), acting_user=world.people["fay"]
    )
    world.fill("A")
    world.submit("A")
    item = world.item("A", "2")
    folder = ARTIFACTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    pages: list[Page] = []
    try:
        # vera returns the item from its page
        vera = sign_in(browser, live_server.url, "vera")
        pages.append(vera)
        vera.goto(f"/items/{item.pk}/verify/")
        vera.get_by_label("退回意见").fill(RETURN)
        vera.get_by_role("button", name="退回单位补正").click()
        expect(vera.get_by_role("heading", level=1)).to_contain_text("核实核证")

        # fay: the return heads the item's thread; she answers under it
        fay = sign_in(browser, live_server.url, "fay")
        pages.append(fay)
        fay.goto(f"/assessments/{item.assessment_id}/")
        thread = fay.locator(f"#thread-{item.pk}")
        expect(thread.locator(".comment").first).to_contain_text(RETURN)
        expect(thread.locator(".comment").first).to_contain_text("核实人")
        thread.get_by_label("回复或留言").fill(ANSWER)
        thread.get_by_role("button", name="发表留言").click()
        thread = fay.locator(f"#thread-{item.pk}")
        expect(thread.locator(".comment")).to_have_count(2)
        expect(thread.locator(".comment").nth(1)).to_contain_text(ANSWER)
        expect(thread.locator(".comment").nth(1)).to_contain_text("单位")
        assert fay.url.endswith(f"#thread-{item.pk}")
        fay.screenshot(path=str(folder / "thread-unit-answers.png"), full_page=True)

        # vera sees the answer on the item's page
        vera.goto(f"/items/{item.pk}/verify/")
        expect(vera.locator(f"#thread-{item.pk}")).to_contain_text(ANSWER)
        vera.screenshot(path=str(folder / "thread-verifier-sees-answer.png"), full_page=True)

        # the PDF preview in fay's page: framed from this site, not refused by X-Frame-Options or the CSP
        refusals: list[str] = []
        fay.on("console", lambda message: refusals.append(message.text) if "Refused" in message.text else None)
        fay.goto(f"/assessments/{item.assessment_id}/")
        viewer = "chrome-extension://"  # Chromium's PDF viewer, inside the framed PDF's document
        with fay.expect_event("framenavigated", lambda frame: frame.url.startswith(viewer)):
            with fay.expect_response(lambda r: r.url.endswith(f"/evidence/{evidence.pk}/preview/")) as preview:
                fay.locator(f"#evidence-{evidence.pk} summary").click()
        assert preview.value.status == 200
        expect(fay.locator(f'#evidence-{evidence.pk} iframe[src="/evidence/{evidence.pk}/preview/"]')).to_be_visible()
        assert refusals == []
        fay.screenshot(path=str(folder / "evidence-pdf-preview.png"), full_page=True)
    finally:
        for page in pages:
            page.context.close()
