"""evaluate_sections: per-section months and annual classes, and the per-unit inputs of seed-004 items 1.1-1.4.

The data are built in the tests; every expected number is worked out in the comments from GB 3838-2002 表1."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kaohe.monitoring.water import WaterEvaluation, evaluate_sections

COLUMNS = ["ph", "do", "codmn", "nh3n", "tp", "tn"]


Row = dict[str, object]


def rows(
    section: str,
    name: str,
    unit: str,
    waterbody: str,
    target: str,
    year: int,
    values: Mapping[str, float | Sequence[float | None]],
    *,
    level: str | None = None,
    kind: str | None = None,
    months: list[int] | None = None,
) -> list[Row]:
    """One row per month; ``values`` maps a parameter to one value per month (or a single value for all)."""
    months = months or list(range(1, 13))
    out: list[Row] = []
    for i, month in enumerate(months):
        row: Row = {"section_id": section, "section_name": name, "unit_id": unit, "waterbody": waterbody,
               "target_class": target, "year": year, "month": month,
               "section_level": level, "section_type": kind}  # fmt: skip
        for p in COLUMNS:
            v = values.get(p)
            row[p] = v[i] if isinstance(v, list) else v
        out.append(row)
    return out


def frame(*groups: list[Row]) -> pl.DataFrame:
    data = [r for g in groups for r in g]
    schema = {"section_id": pl.String, "section_name": pl.String, "unit_id": pl.String, "waterbody": pl.String,
              "target_class": pl.String, "year": pl.Int64, "month": pl.Int64, "section_level": pl.String,
              "section_type": pl.String} | {p: pl.Float64 for p in COLUMNS}  # fmt: skip
    return pl.DataFrame(data, schema=schema)


# Section S1 (甲, river, target III, 省控) in unit U1.
# 2020: NH3-N 0.8 (III) in months 1-9, 1.2 (IV) in 10, 1.8 (V) in 11, 2.5 (劣V) in 12; CODMn 4 (II); TP 0.1 (II).
#   months worse than III: 10, 11, 12 -> 3; of which 劣V: 1; missed but not 劣V: 2.
#   annual mean NH3-N = (9 × 0.8 + 1.2 + 1.8 + 2.5) / 12 = 12.7 / 12 = 1.058 -> IV: target missed, no waiver.
# 2019: NH3-N 1.6 (V) all year -> annual V; V -> IV is one class better.
S1_2020 = rows("S1", "甲", "U1", "river", "III", 2020,
               {"codmn": 4.0, "tp": 0.1, "nh3n": [0.8] * 9 + [1.2, 1.8, 2.5]}, level="provincial")  # fmt: skip
S1_2019 = rows("S1", "甲", "U1", "river", "III", 2019, {"codmn": 4.0, "tp": 0.1, "nh3n": 1.6}, level="provincial")
# Section S2 (乙, river, target IV, 交接) in unit U1.
# 2020: CODMn 8 (IV), NH3-N 1.2 (IV), TP 0.25 (IV) except month 6 TP 0.35 (V).
#   months missed: 1 (month 6); annual TP = (11 × 0.25 + 0.35) / 12 = 3.1 / 12 = 0.2583 -> IV: met, waived.
# 2019: CODMn 9 (IV), NH3-N 1.6 (V), TP 0.25 (IV) -> annual V; 2020 annual IV: improved by one class.
S2_2020 = rows("S2", "乙", "U1", "river", "IV", 2020,
               {"codmn": 8.0, "nh3n": 1.2, "tp": [0.25] * 5 + [0.35] + [0.25] * 6}, level="boundary")  # fmt: skip
S2_2019 = rows("S2", "乙", "U1", "river", "IV", 2019, {"codmn": 9.0, "nh3n": 1.6, "tp": 0.25}, level="boundary")
# Unit U2: a drinking-water lake (target II) sampled in months 1 and 2, and a back-up source (river, III) in month 1.
#   month 1: pH 7 ok, DO 7 (II) ok, CODMn 3 (II) ok, NH3-N 0.4 (II) ok, TP 0.02 (lake II ≤ 0.025) ok,
#            TN 0.6 (III > II) not ok -> 5 of 6
#   month 2: pH 9.2 not ok, DO 7 ok, CODMn 5 (III) not ok, NH3-N 0.4 ok, TP missing, TN 0.5 (II) ok -> 3 of 5
#   rate = 8 / 11
S3 = rows("S3", "丙", "U2", "lake", "II", 2020,
          {"ph": [7.0, 9.2], "do": 7.0, "codmn": [3.0, 5.0], "nh3n": 0.4, "tp": [0.02, None], "tn": [0.6, 0.5]},
          kind="drinking", months=[1, 2])  # fmt: skip
# back-up: CODMn 5 (III) ok, NH3-N 0.9 (III) ok, TN 3.0 not graded in a river -> 2 of 2
S4 = rows("S4", "丁", "U2", "river", "III", 2020, {"codmn": 5.0, "nh3n": 0.9, "tn": 3.0},
          kind="drinking_backup", months=[1])  # fmt: skip


@pytest.fixture
def result() -> WaterEvaluation:
    return evaluate_sections(frame(S1_2020, S1_2019, S2_2020, S2_2019, S3, S4), 2020)


def section(result: WaterEvaluation, section_id: str) -> dict[str, object]:
    return result.sections.filter(pl.col("section_id") == section_id).row(0, named=True)


def unit(result: WaterEvaluation, unit_id: str) -> dict[str, object]:
    return result.units.filter(pl.col("unit_id") == unit_id).row(0, named=True)


def test_it_gives_the_class_of_every_month(result: WaterEvaluation) -> None:
    s1 = section(result, "S1")
    assert [s1[f"class_{m:02d}"] for m in range(1, 13)] == ["III"] * 9 + ["IV", "V", "劣V"]
    s3 = section(result, "S3")
    assert [s3[f"class_{m:02d}"] for m in range(1, 4)] == [
        "III",
        "劣V",
        None,
    ]  # month 2: pH 9.2; month 3: none


def test_it_counts_months_worse_than_target_and_inferior_v_months(result: WaterEvaluation) -> None:
    s1 = section(result, "S1")
    assert (s1["months_worse"], s1["months_missed"], s1["months_inferior_v"]) == (3, 2, 1)
    s2 = section(result, "S2")
    assert (s2["months_worse"], s2["months_missed"], s2["months_inferior_v"]) == (1, 1, 0)


def test_it_classifies_the_annual_mean_and_compares_it_with_the_target(result: WaterEvaluation) -> None:
    s1, s2 = section(result, "S1"), section(result, "S2")
    assert (s1["annual_class"], s1["annual_met"], s1["annual_determining"]) == ("IV", False, ["nh3n"])
    assert s1["nh3n_mean"] == pytest.approx(12.7 / 12)
    assert (s2["annual_class"], s2["annual_met"]) == ("IV", True)
    assert s2["tp_mean"] == pytest.approx(3.1 / 12)


def test_it_compares_the_annual_class_with_the_previous_year(result: WaterEvaluation) -> None:
    s1 = section(result, "S1")
    assert (s1["prev_annual_class"], s1["class_change"], s1["improved"]) == ("V", 1, True)
    s3 = section(result, "S3")  # no 2019 rows
    assert (s3["prev_annual_class"], s3["class_change"], s3["improved"]) == (None, None, False)


def test_it_treats_every_row_as_the_year_without_a_year_column() -> None:
    data = frame(S1_2020).drop("year")
    result = evaluate_sections(data, 2020)
    assert section(result, "S1")["months_worse"] == 3
    assert section(result, "S1")["prev_annual_class"] is None
    assert unit(result, "U1")["wq_improved_sections"] == 0


def test_it_ignores_rows_of_other_years(result: WaterEvaluation) -> None:
    later = evaluate_sections(
        frame(S1_2020, S1_2019, rows("S1", "甲", "U1", "river", "III", 2018, {"nh3n": 9.9})), 2020
    )
    assert section(later, "S1")["prev_annual_class"] == "V"
    assert section(later, "S1")["months_worse"] == 3


def test_it_lists_the_item_1_1_inputs_per_unit(result: WaterEvaluation) -> None:
    u1 = unit(result, "U1")
    assert u1["wq_sections"] == ["甲", "乙"]
    assert u1["wq_months_missed"] == [2, 1]
    assert u1["wq_months_inferior_v"] == [1, 0]
    assert u1["wq_annual_met"] == [False, True]
    assert u1["wq_improved_sections"] == 2
    # S2 meets its target on the annual mean, so only S1's months remain (月度扣分免扣)
    assert (u1["wq_months_missed_unwaived"], u1["wq_months_inferior_v_unwaived"]) == (2, 1)


def test_it_leaves_drinking_sources_out_of_item_1_1(result: WaterEvaluation) -> None:
    u2 = unit(result, "U2")
    assert u2["wq_sections"] == []
    assert u2["wq_months_missed_unwaived"] == 0


def test_it_splits_inferior_v_months_by_level_and_annual_class_for_item_1_3(result: WaterEvaluation) -> None:
    u1 = unit(result, "U1")
    assert u1["rebound_sections"] == ["甲", "乙"]
    assert u1["rebound_months"] == [1, 0]
    assert u1["rebound_provincial"] == [True, False]
    assert u1["rebound_annual_v_or_better"] == [True, True]  # S1 annual IV: deduction at 50 %
    counts = [u1[f"rebound_months_{k}"] for k in ("provincial_full", "provincial_half", "other_full", "other_half")]
    assert counts == [0, 1, 0, 0]


def test_it_charges_inferior_v_in_full_when_the_annual_mean_is_worse_than_v() -> None:
    # county section, target V, NH3-N 2.5 (劣V) all year -> 12 months at full rate
    data = frame(rows("S9", "戊", "U9", "river", "V", 2020, {"nh3n": 2.5}, level="county"))
    u9 = unit(evaluate_sections(data, 2020), "U9")
    assert (u9["rebound_months_other_full"], u9["rebound_months_other_half"]) == (12, 0)
    assert u9["rebound_annual_v_or_better"] == [False]


def test_it_counts_a_section_without_level_as_county() -> None:
    data = frame(rows("S9", "戊", "U9", "river", "V", 2020, {"nh3n": 2.5}))
    assert unit(evaluate_sections(data, 2020), "U9")["rebound_provincial"] == [False]


def test_it_grades_boundary_sections_for_item_1_2(result: WaterEvaluation) -> None:
    u1 = unit(result, "U1")
    assert u1["boundary_sections"] == ["乙"]
    # 2020 shares meeting IV: CODMn 12/12, NH3-N 12/12, TP 11/12 = 0.917 -> 优秀, 优秀, 良好 -> 良好
    assert (u1["boundary_codmn_share"], u1["boundary_nh3n_share"]) == (1.0, 1.0)
    assert u1["boundary_tp_share"] == pytest.approx(11 / 12)
    assert (u1["boundary_grade"], u1["boundary_grade_level"]) == ("良好", 3)
    # 2019: CODMn 1.0, NH3-N 0 (1.6 > 1.5), TP 1.0 -> NH3-N fails, others pass -> level 1
    assert (u1["boundary_grade_prev"], u1["boundary_grade_level_prev"]) == ("不合格但至少一项指标合格", 1)
    assert u1["boundary_grade_change"] == 2


def test_it_computes_year_on_year_change_ratios_for_item_1_2(result: WaterEvaluation) -> None:
    u1 = unit(result, "U1")
    assert u1["boundary_codmn_change"] == pytest.approx((9 - 8) / 9)
    assert u1["boundary_nh3n_change"] == pytest.approx((1.6 - 1.2) / 1.6)
    assert u1["boundary_tp_change"] == pytest.approx((0.25 - 3.1 / 12) / 0.25)  # worse: negative


@pytest.mark.parametrize(
    ("shares", "grade"),
    [
        ((12, 12, 12), "优秀"),
        ((12, 10, 12), "良好"),  # 10/12 = 0.83 ≥ 0.8
        ((12, 9, 12), "合格"),  # 9/12 = 0.75
        ((12, 7, 12), "不合格但至少一项指标合格"),  # 7/12 = 0.58 < 0.6
        ((7, 7, 7), "所有指标不合格"),
    ],
)
def test_it_grades_by_the_worst_parameter_share(shares: tuple[int, int, int], grade: str) -> None:
    # target III: CODMn 5 meets, 7 does not; NH3-N 0.9 / 1.2; TP 0.15 / 0.25
    good_bad = {"codmn": (5.0, 7.0), "nh3n": (0.9, 1.2), "tp": (0.15, 0.25)}
    values = {p: [ok] * n + [bad] * (12 - n) for (p, (ok, bad)), n in zip(good_bad.items(), shares, strict=True)}
    data = frame(rows("B1", "界", "U5", "river", "III", 2020, values, level="boundary"))
    assert unit(evaluate_sections(data, 2020), "U5")["boundary_grade"] == grade


def test_it_leaves_the_grade_empty_without_boundary_sections(result: WaterEvaluation) -> None:
    u2 = unit(result, "U2")
    assert u2["boundary_sections"] == []
    assert u2["boundary_grade"] is None
    assert u2["boundary_tp_change"] is None


def test_it_computes_the_drinking_water_compliance_rate_for_item_1_4(result: WaterEvaluation) -> None:
    u2 = unit(result, "U2")
    assert (u2["drinking_compliant"], u2["drinking_samples"]) == (8, 11)
    assert u2["drinking_rate"] == pytest.approx(8 / 11)
    assert (u2["drinking_backup_compliant"], u2["drinking_backup_samples"], u2["drinking_backup_rate"]) == (
        2,
        2,
        1.0,
    )
    u1 = unit(result, "U1")
    assert u1["drinking_rate"] is None


def test_it_types_the_list_columns(result: WaterEvaluation) -> None:
    schema = result.units.schema
    assert schema["wq_sections"] == pl.List(pl.String)
    assert schema["wq_months_missed"] == pl.List(pl.Int64)
    assert schema["wq_annual_met"] == pl.List(pl.Boolean)
    assert schema["wq_improved_sections"] == pl.Int64
    assert schema["drinking_rate"] == pl.Float64


def test_it_is_independent_of_row_order(result: WaterEvaluation) -> None:
    shuffled = frame(S1_2020, S1_2019, S2_2020, S2_2019, S3, S4).sample(fraction=1.0, shuffle=True, seed=7)
    again = evaluate_sections(shuffled, 2020)
    assert_frame_equal(again.units, result.units)
    assert_frame_equal(again.sections, result.sections)
