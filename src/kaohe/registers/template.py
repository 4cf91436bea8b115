"""The empty Excel template of a register: Chinese headers with the column ids (``整改时限 [deadline]``, as the inputs
template's), a drop-down list for every closed vocabulary and for 是/否, a date validation for dates, and a 说明
sheet saying what each column holds. A template filled in reads back with ``kaohe.registers.read_register``.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kaohe.core import values
from kaohe.core.workbooks import _header, save_atomically
from kaohe.core.xlsx_text import safe_row
from kaohe.registers.kinds import Column, RegisterKind, register_kind

TEMPLATE_ROWS = 2000  # rows with validation and formats; a longer register may go on below them, unchecked by Excel
KIND_WORDS = {"key": "编号(文字)", "text": "文字", "choice": "可选值", "boolean": "是/否", "date": "日期"}


def _validation(column: Column) -> DataValidation | None:
    if column.kind == "date":
        return values.date_validation(column.label)
    words: tuple[str, ...]
    if column.kind == "boolean":
        words = ("是", "否")
    elif column.kind == "choice":
        words = column.choices
    else:
        return None
    dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=not column.required)
    dv.error, dv.errorTitle, dv.showErrorMessage = f"{column.label}应为 {'、'.join(words)} 之一", column.label, True
    dv.prompt, dv.promptTitle, dv.showInputMessage = "、".join(words), column.label, True
    return dv


def allowed_text(column: Column) -> str:
    """What a person may type in ``column``, in Chinese (the 说明 sheet and the web's forms)."""
    if column.kind == "choice":
        return "、".join(column.choices)
    if column.kind == "boolean":
        return "是 或 否"
    if column.kind == "date":
        return values.DATE_EXPECTED.zh
    return "文字"


def write_register_template(kind: str | RegisterKind, path: str | Path) -> None:
    """An empty register of ``kind`` to fill in, written atomically to ``path`` (.xlsx)."""
    register = register_kind(kind) if isinstance(kind, str) else kind
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = register.label.replace("/", "、")[:31]  # '/' is not allowed in a sheet name
    _header(ws, [c.header for c in register.columns], [16 if c.kind != "text" else 40 for c in register.columns])
    last = TEMPLATE_ROWS + 1
    for index, column in enumerate(register.columns, start=1):
        letter = get_column_letter(index)
        dv = _validation(column)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{last}")
    # No cell is pre-formatted: formatted empty cells are rows to a reader (and openpyxl appends after them), so a
    # filled template would start with 2,000 empty rows. A date typed or picked in Excel reads as one anyway.
    info = wb.create_sheet("说明")
    _header(info, ["字段 [id]", "名称", "类型", "可填写的值", "必填", "说明"], [22, 16, 10, 50, 6, 40])
    for column in register.columns:
        info.append(
            safe_row(
                [
                    column.id,
                    column.label,
                    KIND_WORDS[column.kind],
                    allowed_text(column),
                    "是" if column.required else "",
                    column.note,
                ]
            )
        )
    info.append([])
    info.append(safe_row([f"{register.label}（{register.id}）：{register.basis}"]))
    info.append(
        ["每行一条记录；编号不得重复。日期填写为 2024-03-01 格式，空白表示尚未发生(尚未完成、尚未办结、尚未销号)。"]
    )
    info.append(["整改时限填写最后一次经同意延期后的时限。是/否 列空白按“否”处理。"])
    info.append(
        ["填好后：kaohe registers derive --scheme 方案 --year 年度 --" + register.id + " 本文件 --out 输出文件"]
    )
    save_atomically(wb, path)
