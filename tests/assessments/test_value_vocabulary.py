"""The web app reads values and builds frames with the core's vocabulary (kaohe.core.values, issue 9 §1)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kaohe.assessments import evaluation, schemes
from kaohe.cli import main
from kaohe.core import values
from tests.world import World


def test_the_evaluation_frame_has_the_core_dtypes() -> None:
    scheme = schemes.load("xx-city-2020")
    frame = evaluation.frame_from_rows(scheme, [{"unit_id": "U1", "sequence": "district", "wq_months_missed": [2, 0]}])
    for inp in scheme.inputs:
        assert frame.schema[inp.id] == values.input_dtype(inp), inp.id
    counts = [inp for inp in scheme.inputs if inp.kind == "integer"]
    assert counts and all(frame.schema[inp.id] == pl.Float64 for inp in counts)  # was Int64 here, Float64 in the core


def test_forms_read_full_width_numbers() -> None:
    scheme = schemes.load("xx-city-2020")
    rate = schemes.input_def(scheme, "drinking_rate")
    months = schemes.input_def(scheme, "wq_months_missed")
    assert schemes.coerce_value(rate, "９５．５％") == 95.5
    assert schemes.coerce_value(months, "２；０；１") == [2, 0, 1]
    with pytest.raises(ValueError, match="13 超出范围，应为 0–12 月次的整数"):
        schemes.coerce_value(months, "２；１３")


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("abc", "“abc” 不是有效值，应为数字"),  # good_days is a number
        ("120", "120 超出范围，应为 0–100 % 的数值"),  # declared min 0, max 100, unit %
    ],
)
def test_a_bad_cell_reads_the_same_on_the_form_the_import_and_kaohe_score(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str, words: str
) -> None:
    """One vocabulary (issue 9 §1): the core words the mistake, Chinese first, on every path a value comes in."""
    item = world.item("A", "2")  # indicator 2 reads good_days
    response = world.client("fay").post(f"/items/{item.pk}/", {"version": item.version, "v_good_days": cell})
    assert response.status_code == 400
    form = response.content.decode()

    monitoring = tmp_path / "air.csv"
    monitoring.write_text(f"unit_id,good_days\n220100,{cell}\n", encoding="utf-8")
    assert main(["import", str(world.cycle.pk), str(monitoring), "--user", "alice"]) == 2
    imported = capsys.readouterr().err

    inputs = tmp_path / "inputs.csv"
    inputs.write_text(
        "unit_id,unit_name,sequence,water_months,good_days,good_days_target,tasks_done,awards,incidents,major_incident\n"
        f"220100,甲市,city,1,{cell},85,是,0,0,否\n",
        encoding="utf-8",
    )
    scheme = Path(__file__).parents[1] / "data" / "web_scheme.yaml"
    assert main(["score", "--scheme", str(scheme), "--inputs", str(inputs), "--out", str(tmp_path / "r.xlsx")]) == 2
    scored = capsys.readouterr().err

    assert f"优良天数比例: {words}" in form  # the form names the input first
    assert words in imported and words in scored
