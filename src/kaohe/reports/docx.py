"""The 通报 (results notice) as a Word document (python-docx).

    关于<cycle>结果的通报                     title
    preamble                                 scheme, year, who evaluated, approval date, grade counts
    一、考核结果  （一）<sequence> …           one table per sequence: 名次 · 单位 · 得分 · 等级 · 备注
    二、先进单位   三、约谈单位   四、问责        one list paragraph per unit ("无" when empty)
    五、一票否决   六、政务失信记录               only when a unit has them: the rule, its consequences, the reason
    考核办, date                              signature
    校验码 xxxx-xxxx-xxxx（审计记录 #n）          the audit chain's head (kaohe.audit.anchors)

Before publication the office and the approver get the same document marked as a draft.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from kaohe.assessments.dashboard import publication
from kaohe.assessments.models import Cycle, Result
from kaohe.audit import anchors

CHINESE_NUMBERS = "一二三四五六七八九十"
TABLE_HEADER = ["名次", "单位", "得分", "等级", "备注"]


@dataclass(frozen=True)
class Row:
    rank: int | None
    unit: str
    score: float | None
    grade: str
    note: str = ""  # 一票否决 / 政务失信记录: why a unit with a high score is 不合格 and ranked low


@dataclass(frozen=True)
class Notice:
    title: str
    draft: bool
    preamble: str
    sequences: list[tuple[str, list[Row]]]
    advanced: list[str]
    interview: list[str]
    accountability: list[str]
    signed: str
    # "单位（触发的否决规则）：后果" (seed 002 第九条(三)) and "单位：原因（依据…第十条…）" (seed 000 第十条)
    vetoed: list[str] = field(default_factory=list)
    dishonesty: list[str] = field(default_factory=list)


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:.2f}"


def _note(result: Result) -> str:
    marks = (("一票否决", result.vetoed), ("政务失信记录", result.dishonesty_record))
    return "、".join(mark for mark, on in marks if on)


def notice_for(cycle: Cycle) -> Notice:
    # The published lists, built once for the public page, the workbook and this notice (dashboard.publication):
    # the stored flags in words (先进 is the stored flag: nothing here recomputes it from the rank).
    published = publication(cycle)
    scheme, results = published.scheme, published.results
    sequences = [
        (seq.name, [Row(r.rank, r.assessment.unit.name, r.final_score, r.grade, _note(r)) for r in seq.results])
        for seq in published.sequences
    ]
    approved = timezone.localdate(cycle.approved_at) if cycle.approved_at else None
    counts = "、".join(f"{g} {n} 个" for g, n in published.grades)
    preamble = (
        f"根据《{scheme.name}》，{cycle.year}年度生态环境保护目标责任考核（{cycle.name}）已完成。"
        "经各被考核单位自评、牵头单位核实核证、考核办综合评价，"
        + (f"于{_date(approved)}经领导审定" if approved else "尚待领导审定")
        + f"。本次共考核 {len(results)} 个单位"
        + (f"，其中{counts}" if counts else "")
        + "。"
        + ("现将考核结果通报如下。" if cycle.is_published else "")
    )
    signed_on = timezone.localdate(cycle.published_at) if cycle.published_at else timezone.localdate()
    return Notice(
        title=f"关于{cycle.name}结果的通报",
        draft=not cycle.is_published,
        preamble=preamble,
        sequences=sequences,
        advanced=[r.assessment.unit.name for r in published.advanced],
        interview=[r.assessment.unit.name for r in published.interview],
        accountability=[r.assessment.unit.name for r in published.accountability],
        signed=_date(signed_on),
        vetoed=[
            f"{r.assessment.unit.name}（{published.notes(r).vetoed_text}）"
            + ("：" + "；".join(r.consequences) if r.consequences else "")
            for r in published.vetoed
        ],
        dishonesty=[f"{r.assessment.unit.name}：{published.notes(r).dishonesty}" for r in published.dishonesty],
    )


def _chinese_font(document: Any) -> None:
    """Word picks East Asian text's font from w:eastAsia, which python-docx does not set by itself."""
    for name, size in (("Normal", 12), ("Title", 22), ("Heading 1", 16), ("Heading 2", 14)):
        style = document.styles[name]
        style.font.name = "SimSun" if name == "Normal" else "SimHei"
        style.font.size = Pt(size)
        rpr = style.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋" if name == "Normal" else "黑体")


def write_notice(cycle: Cycle) -> bytes:
    notice = notice_for(cycle)
    document = Document()
    _chinese_font(document)
    document.core_properties.title = notice.title
    document.core_properties.author = "考核办"
    title = document.add_heading(notice.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if notice.draft:
        mark = document.add_paragraph("（审阅稿，尚未通报）")
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(notice.preamble)

    document.add_heading("一、考核结果", level=1)
    for n, (name, rows) in enumerate(notice.sequences):
        document.add_heading(f"（{CHINESE_NUMBERS[n % 10]}）{name}（{len(rows)} 个单位）", level=2)
        table = document.add_table(rows=1, cols=len(TABLE_HEADER))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, label in zip(table.rows[0].cells, TABLE_HEADER, strict=True):
            cell.text = label
            cell.paragraphs[0].runs[0].bold = True
        for row in rows:
            cells = table.add_row().cells
            texts = [
                "—" if row.rank is None else str(row.rank),
                row.unit,
                score_text(row.score),
                row.grade or "—",
                row.note,
            ]
            for cell, text in zip(cells, texts, strict=True):
                cell.text = text

    sections = [
        ("先进单位", notice.advanced),
        ("约谈单位", notice.interview),
        ("启动问责程序的单位", notice.accountability),
    ]
    # Shown when any unit has them: 一票否决 and who else it affects (seed 002 第九条(三)),
    # 政务失信记录 (seed 000 第十条).
    sections += [
        (h, lines)
        for h, lines in (("一票否决的单位", notice.vetoed), ("纳入政务失信记录的单位", notice.dishonesty))
        if lines
    ]
    for n, (heading, names) in enumerate(sections, start=1):
        document.add_heading(f"{CHINESE_NUMBERS[n]}、{heading}", level=1)
        if not names:
            document.add_paragraph("无")
        for name in names:
            document.add_paragraph(name, style="List Bullet")

    for text in ("生态环境保护目标责任考核办公室", notice.signed):
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    anchor = anchors.current()
    if anchor is not None:
        # The audit chain's head when this document was made: a printed copy pins the log (kaohe.audit.anchors;
        # `kaohe audit verify --anchor` checks it).
        line = document.add_paragraph(anchor.text)
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        line.runs[0].font.size = Pt(9)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
