"""目标责任书 as Word documents in the GB/T 9704-2012 layout (kaohe.reports.official): one unit's letter, or every
unit's in one file with a page break between units.

    <year>年度生态环境保护目标责任书            title
    甲方：<发文机关>  乙方：<unit>              the parties (the cycle's document settings)
    preamble                                  the scheme and the year
    一、考核指标   table: 编号 · 指标 · 分值 · 目标值 (the unit's targets beside the indicator that reads them)
    二、目标值     every target input with its value and unit (also those no indicator row shows)
    三、考核与奖惩  the scheme's grades and consequences in one paragraph
    signature blocks: 甲方（盖章） 乙方（盖章）, 负责人（签字）, date
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm, Pt

from kaohe.assessments import schemes
from kaohe.assessments.models import Cycle, ResponsibilityLetter
from kaohe.core import InputDef, Scheme
from kaohe.reports import official
from kaohe.reports.models import DocumentSettings

INDICATOR_HEADER = ["编号", "指标", "分值", "目标值"]


def _value(inp: InputDef, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or inp.kind == "boolean":
        return "是" if value in (True, "true", "是", 1) else "否"
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _target_text(inp: InputDef, value: Any) -> str:
    text = _value(inp, value)
    return f"{inp.name} {text}{inp.unit}" if text != "—" else f"{inp.name} —"


def _points(points: float | None) -> str:
    return "—" if points is None else f"{points:g}"


def _indicator_rows(scheme: Scheme, targets: list[InputDef], letter: ResponsibilityLetter) -> list[list[str]]:
    """The indicators down to the level that carries points, each with the unit's targets that it reads."""
    by_node: dict[str, list[InputDef]] = {}
    for inp in targets:
        if inp.indicator:
            by_node.setdefault(inp.indicator, []).append(inp)
    rows = []
    for node in scheme.nodes():
        text = "；".join(_target_text(inp, letter.targets.get(inp.id)) for inp in by_node.get(node.id, []))
        rows.append([node.id, node.name, _points(node.points), text])
    return rows


def _table(document: Any, header: list[str], rows: Iterable[list[str]], widths: list[float]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, label in zip(table.rows[0].cells, header, strict=True):
        official.table_text(cell, label, bold=True, center=True)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            official.table_text(cell, text)
    for row in table.rows:
        for cell, mm in zip(row.cells, widths, strict=True):
            cell.width = Mm(mm)
    official.repeat_header(table)


def _signatures(document: Any, issuer: str, unit: str, date: str) -> None:
    """Two signature blocks side by side (a borderless table): each party's seal, its head's signature, the date."""
    official.blank(document)
    table = document.add_table(rows=3, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    texts = [
        ("甲方（盖章）：" + issuer, "乙方（盖章）：" + unit),
        ("负责人（签字）：", "负责人（签字）："),
        (date, date),
    ]
    for row, pair in zip(table.rows, texts, strict=True):
        for cell, text in zip(row.cells, pair, strict=True):
            cell.text = ""
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.first_line_indent = Pt(0)
            run = paragraph.add_run(text)
            official.set_fonts(run, official.FANGSONG, official.SIZE_3)


def _letter(
    document: Any, cycle: Cycle, scheme: Scheme, settings: DocumentSettings, letter: ResponsibilityLetter, first: bool
) -> None:
    targets = schemes.target_inputs(scheme)
    unit = letter.unit.name
    title = official.title(document, f"{cycle.year}年度生态环境保护目标责任书")
    title.paragraph_format.page_break_before = not first  # each unit's letter from a new page
    official.blank(document)
    for party, name in (("甲方", settings.issuer), ("乙方", unit)):
        line = official.body(document, f"{party}：{name}")
        line.paragraph_format.first_line_indent = Pt(0)
    official.body(
        document,
        f"为落实生态环境保护目标责任制，根据《{scheme.name}》，甲方与乙方签订{cycle.year}年度生态环境保护目标"
        f"责任书。乙方对本单位{cycle.year}年度以下指标和目标负责，甲方按方案组织考核（{cycle.name}）。",
    )
    official.heading1(document, "一、考核指标")
    total = f"{scheme.total_points:g}"
    official.body(document, f"考核指标及分值如下（满分 {total} 分）；目标值为乙方本年度须完成的目标。")
    _table(document, INDICATOR_HEADER, _indicator_rows(scheme, targets, letter), [18, 88, 16, 34])
    official.heading1(document, "二、目标值")
    if not targets:
        official.body(document, "本方案无需单独下达的目标值。")
    for n, inp in enumerate(targets, start=1):
        official.body(document, f"{n}. {_target_text(inp, letter.targets.get(inp.id))}。")
    official.heading1(document, "三、考核与奖惩")
    official.body(
        document,
        "考核结果按方案评定等级并予以通报；一票否决、政务失信等事项按方案规定执行。本责任书一式两份，甲乙双方各执一份，"
        "自签订之日起生效。",
    )
    issued = timezone.localdate(letter.issued_at) if letter.issued_at else None
    date = official.date_text(issued, settings.date_style) if issued else "年　　月　　日"
    _signatures(document, settings.signed_by(), unit, date)


def write_letters(cycle: Cycle, letters: Iterable[ResponsibilityLetter]) -> bytes:
    """One document: each letter from a new page (a page break between units)."""
    scheme = schemes.load(cycle.scheme_ref)
    settings = DocumentSettings.for_cycle(cycle)
    document = Document()
    official.page(document)
    document.core_properties.title = f"{cycle.name} 目标责任书"
    document.core_properties.author = settings.issuer
    for n, letter in enumerate(letters):
        _letter(document, cycle, scheme, settings, letter, first=n == 0)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
