"""The self-evaluation sheet upload refuses merged cells (issue 9 §2): openpyxl reads every cell of a merged range but
the first as empty, so one explanation merged over two items would clear the second item's explanation."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from kaohe.reports import excel
from tests.reports.test_excel import column, download, row_of, upload, values_of
from tests.world import World


def test_a_merged_range_is_refused_with_its_cells_and_nothing_is_read(world: World) -> None:
    world.fill("A")
    before = values_of(world)
    wb = download(world)
    ws = wb[excel.SHEET]
    letter = get_column_letter(column(ws, "自评说明"))
    first, second = row_of(ws, "1"), row_of(ws, "2")
    ws.cell(row=first, column=column(ws, "自评说明"), value="两项共用的说明")
    ws.merge_cells(f"{letter}{first}:{letter}{second}")
    response = upload(world, wb)
    assert response.status_code == 400
    assert [str(e) for e in response.context["errors"]] == [
        f"工作表「自评表」 第 {first} 行 {letter} 列：{letter}{first}:{letter}{second} 是合并单元格：请取消合并，"
        "并在每一行填写该值"
    ]
    assert "apply_form" not in response.context
    assert values_of(world) == before
