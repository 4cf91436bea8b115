"""Editions of the air standards as data (issue 11): the built-in 2012 and 2026 files, the loader's refusals with
file and line, limits by area class and stage, and which edition is in force on a day."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from kaohe.monitoring.air import tables
from kaohe.monitoring.air.editions import (
    BUILTIN_DIR,
    EditionError,
    builtin_editions,
    edition_in_force,
    in_force_during,
    load_edition,
    resolve,
)

# GB 3095-2012 表1, copied from the standard's text: (pollutant, statistic) → (一级, 二级); µg/m³, CO mg/m³.
GB_3095_2012_TABLE_1 = {
    ("so2", "annual"): (20, 60),
    ("so2", "24h"): (50, 150),
    ("so2", "1h"): (150, 500),
    ("no2", "annual"): (40, 40),
    ("no2", "24h"): (80, 80),
    ("no2", "1h"): (200, 200),
    ("co", "24h"): (4, 4),
    ("co", "1h"): (10, 10),
    ("o3", "8h"): (100, 160),  # 日最大8小时平均
    ("o3", "1h"): (160, 200),
    ("pm10", "annual"): (40, 70),
    ("pm10", "24h"): (50, 150),
    ("pm25", "annual"): (15, 35),
    ("pm25", "24h"): (35, 75),
}

# A small edition, valid as it stands; the refusal tests change one thing in it.
MINIMAL = """\
id: test
name: test edition
in_force_from: {value: 2026-03-01, source: "press release", confirmed: true}
iaqi_levels: {value: [0, 50, 100, 150], source: "HJ 633 表1", confirmed: true}
breakpoints:
  pm25:
    24h: {value: [0, 35, 60, 115], source: "HJ 633 表1", confirmed: false}
categories:
  - {upper: 50, name: 优, source: "HJ 633 表2", confirmed: true}
  - {upper: null, name: 差, source: "HJ 633 表2", confirmed: true}
stages:
  - id: first
    name: 过渡阶段
    from: 2026-03-01
    until: 2030-12-31
    source: "press release"
    confirmed: true
    limits:
      class_1:
        pm25:
          annual: {value: 15, source: "GB 3095", confirmed: false}
      class_2:
        pm25:
          annual: {value: 30, source: "GB 3095", confirmed: true}
  - id: second
    name: 第二阶段
    from: 2031-01-01
    source: "press release"
    confirmed: true
    limits:
      class_1:
        pm25:
          annual: {value: 10, source: "GB 3095", confirmed: true}
      class_2:
        pm25:
          annual: {value: 25, source: "GB 3095", confirmed: true}
validity:
  min_hours_per_day: {value: 20, source: "GB 3095 表4", confirmed: true}
  min_hours_per_8h: {value: 6, source: "GB 3095 表4", confirmed: true}
  min_days_per_year: {value: 324, source: "GB 3095 表4", confirmed: true}
  min_days_per_month: {value: 27, source: "GB 3095 表4", confirmed: true}
  min_days_february: {value: 25, source: "GB 3095 表4", confirmed: true}
  min_o3_windows: {value: 14, source: "HJ 663", confirmed: true}
  o3_windows: {value: 17, source: "HJ 663", confirmed: true}
rounding:
  iaqi: {value: ceiling, source: "HJ 633", confirmed: true}
  concentrations: {value: half_even, source: "GB/T 8170", confirmed: true}
  decimals: {value: {pm25: 0}, source: "HJ 663", confirmed: true}
"""


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the only line holding ``fragment``."""
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if fragment in line]
    assert len(lines) == 1, lines
    return lines[0]


def refusal(tmp_path: Path, text: str) -> list[tuple[str | None, int | None, str | None, str]]:
    path = tmp_path / "edition.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EditionError) as caught:
        load_edition(path)
    return [(p.file, p.line, p.key, p.message) for p in caught.value.problems]


def test_the_minimal_edition_loads() -> None:
    edition = load_edition(MINIMAL)
    assert edition.id == "test" and edition.file == "<string>"
    assert edition.breakpoints("pm25", "24h") == (0, 35, 60, 115)
    assert [e.key for e in edition.unconfirmed()] == [
        "breakpoints.pm25.24h",
        "stages[first].limits.class_1.pm25.annual",
    ]


def test_it_loads_both_builtin_editions() -> None:
    editions = builtin_editions()
    assert list(editions) == ["2012", "2026"]
    assert editions["2012"].name == tables.EDITION
    assert editions["2012"].in_force_from == date(2016, 1, 1)  # GB 3095-2012 前言: 2016年1月1日起在全国实施
    assert editions["2026"].in_force_from == date(2026, 3, 1)  # press release 2026-02-24: 3月1日起实施
    for edition in editions.values():
        assert edition.entries and all(e.source for e in edition.entries)


def test_the_2012_file_equals_tables_py() -> None:
    edition = builtin_editions()["2012"]
    assert edition.iaqi_levels == tables.IAQI_LEVELS
    assert dict(edition.rows) == tables.BREAKPOINTS
    assert list(edition.rows) == list(tables.BREAKPOINTS)
    assert dict(edition.not_computed_above) == tables.NOT_COMPUTED_ABOVE
    assert edition.categories == tables.CATEGORIES
    assert edition.worst_category == tables.WORST_CATEGORY
    validity = edition.validity
    assert validity.min_hours_per_day == tables.MIN_HOURS_PER_DAY
    assert validity.min_hours_per_8h == tables.MIN_HOURS_PER_8H
    assert validity.min_days_per_year == tables.MIN_DAYS_PER_YEAR
    assert validity.min_days_per_month == tables.MIN_DAYS_PER_MONTH
    assert validity.min_days_february == tables.MIN_DAYS_FEBRUARY
    assert validity.min_o3_windows == tables.MIN_O3_WINDOWS
    assert validity.o3_windows == tables.O3_WINDOWS
    for area_class, limit in tables.O3_8H_LIMIT.items():
        assert edition.limit("o3", "8h", area_class, on=date(2020, 6, 1)) == limit
    assert edition.unconfirmed() == []


def test_the_2012_limits_are_gb_3095_2012_table_1() -> None:
    edition = builtin_editions()["2012"]
    (stage,) = edition.stages
    assert {(p, s) for _, p, s in stage.limits} == set(GB_3095_2012_TABLE_1)
    for (pollutant, statistic), by_class in GB_3095_2012_TABLE_1.items():
        for area_class, expected in zip((1, 2), by_class, strict=True):
            assert edition.limit(pollutant, statistic, area_class, on=date(2020, 1, 1)) == expected


def test_the_2026_breakpoints_change_pm25_and_pm10_only() -> None:
    old, new = builtin_editions()["2012"], builtin_editions()["2026"]
    # HJ 633-2026 as independent public implementations give it (issue 11), for IAQI 0 … 500.
    assert new.breakpoints("pm25", "24h") == (0, 35, 60, 115, 150, 250, 350, 500)
    assert new.breakpoints("pm10", "24h") == (0, 50, 120, 250, 350, 420, 500, 600)
    changed = {key for key in old.rows if old.rows[key] != new.rows[key]}
    assert changed == {("pm25", "24h"), ("pm10", "24h")}
    assert new.iaqi_levels == old.iaqi_levels and new.categories == old.categories
    assert dict(new.not_computed_above) == dict(old.not_computed_above)  # 800 kept; fixed 200/300 unconfirmed
    unconfirmed = {e.key for e in new.unconfirmed()}
    assert {"breakpoints.pm25.24h", "breakpoints.pm10.24h", "breakpoints.so2.24h"} <= unconfirmed
    assert {"not_computed_above.so2.1h", "options.exceptional_events", "options.three_year_mean"} <= unconfirmed


@pytest.mark.parametrize(
    ("day", "statistic", "area_class", "expected", "stage"),
    [
        (date(2026, 6, 1), "annual", 2, 30, "transitional"),  # press release: 过渡阶段 PM2.5 年均二级限值 30
        (date(2026, 6, 1), "24h", 2, 60, "transitional"),  # press release: 过渡阶段 日均二级限值 60
        (date(2030, 12, 31), "annual", 2, 30, "transitional"),  # 第一阶段 … 至2030年12月31日
        (date(2031, 1, 1), "annual", 2, 25, "final"),  # press release: 第二阶段自2031年1月1日起, 二级 25
        (date(2031, 1, 1), "annual", 1, 10, "final"),  # press release: 年均一级限值 10
        (date(2031, 1, 1), "24h", 1, 25, "final"),  # press release: 日均一级限值 25
        (date(2031, 1, 1), "24h", 2, 50, "final"),  # press release: 日均二级限值 50
    ],
)
def test_the_2026_pm25_limit_follows_the_stage(
    day: date, statistic: str, area_class: int, expected: int, stage: str
) -> None:
    edition = builtin_editions()["2026"]
    assert edition.stage_on(day).id == stage
    assert edition.limit("pm25", statistic, area_class, on=day) == expected


def test_the_2012_pm25_limit_stays_35_in_class_2() -> None:
    edition = builtin_editions()["2012"]
    assert edition.limit("pm25", "annual", 2, on=date(2026, 6, 1)) == 35  # GB 3095-2012 表1 二级
    assert edition.limit("pm25", "annual", 2, on=date(2014, 6, 1)) == 35  # before 2016: the first (only) stage


def test_pm10_keeps_the_2012_limits_in_the_transitional_stage() -> None:
    edition = builtin_editions()["2026"]
    assert edition.limit("pm10", "annual", 2, on=date(2027, 1, 1)) == 70  # GB 3095-2012 表1 二级
    confirmed = {e.key: e.confirmed for e in edition.entries}
    assert confirmed["stages[transitional].limits.class_2.pm25.annual"] is True
    assert confirmed["stages[final].limits.class_2.pm10.annual"] is False  # revised value not reachable


@pytest.mark.parametrize("pollutant", ["so2", "no2", "pm10"])
@pytest.mark.parametrize("statistic", ["annual", "24h"])
@pytest.mark.parametrize("area_class", [1, 2])
def test_so2_no2_pm10_keep_the_2012_limits_in_the_transitional_stage(
    pollutant: str, statistic: str, area_class: int
) -> None:
    # Issue 11 (press release of GB 3095-2026): until 2030-12-31 only PM2.5's class-2 limits change (30 and 60);
    # the revised PM10, SO2 and NO2 limits apply from 2031-01-01. So from 2026-03-01 to 2030-12-31 these keep
    # GB 3095-2012 表1's values, copied above from the standard's text.
    edition = builtin_editions()["2026"]
    for day in (date(2026, 3, 1), date(2030, 12, 31)):
        expected = GB_3095_2012_TABLE_1[(pollutant, statistic)][area_class - 1]
        assert edition.limit(pollutant, statistic, area_class, on=day) == expected


def test_it_has_no_limit_the_standard_lacks() -> None:
    with pytest.raises(ValueError, match="no class-2 annual limit for 'co'"):
        builtin_editions()["2012"].limit("co", "annual", 2, on=date(2020, 1, 1))


@pytest.mark.parametrize(
    ("day", "expected"),
    [(date(2026, 2, 28), "2012"), (date(2026, 3, 1), "2026"), (date(2015, 6, 1), "2012"), (date(2040, 1, 1), "2026")],
)
def test_edition_in_force(day: date, expected: str) -> None:
    assert edition_in_force(day) == expected


def test_options_are_off_in_2012_and_on_in_2026() -> None:
    old, new = builtin_editions()["2012"], builtin_editions()["2026"]
    assert not old.option("exceptional_events") and not old.option("three_year_mean")
    assert new.option("exceptional_events") and new.option("three_year_mean")


def test_resolve_takes_an_id_or_a_file(tmp_path: Path) -> None:
    assert resolve("2026") is builtin_editions()["2026"]
    path = tmp_path / "mine.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert resolve(path).file == str(path) and resolve(str(path)).id == "test"
    with pytest.raises(EditionError, match="unknown edition '2030'"):
        resolve("2030")


def test_a_decimal_breakpoint_is_exact() -> None:
    edition = load_edition(MINIMAL.replace("[0, 35, 60, 115]", "[0, 35.1, 60, 115]"))
    assert edition.breakpoints("pm25", "24h")[1] == Fraction(351, 10)


def test_it_refuses_non_increasing_breakpoints_naming_file_and_line(tmp_path: Path) -> None:
    text = MINIMAL.replace("[0, 35, 60, 115]", "[0, 60, 35, 115]")
    path = str(tmp_path / "edition.yaml")
    line = line_of(text, "[0, 60, 35, 115]")
    assert refusal(tmp_path, text) == [
        (path, line, "breakpoints.pm25.24h.value[2]", "pm25 24h breakpoints must increase strictly: 35 after 60")
    ]


def test_it_refuses_breakpoints_not_starting_at_zero_or_longer_than_the_levels(tmp_path: Path) -> None:
    text = MINIMAL.replace("[0, 35, 60, 115]", "[5, 35, 60, 115, 150]")
    messages = [m for *_, m in refusal(tmp_path, text)]
    assert messages == ["pm25 24h breakpoints must start at 0, not 5", "pm25 24h: 5 breakpoints but only 4 IAQI levels"]


def test_it_refuses_a_value_without_source(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        'annual: {value: 30, source: "GB 3095", confirmed: true}', "annual: {value: 30, confirmed: true}"
    )
    line = line_of(text, "annual: {value: 30, confirmed: true}")
    assert refusal(tmp_path, text) == [
        (str(tmp_path / "edition.yaml"), line, "stages['first'].limits.class_2.pm25.annual", "missing key 'source'")
    ]


def test_it_refuses_an_empty_source(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        'source: "HJ 633 表2", confirmed: true}\n  - {upper: null', 'source: " ", confirmed: true}\n  - {upper: null'
    )
    assert [(line, m) for _, line, _, m in refusal(tmp_path, text)] == [
        (line_of(text, "upper: 50"), "must not be empty")
    ]


@pytest.mark.parametrize("written", ['"true"', "1", "maybe"])
def test_it_refuses_confirmed_that_is_not_a_bool(tmp_path: Path, written: str) -> None:
    text = MINIMAL.replace('source: "HJ 633 表1", confirmed: true}', f'source: "HJ 633 表1", confirmed: {written}}}')
    ((_, line, key, message),) = refusal(tmp_path, text)
    assert (line, key) == (line_of(text, "iaqi_levels:"), "iaqi_levels.confirmed")
    assert message.startswith("must be true or false")


def test_it_refuses_a_bool_where_a_number_belongs(tmp_path: Path) -> None:
    text = MINIMAL.replace("[0, 35, 60, 115]", "[0, true, 60, 115]")
    assert [m for *_, m in refusal(tmp_path, text)] == ["must be a number, not True"]


def test_it_refuses_overlapping_stages(tmp_path: Path) -> None:
    text = MINIMAL.replace("from: 2031-01-01", "from: 2030-07-01")
    ((_, line, key, message),) = refusal(tmp_path, text)
    assert (line, key) == (line_of(text, "from: 2030-07-01"), "stages['second'].from")
    assert message == "stage 'second' overlaps 'first', which runs to 2030-12-31"


def test_it_refuses_an_open_ended_stage_before_another(tmp_path: Path) -> None:
    text = MINIMAL.replace("    until: 2030-12-31\n", "")
    assert [m for *_, m in refusal(tmp_path, text)] == ["stage 'second' overlaps 'first', which is open-ended"]


def test_it_refuses_a_gap_between_stages(tmp_path: Path) -> None:
    text = MINIMAL.replace("from: 2031-01-01", "from: 2031-02-01")
    assert [m for *_, m in refusal(tmp_path, text)] == ["gap between stage 'first' (to 2030-12-31) and 'second'"]


def test_it_refuses_unknown_keys(tmp_path: Path) -> None:
    text = MINIMAL.replace("validity:\n", "validity:\n  min_hours_per_week: {value: 3, source: x, confirmed: true}\n")
    assert refusal(tmp_path, text) == [
        (
            str(tmp_path / "edition.yaml"),
            line_of(text, "min_hours_per_week"),
            "validity.min_hours_per_week",
            "unknown key 'min_hours_per_week'",
        )
    ]


def test_it_refuses_limits_missing_a_class(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        '          annual: {value: 30, source: "GB 3095", confirmed: true}\n',
        '          annual: {value: 30, source: "GB 3095", confirmed: true}\n'
        '        pm10:\n          annual: {value: 70, source: "GB 3095", confirmed: true}\n',
    )
    messages = [m for *_, m in refusal(tmp_path, text)]
    assert messages == [
        "pm10 annual has no limit for class 1",
        "stages must give the same limits; this one differs in: class 2 pm10 annual",
    ]


def test_a_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = MINIMAL.replace("name: test edition", "name: [test edition")
    ((file, line, _, message),) = refusal(tmp_path, text)
    assert file == str(tmp_path / "edition.yaml") and line is not None and message.startswith("YAML syntax")


def test_the_editions_module_imports_without_django() -> None:
    code = "import sys, kaohe.monitoring.air.editions; assert 'django' not in sys.modules, 'django imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("stem", ["2012", "2026"])
def test_a_shipped_edition_parses_the_same_by_the_c_parser(stem: str) -> None:
    # Built-in editions are parsed by libyaml's C parser (yaml_source.parse_yaml(shipped=True)): the same edition,
    # every value, source and line, as the pure-Python parser that office files go through.
    path = BUILTIN_DIR / f"{stem}.yaml"
    assert load_edition(path, shipped=True) == load_edition(path)
    assert builtin_editions()[stem] == load_edition(path)


def test_the_editions_in_force_during_a_span() -> None:
    # GB 3095-2026 and its companions are in force from 2026-03-01 (issue 11); before that the 2012 editions
    built_in = builtin_editions().values()

    def ids(first: date, last: date) -> list[str]:
        return [e.id for e in in_force_during(built_in, first, last)]

    assert ids(date(2025, 1, 1), date(2025, 12, 31)) == ["2012"]
    assert ids(date(2026, 1, 1), date(2026, 12, 31)) == ["2012", "2026"]
    assert ids(date(2026, 1, 1), date(2026, 2, 28)) == ["2012"]  # the last day before the new editions
    assert ids(date(2026, 3, 1), date(2026, 12, 31)) == ["2026"]  # their first day
    assert ids(date(2027, 1, 1), date(2027, 12, 31)) == ["2026"]
