"""The 通报 (results notice) as a Word document (python-docx), laid out by GB/T 9704-2012 (kaohe.reports.official).

    <发文机关>   <文号>   ─── red line ───        版头: the cycle's document settings (reports.DocumentSettings)
    关于<cycle>结果的通报                     title
    <主送机关>：                               addressees
    preamble                                 scheme, year, who evaluated, approval date, grade counts, and for a
                                             scheme with air inputs the standards they follow (空气质量指标依据：…)
    一、考核结果  （一）<sequence> …           one table per sequence: 名次 · 单位 · 得分 · 等级 · 备注
    二、先进单位   三、约谈单位   四、问责        the units' names in one sentence ("无。" when empty)
    五、不合格单位                             only when a unit is 不合格: why, in words (因…一票否决 …)
    六、一票否决   七、政务失信记录               only when a unit has them: the rule, its consequences, the reason
    落款, 成文日期                            signature (7.3.5)
    校验码 xxxx-xxxx-xxxx（审计记录 #n）          the audit chain's head (kaohe.audit.anchors)

Before publication the office and the approver get the same document marked as a draft.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from kaohe.assessments.dashboard import Notes, publication
from kaohe.assessments.models import Cycle, Result
from kaohe.audit import anchors
from kaohe.core import Scheme
from kaohe.reports import official
from kaohe.reports.air_basis import air_basis
from kaohe.reports.models import DEFAULT_ISSUER, DocumentSettings

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
    failed: list[str] = field(default_factory=list)  # each 不合格 unit and why, in a sentence
    issuer: str = DEFAULT_ISSUER
    number: str = ""
    addressees: list[str] = field(default_factory=list)
    signer: str = DEFAULT_ISSUER
    air_basis: str = ""  # "空气质量指标依据：…" (issue 11) when the scheme has air inputs, in the preamble too


def _date(day: dt.date) -> str:
    return official.date_text(day)


def pass_mark(scheme: Scheme) -> float | None:
    """The lowest score of the grade above 不合格 (the scheme's grade bands), None when the scheme has none."""
    bands = scheme.grading.bands if scheme.grading else []
    mins = [b.min for b in bands if b.grade != "不合格" and b.min is not None]
    return min(mins) if mins else None


def why_failed(result: Result, notes: Notes, mark: float | None) -> str:
    """Why a unit is 不合格, from what the evaluation stored (flags, consequences, 政务失信记录) and the rules'
    names: "丙县因“发生重大环境事件”一票否决，考核等级确定为不合格". A unit without a fired rule scored below
    the pass mark."""
    unit = result.assessment.unit.name
    reasons = []
    if result.vetoed:
        rules = "、".join(f"“{name}”" for name in notes.veto_rules) or "否决事项"
        reasons.append(f"因{rules}一票否决")
    if result.dishonesty_record and not result.vetoed:
        reasons.append(f"因{notes.dishonesty}")
    other = notes.other_rules
    if other:
        reasons.append("因" + "、".join(f"“{name}”" for name in other) + "调整等级")
    if not reasons:
        score = score_text(result.final_score)
        below = f"，低于合格线 {mark:g} 分" if mark is not None else ""
        reasons.append(f"综合得分 {score} 分{below}")
    sentence = f"{unit}" + "，".join(reasons) + "，考核等级确定为不合格"
    if result.consequences:
        sentence += "；" + "；".join(str(c) for c in result.consequences)
    return sentence + "。"


def score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:.2f}"


def _note(result: Result, notes: Notes) -> str:
    """The table's 备注: the veto in words (因…一票否决) and a 政务失信记录."""
    marks = []
    if result.vetoed:
        marks.append("因" + ("、".join(f"“{n}”" for n in notes.veto_rules) or "否决事项") + "一票否决")
    if result.dishonesty_record:
        marks.append("纳入政务失信记录")
    return "；".join(marks)


def notice_for(cycle: Cycle) -> Notice:
    # The published lists, built once for the public page, the workbook and this notice (dashboard.publication):
    # the stored flags in words (先进 is the stored flag: nothing here recomputes it from the rank).
    published = publication(cycle)
    scheme, results = published.scheme, published.results
    settings = DocumentSettings.for_cycle(cycle)
    sequences = [
        (
            seq.name,
            [
                Row(r.rank, r.assessment.unit.name, r.final_score, r.grade, _note(r, published.notes(r)))
                for r in seq.results
            ],
        )
        for seq in published.sequences
    ]
    mark = pass_mark(scheme)
    approved = timezone.localdate(cycle.approved_at) if cycle.approved_at else None
    counts = "、".join(f"{g} {n} 个" for g, n in published.grades)
    basis = air_basis(scheme, cycle.year) or ""
    preamble = (
        f"根据《{scheme.name}》，{cycle.year}年度生态环境保护目标责任考核（{cycle.name}）已完成。"
        "经各被考核单位自评、牵头单位核实核证、考核办综合评价，"
        + (f"于{_date(approved)}经领导审定" if approved else "尚待领导审定")
        + f"。本次共考核 {len(results)} 个单位"
        + (f"，其中{counts}" if counts else "")
        + "。"
        + (f"{basis}。" if basis else "")  # the air figures' standards, where the scheme is named (issue 11)
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
        signed=official.date_text(signed_on, settings.date_style),
        vetoed=[
            f"{r.assessment.unit.name}（{published.notes(r).vetoed_text}）"
            + ("：" + "；".join(r.consequences) if r.consequences else "")
            for r in published.vetoed
        ],
        dishonesty=[f"{r.assessment.unit.name}：{published.notes(r).dishonesty}" for r in published.dishonesty],
        failed=[why_failed(r, published.notes(r), mark) for r in results if r.grade == "不合格"],
        issuer=settings.issuer,
        number=settings.number(),
        addressees=settings.addressee_list(),
        signer=settings.signed_by(),
        air_basis=basis,
    )


# A standard's code (GB 3095-2026, HJ 633-2012, GB/T 9704-2012): its hyphen is the group.
STANDARD_CODE = re.compile(r"\b(?:GB/T|GB|HJ) \d+(-)\d{4}\b")


def keep_codes_whole(paragraph: Any) -> None:
    """Write the hyphen of every standard code as ``w:noBreakHyphen``, so that a line never ends "GB 3095-" with
    "2026" on the next (LibreOffice did so in the 通报's PDF). python-docx, and a copy from the page, still read
    "-". The code's space stays a plain space: LibreOffice broke such a code at its hyphen or at a no-break space
    all the same when one was written there, so at worst a line ends with "GB" and the next begins "3095-2026"."""
    for run in paragraph.runs:
        text = run.text
        cuts = [m.start(1) for m in STANDARD_CODE.finditer(text)]
        if not cuts:
            continue
        r = run._r
        for t in r.findall(qn("w:t")):
            r.remove(t)
        start = 0
        for end in [*cuts, len(text)]:
            piece = OxmlElement("w:t")
            piece.text = text[start:end]
            piece.set(qn("xml:space"), "preserve")
            r.append(piece)
            if end < len(text):
                r.append(OxmlElement("w:noBreakHyphen"))
            start = end + 1


def _units(names: list[str]) -> str:
    return "、".join(names) + "。" if names else "无。"


def write_notice(cycle: Cycle) -> bytes:
    notice = notice_for(cycle)
    document = Document()
    official.page(document)
    document.core_properties.title = notice.title
    document.core_properties.author = notice.issuer
    official.masthead(document, notice.issuer, notice.number)
    for _ in range(2):  # 7.3.1: the title two lines below the red line
        official.blank(document)
    official.title(document, notice.title)
    if notice.draft:
        mark = official.blank(document)
        mark.add_run("（审阅稿，尚未通报）")
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    official.blank(document)  # 7.3.2: the addressees one line below the title
    if notice.addressees:
        official.addressees(document, notice.addressees)
    keep_codes_whole(official.body(document, notice.preamble))

    official.heading1(document, "一、考核结果")
    for n, (name, rows) in enumerate(notice.sequences):
        official.heading2(document, f"（{CHINESE_NUMBERS[n % 10]}）{name}（{len(rows)} 个单位）")
        table = document.add_table(rows=1, cols=len(TABLE_HEADER))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, label in zip(table.rows[0].cells, TABLE_HEADER, strict=True):
            official.table_text(cell, label, bold=True, center=True)
        for row in rows:
            cells = table.add_row().cells
            texts = [
                "—" if row.rank is None else str(row.rank),
                row.unit,
                score_text(row.score),
                row.grade or "—",
                row.note,
            ]
            for i, (cell, text) in enumerate(zip(cells, texts, strict=True)):
                official.table_text(cell, text, center=i != 1 and i != 4)
        official.repeat_header(table)

    sections = [
        ("先进单位", [_units(notice.advanced)]),
        ("约谈单位", [_units(notice.interview)]),
        ("启动问责程序的单位", [_units(notice.accountability)]),
    ]
    # Shown when any unit has them: why each 不合格 unit is 不合格 (issue 10 §5), 一票否决 and who else it affects
    # (seed 002 第九条(三)), 政务失信记录 (seed 000 第十条).
    sections += [
        (h, lines)
        for h, lines in (
            ("不合格单位", notice.failed),
            ("一票否决的单位", notice.vetoed),
            ("纳入政务失信记录的单位", notice.dishonesty),
        )
        if lines
    ]
    for n, (heading, lines) in enumerate(sections, start=1):
        official.heading1(document, f"{CHINESE_NUMBERS[n]}、{heading}")
        for line in lines:
            official.body(document, line)

    official.signature(document, notice.signer, notice.signed)
    anchor = anchors.current()
    if anchor is not None:
        # The audit chain's head when this document was made: a printed copy pins the log (kaohe.audit.anchors;
        # `kaohe audit verify --anchor` checks it).
        line = official.blank(document)
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = line.add_run(anchor.text)
        run.font.size = Pt(9)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
