"""Excel workbooks for an office: the inputs template (openpyxl, with data validation) and the formatted results
(streamed by ``xlsx_stream``).

Every value goes through ``xlsx_text.safe``/``safe_row``: a unit name like ``=HYPERLINK(…)`` stays text.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kaohe.core import values
from kaohe.core.files import write_atomically
from kaohe.core.reference import Line
from kaohe.core.scheme import GRADES, Scheme
from kaohe.core.tables import KEY_LABELS, header_label
from kaohe.core.xlsx_stream import MAX_ROWS, StreamWorkbook
from kaohe.core.xlsx_text import safe_row

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
# green, blue, yellow, red: one colour per grade of kaohe.core.scheme.GRADES (best first)
GRADE_COLOUR = dict(zip(GRADES, ("C6EFCE", "DDEBF7", "FFF2CC", "F8CBAD"), strict=True))
REASON_WIDTHS = [12, 10, 40, 10, 60]


def save_atomically(wb: Workbook, path: str | Path) -> None:
    """Write to a temporary file beside ``path`` and rename: a failure never leaves half a file."""
    write_atomically(path, wb.save)


def _header(ws: Worksheet, labels: list[str], widths: list[int] | None = None) -> None:
    ws.append(safe_row(labels))
    for i, _label in enumerate(labels, start=1):
        cell = ws.cell(row=1, column=i)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = widths[i - 1] if widths else 14
    ws.freeze_panes = "A2"


def write_template(scheme: Scheme, units: pl.DataFrame, path: str | Path) -> None:
    """One row per unit, one column per declared input, Chinese headers with units, range validation."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "填报"
    specs = list(scheme.inputs)
    _header(
        ws,
        [KEY_LABELS[k] for k in ("unit_id", "unit_name", "sequence")] + [header_label(s) for s in specs],
        [14, 18, 14] + [22] * len(specs),
    )
    for row in units.iter_rows(named=True):
        ws.append(safe_row([row["unit_id"], row.get("unit_name"), row["sequence"]]))
    last = max(2, units.height + 1) + 200  # leave room for units added by hand
    seq = DataValidation(type="list", formula1='"' + ",".join(scheme.sequence_ids()) + '"', allow_blank=False)
    seq.error, seq.errorTitle = f"排名序列应为:{'、'.join(scheme.sequence_ids())}", "排名序列"
    ws.add_data_validation(seq)
    seq.add(f"C2:C{last}")
    for index, spec in enumerate(specs, start=4):
        letter = get_column_letter(index)
        dv = values.data_validation(spec)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{last}")
    info = wb.create_sheet("说明")
    _header(
        info,
        ["字段 [id]", "名称", "单位", "类型", "取值范围", "对应指标", "年度目标", "说明"],
        [22, 30, 10, 10, 24, 10, 8, 50],
    )
    for spec in specs:
        rng = (
            "、".join(spec.choices)
            if spec.choices
            else f"{'' if spec.min is None else f'{spec.min:g}'} – {'' if spec.max is None else f'{spec.max:g}'}"
        )
        info.append(
            safe_row(
                [
                    spec.id,
                    spec.name,
                    spec.unit,
                    values.KIND_NAMES[spec.kind],
                    rng,
                    spec.indicator or "",
                    "是" if spec.target else "",
                    spec.note,
                ]
            )
        )
    info.append([])
    info.append(safe_row([f"方案:{scheme.name}({scheme.id},{scheme.year}年)"]))
    info.append(["空白单元格表示缺少数据,系统会逐项报告,不会按0处理。列表型字段每个断面一个值,用英文分号 ; 分隔。"])
    save_atomically(wb, path)


def _yes(value: Any) -> str:
    return "是" if value else ""


def write_results(
    results: pl.DataFrame, scheme: Scheme, path: str | Path, lines: Iterable[tuple[str, Line]] = ()
) -> None:
    """One sheet per sequence sorted by rank (grade coloured), every indicator's score, every bonus and
    deduction with its reason (continued on 加扣分明细2, 3 … past Excel's 1,048,576 rows); headers frozen.
    Streamed (``xlsx_stream``): 20,000 units write in seconds, not minutes."""
    write_atomically(path, lambda tmp: _write_results(results, scheme, tmp, lines))


def _write_results(results: pl.DataFrame, scheme: Scheme, path: Path, lines: Iterable[tuple[str, Line]]) -> None:
    tops = [n for n in scheme.indicators]
    names = {s.id: s.name for s in scheme.sequences}
    rule_names = {rule.id: rule.name for _, rule in scheme.special.all_rules()}  # users read the rule, not "R5"
    with StreamWorkbook(path, fills=GRADE_COLOUR) as wb:
        for seq in scheme.sequences:
            part = results.filter(pl.col("sequence") == seq.id).sort(["rank", "unit_id"], nulls_last=True)
            visible = [n for n in tops if n.id in scheme.top_ids_for(seq.id)]
            labels = ["排名", "单位代码", "单位名称"] + [f"{n.id} {n.name}" for n in visible]
            labels += [
                "基本分",
                "加分",
                "扣分",
                "总分",
                "等级",
                "先进",
                "约谈",
                "问责",
                "否决",
                "结果处理",
                "触发规则",
                "缺少数据",
            ]
            ws = wb.sheet(seq.name, [6, 12, 16] + [14] * len(visible) + [9, 8, 8, 9, 8, 6, 6, 6, 6, 40, 30, 30])
            ws.header(labels)
            grade_col = labels.index("等级")
            for row in part.iter_rows(named=True):
                ws.row(
                    [row["rank"], row["unit_id"], row["unit_name"]]
                    + [None if row[n.id] is None else round(row[n.id], 2) for n in visible]
                    + [round(row["base_total"], 2), round(row["bonus"], 2), round(row["deduction"], 2)]
                    + [None if row["final_score"] is None else round(row["final_score"], 2), row["grade"]]
                    + [_yes(row["advanced"]), _yes(row["interview"]), _yes(row["accountability"])]
                    # vetoed and the consequences the fired rules declare (seed 002 art. 9(三)); a frame rebuilt
                    # from stored results may lack them
                    + [_yes(row.get("vetoed")), "；".join(row.get("consequences") or [])]
                    + ["；".join(rule_names.get(f, f) for f in row["flags"] or []), "、".join(row["missing"] or [])],
                    styles={grade_col: row["grade"]} if row["grade"] in GRADE_COLOUR else None,
                )
        nodes = list(scheme.nodes())
        detail = wb.sheet("指标得分", [14] * (3 + len(nodes)))
        detail.header(["单位代码", "单位名称", "序列"] + [f"{n.id} {n.name}" for n in nodes])
        node_ids = [n.id for n in nodes]
        for row in results.sort(["sequence", "rank"], nulls_last=True).iter_rows(named=True):
            detail.row(
                [row["unit_id"], row["unit_name"], names.get(row["sequence"], row["sequence"])]
                + [None if row[i] is None else round(row[i], 3) for i in node_ids]
            )
        reason_labels = ["单位代码", "指标", "指标名称", "分值变化", "原因"]
        part_no = 1
        reasons = wb.sheet("加扣分明细", REASON_WIDTHS)
        reasons.header(reason_labels)
        for unit_id, line in lines:
            if not line.delta:
                continue
            if reasons.rows >= MAX_ROWS:  # Excel's row limit: the list goes on in the next sheet
                part_no += 1
                reasons = wb.sheet(f"加扣分明细{part_no}", REASON_WIDTHS)
                reasons.header(reason_labels)
            reasons.row([unit_id, line.indicator_id, line.indicator_name, round(line.delta, 3), line.reason])
