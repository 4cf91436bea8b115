"""The built-in scheme ``xx-city-2020`` (seed 004, 《XX市2020年度生态文明建设目标责任书》任务分解表).

Structure (points add up, every id of the document is there, every input is read), then one case per rule kind
of the seed, with the expected value worked out by hand from the seed's text (the arithmetic is in the test).
Every case is scored through BOTH evaluators — ``kaohe.score`` (vectorised) and ``kaohe.core.score_reference`` —
by ``score_both``, which asserts that they agree on every node and total; the tests then compare with the hand value.
Rows start from ``full_row()`` (every input at a neutral full-marks value) and override the inputs under test.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import kaohe
from kaohe.core import Scheme
from kaohe.core.tables import read_inputs
from tests.core.helpers import score_both

DEMO = Path(kaohe.__file__).resolve().parent / "data" / "demo"


@pytest.fixture(scope="module")
def scheme() -> Scheme:
    return kaohe.load_scheme("xx-city-2020")


# ------------------------------------------------------------------------------------------------ rows
# Inputs whose full-marks value is not the default (flags "no", counts 0, manual scores at their maximum).
FULL: dict[str, Any] = {
    "wq_sections": ["断面A"],
    "wq_months_missed": [0],
    "wq_months_inferior_v": [0],
    "wq_annual_met": [True],
    "boundary_grade": "优秀",
    "rebound_sections": ["断面A"],
    "rebound_months": [0],
    "rebound_provincial": [False],
    "rebound_annual_v_or_better": [True],
    "drinking_rate": 100.0,
    "drinking_backup_rate": 100.0,
    "pm25_drc_score": 100.0,
    "pm25_mean": 30.0,
    "pm25_strive": 35.0,
    "good_ratio": 95.0,
    "aqi_ensure": 92.0,
    "aqi_strive": 95.0,
    "pm10_mean": 58.0,  # 2 µg/m³ better than the target: 16 + 2 × 2 = 20
    "pm10_target": 60.0,
    "dustfall": 4.0,
    "dustfall_target": 5.0,
    "eco_assessment_in_comprehensive": True,
    "departure_audit_done": True,
    "ghg_inventory_done": True,
    "innovation_projects": 3,
    "invest_growth": 10.0,
    "fiscal_growth": 5.0,
    "species_protection_rate": 90.0,
    "wetland_protection_rate": 60.0,
    "film_recovery_rate": 90.0,
    "fertiliser_use_rate": 40.0,
    "pesticide_use_rate": 42.0,
    "greening_completion": 100.0,
    "reform_platforms_done": 2,
    "reform_platforms_required": 2,
    "insured_enterprises": 10,
    "ghg_audit_rate": 100.0,
}


def full_row(scheme: Scheme, unit_id: str = "u1", **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"unit_id": unit_id, "unit_name": unit_id, "sequence": "district"}
    for spec in scheme.inputs:
        if spec.id in FULL:
            row[spec.id] = FULL[spec.id]
        elif spec.id.endswith("_completion") and spec.unit == "比例":
            row[spec.id] = 1.0
        elif spec.kind == "boolean":
            row[spec.id] = False
        elif spec.id.startswith("score_"):
            row[spec.id] = spec.max  # a manual judgement at full marks
        else:
            row[spec.id] = 0
    unknown = set(overrides) - {s.id for s in scheme.inputs}
    assert not unknown, f"not inputs of the scheme: {unknown}"
    row.update(overrides)
    return row


def one(scheme: Scheme, **overrides: Any) -> dict[str, Any]:
    """Score one unit through both evaluators (they must agree) and return its result row."""
    return score_both(scheme, [full_row(scheme, **overrides)])[0]


def many(scheme: Scheme, *overrides: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [full_row(scheme, f"u{i + 1}", **o) for i, o in enumerate(overrides)]
    return score_both(scheme, rows)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# ------------------------------------------------------------------------------------------------ structure
def test_points_add_up(scheme: Scheme) -> None:
    assert scheme.total_points == 1000
    assert [(n.id, n.points) for n in scheme.indicators] == [("1", 200), ("2", 200), ("3", 600)]
    for node in scheme.nodes():
        if node.kind == "base" and node.children:
            assert close(sum(c.points or 0 for c in node.children), node.points or 0), node.id


def test_document_numbering(scheme: Scheme) -> None:
    ids = {n.id for n in scheme.nodes()}
    expected = {"1.1", "1.2", "1.3", "1.4", "1.4.1", "1.4.2", "2.1", "2.2", "2.3", "2.4"}
    expected |= {f"3.{i}" for i in range(1, 20)}
    expected |= {"3.11.2.7", "3.15.2.4", "3.16.4.4", "3.16.7.6", "3.17.2.5", "3.13.2", "3.12.2"}
    assert expected <= ids
    assert [n.id for n in scheme.bonus_items] == [f"B{i}" for i in range(1, 18)]
    assert [n.id for n in scheme.deduction_items] == [f"D{i}" for i in range(1, 8)]
    assert scheme.bonus_cap is None and scheme.deduction_cap is None
    assert scheme.grading is not None
    assert [(b.grade, b.min) for b in scheme.grading.bands] == [
        ("优秀", 900),
        ("良好", 800),
        ("合格", 600),
        ("不合格", None),
    ]
    assert scheme.sequence_ids() == ["district"]


def test_every_input_is_read_and_every_leaf_has_its_text(scheme: Scheme) -> None:
    read = {ref for node in scheme.nodes() for ref in node.inputs}
    assert {s.id for s in scheme.inputs} - read == set()
    seed_texts = [n for n in scheme.nodes() if n.rule is not None and not n.text and not n.id.startswith("3.13.4.")]
    assert seed_texts == []


def test_monitoring_sources(scheme: Scheme) -> None:
    sources = {s.id: (s.source, s.source_scale) for s in scheme.inputs if s.source}
    assert sources["good_ratio"] == ("air.good_ratio", 100)
    assert sources["pm25_mean"] == ("air.pm25_mean", None)
    assert sources["wq_months_missed"] == ("water.wq_months_missed", None)
    assert sources["drinking_rate"] == ("water.drinking_rate", 100)
    targets = {s.id for s in scheme.inputs if s.target}
    assert {"aqi_ensure", "aqi_strive", "pm10_target", "pm25_strive", "dustfall_target"} <= targets


def test_full_row_scores_the_whole_base(scheme: Scheme) -> None:
    r = one(scheme)
    assert r["base_total"] == 1000 and r["deduction"] == 0
    # a lone unit is first in each of B15's three rankings: 5 + 5 + 5 = 15, capped at 10
    assert r["B15"] == 10 and r["bonus"] == 10
    assert r["final_score"] == 1010 and r["grade"] == "优秀"


# ------------------------------------------------------------------------------------------------ 一、水
def test_1_1_monthly_deductions_waived_when_the_annual_mean_meets_the_target(scheme: Scheme) -> None:
    r = one(
        scheme,
        wq_sections=["断面A", "断面B"],
        wq_months_missed=[2, 1],
        wq_months_inferior_v=[1, 1],
        wq_annual_met=[True, False],
    )
    # 断面A meets its annual target: waived. 断面B: 1 month missed × 5 + 1 劣Ⅴ month × 10
    assert r["1.1"] == 100 - (1 * 5 + 1 * 10)


def test_1_1_inferior_v_costs_10_and_stops_at_zero(scheme: Scheme) -> None:
    r = one(scheme, wq_months_inferior_v=[3], wq_annual_met=[False])
    assert r["1.1"] == 100 - 3 * 10
    r = one(
        scheme,
        wq_sections=["断面A", "断面B"],
        wq_months_missed=[8, 8],
        wq_months_inferior_v=[4, 4],
        wq_annual_met=[False, False],
    )
    assert r["1.1"] == max(0, 100 - 2 * (8 * 5 + 4 * 10))  # 160 deducted, 扣完为止


def test_1_1_bonus_per_improved_section_capped_at_20(scheme: Scheme) -> None:
    assert one(scheme, wq_improved_sections=3)["1.1"] == 100 + 3 * 5
    assert one(scheme, wq_improved_sections=5)["1.1"] == 100 + min(20, 5 * 5)


@pytest.mark.parametrize(
    ("grade", "expected"),
    [("优秀", 60), ("良好", 45), ("合格", 30), ("不合格但至少一项指标合格", 10), ("所有指标不合格", 0)],
)
def test_1_2_grade_levels(scheme: Scheme, grade: str, expected: float) -> None:
    assert one(scheme, boundary_grade=grade)["1.2"] == expected


def test_1_2_change_bonus_cap_and_grade_override(scheme: Scheme) -> None:
    # CODMn −10% (<20% ⇒ 2) + NH3-N −25% (20–50% ⇒ 3) + TP unchanged (0) = 5
    r = one(scheme, boundary_grade="合格", boundary_codmn_change=0.1, boundary_nh3n_change=0.25)
    assert r["1.2"] == 30 + 2 + 3
    # 2 + 3 + 5 = 10, and three improvements ≥ 50%: 15 ⇒ the cap of 10
    r = one(scheme, boundary_grade="合格", boundary_codmn_change=0.1, boundary_nh3n_change=0.3, boundary_tp_change=0.6)
    assert r["1.2"] == 30 + 10
    r = one(scheme, boundary_grade="合格", boundary_codmn_change=0.5, boundary_nh3n_change=0.7, boundary_tp_change=0.9)
    assert r["1.2"] == 30 + min(10, 5 + 5 + 5)
    # one grade up: +10 instead of the concentration bonus (不重复加): not 2 + 10
    r = one(scheme, boundary_grade="良好", boundary_grade_change=1, boundary_codmn_change=0.1)
    assert r["1.2"] == 45 + 10
    # worse concentrations earn nothing
    assert one(scheme, boundary_grade="良好", boundary_codmn_change=-0.2)["1.2"] == 45


def test_1_3_provincial_10_others_5_halved_when_annual_mean_is_v_or_better(scheme: Scheme) -> None:
    r = one(
        scheme,
        rebound_sections=["省控P", "县控C"],
        rebound_months=[1, 2],
        rebound_provincial=[True, False],
        rebound_annual_v_or_better=[False, True],
    )
    # 省控P: 1 × 10; 县控C: 2 × 5 × 50%
    assert r["1.3"] == 20 - (1 * 10 + 2 * 5 * 0.5)
    r = one(scheme, rebound_months=[1], rebound_provincial=[True], rebound_annual_v_or_better=[True])
    assert r["1.3"] == 20 - 1 * 10 * 0.5
    r = one(scheme, rebound_months=[3], rebound_provincial=[True], rebound_annual_v_or_better=[False])
    assert r["1.3"] == max(0, 20 - 3 * 10)


@pytest.mark.parametrize(("rate", "expected"), [(85, 0), (90, 0), (96, 10 * (96 - 90) / (100 - 90)), (100, 10)])
def test_1_4_drinking_water_rate(scheme: Scheme, rate: float, expected: float) -> None:
    r = one(scheme, drinking_rate=rate, drinking_backup_rate=rate)
    assert close(r["1.4.1"], expected) and close(r["1.4.2"], expected)
    assert close(r["1.4"], 2 * expected)


# ------------------------------------------------------------------------------------------------ 二、大气
def test_2_1_drc_score_unless_the_striving_target_is_met(scheme: Scheme) -> None:
    assert one(scheme, pm25_mean=36.0, pm25_strive=35.0, pm25_drc_score=82.0)["2.1"] == 82
    assert one(scheme, pm25_mean=35.0, pm25_strive=35.0, pm25_drc_score=82.0)["2.1"] == 100


@pytest.mark.parametrize(
    ("ratio", "ensure", "strive", "expected"),
    [
        (95.0, 92.0, 95.0, 60),
        (92.0, 92.0, 95.0, 54),
        (93.5, 92.0, 95.0, 54 + (60 - 54) * 1.5 / 3),  # 57
        (88.0, 92.0, 95.0, 54 - (2 * 1 + 2 * 2)),  # 92→90 at 1/pp, 90→88 at 2/pp: 48
        (84.0, 88.0, 91.0, 54 - 4 * 2),  # all of the gap below 90%: 46
        (60.0, 92.0, 95.0, 0),  # 54 − (2 × 1 + 30 × 2) < 0 ⇒ 扣完为止
    ],
)
def test_2_2_good_air_days(scheme: Scheme, ratio: float, ensure: float, strive: float, expected: float) -> None:
    assert close(one(scheme, good_ratio=ratio, aqi_ensure=ensure, aqi_strive=strive)["2.2"], expected)


@pytest.mark.parametrize(
    ("pm10", "expected"),
    [(58.5, 16 + 2 * 1.5), (63.0, 16 - 3 * 3), (55.0, min(20, 16 + 2 * 5)), (60.0, 16), (70.0, max(0, 16 - 3 * 10))],
)
def test_2_3_pm10(scheme: Scheme, pm10: float, expected: float) -> None:
    assert close(one(scheme, pm10_mean=pm10, pm10_target=60.0)["2.3"], expected)


@pytest.mark.parametrize(("dustfall", "expected"), [(4.9, 20), (5.0, 20), (5.1, 0)])
def test_2_4_dustfall(scheme: Scheme, dustfall: float, expected: float) -> None:
    assert one(scheme, dustfall=dustfall, dustfall_target=5.0)["2.4"] == expected


# ------------------------------------------------------------------------------------------------ 三、重点工作
def test_manual_judgement_is_the_entered_score(scheme: Scheme) -> None:
    r = one(scheme, score_3_1=42.5, score_3_19=30.0)
    assert r["3.1"] == 42.5 and r["3.19"] == 30 and r["3"] == 600 - 7.5 - 3


def test_3_7_1_and_3_7_6_not_completed_scores_nothing(scheme: Scheme) -> None:
    assert one(scheme, eco_assessment_in_comprehensive=False)["3.7.1"] == 0
    assert one(scheme, departure_audit_done=False)["3.7.6"] == 0
    assert one(scheme, departure_audit_deduction=1.5)["3.7.6"] == 5 - 1.5
    assert one(scheme, ghg_inventory_done=False, ghg_inventory_quality_deduction=1.0)["3.16.8.1"] == 0


def test_3_7_3_status_report(scheme: Scheme) -> None:
    assert one(scheme, townships_no_status_report=1)["3.7.3"] == 5 - 2.5
    assert one(scheme, district_no_status_report=True, townships_no_status_report=1)["3.7.3"] == max(0, 5 - 5 - 2.5)


def test_3_8_3_in_indicator_bonus(scheme: Scheme) -> None:
    r = one(scheme, eco_plan_started=True)
    assert r["3.8.3"] == 4 and r["3.8"] == 20 + 4


def test_3_11_3_three_innovation_projects(scheme: Scheme) -> None:
    assert one(scheme, innovation_projects=1)["3.11.3"] == 9 - 3 * (3 - 1)
    assert one(scheme, innovation_projects=5)["3.11.3"] == 9


# 负增长按比例扣分: −3% ⇒ 10 × (−3)/10 = −3 (taken from the total); the assumed floor is −10 (−25% ⇒ −10)
@pytest.mark.parametrize(("growth", "expected"), [(5.0, 5), (12.0, 10), (0.0, 0), (-3.0, -3), (-25.0, -10)])
def test_3_12_1_investment_growth(scheme: Scheme, growth: float, expected: float) -> None:
    assert close(one(scheme, invest_growth=growth)["3.12.1"], expected)  # 10 × growth / 10%


@pytest.mark.parametrize(
    ("growth", "expected"),
    [(0.1, 10), (0.0, 8), (-5.0, 8 * (-5 + 20) / 20), (-20.0, 0), (-25.0, 0)],  # −5% ⇒ 6
)
def test_3_12_2_fiscal_spending(scheme: Scheme, growth: float, expected: float) -> None:
    assert close(one(scheme, fiscal_growth=growth)["3.12.2"], expected)


def test_3_13_3_rank_share(scheme: Scheme) -> None:
    rs = many(
        scheme, {"wetland_protection_rate": 95.0}, {"wetland_protection_rate": 90.0}, {"wetland_protection_rate": 85.0}
    )
    # best 5; 90: 5 × (0.6 + 0.4 × (90 − 85) / (95 − 85)) = 4; worst 5 × 0.6 = 3
    assert [r["3.13.3"] for r in rs] == pytest.approx([5, 4, 3])


def test_3_13_2_rank_share_with_the_city_target_gate(scheme: Scheme) -> None:
    # 完成市下达的指标得60%分数, 其余40%…排名赋分, 最好的得满分, 最差的得60%分数 (of the whole item, 5 points):
    # score = 5 × (0.6 × completion + 0.4 × (value − worst) / (best − worst)); best 95, worst 85.
    rs = many(
        scheme,
        {"species_protection_rate": 95.0},  # best, target met: 5 × (0.6 + 0.4 × 1) = 5
        {"species_protection_rate": 90.0},  # target met: 5 × (0.6 + 0.4 × 5/10) = 5 × 0.8 = 4
        {"species_protection_rate": 85.0},  # worst, target met: 5 × (0.6 + 0) = 3, 60% of the item
        {"species_protection_rate": 85.0, "species_protection_completion": 0.9},  # 5 × 0.6 × 0.9 = 2.7
        # best but only half the city target: 5 × (0.6 × 0.5 + 0.4) = 3.5 — the loss stops at the 60% (扣完60%分数为止)
        {"species_protection_rate": 95.0, "species_protection_completion": 0.5},
    )
    assert [r["3.13.2"] for r in rs] == pytest.approx([5, 4, 3, 2.7, 3.5])
    frame = pl.DataFrame([full_row(scheme, f"u{i + 1}", species_protection_rate=v) for i, v in enumerate([95.0, 85.0])])
    reasons = [line.reason for line in kaohe.explain(scheme, frame, "u2") if line.indicator_id == "3.13.2"]
    assert reasons == ["85 在序列中排名赋分(最好 95 得满分,最差 85 得60%)"]


def test_3_13_4_three_rates_one_third_each(scheme: Scheme) -> None:
    rs = many(scheme, {"film_recovery_rate": 95.0}, {"film_recovery_rate": 85.0, "pesticide_use_completion": 0.5})
    third = 5 / 3
    assert rs[0]["3.13.4"] == pytest.approx(5)
    # u2: 农膜 worst of the two, target met ⇒ third × (0.6 + 0.4 × 0) = 0.6 third (60% of the third);
    # 农药 equal values (both 42: full rank part) but half the target ⇒ third × (0.6 × 0.5 + 0.4) = 0.7 third;
    # 化肥 equal values, target met ⇒ full third. Σ = third × 2.3 = 5/3 × 2.3 ≈ 3.8333
    assert rs[1]["3.13.4"] == pytest.approx(third * (0.6 + 0.7 + 1))


def test_3_13_5_greening(scheme: Scheme) -> None:
    assert close(one(scheme, greening_completion=96.0)["3.13.5"], 5 - 0.5 * 4)
    assert one(scheme, greening_completion=85.0)["3.13.5"] == 0


def test_3_14_halved_when_rectification_praised(scheme: Scheme) -> None:
    assert one(scheme, yangtze_criticised=1)["3.14"] == 0
    assert one(scheme, yangtze_criticised=1, yangtze_praised=True)["3.14"] == 10 - 10 * 0.5


def test_3_15_per_case_deductions(scheme: Scheme) -> None:
    r = one(
        scheme,
        inspection_cases_unhandled=4,
        petitions_overdue=25,
        rectification_plan_late=True,
        rectification_provincial_notices=1,
    )
    assert r["3.15.1.2"] == 15 - 4 * 1
    assert r["3.15.2.2"] == max(0, 10 - 25 * 0.5)
    assert r["3.15.2.1"] == 10 - 2
    assert r["3.15.2.4"] == 0
    # ④ deducts from the whole of (2): ① 8 + ② 0 + ③ 5 = 13, minus 1 provincial notice ⇒ 12
    assert r["3.15.2"] == (10 - 2) + 0 + 5 - 1


def test_3_15_2_4_central_notices_come_off_all_of_2(scheme: Scheme) -> None:
    # 6 central notices × 2 = 12 off a full 25 ⇒ 13; ① alone (10 points) could never have absorbed them
    assert one(scheme, rectification_central_notices=6)["3.15.2"] == 25 - 6 * 2


def test_3_16_7_6_discretionary_deduction_and_zeroing_of_7(scheme: Scheme) -> None:
    assert one(scheme, monitoring_other_deduction=3)["3.16.7"] == 25 - 3
    assert one(scheme, monitoring_other_affects_city=True)["3.16.7"] == 0  # 影响全市美丽建设考核的该项不得分


def test_3_16_2_regional_suspension_zeroes_the_item(scheme: Scheme) -> None:
    assert one(scheme, eia_illegal_approvals=2)["3.16.2"] == 5 - 2
    assert one(scheme, regional_approval_suspensions=1)["3.16.2"] == 0


def test_3_16_3_share_and_bonus(scheme: Scheme) -> None:
    assert one(scheme, reform_platforms_done=1)["3.16.3"] == 5 * 1 / 2
    assert one(scheme, reform_platforms_done=5, reform_platforms_extra=3)["3.16.3"] == 5 + min(4, 3 * 2)


def test_3_16_4_permits(scheme: Scheme) -> None:
    r = one(
        scheme,
        permit_cleanup_stages_missed=1,
        permit_issuance_late=True,
        permit_omissions=15,
        permit_innovation_recognised=True,
    )
    assert r["3.16.4.1"] == 2 - 0.5
    assert r["3.16.4.2"] == 0
    assert r["3.16.4.3"] == max(0, 1 - 15 * 0.1)
    assert r["3.16.4"] == 1.5 + 0 + 0 + 0 + 2  # ④ +2


@pytest.mark.parametrize(("done", "expected"), [(7, 5 * 7 / 10), (10, 5), (12, 5), (0, 0)])
def test_3_16_6_insurance_share(scheme: Scheme, done: int, expected: float) -> None:
    assert close(one(scheme, insured_enterprises=done)["3.16.6"], expected)


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, 5), (15, 5 - 5 * 0.5 * 15 / 30), (30, 5 * (1 - 0.5)), (31, 5 * (1 - 0.8))],  # 5, 3.75, 2.5, 1
)
def test_3_16_7_4_and_5_lateness(scheme: Scheme, days: int, expected: float) -> None:
    r = one(scheme, industrial_station_days_late=days, logistics_station_days_late=days)
    assert close(r["3.16.7.4"], expected) and close(r["3.16.7.5"], expected)


def test_3_16_8_2_audit_rate(scheme: Scheme) -> None:
    assert close(one(scheme, ghg_audit_rate=88.0)["3.16.8.2"], 5 - 1.5 * 12 / 5)  # 1.4
    assert one(scheme, ghg_audit_rate=70.0)["3.16.8.2"] == 0


def test_3_17_2_5_reasons_within_their_maxima(scheme: Scheme) -> None:
    r = one(scheme, incident_report_deduction=0.5, incident_damage_assessment_deduction=2.0)
    assert r["3.17.2.5"] == 5.5 - 0.5 - 2


def test_3_18_shared_pool(scheme: Scheme) -> None:
    assert one(scheme, briefs_missing=2, brief_none_adopted=True)["3.18"] == 25 - 2 * 5 - 10
    assert one(scheme, beauty_tasks_failed=2, stage_summaries_missing=1)["3.18"] == max(0, 25 - 20 - 5)


# ------------------------------------------------------------------------------------------------ 加分项 / 扣分项
def test_bonus_items_and_caps(scheme: Scheme) -> None:
    r = one(scheme, media_headlines=2, media_front_pages=3, media_local_tv_news=4, damage_compensation_cases=3)
    assert r["B16"] == min(8, 2 * 2 + 3 * 1 + 4 * 0.5)  # 9 ⇒ 8
    assert r["B9"] == min(6, 3 * 3)
    assert r["bonus"] == 8 + 6 + 10  # + B15 (lone unit, see test_full_row…)
    r = one(scheme, honours_named=1, honours_reevaluated=2, demo_villages_named=3)
    assert r["B1"] == pytest.approx(5 + 2 * 1.5 + 3 * 0.2)  # no cap stated


@pytest.mark.parametrize(("increase", "expected"), [(3.0, 3 * 0.5), (7.0, 5 * 0.5 + 2 * 1), (9.0, 5)])
def test_b4_weight_increase(scheme: Scheme, increase: float, expected: float) -> None:
    assert close(one(scheme, eval_weight_increase=increase)["B4"], expected)


def test_b15_rank_points(scheme: Scheme) -> None:
    rs = many(
        scheme,
        {"satisfaction_score": 90.0, "satisfaction_gain": 1.0, "satisfaction_places_gained": 0},
        {"satisfaction_score": 85.0, "satisfaction_gain": 3.0, "satisfaction_places_gained": 2},
        {"satisfaction_score": 80.0, "satisfaction_gain": 2.0, "satisfaction_places_gained": 1},
        {"satisfaction_score": 70.0, "satisfaction_gain": -1.0, "satisfaction_places_gained": -1},
    )
    assert [(r["B15.1"], r["B15.2"], r["B15.3"]) for r in rs] == [(5, 3, 3), (4, 5, 5), (3, 4, 4), (0, 0, 0)]
    assert [r["B15"] for r in rs] == [min(10, 5 + 3 + 3), min(10, 4 + 5 + 5), min(10, 3 + 4 + 4), 0]


def test_d2_halved_and_doubled(scheme: Scheme) -> None:
    r = one(scheme, d2_provincial_halved=1, d2_national_doubled=1, d2_city=1)
    assert r["D2"] == 10 * 0.5 + 20 * 2 + 5
    assert r["deduction"] == 50
    assert r["final_score"] == 1000 + 10 - 50


def test_deduction_items(scheme: Scheme) -> None:
    r = one(
        scheme,
        special_tasks_failed=1,
        d3_city=1,
        d4_incidents=1,
        d5_deduction=3.5,
        gdi_bottom10=True,
        dumping_cross_province=1,
    )
    assert (r["D1"], r["D3"], r["D4"], r["D5"], r["D6"], r["D7"]) == (5, 10, 20, 3.5, 5, 4)
    assert r["final_score"] == 1000 + 10 - (5 + 10 + 20 + 3.5 + 5 + 4)  # 962.5
    assert r["grade"] == "优秀"


# ------------------------------------------------------------------------------------------------ demo data
def _csv_lists(scheme: Scheme, frame: pl.DataFrame) -> pl.DataFrame:
    """Turn ';'-separated list cells into typed lists (what kaohe.core.tables does for the CLI)."""
    casts = {"boolean": pl.Boolean, "integer": pl.Int64, "number": pl.Float64, "category": pl.String}
    exprs = []
    for spec in scheme.inputs:
        if spec.kind == "list":
            inner = pl.col(spec.id).cast(pl.String).str.split(";")
            if spec.item_kind == "boolean":
                exprs.append(inner.list.eval(pl.element() == "true").alias(spec.id))
            else:
                exprs.append(inner.list.eval(pl.element().cast(casts[spec.item_kind or "number"])).alias(spec.id))
    return frame.with_columns(exprs)


def test_demo_inputs_load_and_score(scheme: Scheme) -> None:
    units = pl.read_csv(DEMO / "xx_city_units.csv")
    raw = pl.read_csv(DEMO / "xx_city_inputs.csv")
    assert units["unit_id"].to_list() == raw["unit_id"].to_list() and set(units["sequence"]) == {"district"}
    frame = _csv_lists(scheme, raw)
    rows = frame.to_dicts()
    results = score_both(scheme, rows)
    assert len(results) == 9 and all(r["missing"] == [] for r in results)
    assert sorted(r["rank"] for r in results) == list(range(1, 10))
    # the CLI's reader gives the same scores
    via_reader = kaohe.score(scheme, read_inputs(scheme, DEMO / "xx_city_inputs.csv"))
    assert via_reader["final_score"].to_list() == pytest.approx([r["final_score"] for r in results])


def test_b15_loses_a_point_per_clause_when_satisfaction_fell(scheme: Scheme) -> None:
    # B15 "如出现得分比上一年下降的,要扣1分": the best-scoring district whose satisfaction fell (gain −0.5) is 1st in
    # (1) ⇒ 5 − 1 = 4; last in (2) ⇒ no award, and nothing is taken below 0; 3rd in (3) ⇒ 3 − 1 = 2.
    rs = many(
        scheme,
        {"satisfaction_score": 90.0, "satisfaction_gain": -0.5, "satisfaction_places_gained": 0},
        {"satisfaction_score": 85.0, "satisfaction_gain": 3.0, "satisfaction_places_gained": 2},
        {"satisfaction_score": 80.0, "satisfaction_gain": 2.0, "satisfaction_places_gained": 1},
        {"satisfaction_score": 70.0, "satisfaction_gain": 1.0, "satisfaction_places_gained": -1},
    )
    assert (rs[0]["B15.1"], rs[0]["B15.2"], rs[0]["B15.3"]) == (
        5 - 1,
        0,
        3 - 1,
    )  # places_gained 0 is 3rd of 2, 1, 0, −1
    assert (rs[1]["B15.1"], rs[1]["B15.2"]) == (4, 5)  # satisfaction rose: no deduction
