"""kaohe.core.tables.parse_cell: the one parser of user values (input files, the web's forms, imports, Excel)."""

from __future__ import annotations

import pytest

import kaohe
from kaohe.core.tables import parse_cell
from kaohe.core.values import Expected

SCHEME = kaohe.load_scheme("xx-city-2020")
MONTHS = SCHEME.input("wq_months_missed")  # list of integers, 0 … 12
RATE = SCHEME.input("drinking_rate")  # number, unit %


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2;0;1", [2, 0, 1]),
        ("2；0；1", [2, 0, 1]),
        ("2,0,1", [2, 0, 1]),  # no ';': commas separate (never the number 201)
        ("2，0，1", [2, 0, 1]),
        ("1,200;3", [1200, 3]),  # with ';' a comma is a thousands separator
        ("7", [7]),
        (7, [7]),  # a reader that typed a one-section column as a number
        ([2, 0], [2, 0]),
    ],
)
def test_lists(text: object, expected: list[int]) -> None:
    assert parse_cell(text, "list", MONTHS) == (expected, None)


@pytest.mark.parametrize("text", ["2;;1", "2;x", "2;1.5", [1, None], "2;"])
def test_bad_lists_say_what_was_expected(text: object) -> None:
    value, expected = parse_cell(text, "list", MONTHS)
    assert value is None and expected is not None
    assert expected.zh.startswith("以“;”分隔的整数，每个断面一个，如 2;0;1")
    assert expected.en.startswith("a list of integer values separated by ';'")


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", True])
def test_numbers_are_finite_and_not_booleans(text: object) -> None:
    assert parse_cell(text, "number", RATE) == (None, Expected("数字", "a number"))


def test_names_are_separated_by_semicolons_only() -> None:
    sections = SCHEME.input("wq_sections")  # list of names (category)
    assert parse_cell("浦阳江尖山, 东段;萧绍运河", "list", sections) == (["浦阳江尖山, 东段", "萧绍运河"], None)
    assert parse_cell("A,B", "list", sections) == (["A,B"], None)


def test_a_percent_number_and_thousands() -> None:
    assert parse_cell("95%", "number", RATE) == (95.0, None)
    assert parse_cell("1,234.5", "number", RATE) == (1234.5, None)
