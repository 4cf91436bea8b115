"""Excel files of an assessment cycle (openpyxl).

    write_sheet(assessment) -> bytes           a unit's self-evaluation workbook, filled offline
    read_sheet(assessment, data) -> [Change]   the uploaded workbook against the database; SheetErrors if bad
    write_cycle_results(cycle) -> bytes        the cycle's results, the same workbook as ``kaohe score``

The self-evaluation sheet 「自评表」 has one row per item (indicator) the unit fills:

    A 指标编号 · B 指标名称 · C 牵头单位 · D 版本 │ 输入项1 · 填报值1 … 输入项K · 填报值K │ 自评得分 · 自评说明
    └──────────── locked ─────────────────┘ └ locked  unlocked ┘               └──── unlocked ────┘

K is the largest number of inputs one item reads; an item with fewer leaves the rest of its pairs grey and locked.
Input pairs follow the scheme's order (never the JSON key order of ``SelfEvaluation.values``, which PostgreSQL's
jsonb sorts). A hidden sheet 「_kaohe」 names the unit and cycle so a sheet cannot be uploaded to another unit.
The sheet's protection has no password: it guides people, the upload checks everything again.
Every cell is written through ``kaohe.core.xlsx_text.safe`` (text such as ``=HYPERLINK(…)`` gets a leading ``'`` and
stays text); reading the sheet back removes exactly that apostrophe (``restore``).
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kaohe.assessments import schemes
from kaohe.assessments.dashboard import Publication, publication
from kaohe.assessments.evaluation import frame_from_rows
from kaohe.assessments.models import Assessment, Cycle, Result, SelfEvaluation
from kaohe.audit import anchors
from kaohe.core import InputDef, Scheme, check_inputs
from kaohe.core import values as core_values
from kaohe.core.guards import zip_unpacked_size
from kaohe.core.scoring import explain_all
from kaohe.core.workbooks import write_results
from kaohe.core.xlsx_text import restore, safe, safe_row
from kaohe.reports.air_basis import air_basis

SHEET = "自评表"
META = "_kaohe"
FIXED = ["指标编号", "指标名称", "牵头单位", "版本"]
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# An .xlsx is a zip: a few MB can inflate to gigabytes of XML. A self-evaluation sheet of a 200-indicator scheme
# is under 1 MB unpacked; anything past this is refused before openpyxl reads it.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
KINDS = {"number": "数值", "integer": "整数", "boolean": "是/否", "category": "类别", "list": "列表（以 ; 分隔）"}


def input_order(assessment: Assessment) -> dict[str, tuple[str, ...]]:
    """indicator id → the input ids its item reads, in the scheme's order."""
    scheme = schemes.load(assessment.cycle.scheme_ref)
    return {spec.indicator_id: spec.input_ids for spec in schemes.items_for(scheme, assessment.sequence)}


def _ordered_inputs(item: SelfEvaluation, order: dict[str, tuple[str, ...]]) -> list[str]:
    declared = [i for i in order.get(item.indicator_id, ()) if i in item.values]
    return declared + sorted(set(item.values) - set(declared))


def headers(k: int) -> list[str]:
    pairs = [label for n in range(1, k + 1) for label in (f"输入项{n}", f"填报值{n}")]
    return FIXED + pairs + ["自评得分", "自评说明"]


def input_label(inp: InputDef) -> str:
    return f"{inp.name}（{inp.unit}）[{inp.id}]" if inp.unit else f"{inp.name} [{inp.id}]"


def cell_value(inp: InputDef, value: Any) -> Any:
    """A stored value as the sheet shows it."""
    if value is None:
        return None
    if inp.kind == "boolean":
        return "是" if value else "否"
    if inp.kind == "list":
        return ";".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return value


def display(value: Any) -> str:
    """A value as the preview page shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "; ".join(display(v) for v in value)
    return str(value)


def _validation(inp: InputDef) -> DataValidation | None:
    return core_values.data_validation(inp)  # one home for an input's Excel validation (issue 9 §1)


def write_sheet(assessment: Assessment) -> bytes:
    scheme = schemes.load(assessment.cycle.scheme_ref)
    order = input_order(assessment)
    items = list(assessment.items.order_by("id"))
    rank = {indicator_id: n for n, indicator_id in enumerate(order)}
    items.sort(key=lambda it: (rank.get(it.indicator_id, len(rank)), it.pk))
    k = max((len(it.values) for it in items), default=1) or 1
    labels = headers(k)

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(safe_row(labels))
    widths = [10, 36, 14, 6] + [30, 14] * k + [10, 50]
    for col, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=col)
        cell.fill, cell.font = HEADER_FILL, Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "E2"
    validations: dict[str, DataValidation | None] = {}
    score_dv = DataValidation(
        type="decimal", operator="between", formula1="-999999", formula2="999999", allow_blank=True
    )
    score_dv.error, score_dv.showErrorMessage = "自评得分应为数字", True
    ws.add_data_validation(score_dv)

    for r, item in enumerate(items, start=2):
        ws.cell(row=r, column=1, value=safe(item.indicator_id))
        ws.cell(row=r, column=2, value=safe(item.indicator_name))
        ws.cell(row=r, column=3, value=safe(item.lead_unit))
        ws.cell(row=r, column=4, value=item.version)
        input_ids = _ordered_inputs(item, order)
        for n in range(k):
            label_cell = ws.cell(row=r, column=5 + 2 * n)
            value_cell = ws.cell(row=r, column=6 + 2 * n)
            if n >= len(input_ids):
                label_cell.fill = value_cell.fill = LOCKED_FILL
                continue
            inp = schemes.input_def(scheme, input_ids[n])
            label_cell.value = safe(input_label(inp))
            value_cell.value = safe(cell_value(inp, item.values.get(inp.id)))
            value_cell.protection = Protection(locked=False)
            value_cell.fill = INPUT_FILL
            if inp.id not in validations:
                validations[inp.id] = _validation(inp)
                if validations[inp.id] is not None:
                    ws.add_data_validation(validations[inp.id])
            dv = validations[inp.id]
            if dv is not None:
                dv.add(value_cell.coordinate)
        score_cell = ws.cell(row=r, column=5 + 2 * k, value=None if item.self_score is None else float(item.self_score))
        text_cell = ws.cell(row=r, column=6 + 2 * k, value=safe(item.explanation or None))
        for cell in (score_cell, text_cell):
            cell.protection = Protection(locked=False)
        score_dv.add(score_cell.coordinate)
        text_cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col in range(1, 5):
            ws.cell(row=r, column=col).fill = LOCKED_FILL
    # Protected without a password: filters and column widths stay usable.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False

    info = wb.create_sheet("填写说明")
    unit, cycle = assessment.unit, assessment.cycle
    for line in [
        [f"{unit.name}（{unit.code}）· {cycle.name} · 自评表"],
        [f"考核方案：{scheme.name}（{scheme.id}）"],
        [
            "只填写白色单元格：填报值、自评得分、自评说明。灰色列（指标编号、名称、牵头单位、版本、输入项）已锁定，请勿修改。"
        ],
        ["空白表示未填。是/否项填“是”或“否”；列表项每个值之间用英文分号 ; 分隔。"],
        ["上传后系统会列出每一处改动供确认，确认后全部导入；任何一处有误则全部不导入。"],
        [],
        ["输入项", "名称", "单位", "类型", "取值范围", "说明"],
    ]:
        info.append(safe_row(line))
    seen: set[str] = set()
    for item in items:
        for input_id in _ordered_inputs(item, order):
            if input_id in seen:
                continue
            seen.add(input_id)
            inp = schemes.input_def(scheme, input_id)
            info.append(
                safe_row(
                    [inp.id, inp.name, inp.unit, KINDS.get(inp.kind, inp.kind), core_values.allowed_text(inp), inp.note]
                )
            )
    for col, width in enumerate([24, 36, 8, 14, 24, 50], start=1):
        info.column_dimensions[get_column_letter(col)].width = width

    meta = wb.create_sheet(META)
    for key, value in [
        ("assessment", assessment.pk),
        ("unit", unit.code),
        ("cycle", cycle.pk),
        ("scheme", cycle.scheme_id),
    ]:
        meta.append(safe_row([key, value]))
    meta.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------ reading back
@dataclass(frozen=True)
class SheetError:
    """One problem, located the way a person finds it in Excel."""

    sheet: str
    row: int | None
    column: int | None
    header: str
    message: str

    def __str__(self) -> str:
        where = f"工作表「{self.sheet}」"
        if self.row is not None:
            where += f" 第 {self.row} 行"
        if self.column is not None:
            where += f" {get_column_letter(self.column)} 列"
            if self.header:
                where += f"（{self.header}）"
        return f"{where}：{self.message}"


class SheetErrors(Exception):
    def __init__(self, errors: list[SheetError]) -> None:
        super().__init__("；".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Diff:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    """The new content of one item that differs from the database (whole item, as the save action takes it)."""

    row: int
    item_id: int
    version: int
    indicator_id: str
    indicator_name: str
    values: dict[str, Any]
    self_score: str | None
    explanation: str
    diffs: tuple[Diff, ...] = field(default=())

    def payload(self) -> dict[str, Any]:
        return {
            "item": self.item_id,
            "version": self.version,
            "values": self.values,
            "self_score": self.self_score,
            "explanation": self.explanation,
        }


def _text(value: Any) -> str:
    """A cell as text, without the apostrophe ``xlsx_text.safe`` put in front of formula-like text."""
    value = restore(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_input(inp: InputDef, value: Any) -> Any:
    """A cell's value as ``schemes.coerce_value`` takes it (lists as written: ``2;0;1``, the core's format), without
    the apostrophe ``xlsx_text.safe`` put in front of formula-like text (``-1;2``)."""
    value = restore(value)
    return value.strip() if isinstance(value, str) else value


def _same(old: Any, new: Any) -> bool:
    """Equal as the scheme means it: 1 and 1.0 are the same number, but True is not 1."""
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    return bool(old == new)


def _score(value: Any) -> Decimal | None:
    """Raises ValueError with the message for the user."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("应为数字")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"应为数字，不是“{value}”") from None
    if not number.is_finite() or abs(number) >= 1_000_000:
        raise ValueError("应为 −999999 到 999999 之间的数字")
    # Excel's binary floats (e.g. 12.300000000000001) are rounded to the two places the database keeps.
    return number.quantize(Decimal("0.01"))


def read_sheet(assessment: Assessment, data: bytes) -> list[Change]:
    """Compare an uploaded workbook with the unit's items. Returns the changed items (possibly none); raises
    SheetErrors naming sheet, row, column and what was expected for every problem, so nothing is half-read."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SheetErrors([SheetError("", None, None, "", f"文件过大：最大 {MAX_UPLOAD_BYTES // 1024 // 1024} MB")])
    # The zip guard the command line's readers use too (kaohe.core.guards); None: not a zip at all, and
    # load_workbook below says so in the user's words.
    unpacked = zip_unpacked_size(data) or 0
    if unpacked > MAX_UNPACKED_BYTES:
        message = (
            f"文件解压后过大（{unpacked // 1024 // 1024} MB，最大 {MAX_UNPACKED_BYTES // 1024 // 1024} MB）："
            "请上传从本系统下载的 .xlsx 自评表"
        )
        raise SheetErrors([SheetError("", None, None, "", message)])
    try:
        # data_only: a formula typed by the user counts with the value Excel computed and saved.
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # zipfile, XML and openpyxl errors all mean the same thing to the user
        raise SheetErrors([SheetError("", None, None, "", "无法读取文件：请上传从本系统下载的 .xlsx 自评表")]) from None
    errors: list[SheetError] = []
    if META not in wb.sheetnames or SHEET not in wb.sheetnames:
        missing = SHEET if SHEET not in wb.sheetnames else META
        raise SheetErrors([SheetError(missing, None, None, "", "找不到此工作表：请上传从本系统下载的自评表")])
    meta = {str(row[0]): row[1] for row in wb[META].iter_rows(values_only=True) if row and row[0] is not None}
    unit = assessment.unit
    if _text(meta.get("unit")) != unit.code or _text(meta.get("cycle")) != str(assessment.cycle_id):
        other = _text(meta.get("unit")) or "未知单位"
        raise SheetErrors(
            [
                SheetError(
                    META,
                    None,
                    None,
                    "",
                    f"这是单位 {other}、周期 {_text(meta.get('cycle'))} 的自评表，"
                    f"不能上传到 {unit.name}（{unit.code}）的本周期自评",
                )
            ]
        )

    ws: Worksheet = wb[SHEET]
    # openpyxl reads every cell of a merged range but the first as empty: a value merged over three rows would be
    # read as cleared for two of them
    merged = sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
    if merged:
        raise SheetErrors(
            [
                SheetError(SHEET, r.min_row, r.min_col, "", f"{r.coord} 是合并单元格：请取消合并，并在每一行填写该值")
                for r in merged[:20]
            ]
        )
    scheme = schemes.load(assessment.cycle.scheme_ref)
    order = input_order(assessment)
    items = {it.indicator_id: it for it in assessment.items.all()}
    k = max((len(it.values) for it in items.values()), default=1) or 1
    expected = headers(k)
    header_row = [c.value for c in ws[1]] if ws.max_row >= 1 else []
    for col, label in enumerate(expected, start=1):
        got = _text(header_row[col - 1]) if col <= len(header_row) else ""
        if got != label:
            errors.append(SheetError(SHEET, 1, col, label, f"表头应为“{label}”，不是“{got}”；请勿增删列"))
    if errors:
        raise SheetErrors(errors)

    changes: list[Change] = []
    seen: dict[str, int] = {}
    for r, row in enumerate(ws.iter_rows(min_row=2, max_col=len(expected), values_only=True), start=2):
        cells = list(row) + [None] * (len(expected) - len(row))
        if all(v is None or _text(v) == "" for v in cells):
            continue
        row_errors: list[SheetError] = []
        indicator_id = _text(cells[0])
        item = items.get(indicator_id)
        if item is None:
            errors.append(SheetError(SHEET, r, 1, "指标编号", f"“{indicator_id}”不是本单位的自评指标；请勿修改锁定列"))
            continue
        if indicator_id in seen:
            errors.append(
                SheetError(SHEET, r, 1, "指标编号", f"指标 {indicator_id} 在第 {seen[indicator_id]} 行已出现")
            )
            continue
        seen[indicator_id] = r
        input_ids = _ordered_inputs(item, order)
        values: dict[str, Any] = {}
        for n in range(k):
            label_col, value_col = 5 + 2 * n, 6 + 2 * n
            label, raw = cells[label_col - 1], cells[value_col - 1]
            if n >= len(input_ids):
                if _text(raw):
                    row_errors.append(SheetError(SHEET, r, value_col, f"填报值{n + 1}", "此指标没有这个输入项，应为空"))
                continue
            inp = schemes.input_def(scheme, input_ids[n])
            if _text(label) != input_label(inp):
                row_errors.append(
                    SheetError(SHEET, r, label_col, f"输入项{n + 1}", f"应为“{input_label(inp)}”；请勿修改锁定列")
                )
                continue
            try:
                values[inp.id] = schemes.coerce_value(inp, _raw_input(inp, raw))
            except ValueError as exc:
                # the core's words name the value and what was expected (kaohe.core.values)
                row_errors.append(SheetError(SHEET, r, value_col, inp.name, str(exc).removeprefix(f"{inp.name}: ")))
        score_col = 5 + 2 * k
        try:
            self_score = _score(cells[score_col - 1])
        except ValueError as exc:
            row_errors.append(SheetError(SHEET, r, score_col, "自评得分", str(exc)))
            self_score = None
        explanation = _text(cells[score_col])
        if row_errors:
            errors += row_errors
            continue
        diffs = [
            Diff(schemes.input_def(scheme, i).name, display(item.values.get(i)), display(values.get(i)))
            for i in input_ids
            if not _same(item.values.get(i), values.get(i))
        ]
        if self_score != item.self_score:
            diffs.append(Diff("自评得分", display(item.self_score), display(self_score)))
        if explanation != item.explanation.strip():
            diffs.append(Diff("自评说明", item.explanation or "—", explanation or "—"))
        if not diffs:
            continue
        sheet_version = _text(cells[3])
        if sheet_version != str(item.version):
            errors.append(
                SheetError(
                    SHEET,
                    r,
                    4,
                    "版本",
                    f"指标 {indicator_id} 在下载后已被修改（表中第 {sheet_version} 版，系统中第 {item.version} 版）；"
                    "请重新下载自评表，填入改动后再上传",
                )
            )
            continue
        changes.append(
            Change(
                row=r,
                item_id=item.pk,
                version=item.version,
                indicator_id=indicator_id,
                indicator_name=item.indicator_name,
                values={i: values.get(i) for i in input_ids},
                self_score=None if self_score is None else str(self_score),
                explanation=explanation,
                diffs=tuple(diffs),
            )
        )
    if errors:
        raise SheetErrors(errors)
    return changes


# ------------------------------------------------------------------------------------------------ results workbook
def results_frame(scheme: Scheme, results: list[Result]) -> pl.DataFrame:
    """The stored Result rows as the frame ``kaohe.score`` returned (the columns ``write_results`` reads)."""
    node_ids = [n.id for n in schemes.nodes(scheme)]
    schema: dict[str, Any] = {"unit_id": pl.String, "unit_name": pl.String, "sequence": pl.String}
    schema.update(dict.fromkeys(node_ids, pl.Float64))
    schema.update(
        {
            "base_total": pl.Float64,
            "bonus": pl.Float64,
            "deduction": pl.Float64,
            "final_score": pl.Float64,
            "grade": pl.String,
            "rank": pl.Int64,
            "advanced": pl.Boolean,
            "interview": pl.Boolean,
            "accountability": pl.Boolean,
            "blocked": pl.Boolean,
            "missing": pl.List(pl.String),
            "flags": pl.List(pl.String),
            "dishonesty_record": pl.Boolean,
            "vetoed": pl.Boolean,
            "consequences": pl.List(pl.String),
        }
    )
    rows = []
    for r in results:
        unit = r.assessment.unit
        row: dict[str, Any] = {"unit_id": unit.code, "unit_name": unit.name, "sequence": r.sequence}
        row.update({i: r.scores.get(i) for i in node_ids})
        row.update(
            {
                "base_total": r.base_total,
                "bonus": r.bonus,
                "deduction": r.deduction,
                "final_score": r.final_score,
                "grade": r.grade or None,
                "rank": r.rank,
                "advanced": r.advanced,
                "interview": r.interview,
                "accountability": r.accountability,
                "blocked": r.blocked,
                "missing": r.missing,
                "flags": r.flags,
                "dishonesty_record": r.dishonesty_record,
                "vetoed": r.vetoed,
                "consequences": r.consequences,
            }
        )
        rows.append(row)
    return pl.DataFrame(rows, schema=schema, orient="row")


def write_cycle_results(cycle: Cycle) -> bytes:
    """The stored (approved) results, not a fresh scoring: the workbook matches what was evaluated."""
    # The published lists, built once for the public page, the 通报 and this workbook (dashboard.publication).
    published = publication(cycle, details=True)
    scheme, results = published.scheme, published.results
    checked = check_inputs(scheme, frame_from_rows(scheme, [r.inputs for r in results]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.xlsx"
        write_results(results_frame(scheme, results), scheme, path, explain_all(scheme, checked))
        # also adds the 说明 sheet (add_basis_sheet, schemes with air figures) and 审计校验码 (add_anchor_sheet),
        # in one load/save
        add_flags_sheet(path, published, cycle.year)
        return path.read_bytes()


BASIS_SHEET = "说明"


def add_basis_sheet(wb: Workbook, scheme: Scheme, year: int | None = None) -> None:
    """For a scheme with air-quality inputs (``source: air.…``): which edition of HJ 633 / HJ 663 / GB 3095 the air
    figures follow (issue 11; the words are kaohe.reports.air_basis's, as in the 通报). Other schemes: no sheet."""
    basis = air_basis(scheme, year)
    if basis is None:
        return
    ws = wb.create_sheet(BASIS_SHEET)
    ws.column_dimensions["A"].width = 100
    ws.append([safe(f"考核方案：{scheme.name}（{scheme.id}，{scheme.year}年）")])
    ws.append([basis])
    for row in ws.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


ANCHOR_SHEET = "审计校验码"


def add_anchor_sheet(wb: Workbook) -> None:
    """The audit chain's head when the workbook was made (kaohe.audit.anchors): a printed or filed copy pins the
    log, and ``kaohe audit verify --anchor`` checks it."""
    anchor = anchors.current()
    ws = wb.create_sheet(ANCHOR_SHEET)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 12, 60
    if anchor is None:
        ws.append(["校验码", "审计日志为空"])
    else:
        ws.append(["校验码", anchor.grouped])
        ws.append(["审计记录", f"#{anchor.seq}"])
        ws.append(["核对方法", f"kaohe audit verify --anchor '{anchor.grouped} #{anchor.seq}'"])
    for row in ws.iter_rows():
        row[0].font = Font(bold=True)


FLAGS_SHEET = "一票否决与政务失信"
FLAGS_HEADER = [
    "单位代码",
    "单位名称",
    "序列",
    "名次",
    "等级",
    "先进",
    "一票否决（触发规则）",
    "否决后果",
    "政务失信记录（原因）",
]


def add_flags_sheet(path: Path, published: Publication, year: int | None = None) -> None:
    """One row per unit that a veto, its consequences (seed 002 第九条(三)) or a 政务失信记录 (seed 000 第十条)
    concerns, in words, from the stored result (先进 too: the stored flag, never recomputed from the rank), in the
    published order."""
    wb = load_workbook(path)
    ws = wb.create_sheet(FLAGS_SHEET, index=len(published.scheme.sequences))
    ws.append(safe_row(FLAGS_HEADER))
    for col, width in enumerate([12, 16, 16, 6, 8, 6, 36, 60, 60], start=1):
        cell = ws.cell(row=1, column=col)
        cell.fill, cell.font = HEADER_FILL, Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    for r in published.flagged:
        notes = published.notes(r)
        ws.append(
            safe_row(
                [
                    r.assessment.unit.code,
                    r.assessment.unit.name,
                    notes.sequence,
                    r.rank,
                    r.grade or None,
                    "是" if r.advanced else None,
                    notes.vetoed_text if r.vetoed or r.consequences else None,
                    "；".join(r.consequences) or None,
                    notes.dishonesty or None,
                ]
            )
        )
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if ws.max_row == 1:
        ws.append(["本周期无一票否决或纳入政务失信记录的单位"])
    add_basis_sheet(wb, published.scheme, year)
    add_anchor_sheet(wb)
    wb.save(path)
