"""The 通报 and the 目标责任书 in the GB/T 9704-2012 layout (issue 10 §5): opened with python-docx and, through
LibreOffice, as PDF with pypdf. Expected values come from the standard's clauses and the test scheme by hand."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

from kaohe.assessments import actions
from kaohe.assessments.integrity import verify_all
from kaohe.audit.models import AuditLog
from kaohe.reports import official, pdf
from kaohe.reports.actions import check_save_document_settings
from kaohe.reports.models import DocumentSettings
from tests.world import GOOD_VALUES, World

NEEDS_SOFFICE = pytest.mark.skipif(
    pdf.soffice() is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed"
)
SETTINGS = {
    "issuer": "示范市生态环境保护委员会办公室",
    "number_pattern": "示环考〔{year}〕{n}号",
    "notice_number": 7,
    "addressees": "各区县人民政府\n市直有关部门",
    "signer": "",
    "date_style": "arabic",
}


@pytest.fixture
def approved(world: World) -> World:
    """甲市 97 优秀, 乙市 vetoed by 特别重大事件 (seed-style 一票否决 ⇒ 不合格), 丙县 77 合格; approved 2025-03-10."""
    office = world.people["alice"]
    for each in world.units.values():
        actions.check_save_findings(
            cycle=world.cycle,
            unit_code=each.code,
            raw={"major_incident": "是" if each.code == "220200" else "否"},
            acting_user=office,
        )
    world.fill("A")
    world.fill("B", GOOD_VALUES)
    world.fill("C")
    for unit in ("A", "B", "C"):
        world.submit(unit)
        world.verify_all(unit)
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    with time_machine.travel("2025-03-10 09:30 +0800", tick=False):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    with time_machine.travel("2025-03-12 10:00 +0800", tick=False):
        actions.check_publish_cycle(cycle=world.cycle, acting_user=office)
    return world


def docx_of(response: Any) -> Any:
    assert response.status_code == 200, response.content[:300]
    return Document(io.BytesIO(response.content))


def east_asia(paragraph: Any) -> str:
    """The Chinese font a paragraph's text is shown in: its first run's, else its style's."""
    for element in (paragraph.runs[0]._r if paragraph.runs else None, paragraph.style.element):
        if element is None:
            continue
        rpr = element.find(qn("w:rPr"))
        fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return str(fonts.get(qn("w:eastAsia")))
    return ""


def size(paragraph: Any) -> Any:
    return (paragraph.runs[0].font.size if paragraph.runs else None) or paragraph.style.font.size


def test_the_page_is_a4_with_the_standard_margins_and_grid(approved: World) -> None:
    document = docx_of(approved.client("anon").get(reverse("reports:notice", args=[approved.cycle.pk])))
    section = document.sections[0]
    # 5.1 A4; 5.2.1 天头 37, 订口 28, 版心 156 × 225 ⇒ bottom 297 − 37 − 225 = 35, right 210 − 28 − 156 = 26.
    sizes = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    sizes += [section.left_margin, section.right_margin]
    assert [round(v.mm, 1) for v in sizes] == [210, 297, 37, 35, 28, 26]  # stored in twips: 1/56.7 mm
    grid = section._sectPr.find(qn("w:docGrid"))
    # 5.2.3: 22 lines in 225 mm: 225 / 22 mm = 28.95 pt = 579 twips.
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    # 28 characters in 156 mm: 442.2 / 28 = 15.79 pt, a 3号 character (16 pt) condensed by 0.2 pt = 4 twips.
    spacing = document.styles["Normal"].element.rPr.find(qn("w:spacing"))
    assert spacing.get(qn("w:val")) == "-4"


def test_the_notice_has_masthead_number_addressees_title_and_date(approved: World) -> None:
    check_save_document_settings(cycle=approved.cycle, values=SETTINGS, acting_user=approved.people["alice"])
    document = docx_of(approved.client("anon").get(reverse("reports:notice", args=[approved.cycle.pk])))
    texts = [p.text for p in document.paragraphs]
    masthead = document.paragraphs[0]
    assert masthead.text == "示范市生态环境保护委员会办公室"
    assert east_asia(masthead) == "方正小标宋简体" and str(masthead.runs[0].font.color.rgb) == "FF0000"
    # 7.2.5: two lines under the masthead, the year in 〔〕, the number as given, centred.
    number = document.paragraphs[3]
    assert texts[1:3] == ["", ""] and number.text == "示环考〔2024〕7号"
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"  # 7.2.7
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    assert title.text == "关于2024年度考核结果的通报"
    assert east_asia(title) == "方正小标宋简体" and size(title) == Pt(22)  # 7.3.1: 2号小标宋
    assert texts.index(title.text) == 6  # two blank lines under the red line (7.3.1)
    assert texts[8] == "各区县人民政府、市直有关部门："  # 7.3.2: one line under the title, full-width colon
    preamble = next(p for p in document.paragraphs if p.text.startswith("根据"))
    assert east_asia(preamble) == "仿宋_GB2312" and size(preamble) == Pt(16)  # 7.3.3: 3号仿宋
    heading1 = next(p for p in document.paragraphs if p.text == "一、考核结果")
    heading2 = next(p for p in document.paragraphs if p.text.startswith("（一）"))
    assert east_asia(heading1) == "黑体" and east_asia(heading2) == "楷体_GB2312"
    # 7.3.5: signer (the issuer, as no signer is set) above the date; 7.3.5.4 Arabic numerals, published 3月12日.
    assert texts[-3:-1] == ["示范市生态环境保护委员会办公室", "2025年3月12日"]
    assert texts[-1].startswith("校验码 ")


def test_the_date_may_be_written_in_chinese_numerals() -> None:
    assert official.date_text(dt.date(2026, 12, 6)) == "2026年12月6日"
    assert official.date_text(dt.date(2026, 12, 6), "chinese") == "二〇二六年十二月六日"
    assert official.date_text(dt.date(2030, 10, 20), "chinese") == "二〇三〇年十月二十日"
    assert official.date_text(dt.date(2025, 1, 31), "chinese") == "二〇二五年一月三十一日"


def test_page_numbers_are_dashed_fields_outside(approved: World) -> None:
    document = docx_of(approved.client("anon").get(reverse("reports:notice", args=[approved.cycle.pk])))
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert " PAGE " in xml and paragraph.text.replace(" ", "") == "——"  # "— {PAGE} —"
        assert paragraph.alignment == (2 if side == "right" else 0)  # 7.5: odd right, even left
        indent = paragraph.paragraph_format.right_indent if side == "right" else paragraph.paragraph_format.left_indent
        assert indent == Pt(14)  # one 4号 character in
        assert paragraph.runs[0].font.size == Pt(14) and east_asia(paragraph) == "宋体"


def test_the_notice_says_why_a_unit_failed(approved: World) -> None:
    document = docx_of(approved.client("anon").get(reverse("reports:notice", args=[approved.cycle.pk])))
    texts = [p.text for p in document.paragraphs]
    # 乙市 had 特别重大事件 = 是: the veto rule R2 (named 特别重大事件) fired.
    start = texts.index("五、不合格单位")
    assert texts[start + 1] == "乙市因“特别重大事件”一票否决，考核等级确定为不合格。"
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows[2][1:] == ["乙市", rows[2][2], "不合格", "因“特别重大事件”一票否决"]


def test_settings_are_saved_through_an_audited_action_by_the_office_only(approved: World) -> None:
    url = reverse("reports:document_settings", args=[approved.cycle.pk])
    got = {who: approved.client(who).get(url).status_code for who in ("anon", "alice", "linda", "fay", "vera")}
    assert got == {"anon": 302, "alice": 200, "linda": 403, "fay": 403, "vera": 403}
    assert approved.client("fay").post(url, SETTINGS).status_code == 403
    response = approved.client("alice").post(url, {**SETTINGS, "number_pattern": "示环考〔{year}〕号"})
    assert response.status_code == 400 and "{n}" in response.content.decode()
    response = approved.client("alice").post(url, SETTINGS)
    assert response.status_code == 302
    saved = DocumentSettings.objects.get(cycle=approved.cycle)
    assert saved.number() == "示环考〔2024〕7号"
    entry = AuditLog.objects.filter(action="document_settings.save").get()
    assert entry.old_value in ("", "null") and entry.decoded_new()["issuer"] == SETTINGS["issuer"]
    approved.client("alice").post(url, {**SETTINGS, "notice_number": 8})
    second = AuditLog.objects.filter(action="document_settings.save").order_by("-seq")[0]
    assert json.loads(second.old_value)["notice_number"] == 7 and second.decoded_new()["notice_number"] == 8


def test_unset_settings_give_sensible_defaults(approved: World) -> None:
    document = docx_of(approved.client("anon").get(reverse("reports:notice", args=[approved.cycle.pk])))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "生态环境保护目标责任考核办公室" and texts[3] == "环考〔2024〕1号"
    assert "各被考核单位：" in texts


def test_letters_per_unit_and_all_in_one_file(world: World) -> None:
    office = world.client("alice")
    document = docx_of(office.get(reverse("reports:letters", args=[world.cycle.pk])))
    titles = [p for p in document.paragraphs if p.style.name == "Title"]
    assert [p.text for p in titles] == ["2024年度生态环境保护目标责任书"] * 3
    assert [bool(p.paragraph_format.page_break_before) for p in titles] == [False, True, True]
    texts = [p.text for p in document.paragraphs]
    assert "乙方：甲市" in texts and "乙方：乙市" in texts and "乙方：丙县" in texts
    # the target 优良天数比例目标 = 85 % (world's letters) beside the indicator that reads it
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["编号", "指标", "分值", "目标值"]
    assert any(r[3] == "优良天数比例目标 85%" for r in rows)
    assert "1. 优良天数比例目标 85%。" in texts
    signatures = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert signatures[0] == ["甲方（盖章）：生态环境保护目标责任考核办公室", "乙方（盖章）：甲市"]
    assert round(document.sections[0].page_width.mm) == 210


def test_a_unit_downloads_only_its_own_letter(world: World) -> None:
    mine = reverse("reports:letter", args=[world.assessment("A").pk])
    theirs = reverse("reports:letter", args=[world.assessment("B").pk])
    document = docx_of(world.client("fay").get(mine))
    assert "乙方：甲市" in [p.text for p in document.paragraphs]
    assert world.client("fay").get(theirs).status_code == 403
    assert world.client("anon").get(mine).status_code == 302
    everyone = reverse("reports:letters", args=[world.cycle.pk])
    assert {w: world.client(w).get(everyone).status_code for w in ("fay", "linda", "alice")} == {
        "fay": 403,
        "linda": 403,
        "alice": 200,
    }
    letter = world.cycle.letters.get(unit=world.units["A"])
    one = reverse("reports:issued_letter", args=[letter.pk])
    assert world.client("fay").get(one).status_code == 403 and world.client("alice").get(one).status_code == 200


def test_without_libreoffice_the_pdf_link_says_so_in_chinese(approved: World, monkeypatch: Any) -> None:
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    response = approved.client("anon").get(reverse("reports:notice_pdf", args=[approved.cycle.pk]))
    assert response.status_code == 503
    assert "服务器未安装 LibreOffice" in response.content.decode()


@NEEDS_SOFFICE
def test_the_notice_as_pdf_is_a4_with_embedded_cjk_fonts(approved: World, tmp_path: Any) -> None:
    from pypdf import PdfReader

    response = approved.client("anon").get(reverse("reports:notice_pdf", args=[approved.cycle.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    keep = os.environ.get("KAOHE_KEEP_PDF")
    if keep:  # to look at it: pdftoppm -png -r 60 $KAOHE_KEEP_PDF page
        with open(keep, "wb") as f:
            f.write(response.content)
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    # A4 = 210 × 297 mm = 595.3 × 841.9 pt
    assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1
    text = "".join(page.extract_text() for page in reader.pages)
    for words in ("生态环境保护目标责任考核办公室", "环考〔2024〕1号", "关于2024年度考核结果的通报", "一票否决"):
        assert words in text.replace(" ", "").replace("\n", "")
    fonts = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            if descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                fonts.add(str(font["/BaseFont"]))
    assert any("NotoSerifCJK" in f for f in fonts) and any("NotoSansCJK" in f for f in fonts), fonts


@NEEDS_SOFFICE
def test_the_letters_export_to_pdf(world: World) -> None:
    from pypdf import PdfReader

    response = world.client("alice").get(reverse("reports:letters_pdf", args=[world.cycle.pk]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    first_pages = [p.extract_text().replace(" ", "").replace("\n", "") for p in reader.pages]
    assert sum("2024年度生态环境保护目标责任书" in t for t in first_pages) == 3  # one letter per unit, new page each


def test_no_theme_font_overrides_the_named_chinese_fonts(approved: World) -> None:
    """Word and LibreOffice take a style's theme font (the default template's headings) over w:eastAsia."""
    document = docx_of(approved.client("anon").get(reverse("reports:notice", args=[approved.cycle.pk])))
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert not [k for k in fonts.attrib if k.endswith("Theme") or k.endswith("theme")], name


def test_audit_verify_replays_the_settings_and_names_a_change_behind_its_back(world: World) -> None:
    check_save_document_settings(cycle=world.cycle, values=SETTINGS, acting_user=world.people["alice"])
    check_save_document_settings(
        cycle=world.cycle, values={**SETTINGS, "notice_number": 8}, acting_user=world.people["alice"]
    )
    assert verify_all().ok
    DocumentSettings.objects.filter(cycle=world.cycle).update(issuer="别的机关")  # no action, no audit entry
    problems = [str(p) for p in verify_all().problems]
    assert any("「2024年度考核」的公文设置" in p and "别的机关" in p for p in problems), problems


def grid_mm(table: Any) -> list[float]:
    """A table's column widths as LibreOffice lays them out (w:gridCol), in mm."""
    return [round(Twips(int(col.get(qn("w:w")))).mm, 1) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def cells_mm(table: Any) -> list[list[float]]:
    """Every cell's w:tcW (Word's width), in mm."""
    return [
        [round(Twips(int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w")))).mm, 1) for tc in tr.tc_lst]
        for tr in table._tbl.tr_lst
    ]


def fixed_layout(table: Any) -> tuple[str | None, str | None, str | None]:
    properties = table._tbl.tblPr
    layout, width = properties.find(qn("w:tblLayout")), properties.find(qn("w:tblW"))
    return (
        None if layout is None else layout.get(qn("w:type")),
        None if width is None else width.get(qn("w:type")),
        None if width is None else width.get(qn("w:w")),
    )


def test_the_letters_target_table_has_its_widths_in_the_grid_and_every_cell(world: World) -> None:
    """LibreOffice lays a .docx table out from w:tblGrid: the grid, each cell's w:tcW and a fixed layout agree."""
    document = docx_of(world.client("alice").get(reverse("reports:letters", args=[world.cycle.pk])))
    targets = [t for t in document.tables if t.rows[0].cells[0].text == "编号"]
    assert len(targets) == 3  # one a letter
    for table in targets:
        # 编号 18, 指标 88, 分值 16, 目标值 34 mm (letters.py): the 156 mm type area
        assert grid_mm(table) == [18, 88, 16, 34]
        assert all(row == [18, 88, 16, 34] for row in cells_mm(table))
        assert fixed_layout(table) == ("fixed", "dxa", str(sum(Mm(w).twips for w in (18, 88, 16, 34))))


def test_the_notice_tables_share_widths_from_their_text(approved: World) -> None:
    document = docx_of(approved.client("anon").get(reverse("reports:notice", args=[approved.cycle.pk])))
    tables = [t for t in document.tables if t.rows[0].cells[0].text == "名次"]
    assert len(tables) == 2  # 市, 县
    widths = grid_mm(tables[0])
    assert grid_mm(tables[1]) == widths and round(sum(widths)) == 156
    assert all(row == widths for table in tables for row in cells_mm(table))
    assert fixed_layout(tables[0])[:2] == ("fixed", "dxa")
    # 名次 单位 得分 等级 备注: the note "因“特别重大事件”一票否决" (13 characters at 4号 = 64 mm) is the widest
    assert widths[4] == max(widths) and widths[4] > 64 and widths[0] < 25


def test_too_much_text_wraps_in_the_wide_columns_only() -> None:
    document = Document()
    table = document.add_table(rows=2, cols=3)
    texts = ["名次", "单位", "备注", "12", "甲" * 20, "乙" * 30]
    for cell, text in zip(table.rows[0].cells + table.rows[1].cells, texts, strict=True):
        official.table_text(cell, text)
    official.repeat_header(table)
    # 名次 keeps its two characters (2 × 14 pt) and the cell margins (2 × 108 twips) and some air (60 twips);
    # 单位 and 备注 share the rest of 156 mm equally.
    first = Twips(2 * 280 + 276).mm
    assert grid_mm(table) == [round(first, 1), round((156 - first) / 2, 1), round((156 - first) / 2, 1)]


def pdf_lines(page: Any) -> list[tuple[float, float, str]]:
    """A PDF page's pieces of text as (x, y, text), x and y in mm from the page's lower left corner."""
    pieces: list[tuple[float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append((x * 25.4 / 72, y * 25.4 / 72, text))

    page.extract_text(visitor_text=visit)
    return pieces


@NEEDS_SOFFICE
def test_the_letters_target_table_has_its_column_widths_in_the_pdf(world: World) -> None:
    """LibreOffice used to make the four columns equal (39 mm each): the 分值 column then began at 28 + 78 mm."""
    from pypdf import PdfReader

    response = world.client("alice").get(reverse("reports:letters_pdf", args=[world.cycle.pk]))
    assert response.status_code == 200
    pieces = pdf_lines(PdfReader(io.BytesIO(response.content)).pages[0])
    # The type area begins 28 mm from the left (订口); the table fills it; cell text starts 0.19 cm inside the cell.
    left = {"指标": 28 + 18, "分值": 28 + 18 + 88, "目标值": 28 + 18 + 88 + 16}
    rows = [p for p in pieces if p[2] in ("水环境质量", "40", "优良天数比例")]  # 指标, 分值, 目标值 of rows 1–2
    starts = {text: x for x, _, text in rows}
    assert abs(starts["水环境质量"] - left["指标"] - 1.9) < 1, starts
    assert abs(starts["40"] - left["分值"] - 1.9) < 1, starts
    assert abs(starts["优良天数比例"] - left["目标值"] - 1.9) < 1, starts


@NEEDS_SOFFICE
def test_the_notice_tables_note_column_is_wide_enough_in_the_pdf(approved: World) -> None:
    """With five equal columns (31 mm) LibreOffice wrapped 乙市's note into three lines."""
    from pypdf import PdfReader

    response = approved.client("anon").get(reverse("reports:notice_pdf", args=[approved.cycle.pk]))
    rows = []
    for page in PdfReader(io.BytesIO(response.content)).pages:
        row: list[tuple[float, float, str]] = []
        for piece in sorted(pdf_lines(page), key=lambda p: -p[1]):  # top to bottom; a row's cells within 1 mm
            if row and abs(row[0][1] - piece[1]) > 1:
                rows.append("".join(text for _, _, text in sorted(row)))
                row = []
            row.append(piece)
        rows.append("".join(text for _, _, text in sorted(row)))
    assert "2乙市97.00不合格因“特别重大事件”一票否决" in rows, rows
