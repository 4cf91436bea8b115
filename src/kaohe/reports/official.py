"""The layout of GB/T 9704-2012 《党政机关公文格式》 for the Word documents kaohe writes (python-docx).

    page(document)            A4, margins 37/35/28/26 mm, 22 lines × 28 characters, "— 1 —" outside (odd right,
                              even left), the styles below with Chinese fonts
    masthead(...)             版头: 发文机关标志 (red), 发文字号 (〔2026〕), the red separator line
    title / addressees / body / heading1 / heading2 / signature      主体
    date_text(day, style)     成文日期: "2026年12月6日" (Arabic, 7.3.5.4) or "二〇二六年十二月六日"

Clause numbers in the comments are the standard's. Fonts are named as offices have them (方正小标宋简体, 仿宋_GB2312,
黑体, 楷体_GB2312, 宋体) in ``w:eastAsia``; a Debian machine has none of them, so ``fonts.conf`` beside this module
maps them to Noto Serif/Sans CJK SC for LibreOffice's PDF export (kaohe.reports.pdf).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

# 5.2.2 and 7.x: the faces, by the names Chinese offices' machines have.
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"

# Chinese type sizes in points.
SIZE_2 = 22.0  # 2号: the title (7.3.1)
SIZE_3 = 16.0  # 3号: everything else unless stated (5.2.2)
SIZE_4 = 14.0  # 4号: page numbers (7.5), tables (5.2.2 allows adjusting "特定情况")

RED = RGBColor(0xFF, 0x00, 0x00)
# 5.2.3: 22 lines of 28 characters fill the 156 × 225 mm type area. 225 mm / 22 = 28.95 pt a line (579 twips), set
# as a line grid and as every paragraph's exact line height (a renderer without Word's grid keeps 22 lines).
# 156 mm / 28 = 15.79 pt a character, 0.2 pt less than a 3号 character: body text is condensed by 0.2 pt (4 twips)
# rather than laid on Word's character grid, which LibreOffice renders with every character two cells wide.
LINE_TWIPS = 579
CONDENSE_TWIPS = -4
CHAR = Pt(SIZE_3)  # 一字: the width of one 3号 character (3.1)


def set_fonts(rpr_owner: Any, east_asia: str, size: float, *, bold: bool = False) -> None:
    """Font of a style or run: Latin text in Times New Roman, Chinese text in ``east_asia`` (Word reads Chinese
    text's font from w:eastAsia only, which python-docx's ``font.name`` does not set)."""
    font = rpr_owner.font
    font.name = LATIN
    font.size = Pt(size)
    font.bold = bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)  # 5.2.4: black unless stated
    rfonts = rpr_owner.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):  # a theme font wins over a named one
        rfonts.attrib.pop(qn(f"w:{theme}"), None)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")


def _exact_lines(paragraph_format: Any, twips: int = LINE_TWIPS) -> None:
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = Twips(twips)
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


def _no_borders(style: Any) -> None:
    ppr = style.element.find(qn("w:pPr"))
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)


def _styles(document: Any) -> None:
    """The default template's styles restyled, so a document keeps its structure (Title, Heading 1/2) in Word's
    navigation pane: body 3号仿宋 (5.2.2), title 2号小标宋 (7.3.1), 一级标题 黑体, 二级标题 楷体 (7.3.3)."""
    styles = document.styles
    for name, face, size in (
        ("Normal", FANGSONG, SIZE_3),
        ("Title", XIAOBIAOSONG, SIZE_2),
        ("Heading 1", HEITI, SIZE_3),
        ("Heading 2", KAITI, SIZE_3),
    ):
        style = styles[name]
        set_fonts(style, face, size)
        _exact_lines(style.paragraph_format)
        _no_borders(style)
        style.paragraph_format.keep_with_next = name != "Normal"
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CONDENSE_TWIPS))
    styles["Normal"].element.get_or_add_rPr().append(spacing)
    # 7.3.3: each paragraph starts two characters in; headings too ("一、" sits where the text starts).
    for name in ("Normal", "Heading 1", "Heading 2"):
        styles[name].paragraph_format.first_line_indent = CHAR * 2
    title = styles["Title"].paragraph_format
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.first_line_indent = Pt(0)
    # A 2号 title needs more than a body line; 7.3.1 centres it, in one or more lines.
    _exact_lines(title, 700)


def _page_number_footer(footer: Any, align: Any) -> None:
    """7.5: 4号半角宋体 Arabic numerals with a 一字线 on each side, "— 1 —"; odd pages one character in from the
    right, even pages one character in from the left."""
    paragraph = footer.paragraphs[0]
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(SIZE_4)
    else:
        fmt.left_indent = Pt(SIZE_4)

    def run(text: str = "") -> Any:
        r = paragraph.add_run(text)
        set_fonts(r, SONGTI, SIZE_4)
        r.font.name = SONGTI
        return r

    run("— ")
    begin, code, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = " PAGE "
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, end):
        run()._r.append(element)
    run(" —")


def page(document: Any) -> None:
    """A4 (5.1), 天头 37 mm and 订口 28 mm around a 156 × 225 mm type area (5.2.1), so bottom 35 mm and right
    26 mm; 22 × 28 grid (5.2.3); page numbers (7.5)."""
    _styles(document)
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    # 7.5: the 一字线 sit 7 mm below the type area: 35 − 7 mm, less the 4号 line (≈ 5 mm), from the page's edge.
    section.footer_distance = Mm(23)
    section.header_distance = Mm(15)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))
    document.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _paragraph(document: Any, text: str = "", *, style: str | None = None) -> Any:
    return document.add_paragraph(text, style=style)


def width(text: str) -> float:
    """Width in 一字 (3.1): a Chinese character is one, a half-width character (digits, Latin) half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def masthead(document: Any, issuer: str, number: str) -> None:
    """版头 (7.2). 7.2.4: the issuing body's name, centred, its top 35 mm below the type area's top, red 小标宋
    (size chosen to fit one line, at most 42 pt). 7.2.5: 发文字号 two lines below it, centred, 3号仿宋, the year in
    〔〕. 7.2.7: a red line as wide as the type area 4 mm below the 发文字号."""
    size = min(42.0, 440.0 / max(width(issuer), 1.0))
    mark = _paragraph(document)
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = mark.paragraph_format
    fmt.first_line_indent = Pt(0)
    _exact_lines(fmt, int(size * 20 * 1.2))
    fmt.space_before = Mm(35)
    run = mark.add_run(issuer)
    set_fonts(run, XIAOBIAOSONG, size)
    run.font.color.rgb = RED
    for _ in range(2):
        blank(document)
    line = _paragraph(document, number)
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line.paragraph_format.first_line_indent = Pt(0)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "11"), ("color", "FF0000")):  # 11 pt ≈ 4 mm
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    line._p.get_or_add_pPr().append(border)


def blank(document: Any) -> Any:
    paragraph = _paragraph(document)
    paragraph.paragraph_format.first_line_indent = Pt(0)
    return paragraph


def title(document: Any, text: str) -> Any:
    """7.3.1: 2号小标宋, centred, two lines below the red line (the caller leaves them)."""
    return _paragraph(document, text, style="Title")


def addressees(document: Any, names: list[str]) -> Any:
    """7.3.2: one line below the title, flush left, a full-width colon after the last name."""
    paragraph = _paragraph(document, "、".join(names) + "：")
    paragraph.paragraph_format.first_line_indent = Pt(0)
    return paragraph


def body(document: Any, text: str) -> Any:
    """7.3.3: 3号仿宋, two characters in."""
    return _paragraph(document, text)


def heading1(document: Any, text: str) -> Any:
    """7.3.3: 一级标题 "一、" in 黑体."""
    return _paragraph(document, text, style="Heading 1")


def heading2(document: Any, text: str) -> Any:
    """7.3.3: 二级标题 "（一）" in 楷体."""
    return _paragraph(document, text, style="Heading 2")


def table_text(cell: Any, text: str, *, bold: bool = False, center: bool = False) -> None:
    """A table cell in 4号仿宋, single-spaced, no indent (tables are 特定情况 of 5.2.2)."""
    cell.text = ""
    paragraph = cell.paragraphs[0]
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    set_fonts(run, HEITI if bold else FANGSONG, SIZE_4)


def date_text(day: dt.date, style: str = "arabic") -> str:
    """成文日期. GB/T 9704-2012 7.3.5.4: "用阿拉伯数字将年、月、日标全，年份应标全称，月、日不编虚位" — 2026年12月6日.
    Issue 10 asked for Chinese numerals (the 1999 edition's 二〇二六年十二月六日); the 2012 standard wins, so that
    is the default, and ``style="chinese"`` (a cycle's document setting) writes the older form."""
    if style != "chinese":
        return f"{day.year}年{day.month}月{day.day}日"
    digits = "〇一二三四五六七八九"

    def small(n: int) -> str:  # 1–31
        tens, ones = divmod(n, 10)
        return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")

    return "".join(digits[int(d)] for d in str(day.year)) + f"年{small(day.month)}月{small(day.day)}日"


def signature(document: Any, signer: str, date: str) -> None:
    """7.3.5.1 (a document the office stamps): one blank line after the text, the date four characters in from
    the right, the signer centred over the date."""
    blank(document)
    shift = width(date) / 2 - width(signer) / 2  # how far the signer's centre sits from the date's
    for text, right in ((signer, max(0.0, 4 + shift)), (date, 4.0)):
        paragraph = _paragraph(document, text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = Pt(0)
        fmt.right_indent = Pt(SIZE_3 * right)


def repeat_header(table: Any) -> None:
    """The table's first row again on every page it spans."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(flag)
