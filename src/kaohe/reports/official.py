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
TYPE_WIDTH = int(Mm(156).twips)  # 5.2.1: the type area's width
CELL_MARGINS = 2 * 108 + 60  # Table Grid's left and right cell margins (0.19 cm each) and a little air, in twips
# What follows w:tblW in w:tblPr (ECMA-376 17.4.60)
TBL_PR_AFTER_TBL_W = "w:jc w:tblCellSpacing w:tblInd w:tblBorders w:shd w:tblLayout w:tblCellMar w:tblLook".split()


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
    """The table's first row again on every page it spans. The last step of every table the 通报 and the 目标责任书
    build, so it also fixes the columns' widths (:func:`fix_columns`)."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(flag)
    fix_columns(table)


def fix_columns(table: Any) -> None:
    """Column widths that LibreOffice honours as Word does. python-docx's ``add_table`` writes equal widths into
    ``w:gridCol`` and every cell's ``w:tcW``; ``cell.width`` changes only the cell's ``w:tcW``, which Word reads but
    LibreOffice's import does not (it lays the columns out from the grid), so the PDF had equal columns. Here the
    grid, every cell's ``w:tcW``, the table's ``w:tblW`` and a fixed layout all say the same widths: those the
    first row's cells were given, else (all equal: none given) widths from the text (:func:`_text_widths`), shared
    by the document's tables with the same header row (the 通报's one table per sequence)."""
    tbl = table._tbl
    given = [_tcw(tc) for tc in tbl.tr_lst[0].tc_lst]
    if len(given) == len(tbl.tblGrid.gridCol_lst) and all(given) and len(set(given)) > 1:
        _set_widths(tbl, [w for w in given if w])
        return
    parent = tbl.getparent()
    tables = [t for t in parent.iterchildren(qn("w:tbl")) if _header(t) == _header(tbl)] if parent is not None else []
    widths = _text_widths(tables or [tbl], TYPE_WIDTH)
    for each in tables or [tbl]:
        _set_widths(each, widths)


def _header(tbl: Any) -> list[str]:
    return [_lines(tc)[0] for tc in tbl.tr_lst[0].tc_lst] if tbl.tr_lst else []


def _lines(tc: Any) -> list[str]:
    """A cell's text, a paragraph a line."""
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))] or [""]


def _set_widths(tbl: Any, widths: list[int]) -> None:
    for column, twips in zip(tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = Twips(twips)
    for tr in tbl.tr_lst:
        start = 0
        for tc in tr.tc_lst:
            tc.width = Twips(sum(widths[start : start + tc.grid_span]))
            start += tc.grid_span
    properties = tbl.tblPr
    properties.autofit = False  # w:tblLayout w:type="fixed"
    tbl_w = properties.find(qn("w:tblW"))
    if tbl_w is None:  # add_table writes one (w:type="auto"); its place in w:tblPr is fixed by the schema
        tbl_w = OxmlElement("w:tblW")
        properties.insert_element_before(tbl_w, *TBL_PR_AFTER_TBL_W)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(widths)))


def _tcw(tc: Any) -> int | None:
    """A cell's ``w:tcW`` in twips when it is an absolute width (``w:type="dxa"``)."""
    tc_w = tc.tcPr.find(qn("w:tcW")) if tc.tcPr is not None else None
    if tc_w is None or tc_w.get(qn("w:type")) != "dxa" or int(tc_w.get(qn("w:w"), "0")) <= 0:
        return None
    return int(tc_w.get(qn("w:w")))


def _text_widths(tables: list[Any], total: int) -> list[int]:
    """Widths in twips summing to ``total`` for tables whose caller gave none: each column needs its longest line
    of 4号 text (a Chinese character or full-width mark 一字, a Latin letter or digit half) plus the cell margins.
    When all fit, the room left is shared in proportion to the need; when not, the narrow columns keep their need
    and the wide ones share what is left equally (they wrap)."""
    count = len(tables[0].tblGrid.gridCol_lst)
    need = [SIZE_4 * 20 + CELL_MARGINS] * count  # one character at least
    for tbl in tables:
        for tr in tbl.tr_lst:
            start = 0
            for tc in tr.tc_lst:
                if tc.grid_span == 1 and start < count:
                    words = max(sum(1.0 if ord(ch) >= 0x2000 else 0.5 for ch in line) for line in _lines(tc))
                    need[start] = max(need[start], words * SIZE_4 * 20 + CELL_MARGINS)
                start += tc.grid_span
    if sum(need) <= total:
        widths = [int(total * n / sum(need)) for n in need]
    else:
        wide = list(range(count))
        while True:  # the water level: columns narrower than it keep their need
            level = (total - sum(need[i] for i in range(count) if i not in wide)) / len(wide)
            narrow = [i for i in wide if need[i] <= level]
            if not narrow:
                break
            wide = [i for i in wide if i not in narrow]
        widths = [int(level) if i in wide else int(need[i]) for i in range(count)]
    widths[-1] += total - sum(widths)
    return widths
