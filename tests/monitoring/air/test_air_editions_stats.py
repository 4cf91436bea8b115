"""Editions in the vectorised path (issue 11): daily and evaluate_year follow each day's edition under "auto"
(HJ 633-2026 from 2026-03-01), or one edition for the whole year; 达标 by the stage of GB 3095 in force on the last
day. Expected values by hand from HJ 633 式(1) (the 2026 breakpoints of editions/2026.yaml) and GB 3095 表1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from kaohe.cli import main
from kaohe.monitoring.air import daily, evaluate_year
from kaohe.monitoring.air.editions import EditionError, auto_with, builtin_editions, load_edition
from tests.monitoring.air.test_air_stats import day_rows, frame

BEFORE, AFTER = dt.date(2026, 2, 28), dt.date(2026, 3, 1)
EDITIONS = Path(__file__).resolve().parents[3] / "src/kaohe/monitoring/air/editions"
KAOHE_PM25_2026 = "[0, 35, 60, 115, 150, 250, 350, 500]"
# An office's corrected 2026 (test values, not a standard's): its 24-h PM2.5 row differs from kaohe's 2026.yaml.
OFFICE_PM25_2026 = "[0, 35, 45, 55, 65, 250, 350, 500]"


def two_days(pm25: float) -> pl.DataFrame:
    return frame(day_rows(BEFORE, pm25=pm25) + day_rows(AFTER, pm25=pm25))


def test_each_day_follows_the_edition_in_force_that_day() -> None:
    # PM2.5 61 every hour: 2012 (35–75 → 50–100) ⇒ 82.5 ⇒ 83 良; 2026 (60–115 → 100–150) ⇒ 100.9 ⇒ 101 轻度污染.
    # The other pollutants are clean (IAQI ≤ 50).
    result = daily(two_days(61.0)).select("date", "aqi", "category", "edition").rows()
    assert result == [(BEFORE, 83, "良", "2012"), (AFTER, 101, "轻度污染", "2026")]


@pytest.mark.parametrize(("edition", "aqi", "category"), [("2012", 83, "良"), ("2026", 101, "轻度污染")])
def test_a_whole_span_forced_to_one_edition(edition: str, aqi: int, category: str) -> None:
    result = daily(two_days(61.0), edition=edition).select("aqi", "category", "edition").rows()
    assert result == [(aqi, category, edition)] * 2


@pytest.mark.parametrize(
    ("edition", "good_days", "editions"), [("auto", 1, "2012+2026"), ("2012", 2, "2012"), ("2026", 0, "2026")]
)
def test_the_year_combines_the_days_as_each_was_evaluated(edition: str, good_days: int, editions: str) -> None:
    year = evaluate_year(two_days(61.0), by="station_id", edition=edition)
    assert year.select("good_days", "valid_days", "editions").row(0) == (good_days, 2, editions)


def test_compliance_follows_the_stage_in_force_on_the_last_day() -> None:
    # PM2.5 32: annual mean 32, P95 32. GB 3095-2012 class 2: annual 35, 24-h 75 ⇒ met. GB 3095-2026 transitional
    # stage (2026-03-01 … 2030-12-31), class 2: annual 30, 24-h 60 ⇒ the annual mean is not met.
    auto = evaluate_year(two_days(32.0), by="station_id")
    assert auto.select("pm25_mean", "pm25_mean_limit", "pm25_mean_met", "pm25_p95_limit", "pm25_p95_met").row(0) == (
        32,
        30.0,
        False,
        60.0,
        True,
    )
    assert auto.get_column("compliant")[0] is False
    assert "过渡" in auto.get_column("limits")[0] or "transition" in auto.get_column("limits")[0].lower()
    old = evaluate_year(two_days(32.0), by="station_id", edition="2012")
    assert old.select("pm25_mean_limit", "pm25_mean_met", "pm25_p95_limit").row(0) == (35.0, True, 75.0)
    # every statistic met under 2012 with the clean values: SO2 10, NO2 20, PM10 40, CO 0.5, O3 8-h 60
    assert old.get_column("compliant")[0] is True


def test_from_2031_the_final_limits_apply_by_class() -> None:
    # GB 3095-2026 final stage (from 2031-01-01): PM2.5 annual 10 (class 1) and 25 (class 2).
    day = dt.date(2031, 1, 5)
    data = frame(day_rows(day, station="S1", pm25=20.0) + day_rows(day, station="S2", pm25=20.0))
    year = evaluate_year(data, by="station_id", area_class={"S1": 1})
    assert year.select("station_id", "pm25_mean_limit", "pm25_mean_met").rows() == [
        ("S1", 10.0, False),
        ("S2", 25.0, True),
    ]


def test_the_command_takes_an_edition_and_an_edition_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "hourly.csv"
    two_days(61.0).write_csv(source, datetime_format="%Y-%m-%d %H:%M")
    out = tmp_path / "year.csv"
    assert main(["air", "evaluate", str(source), "--by", "station_id", "--out", str(out)]) == 0
    assert pl.read_csv(out).select("good_days", "editions").row(0) == (1, "2012+2026")
    assert "days by edition 2012+2026" in capsys.readouterr().out
    assert main(["air", "evaluate", str(source), "--by", "station_id", "--edition", "2012", "--out", str(out)]) == 0
    assert pl.read_csv(out, schema_overrides={"editions": pl.String}).select("good_days", "editions").row(0) == (
        2,
        "2012",
    )
    # an edition file whose PM2.5 row does not increase is refused with its file and line, nothing written
    bad = tmp_path / "bad.yaml"
    text = (Path(__file__).resolve().parents[3] / "src/kaohe/monitoring/air/editions/2026.yaml").read_text()
    bad.write_text(text.replace("[0, 35, 60, 115, 150, 250, 350, 500]", "[0, 35, 30, 115, 150, 250, 350, 500]"))
    out.unlink()
    code = main(["air", "evaluate", str(source), "--standard-file", str(bad), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "bad.yaml" in err and "line" in err.lower() and "Traceback" not in err
    assert not out.exists()


def test_a_scheme_pins_the_edition_its_air_inputs_use(tmp_path: Path) -> None:
    # jilin-2021-2025's good_ratio input is air.good_ratio × 100. The PM2.5-61 days: auto ⇒ 1 good of 2 ⇒ 50;
    # the same scheme pinned to 2012 (air_edition) ⇒ both good ⇒ 100; --edition still overrides the pin.
    scheme = (Path(__file__).resolve().parents[3] / "src/kaohe/schemes/jilin-2021-2025.yaml").read_text()
    pinned = tmp_path / "pinned.yaml"
    pinned.write_text(scheme.replace("\nmissing_policy: block\n", '\nmissing_policy: block\nair_edition: "2012"\n', 1))
    source = tmp_path / "hourly.csv"
    two_days(61.0).write_csv(source, datetime_format="%Y-%m-%d %H:%M")
    out = tmp_path / "inputs.csv"
    args = ["air", "evaluate", str(source), "--by", "city_id", "--out", str(out), "--as-inputs"]
    assert main([*args, "jilin-2021-2025"]) == 0
    assert pl.read_csv(out).select("unit_id", "good_ratio").rows() == [("C1", 50.0)]
    assert main([*args, str(pinned)]) == 0
    assert pl.read_csv(out).select("unit_id", "good_ratio").rows() == [("C1", 100.0)]
    assert main([*args, str(pinned), "--edition", "2026"]) == 0
    assert pl.read_csv(out).select("unit_id", "good_ratio").rows() == [("C1", 0.0)]


# ── an office's edition file inside "auto" (auto_with) ───────────────────────────────────────────────────────────
# PM2.5 70 every hour, the other pollutants clean (IAQI ≤ 50), so the AQI is the PM2.5 IAQI, by HJ 633 式(1):
#   2012 (35–75 → 50–100):                    50 + 50·(70 − 35)/40 = 93.75   ⇒  94 良
#   kaohe's 2026 (60–115 → 100–150):         100 + 50·(70 − 60)/55 = 109.09  ⇒ 110 轻度污染
#   the office's 2026 (65–250 → 200–300):    200 + 100·(70 − 65)/185 = 202.70 ⇒ 203 重度污染
PM25 = 70.0


def office_2026(directory: Path, name: str = "my2026.yaml", edition_id: str = "2026") -> Path:
    """A copy of 2026.yaml with the office's 24-h PM2.5 row (and ``edition_id``)."""
    text = (EDITIONS / "2026.yaml").read_text(encoding="utf-8")
    assert text.count(KAOHE_PM25_2026) == 1 and text.count('id: "2026"') == 1
    path = directory / name
    text = text.replace(KAOHE_PM25_2026, OFFICE_PM25_2026).replace('id: "2026"', f'id: "{edition_id}"')
    path.write_text(text, encoding="utf-8")
    return path


def test_an_office_file_stands_in_for_the_builtin_of_its_id(tmp_path: Path) -> None:
    office = load_edition(office_2026(tmp_path))
    plan = auto_with(office)
    assert [e.id for e in plan] == ["2012", "2026"]
    assert plan[0] is builtin_editions()["2012"] and plan[1] is office
    # 28 February keeps 2012; 1 March follows the office's table, not kaohe's 2026 (110)
    expected = [(BEFORE, 94, "良", "2012"), (AFTER, 203, "重度污染", "2026")]
    assert daily(two_days(PM25), edition=plan).select("date", "aqi", "category", "edition").rows() == expected
    # a plain list of Editions is the same "auto"
    as_list = [builtin_editions()["2012"], office]
    assert daily(two_days(PM25), edition=as_list).select("date", "aqi", "category", "edition").rows() == expected
    year = evaluate_year(two_days(PM25), by="station_id", edition=plan)
    assert year.select("good_days", "heavy_days", "valid_days", "editions").row(0) == (1, 1, 2, "2012+2026")
    # without the office's file: 94 and 110, one good day and no heavy one
    assert evaluate_year(two_days(PM25), by="station_id").select("good_days", "heavy_days").row(0) == (1, 0)


def test_an_office_file_with_a_new_id_and_date_is_added(tmp_path: Path) -> None:
    text = office_2026(tmp_path).read_text(encoding="utf-8")
    later = tmp_path / "my2027.yaml"
    later.write_text(text.replace('id: "2026"', 'id: "2027"').replace("2026-03-01", "2027-01-01"), encoding="utf-8")
    plan = auto_with(load_edition(later))
    assert [(e.id, e.in_force_from) for e in plan] == [
        ("2012", dt.date(2016, 1, 1)),
        ("2026", dt.date(2026, 3, 1)),
        ("2027", dt.date(2027, 1, 1)),
    ]


def test_two_office_files_for_one_edition_or_one_day_are_refused(tmp_path: Path) -> None:
    first = load_edition(office_2026(tmp_path, "a.yaml"))
    second = load_edition(office_2026(tmp_path, "b.yaml"))
    with pytest.raises(EditionError) as same_id:
        auto_with(first, second)
    assert [(p.file, p.message) for p in same_id.value.problems] == [
        (second.file, f"edition id '2026' is also that of {first.file}: one file per edition")
    ]
    # a new id in force on the day a built-in edition begins: which would govern that day is not said
    renamed = load_edition(office_2026(tmp_path, "c.yaml", edition_id="2026-office"))
    with pytest.raises(EditionError, match="as the built-in edition '2026' is: give it the id '2026'") as new_id:
        auto_with(renamed)
    assert new_id.value.problems[0].file == renamed.file
    with pytest.raises(EditionError, match=r"in force from 2026-03-01, as '2026' of .*a\.yaml is: one edition per day"):
        auto_with(first, renamed)
