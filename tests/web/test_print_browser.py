"""Result pages print cleanly (issue 10 §5, the print stylesheet: the ``@media print`` rules of css/kaohe.css), in a
real browser (Debian's chromium through Playwright) with the print media emulated.

A published cycle of the conftest's world (with a unit map, whose card has a control of its own). The office opens
the public results, 甲市's result and the cycle's dashboard: on paper there is no navigation, bell, language switch,
button, form or other control; the headings and result tables are there; nothing reaches past the printable width
of an A4 page (210 mm less the 2 × 15 mm side margins of the ``@page`` rule = 180 mm = 680 CSS px at 96 px per
inch); and the page prints on A4 by its own ``@page`` rule (chromium's default paper is US Letter, 612 × 792 pt).
The PDFs and their first pages as PNG (pdftoppm, when installed) go to test-artifacts/browser/<database>/."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from kaohe.assessments import actions
from kaohe.maps.actions import check_upload_area_map
from tests.maps.test_area_map import as_bytes, collection, feature, square
from tests.web.test_scheme_browser import signed_in
from tests.world import World, build_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PRINTABLE_PX = 680  # floor((210 − 2 × 15) mm / 25.4 mm per inch × 96 px per inch) = floor(680.3)
A4_PT = (595.28, 841.89)  # 210 × 297 mm at 72 pt per inch

# Everything that is the screen's and not the paper's. The language switch is a <select> in a <form>.
SCREEN_ONLY = [
    *("header.top", "header nav", "a.bell", "select[name=language]", "button", "form", "select", "input"),
    # links to other screens and downloads: the dashboard's row of links, paging, 申诉处理, the 通报 downloads
    *('main a[href$="/scheme/"]', ".pagination", 'main a[href$="/appeals/"]', 'main a[href*="/notice"]'),
]

# What the widest visible box reaches, and the document's own width (a table wider than the page scrolls it).
WIDEST = """() => {
  let right = 0, what = "";
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && r.right > right) {
      right = r.right;
      what = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : "");
    }
  }
  return {right: Math.round(right * 10) / 10, what, scroll: document.documentElement.scrollWidth};
}"""

# The visible headings none of whose following siblings shows (a chart's heading when the chart is not printed).
ALONE = """() => {
  const shows = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const alone = [];
  for (const h of document.querySelectorAll("main h1, main h2, main h3")) {
    let next = h.nextElementSibling, any = false;
    for (; next && !any; next = next.nextElementSibling) { any = shows(next); }
    if (shows(h) && !any) { alone.push(h.textContent.trim()); }
  }
  return alone;
}"""


@pytest.fixture
def published(transactional_db: Any, live_server: Any) -> World:
    world = build_world()
    office = world.people["alice"]
    area = collection(*(feature(u.code, square(120 + n, 40)) for n, u in enumerate(world.units.values())))
    check_upload_area_map(raw=as_bytes(area), file_name="area.geojson", code_property="code", acting_user=office)
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    actions.check_publish_cycle(cycle=world.cycle, acting_user=office)
    return world


def printed(page: Page, url: str, name: str) -> PdfReader:
    """Opens ``url`` as it prints: checks what the paper must not show and the printable width, returns the PDF."""
    page.set_viewport_size({"width": PRINTABLE_PX, "height": 1000})
    page.emulate_media(media="screen")
    page.goto(url)
    page.wait_for_load_state("networkidle")  # the charts and the map are drawn
    expect(page.locator("header.top")).to_be_visible()  # on screen, the page has its navigation …
    expect(page.locator("a.bell")).to_be_visible()
    page.emulate_media(media="print")
    shown = [  # … on paper, none of it
        f"{selector} #{n}: {element.evaluate('e => e.outerHTML.slice(0, 80)')}"
        for selector in SCREEN_ONLY
        for n, element in enumerate(page.locator(selector).all())
        if element.is_visible()
    ]
    assert shown == [], f"{name} prints controls"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate(ALONE) == [], f"{name} prints headings with nothing under them"
    widest = page.evaluate(WIDEST)
    assert widest["scroll"] <= PRINTABLE_PX and widest["right"] <= PRINTABLE_PX, f"{name}: {widest}"

    folder = ARTIFACTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (folder / f"print-{name}.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(folder / f"print-{name}.pdf")]
            + [str(folder / f"print-{name}")],
            check=True,
        )
    reader = PdfReader(io.BytesIO(pdf))
    for sheet in reader.pages:
        size = (float(sheet.mediabox.width), float(sheet.mediabox.height))
        assert size == pytest.approx(A4_PT, abs=1), f"{name}: a page of {size} pt, not A4"
    return reader


def test_result_pages_print_on_a4_without_the_screens_controls(
    published: World, browser: Browser, live_server: Any
) -> None:
    world = published
    page = signed_in(browser, live_server.url, "alice")
    a = world.assessment("A")

    printed(page, f"/public/{world.cycle.pk}/", "public")
    for sequence in ("市", "县"):  # each sequence's ranking table, under its heading
        section = page.locator("section.card").filter(has=page.get_by_role("heading", name=sequence, exact=True))
        expect(section.get_by_role("heading", level=2)).to_be_visible()
        expect(section.locator("table")).to_be_visible()
    expect(page.locator("main table").first).to_contain_text("甲市")
    expect(page.get_by_role("heading", name="先进单位")).to_be_visible()
    expect(page.get_by_role("heading", name="约谈单位")).to_be_visible()

    printed(page, f"/assessments/{a.pk}/result/", "unit-result")
    expect(page.get_by_role("heading", level=1)).to_contain_text("甲市")
    expect(page.locator(".stats")).to_be_visible()  # score, grade, rank …
    expect(page.get_by_role("heading", name="得失分说明")).to_be_visible()
    expect(page.locator("main table").first).to_be_visible()

    printed(page, f"/cycles/{world.cycle.pk}/", "dashboard")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2024年度考核")
    expect(page.locator(".stats").first).to_be_visible()
    expect(page.locator("#dishonesty")).to_be_visible()
    expect(page.locator("#dishonesty table")).to_be_visible()
    expect(page.get_by_role("heading", name="各单位进度")).to_be_visible()  # its table's rows are not asserted
    history = page.locator("#ranking-history table")  # folded on screen (<details>), unfolded on paper
    expect(history).to_have_count(2)  # 市, 县
    for table in history.all():
        expect(table).to_be_visible()
        expect(table).to_contain_text("2024")
