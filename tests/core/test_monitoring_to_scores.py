"""The README's flow: monitoring files ⇒ ``--as-inputs`` ⇒ ``kaohe score`` with several ``--inputs`` files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from kaohe.cli import main

SAMPLES = Path(__file__).parents[2] / "src" / "kaohe" / "data" / "samples"
BASE = SAMPLES / "xx_district_inputs_2020.csv"


@pytest.fixture(scope="module")
def monitoring_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("monitoring")
    air, water = out / "air_inputs.csv", out / "water_inputs.csv"
    assert (
        main(
            [
                "air",
                "evaluate",
                str(SAMPLES / "xx_district_air_2020.csv"),
                "--by",
                "city_id",
                "--as-inputs",
                "xx-city-2020",
                "--out",
                str(air),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "water",
                "evaluate",
                str(SAMPLES / "water_sections_sample.csv"),
                "--year",
                "2020",
                "--as-inputs",
                "xx-city-2020",
                "--out",
                str(water),
            ]
        )
        == 0
    )
    return air, water


def test_monitoring_outputs_feed_the_score(monitoring_inputs: tuple[Path, Path], tmp_path: Path) -> None:
    air, water = monitoring_inputs
    out = tmp_path / "results.json"
    assert (
        main(
            [
                "score",
                "--scheme",
                "xx-city-2020",
                "--inputs",
                str(BASE),
                "--inputs",
                str(air),
                "--inputs",
                str(water),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    results = {r["unit_id"]: r for r in json.loads(out.read_text(encoding="utf-8"))}
    assert sorted(results) == ["330109", "330110", "330111"]
    air_values = {r["unit_id"]: r for r in pl.read_csv(air, schema_overrides={"unit_id": pl.String}).to_dicts()}
    # 2.4 and 2.3 read the air file: PM10 mean vs the district's target, 16 ± per µg/m³ (seed 004 item 2.3)
    base = {r["unit_id"]: r for r in pl.read_csv(BASE, infer_schema=False).to_dicts()}
    for unit, row in results.items():
        pm10, target = air_values[unit]["pm10_mean"], float(base[unit]["pm10_target"])
        expected = 16 + 2 * (target - pm10) if pm10 <= target else 16 - 3 * (pm10 - target)
        assert row["2.3"] == pytest.approx(min(20, max(0, expected)))


def test_a_column_given_twice_is_an_error(
    monitoring_inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    air, water = monitoring_inputs
    out = tmp_path / "r.xlsx"
    assert (
        main(
            [
                "score",
                "--scheme",
                "xx-city-2020",
                "--inputs",
                str(BASE),
                "--inputs",
                str(air),
                "--inputs",
                str(air),
                "--inputs",
                str(water),
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert f"error: {air}, column pm25_mean: input 'pm25_mean' is also given by {air}" in capsys.readouterr().err
    assert not out.exists()


def test_a_monitoring_unit_missing_from_the_unit_list_is_an_error(
    monitoring_inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    air, water = monitoring_inputs
    two_units = tmp_path / "base.csv"
    lines = BASE.read_text(encoding="utf-8").splitlines()
    two_units.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")  # header + 330109, 330110
    assert (
        main(
            [
                "score",
                "--scheme",
                "xx-city-2020",
                "--inputs",
                str(two_units),
                "--inputs",
                str(air),
                "--inputs",
                str(water),
                "--out",
                str(tmp_path / "r.csv"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert f"error: {air}, row 4, column 单位代码 [unit_id]: unit '330111' is not listed in {two_units}" in err


def test_an_input_no_file_gives_is_an_error(
    monitoring_inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    air, _water = monitoring_inputs
    assert (
        main(
            [
                "score",
                "--scheme",
                "xx-city-2020",
                "--inputs",
                str(BASE),
                "--inputs",
                str(air),
                "--out",
                str(tmp_path / "r.csv"),
            ]
        )
        == 2
    )
    assert "no inputs file gives column “水十条”考核断面 [wq_sections]" in capsys.readouterr().err
