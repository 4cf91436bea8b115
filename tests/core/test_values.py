"""kaohe.core.values: one vocabulary per input kind (issue 9 §1): dtype, label, the cell grammar (full-width
forms included), the columnar reader agreeing with the one-value reader, ranges and Excel validation."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kaohe
from kaohe.core import values
from kaohe.core.exceptions import InputTableError
from kaohe.core.scheme import InputDef
from kaohe.core.synthetic import synthetic_inputs
from kaohe.core.tables import header_label, parse_table

SCHEME = kaohe.load_scheme("xx-city-2020")
MONTHS = SCHEME.input("wq_months_missed")  # list of integers, 0 … 12
RATE = SCHEME.input("drinking_rate")  # number, unit %
SECTIONS = SCHEME.input("wq_sections")  # list of names
MET = SCHEME.input("wq_annual_met")  # list of yes/no


def test_integer_is_one_dtype_everywhere() -> None:
    # one answer (issue 9 §1): counts are compared with numbers, integrality is checked on input
    assert values.dtype("integer") == pl.Float64
    assert values.dtype("list", "integer") == pl.List(pl.Float64)
    assert values.dtype("list", "boolean") == pl.List(pl.Boolean)


@pytest.mark.parametrize(
    ("text", "spec", "expected"),
    [
        ("９５％", RATE, 95.0),  # full-width digits and percent sign
        ("１，２００．５", RATE, 1200.5),  # full-width thousands separator and decimal point
        ("－３", InputDef(id="d", name="变化", kind="number"), -3.0),
        ("２；０；１", MONTHS, [2.0, 0.0, 1.0]),
        ("２，０，１", MONTHS, [2.0, 0.0, 1.0]),
        ("是；否；１", MET, [True, False, True]),
        ("甲，乙；丙", SECTIONS, ["甲，乙", "丙"]),  # a name keeps its full-width comma
    ],
)
def test_full_width_forms(text: str, spec: InputDef, expected: object) -> None:
    assert values.parse_cell(text, spec.kind, spec) == (expected, None)
    column, bad = values.parse_column(spec, pl.Series("c", [text]))
    assert column.to_list() == [expected] and bad == []


@pytest.mark.parametrize("text", ["1_000", "nan", "NaN", "inf", "Infinity", "1e400", "0x10", "١٢"])
def test_numbers_python_would_read_are_refused(text: str) -> None:
    # float() reads 1_000, nan, inf and Arabic-Indic digits; none is a number a person typed in a table
    assert values.parse_cell(text, "number", RATE) == (None, values.Expected("数字", "a number"))
    column, bad = values.parse_column(RATE, pl.Series("c", [text]))
    assert column.to_list() == [None] and [b[0] for b in bad] == [0]


CELL = st.text(alphabet="0123456789０１２，,;；.．%％ -+e是否truefalsxni", max_size=12) | st.none()
SPECS = (
    RATE,
    MONTHS,
    SECTIONS,
    MET,
    InputDef(id="x", name="x", kind="list", item_kind="number"),
    InputDef(id="n", name="n", kind="integer"),
    InputDef(id="b", name="b", kind="boolean"),
)


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(CELL, min_size=1, max_size=8))
def test_column_reader_agrees_with_the_cell_reader(cells: list[str | None]) -> None:
    for spec in SPECS:
        column, bad = values.parse_column(spec, pl.Series("c", cells, dtype=pl.String))
        one_by_one = [values.parse_cell(c, spec.kind, spec) for c in cells]
        assert column.to_list() == [v for v, _e in one_by_one]
        assert [(i, e) for i, _t, e in bad] == [(i, e) for i, (_v, e) in enumerate(one_by_one) if e]
        # the fast path of a whole frame (plain cells cast, the rest through the full grammar) agrees too
        frame, frame_bad = values.parse_frame([spec], pl.DataFrame({spec.id: cells}, schema={spec.id: pl.String}))
        assert frame.get_column(spec.id).to_list() == column.to_list()
        assert [(i, e) for _s, i, _t, e in frame_bad] == [(i, e) for i, _t, e in bad]


@pytest.mark.parametrize(
    "cells",
    [
        ["1", "2.5", "1e3", "nan"],
        ["2;0;1", "3", "inf;1"],
        ["true", "是", "yes"],
        ["2;1.5"],
        ["2.0;0.0;1.", "+1;-0", "1" * 400, "2;" + "9" * 400],  # whole numbers as programs write them; overflow
        ["true;false;是;否;1;0", "01", "+1", "truetrue", "True"],  # yes/no lists: only exact words take the fast path
        ["A;B", " A;B", "A ;B", "A;;B", "A；B", ";", "A,B"],  # names lists
    ],
)
def test_plain_cells_take_the_fast_path_and_mistakes_the_full_one(cells: list[str]) -> None:
    for spec in SPECS:
        frame, bad = values.parse_frame([spec], pl.DataFrame({spec.id: cells}))
        column, column_bad = values.parse_column(spec, pl.Series(spec.id, cells))
        assert frame.get_column(spec.id).to_list() == column.to_list() and bad == [(spec, *b) for b in column_bad]


def test_a_valid_table_is_parsed_without_the_cell_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = synthetic_inputs(SCHEME, 5)
    text = frame.with_columns(
        pl.col(c).cast(pl.List(pl.String)).list.join(";") if isinstance(d, pl.List) else pl.col(c).cast(pl.String)
        for c, d in frame.schema.items()
    )
    calls: list[object] = []
    real = values.parse_cell

    def spy(text: object, kind: str, spec: InputDef) -> tuple[object, values.Expected | None]:
        calls.append((text, kind, spec))
        return real(text, kind, spec)

    monkeypatch.setattr(values, "parse_cell", spy)
    parse_table(SCHEME, text)
    assert calls == []  # columnar: no value is read cell by cell
    bad = text.with_columns(pl.lit("x").alias("drinking_rate"))
    with pytest.raises(InputTableError) as err:
        parse_table(SCHEME, bad)
    assert len(calls) == 5  # a bad column is walked only to word its five errors
    assert [p.line for p in err.value.problems] == [2, 3, 4, 5, 6]
    assert {p.column for p in err.value.problems} == {header_label(RATE)}


def test_label_and_ranges() -> None:
    assert values.label(RATE) == header_label(RATE) == f"{RATE.name} (%) [drinking_rate]"
    count = InputDef(id="n", name="次数", kind="integer", min=0, max=12)
    assert values.out_of_range(count, 13.0) == "above"
    assert values.out_of_range(count, -1.0) == "below"
    assert values.out_of_range(count, 12.0) is None
    pick = InputDef(id="g", name="等级", kind="category", choices=["优", "良"])
    assert values.out_of_range(pick, "差") == "choice"
    checked = pl.DataFrame({"v": [13.0, 12.0, 2.5, None]}).select(values.range_expr(count, "integer", pl.col("v")))
    assert checked.to_series().to_list() == [True, False, True, False]


def test_excel_validation_per_kind() -> None:
    count = InputDef(id="n", name="次数", kind="integer", min=0, max=12)
    dv = values.data_validation(count)
    assert dv is not None and dv.type == "whole" and (dv.formula1, dv.formula2) == ("0", "12")
    yes = values.data_validation(InputDef(id="b", name="是否", kind="boolean"))
    assert yes is not None and yes.formula1 == '"是,否"'
    assert values.data_validation(MONTHS) is None  # lists are free text: 2;0;1


@pytest.mark.parametrize(
    ("spec", "zh", "en"),
    [
        (InputDef(id="r", name="比例", unit="%", min=0, max=100), "0–100 % 的数值", "a number in [0, 100] %"),
        (
            InputDef(id="m", name="月数", kind="integer", unit="月次", min=0, max=12),
            "0–12 月次的整数",  # a Chinese unit takes 的 without a blank
            "a whole number in [0, 12] 月次",
        ),
        (InputDef(id="a", name="次数", kind="integer", min=0), "≥ 0 的整数", "a whole number in [0, ]"),
        (InputDef(id="d", name="变化", max=5), "≤ 5 的数值", "a number in [, 5]"),
    ],
)
def test_a_range_is_worded_in_chinese_with_the_english_alongside(spec: InputDef, zh: str, en: str) -> None:
    assert values.range_text(spec, spec.kind) == values.Expected(zh, en)
    assert (
        values.out_of_range_text(13.0, spec, spec.kind) == f"13 超出范围，应为 {zh} (13 is out of range; expected {en})"
    )


def test_a_name_outside_the_choices_is_worded_in_chinese_with_the_english_alongside() -> None:
    grade = InputDef(id="g", name="等级", kind="category", choices=["优", "良"])
    assert values.not_a_choice("差", grade) == "“差” 不是可选值，应为 优、良 之一 ('差' is not one of ['优', '良'])"
    assert str(values.expected("integer", "integer")) == "整数 (a whole number)"
    assert values.not_valid("1.5", values.expected("integer", "integer")) == (
        "“1.5” 不是有效值，应为整数 ('1.5' is not valid; expected a whole number)"
    )


# ---------------------------------------------------------------------------------------------- dates (registers)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        (" 2024-3-1 ", date(2024, 3, 1)),  # one-digit month and day, blanks around
        ("2024/12/31", date(2024, 12, 31)),
        ("２０２４－０３－０１", date(2024, 3, 1)),  # full-width digits and dash
        ("2024-03-01 00:00:00", date(2024, 3, 1)),  # a spreadsheet's date cell as calamine reads it
        ("2024-02-29", date(2024, 2, 29)),  # a leap day
        ("", None),  # empty: not yet
        (None, None),
    ],
)
def test_a_date_cell_reads_as_iso(text: str | None, expected: date | None) -> None:
    assert values.parse_date_cell(text) == (expected, None)
    column, bad = values.parse_date_column(pl.Series("d", [text], dtype=pl.String))
    assert (column.to_list(), bad) == ([expected], [])


@pytest.mark.parametrize(
    "text", ["2023-02-29", "2024-13-01", "2024-03-01 10:05:00", "1.3.2024", "45000", "1999-12-31", "2101-01-01", "明天"]
)
def test_what_is_not_a_date_is_refused_in_chinese_with_the_english_alongside(text: str) -> None:
    assert values.parse_date_cell(text) == (None, values.DATE_EXPECTED)
    column, bad = values.parse_date_column(pl.Series("d", ["2024-01-01", text]))
    assert column.to_list() == [date(2024, 1, 1), None]
    assert bad == [(1, text, values.DATE_EXPECTED)]
    assert values.not_valid(text, values.DATE_EXPECTED) == (
        f"“{text}” 不是有效值，应为日期，如 2024-03-01 (2000–2100 年) "
        f"({text!r} is not valid; expected an ISO date such as 2024-03-01, in 2000–2100)"
    )


def test_a_date_a_reader_typed_is_kept_and_a_number_is_not_a_date() -> None:
    assert values.parse_date_cell(date(2024, 3, 1)) == (date(2024, 3, 1), None)
    # naive, as spreadsheet readers give them
    assert values.parse_date_cell(datetime(2024, 3, 1)) == (date(2024, 3, 1), None)  # noqa: DTZ001 (midnight)
    assert values.parse_date_cell(datetime(2024, 3, 1, 9)) == (None, values.DATE_EXPECTED)  # noqa: DTZ001
    assert values.parse_date_cell(45000) == (None, values.DATE_EXPECTED)  # an Excel serial is not read as a date


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.dates(min_value=date(1990, 1, 1), max_value=date(2110, 1, 1)).map(str),
            st.from_regex(r"\A[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}( 00:00:00)?\Z"),
            st.text(alphabet="0123456789-/ ：:０２－", max_size=12),
        ),
        max_size=8,
    )
)
def test_the_date_column_reader_agrees_with_the_cell_reader(cells: list[str | None]) -> None:
    column, bad = values.parse_date_column(pl.Series("d", cells, dtype=pl.String))
    by_cell = [values.parse_date_cell(cell) for cell in cells]
    assert column.to_list() == [value for value, _ in by_cell]
    assert [index for index, _, _ in bad] == [i for i, (_, why) in enumerate(by_cell) if why is not None]


def test_a_date_column_has_an_excel_date_validation() -> None:
    dv = values.date_validation("整改时限")
    assert (dv.type, dv.operator, dv.allow_blank) == ("date", "between", True)
    assert (dv.formula1, dv.formula2) == ("36526", "73415")  # 2000-01-01 and 2100-12-31 as Excel serials
    assert "2024-03-01" in (dv.error or "")
