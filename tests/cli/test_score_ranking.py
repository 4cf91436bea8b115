"""The ranking ``kaohe score`` prints, one line per unit: rank (``-`` when there is none) right-aligned in 4, two
spaces, the name (the unit id when the name is empty) left-aligned in 16 characters, a space, the final score with
two decimals (``—`` when blocked) right-aligned in 8, two spaces, the grade in 4, a space, the marks that hold."""

from __future__ import annotations

import polars as pl

from kaohe.cli.score_cmd import SHOWN, _ranking_lines


def test_it_prints_one_aligned_line_per_unit_with_its_marks() -> None:
    part = pl.DataFrame(
        {
            "rank": [1, None, 12],
            "unit_name": ["甲区", "", None],
            "unit_id": ["a", "b", "c"],
            "final_score": [158.0, None, 2.005],
            "grade": ["优秀", None, "不合格"],
            "advanced": [True, False, False],
            "interview": [False, None, True],
            "accountability": [False, False, False],
            "vetoed": [False, False, True],
        },
        schema_overrides={"rank": pl.Int64},
    )
    assert tuple(part.columns) == SHOWN
    assert _ranking_lines(part).split("\n") == [
        "   1" + "  " + "甲区" + " " * 14 + " " + "  158.00" + "  " + "优秀  " + " " + "先进",
        "   -" + "  " + "b" + " " * 15 + " " + " " * 7 + "—" + "  " + " " * 4 + " ",
        # 2.005 is stored as 2.00499999…, so two decimals round it down (as Python's format does)
        "  12" + "  " + "c" + " " * 15 + " " + "    2.00" + "  " + "不合格 " + " " + "约谈 否决",
    ]
