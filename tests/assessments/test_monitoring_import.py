"""The 导入监测数据 screen and ``kaohe import`` read their file with the input tables' reader and parser (issue 9 §1:
one parser): a GBK CSV reads as Chinese; invalid UTF-8, a short row, a header without rows or merged cells are
refused with located errors, one per line on the command line and as a list next to the upload on the screen;
nothing is imported then."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from kaohe.assessments.models import ImportedValue
from kaohe.cli import main
from tests.assessments.test_list_import import SAMPLE, xx_city_cycle
from tests.world import World

WAYS = ["screen", "kaohe import"]


def _import(world: World, path: Path, way: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """(status, what the person reads): the screen's HTTP status and page, or the command's exit code and stderr."""
    if way == "screen":
        client = Client()
        client.force_login(world.people["alice"])
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        response = client.post(f"/cycles/{world.cycle.pk}/import/", {"file": upload}, follow=True)
        return response.status_code, response.content.decode()
    return main(["import", str(world.cycle.pk), str(path), "--user", "alice"]), capsys.readouterr().err


@pytest.mark.parametrize("way", WAYS)
def test_it_imports_a_gbk_csv_with_its_chinese_names(
    db: None, tmp_path: Path, way: str, capsys: pytest.CaptureFixture[str]
) -> None:
    utf8 = tmp_path / "water_utf8.csv"
    assert (
        main(["water", "evaluate", str(SAMPLE), "--year", "2020", "--as-inputs", "xx-city-2020", "--out", str(utf8)])
        == 0
    )
    path = tmp_path / "water_inputs.csv"  # as Chinese Excel saves "CSV (逗号分隔)"
    path.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))
    cycle, office = xx_city_cycle()
    if way == "screen":
        client = Client()
        client.force_login(office)
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        page = client.post(f"/cycles/{cycle.pk}/import/", {"file": upload}, follow=True).content.decode()
        assert "已导入" in page, page
    else:
        assert main(["import", str(cycle.pk), str(path), "--user", "alice"]) == 0, capsys.readouterr().err
    stored = ImportedValue.objects.get(cycle=cycle, unit__code="330109", input_id="wq_sections").value
    assert stored == ["浦阳江尖山", "萧绍运河衙前"]  # the sample's two sections of 萧山区, in its order


BAD_CSV = {
    # a Latin-1 é: neither UTF-8 nor GBK Chinese
    "invalid_utf8.csv": (b"unit_id,good_days\n220100,81.5\n220281,caf\xe9\n", 3, None, "byte 0xE9 is not UTF-8 text"),
    # the second unit's row has 1 of the header's 2 fields
    "short_row.csv": (b"unit_id,good_days\n220100,81.5\n220281\n", 3, None, "has 1 of 2 fields"),
    "header_only.csv": (b"unit_id,good_days\n", 2, None, "header row but no units"),
}


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("case", sorted(BAD_CSV))
def test_a_bad_file_is_refused_with_its_row_and_nothing_is_imported(
    world: World, tmp_path: Path, way: str, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data, row, _column, words = BAD_CSV[case]
    path = tmp_path / case
    path.write_bytes(data)
    status, text = _import(world, path, way, capsys)
    if way == "screen":
        assert status == 400 and 'id="import-errors"' in text and case in text
        assert f"第 {row} 行" in text and words in text
    else:
        assert status == 2
        [line] = text.splitlines()
        assert line.startswith(f"error: {path}, row {row}") and words in line
    assert not ImportedValue.objects.exists()


@pytest.mark.parametrize("way", WAYS)
def test_every_mistake_is_listed_on_its_own_line(
    world: World, tmp_path: Path, way: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "air.csv"
    # row 2 fine but for row 5; row 3 a unit of no cycle; row 4 not a number; row 5 the unit of row 2 again
    path.write_text("unit_id,good_days\n220100,81.5\n999999,70\n220281,abc\n220100,80\n", encoding="utf-8")
    status, text = _import(world, path, way, capsys)
    if way == "screen":
        errors = text.split('id="import-errors"')[1].split("</ul>")[0].count("<li>")
        assert status == 400 and errors == 4, text
        assert "第 3 行 单位代码 [unit_id] 列：单位 999999 不在本周期" in text
    else:
        lines = text.splitlines()
        assert status == 2 and len(lines) == 4, text
        assert [line.removeprefix(f"error: {path}").split(": ", 1)[0] for line in lines] == [
            ", row 2, column 单位代码 [unit_id]",  # 220100 twice (rows 2 and 5)
            ", row 3, column 单位代码 [unit_id]",
            ", row 4, column 优良天数比例 (%) [good_days]",
            ", row 5, column 单位代码 [unit_id]",
        ]
    assert not ImportedValue.objects.exists()


@pytest.mark.parametrize("way", WAYS)
def test_an_xlsx_is_read_from_its_sheet_and_merged_cells_are_refused(
    world: World, tmp_path: Path, way: str, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "空气"
    for row in (["unit_id", "good_days"], ["220100", 81.5], ["220281", None], ["220200", None]):
        sheet.append(row)
    good = tmp_path / "air.xlsx"
    book.save(good)
    status, _text = _import(world, good, way, capsys)
    assert status in (0, 200)
    assert dict(ImportedValue.objects.values_list("unit__code", "value")) == {"220100": 81.5}  # empty: not imported
    sheet.merge_cells("B2:B4")  # 81.5 once for three units: the other two would read as empty
    merged = tmp_path / "merged.xlsx"
    book.save(merged)
    status, text = _import(world, merged, way, capsys)
    assert "B2:B4 是合并单元格：请取消合并，并在每一行填写该值" in text
    if way == "screen":
        assert status == 400 and "工作表「空气」 第 2 行 good_days 列：B2:B4 是合并单元格" in text
    else:
        assert status == 2 and text.startswith(f"error: {merged}, sheet 空气, row 2, column good_days: ")
    assert ImportedValue.objects.count() == 1
