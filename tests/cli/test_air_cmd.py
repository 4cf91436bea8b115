"""``kaohe air evaluate --exceptional-events LIST`` and ``--three-year PREV1 PREV2`` (HJ 663-2026, per the published
summary; issue 11): what is written and printed, and nothing written on a bad list or table. Values by hand: see
tests/monitoring/air/test_air_exceptional.py (PM10 600 ⇒ IAQI 500, a heavy day; 40 and 50 good days). And an
office's edition file (``--standard-file``, repeatable) standing in for the built-in edition of its id."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from kaohe.cli import main
from tests.monitoring.air.test_air_editions_stats import PM25, office_2026, two_days
from tests.monitoring.air.test_air_stats import day_rows, frame

EDITIONS = Path(__file__).resolve().parents[2] / "src/kaohe/monitoring/air/editions"


def hourly(tmp_path: Path, year: int, name: str = "hourly.csv", pm25: float = 20.0) -> Path:
    """City C1 (station S1), 10–12 March: PM10 40, 600, 50."""
    storm = dt.date(year, 3, 11)
    rows = (
        day_rows(storm - dt.timedelta(days=1), pm10=40.0, pm25=pm25)
        + day_rows(storm, pm10=600.0, pm25=pm25)
        + day_rows(storm + dt.timedelta(days=1), pm10=50.0, pm25=pm25)
    )
    path = tmp_path / name
    frame(rows).write_csv(path, datetime_format="%Y-%m-%d %H:%M")
    return path


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_approved_days_are_excluded_and_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = hourly(tmp_path, 2026)
    events = tmp_path / "events.csv"
    events.write_text("city_id,date,kind,approved\nC1,2026-03-11,沙尘,是\nC1,2026-03-12,其他,否\n", encoding="utf-8")
    out = tmp_path / "air.csv"
    assert main(["air", "evaluate", str(source), "--out", str(out), "--exceptional-events", str(events)]) == 0
    # the 2026 edition governs (the year ends after 2026-03-01) and asks for the exclusion: heavy 1 → 0, PM10
    # mean (40 + 600 + 50) / 3 = 230 → (40 + 50) / 2 = 45; the unapproved 12 March stays
    assert pl.read_csv(out).select("heavy_days", "pm10_mean", "excluded_days").row(0) == (0, 45, 1)
    excluded = pl.read_csv(tmp_path / "air_excluded.csv", infer_schema=False)
    assert excluded.select("city_id", "date", "kind", "row").rows() == [("C1", "2026-03-11", "沙尘", "2")]
    assert "exceptional events: 1 days excluded (1 ids) of 1 approved in the list" in capsys.readouterr().out
    # --no-exceptional keeps every day
    assert (
        main(
            [
                *["air", "evaluate", str(source), "--out", str(out)],
                "--exceptional-events",
                str(events),
                "--no-exceptional",
            ]
        )
        == 0
    )
    assert pl.read_csv(out).select("heavy_days", "pm10_mean", "excluded_days").row(0) == (1, 230, 0)
    assert "0 days excluded (--no-exceptional" in capsys.readouterr().out


def test_under_2012_the_list_applies_only_when_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = hourly(tmp_path, 2025)
    events = tmp_path / "events.csv"
    events.write_text("city_id,date,kind,approved\nC1,2025-03-11,沙尘,true\n", encoding="utf-8")
    out = tmp_path / "air.csv"
    args = ["air", "evaluate", str(source), "--out", str(out), "--exceptional-events", str(events)]
    assert main(args) == 0
    assert pl.read_csv(out).select("heavy_days", "excluded_days").row(0) == (1, 0)
    assert "does not ask for it (--exclude-exceptional" in capsys.readouterr().out
    assert main([*args, "--exclude-exceptional"]) == 0
    assert pl.read_csv(out).select("heavy_days", "excluded_days").row(0) == (0, 1)
    assert main(["air", "evaluate", str(source), "--out", str(out), "--exclude-exceptional"]) == 2
    assert "--exclude-exceptional needs --exceptional-events" in capsys.readouterr().err


def test_a_bad_list_is_refused_and_nothing_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = hourly(tmp_path, 2026)
    events = tmp_path / "events.csv"
    events.write_text("city_id,date,kind,approved\nC1,11/03/2026,沙尘,是\n", encoding="utf-8")
    out = tmp_path / "air.csv"
    assert main(["air", "evaluate", str(source), "--out", str(out), "--exceptional-events", str(events)]) == 2
    err = capsys.readouterr().err
    assert f"{events}, row 2, column date: '11/03/2026' is not a date (use YYYY-MM-DD)" in err
    assert "Traceback" not in err
    assert listing(tmp_path) == ["events.csv", "hourly.csv"]


def test_three_years_from_the_tables_the_command_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # PM2.5 30, 31, 33 µg/m³ all three days of 2024, 2025, 2026: annual means 30, 31, 33 ⇒ 94 / 3 = 31.33 ⇒ 31.
    # PM10 230 each year (no list given) ⇒ 230; good_ratio 2/3 each year ⇒ 2/3.
    tables = []
    for year, pm25 in ((2024, 30.0), (2025, 31.0)):
        out = tmp_path / f"air_{year}.csv"
        assert main(["air", "evaluate", str(hourly(tmp_path, year, f"h{year}.csv", pm25)), "--out", str(out)]) == 0
        tables.append(str(out))
    out = tmp_path / "air_2026.xlsx"
    source = hourly(tmp_path, 2026, "h2026.csv", 33.0)
    assert main(["air", "evaluate", str(source), "--out", str(out), "--three-year", *tables]) == 0
    assert (
        "three-year values 2024+2025+2026 (means of the annual values): 1 rows, 0 without all three years"
        in capsys.readouterr().out
    )
    three = pl.read_excel(tmp_path / "air_2026_three_year.xlsx")
    row = three.row(0, named=True)
    assert (row["city_id"], row["years"], row["pm25_mean"], row["pm10_mean"]) == ("C1", "2024+2025+2026", 31, 230)
    assert row["good_ratio"] == pytest.approx(2 / 3)
    # PREV in the wrong order or of the wrong years: refused, nothing written
    for path in tmp_path.glob("air_2026*"):
        path.unlink()
    assert main(["air", "evaluate", str(source), "--out", str(out), "--three-year", tables[0], tables[0]]) == 2
    assert "three consecutive years" in capsys.readouterr().err
    assert not list(tmp_path.glob("air_2026*"))
    assert (
        main(
            [
                "air",
                "evaluate",
                str(source),
                "--out",
                str(out),
                "--three-year",
                *tables,
                "--as-inputs",
                "jilin-2021-2025",
            ]
        )
        == 2
    )
    assert "without --as-inputs" in capsys.readouterr().err


def test_three_years_from_hourly_files_of_the_previous_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same years as above given as hourly files: each previous year is evaluated, then the annual values are
    # averaged: PM2.5 (30 + 31 + 33) / 3 = 31.33 ⇒ 31; P95 of each year 30, 31, 33 ⇒ 31.
    before = [str(hourly(tmp_path, year, f"h{year}.csv", pm25)) for year, pm25 in ((2024, 30.0), (2025, 31.0))]
    out = tmp_path / "air_2026.csv"
    source = hourly(tmp_path, 2026, "h2026.csv", 33.0)
    assert main(["air", "evaluate", str(source), "--out", str(out), "--three-year", *before]) == 0
    assert "(means of the annual values)" in capsys.readouterr().out
    row = pl.read_csv(tmp_path / "air_2026_three_year.csv").row(0, named=True)
    assert (row["pm25_mean"], row["pm25_p95"], row["pm10_mean"]) == (31, 31, 230)
    # one table and one hourly file: refused before anything is evaluated
    table = tmp_path / "air_2025.csv"
    assert main(["air", "evaluate", before[1], "--out", str(table)]) == 0
    assert main(["air", "evaluate", str(source), "--out", str(out), "--three-year", before[0], str(table)]) == 2
    assert "give both previous years the same way" in capsys.readouterr().err


def pooled_2026(directory: Path) -> Path:
    """kaohe's 2026 edition with options.three_year_form: pooled_days (test values, not the standard's text)."""
    text = (EDITIONS / "2026.yaml").read_text(encoding="utf-8")
    assert text.count("value: annual_means") == 1
    path = directory / "pooled2026.yaml"
    path.write_text(text.replace("value: annual_means", "value: pooled_days"), encoding="utf-8")
    return path


def test_an_edition_with_the_pooled_form_pools_the_daily_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # PM2.5 30, 31, 33 on the three days of 2024, 2025, 2026. Pooled: the nine daily values
    # [30, 30, 30, 31, 31, 31, 33, 33, 33]: mean 282 / 9 = 31.33 ⇒ 31; P95 (HJ 663 附录A) k = 1 + 8 · 0.95 = 8.6 ⇒
    # X(8) + 0.6 · (X(9) − X(8)) = 33 + 0 = 33 (the means of the annual values give 31). PM10 40, 600, 50 each year:
    # mean 690 / 3 = 230 either way; heavy days 3 of 9 valid ⇒ 1/3.
    edition = pooled_2026(tmp_path)
    before = [str(hourly(tmp_path, year, f"h{year}.csv", pm25)) for year, pm25 in ((2024, 30.0), (2025, 31.0))]
    out = tmp_path / "air_2026.csv"
    source = hourly(tmp_path, 2026, "h2026.csv", 33.0)
    args = ["air", "evaluate", str(source), "--out", str(out), "--standard-file", str(edition)]
    assert main([*args, "--three-year", *before]) == 0
    assert "(over the three years' daily values pooled)" in capsys.readouterr().out
    row = pl.read_csv(tmp_path / "air_2026_three_year.csv").row(0, named=True)
    assert (row["years"], row["pm25_mean"], row["pm25_p95"], row["pm10_mean"]) == ("2024+2025+2026", 31, 33, 230)
    assert row["heavy_ratio"] == pytest.approx(1 / 3)
    # the pooled form needs the daily values: annual tables are refused, naming what to give
    tables = []
    for path in before:
        table = tmp_path / f"t_{Path(path).stem}.csv"
        assert main(["air", "evaluate", path, "--out", str(table)]) == 0
        tables.append(str(table))
    capsys.readouterr()
    assert main([*args, "--three-year", *tables]) == 2
    assert "defines the pooled three-year form" in capsys.readouterr().err


# ── a scheme's rule for exceptional-event days (air_exceptional_events) ─────────────────────────────────────────
# jilin-2021-2025's air inputs: good_ratio = air.good_ratio × 100, heavy_ratio = air.heavy_ratio × 100 (and pm25).
# The fixture's days (PM10 40, 600, 50; PM2.5 20): good, heavy (PM10 600 ⇒ IAQI 500), good under 2012 and 2026.
# Every day kept: good 2/3 ⇒ 66.67, heavy 1/3 ⇒ 33.33; 11 March left out: good 2/2 ⇒ 100, heavy 0/2 ⇒ 0.

JILIN = Path(__file__).resolve().parents[2] / "src/kaohe/schemes/jilin-2021-2025.yaml"


def scheme_with(tmp_path: Path, rule: str) -> Path:
    """jilin-2021-2025 with ``air_exceptional_events: <rule>``."""
    path = tmp_path / f"scheme_{rule}.yaml"
    text = JILIN.read_text(encoding="utf-8")
    path.write_text(
        text.replace("\nmissing_policy: block\n", f"\nmissing_policy: block\nair_exceptional_events: {rule}\n", 1),
        encoding="utf-8",
    )
    return path


def with_list(tmp_path: Path, year: int) -> tuple[Path, list[str]]:
    """The hourly file of ``year``, its 11 March approved in a list, and the command up to --as-inputs."""
    source = hourly(tmp_path, year)
    events = tmp_path / "events.csv"
    events.write_text(f"city_id,date,kind,approved\nC1,{year}-03-11,沙尘,是\n", encoding="utf-8")
    out = tmp_path / "inputs.csv"
    return out, ["air", "evaluate", str(source), "--out", str(out), "--exceptional-events", str(events)]


def ratios(out: Path) -> tuple[object, ...]:
    row = pl.read_csv(out).select("unit_id", "good_ratio", "heavy_ratio").row(0)
    return (row[0], round(row[1], 2), round(row[2], 2))


def test_a_scheme_that_excludes_leaves_the_day_out_under_2012(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 2025: the edition in force at the year's end is 2012, which does not ask; the scheme does
    out, args = with_list(tmp_path, 2025)
    assert main([*args, "--as-inputs", str(scheme_with(tmp_path, "exclude"))]) == 0
    assert ratios(out) == ("C1", 100.0, 0.0)
    printed = capsys.readouterr().out
    assert "days by edition 2012" in printed
    assert "1 days excluded (1 ids) of 1 approved in the list, left out as the scheme asks" in printed
    excluded = pl.read_csv(tmp_path / "inputs_excluded.csv", infer_schema=False)
    assert excluded.select("city_id", "date").rows() == [("C1", "2025-03-11")]
    # the same scheme without the rule: 2012 keeps the day
    assert main([*args, "--as-inputs", "jilin-2021-2025"]) == 0
    assert ratios(out) == ("C1", 66.67, 33.33)


def test_a_scheme_that_keeps_keeps_the_day_under_2026(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 2026: the edition in force at the year's end asks for the exclusion (the built-in scheme follows it)
    out, args = with_list(tmp_path, 2026)
    assert main([*args, "--as-inputs", "jilin-2021-2025"]) == 0
    assert ratios(out) == ("C1", 100.0, 0.0)
    capsys.readouterr()
    assert main([*args, "--as-inputs", str(scheme_with(tmp_path, "keep"))]) == 0
    assert ratios(out) == ("C1", 66.67, 33.33)
    assert "0 days excluded (the scheme's air_exceptional_events: keep; 1 approved" in capsys.readouterr().out
    assert pl.read_csv(tmp_path / "inputs_excluded.csv").height == 0


def test_the_command_flags_win_over_the_scheme(tmp_path: Path) -> None:
    out, args = with_list(tmp_path, 2026)
    assert main([*args, "--as-inputs", str(scheme_with(tmp_path, "keep")), "--exclude-exceptional"]) == 0
    assert ratios(out) == ("C1", 100.0, 0.0)
    assert main([*args, "--as-inputs", str(scheme_with(tmp_path, "exclude")), "--no-exceptional"]) == 0
    assert ratios(out) == ("C1", 66.67, 33.33)


def test_a_scheme_that_excludes_needs_the_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scheme = scheme_with(tmp_path, "exclude")
    out = tmp_path / "inputs.csv"
    code = main(["air", "evaluate", str(hourly(tmp_path, 2025)), "--out", str(out), "--as-inputs", str(scheme)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"error: the scheme {scheme} asks to leave out exceptional-event days (air_exceptional_events: exclude): "
        "give their list with --exceptional-events LIST\n"
    )
    assert not out.exists()
    # --no-exceptional says to keep them: no list needed
    assert (
        main(
            [
                "air",
                "evaluate",
                str(hourly(tmp_path, 2025)),
                "--out",
                str(out),
                "--as-inputs",
                str(scheme),
                "--no-exceptional",
            ]
        )
        == 0
    )


def test_schemes_show_prints_the_air_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemes", "show", str(scheme_with(tmp_path, "keep"))]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "空气质量: air_edition auto, air_exceptional_events keep"
    assert main(["schemes", "show", "jilin-2021-2025", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["air_edition"], data["air_exceptional_events"]) == ("auto", "edition")
    # a scheme without air inputs prints no such line
    assert main(["schemes", "show", "county-party-government"]) == 0
    assert "空气质量" not in capsys.readouterr().out


# ── an office's edition file (--standard-file, repeatable) inside "auto" ─────────────────────────────────────────
# Two days of PM2.5 70, 28 February and 1 March 2026: by hand (tests/monitoring/air/test_air_editions_stats.py),
# 2012 ⇒ AQI 94 (good), kaohe's 2026 ⇒ 110 (neither good nor heavy), the office's 2026 ⇒ 203 (heavy).


def office_run(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """The office's 2026 file, OUT, and the command up to --out."""
    source = tmp_path / "hourly.csv"
    two_days(PM25).write_csv(source, datetime_format="%Y-%m-%d %H:%M")
    out = tmp_path / "year.csv"
    return office_2026(tmp_path), out, ["air", "evaluate", str(source), "--by", "station_id", "--out", str(out)]


def good_heavy(out: Path) -> tuple[object, ...]:
    return (
        pl.read_csv(out, schema_overrides={"editions": pl.String}).select("good_days", "heavy_days", "editions").row(0)
    )


def test_an_office_file_governs_its_days_and_the_days_before_keep_2012(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office, out, args = office_run(tmp_path)
    assert main([*args, "--standard-file", str(office)]) == 0
    # 28 February by 2012 (94, good), 1 March by the office's table (203, heavy)
    assert good_heavy(out) == (1, 1, "2012+2026")
    assert "days by edition 2012+2026 (from my2026.yaml);" in capsys.readouterr().out
    # without the file: 1 March by kaohe's 2026 (110)
    assert main(args) == 0
    assert good_heavy(out) == (1, 0, "2012+2026")


def test_edition_with_an_office_file_forces_the_whole_year_to_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office, out, args = office_run(tmp_path)
    assert main([*args, "--edition", "2026", "--standard-file", str(office)]) == 0
    assert good_heavy(out) == (0, 2, "2026")  # both days 203
    assert "days by edition 2026 (from my2026.yaml);" in capsys.readouterr().out
    # --edition 2012: the office's 2026 governs no day, and the command says so
    assert main([*args, "--edition", "2012", "--standard-file", str(office)]) == 0
    assert good_heavy(out) == (2, 0, "2012")
    assert "note: no day followed the edition file my2026.yaml (2026)" in capsys.readouterr().out


def test_an_edition_id_neither_built_in_nor_given_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office, out, args = office_run(tmp_path)
    assert main([*args, "--edition", "2030", "--standard-file", str(office)]) == 2
    assert capsys.readouterr().err == (
        "error: --edition '2030' is neither a built-in edition (2012, 2026) nor the id of a --standard-file "
        "(2026 (my2026.yaml))\n"
    )
    assert main([*args, "--edition", "2030"]) == 2
    assert capsys.readouterr().err == (
        "error: --edition '2030': expected auto or a built-in edition (2012, 2026); another id needs its "
        "--standard-file\n"
    )
    assert not out.exists()


def test_two_office_files_of_one_edition_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    office, out, args = office_run(tmp_path)
    again = office_2026(tmp_path, "again.yaml")
    assert main([*args, "--standard-file", str(office), "--standard-file", str(again)]) == 2
    assert capsys.readouterr().err == (
        f"error: {again}: edition id '2026' is also that of {office}: one file per edition\n"
    )
    assert not out.exists()
