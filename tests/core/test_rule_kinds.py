"""Each rule kind against the seed clause it was made for (seed 004 = the XX-city 2020 table).

Expected values are worked out by hand from the seed text; the arithmetic is written beside each case.
Every case is scored by the vectorised engine AND the reference evaluator (``score_both``), which must agree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from kaohe.core import Scheme
from kaohe.core.exceptions import SchemeError
from tests.core.helpers import scheme_from, score_both


def single(
    points: float, rule: dict[str, Any], inputs: Sequence[Mapping[str, object]], *, bonus: dict[str, Any] | None = None
) -> Scheme:
    """A one-indicator scheme (YAML accepts JSON) around ``rule``."""
    node: dict[str, Any] = {"id": "x", "name": "测试指标", "points": points, "rule": rule}
    if bonus:
        node["bonus"] = bonus
    doc = {
        "id": "t",
        "name": "测试",
        "year": 2020,
        "total_points": points,
        "sequences": [{"id": "d", "name": "区"}],
        "inputs": inputs,
        "indicators": [node],
    }
    return scheme_from(json.dumps(doc, ensure_ascii=False))


def score_of(scheme: Scheme, **row: Any) -> float:
    return float(score_both(scheme, [row])[0]["x"])


# --- deduct: S4 3.15(1)② "交办环境问题未依法查处的…每起扣1分。(15分)" -------------------------------
CASES = {"kind": "deduct", "events": [{"input": "cases", "per": 1, "label": "交办问题未按时反馈"}]}
N = [{"id": "cases", "name": "未按时反馈起数", "kind": "integer", "min": 0}]


@pytest.mark.parametrize(
    ("cases", "expected"), [(0, 15), (4, 15 - 4 * 1), (15, 0), (20, 0)]
)  # 扣完为止: max(15 − 20, 0)
def test_it_deducts_per_case_until_zero(cases: int, expected: float) -> None:
    assert score_of(single(15, CASES, N), cases=cases) == expected


# --- deduct with each/waive: S4 1.1 "每月次分别扣5分;反弹为劣Ⅴ类的,每月次10分 … 年均值达到年度目标的,月度扣分免扣" ---
WATER_INPUTS: list[dict[str, object]] = [
    {"id": "sec", "name": "断面", "kind": "list", "item_kind": "category"},
    {"id": "missed", "name": "不达标月数", "kind": "list", "item_kind": "integer", "min": 0, "max": 12},
    {"id": "infv", "name": "劣V月数", "kind": "list", "item_kind": "integer", "min": 0, "max": 12},
    {"id": "met", "name": "年均达标", "kind": "list", "item_kind": "boolean"},
    {"id": "improved", "name": "升类断面数", "kind": "integer", "min": 0},
]
WATER_RULE = {
    "kind": "deduct",
    "each": {"names": "sec", "waive_if": "met"},
    "events": [
        {"input": "missed", "per": 5, "label": "水质不达标"},
        {"input": "infv", "per": 10, "label": "反弹为劣Ⅴ类"},
    ],
}
WATER_BONUS = {
    "cap": 20,
    "rule": {"kind": "per_count", "awards": [{"input": "improved", "per": 5, "label": "升类断面"}]},
}


def test_it_deducts_section_months_and_waives_sections_whose_annual_mean_meets_the_target() -> None:
    scheme = single(100, WATER_RULE, WATER_INPUTS, bonus=WATER_BONUS)
    # A: 2 months × 5 + 1 劣V month × 10 = 20; B meets its annual target ⇒ its 3 months are waived.
    assert score_of(scheme, sec=["A", "B"], missed=[2, 3], infv=[1, 0], met=[False, True], improved=0) == 100 - 20


def test_it_caps_the_water_section_bonus_at_20() -> None:
    scheme = single(100, WATER_RULE, WATER_INPUTS, bonus=WATER_BONUS)
    # no deduction; 3 improved sections × 5 = 15 ⇒ 115; 5 sections × 5 = 25 capped at 20 ⇒ 120.
    assert score_of(scheme, sec=["A"], missed=[0], infv=[0], met=[True], improved=3) == 115
    assert score_of(scheme, sec=["A"], missed=[0], infv=[0], met=[True], improved=5) == 120


def test_it_stops_water_deductions_at_zero() -> None:
    scheme = single(100, WATER_RULE, WATER_INPUTS, bonus=WATER_BONUS)
    # 21 months × 5 = 105 > 100 ⇒ 0 (扣分扣完为止)
    assert score_of(scheme, sec=["A", "B"], missed=[12, 9], infv=[0, 0], met=[False, False], improved=0) == 0


# --- deduct with per_by and a per-section factor: S4 1.3 "省控断面每月次扣10分 … 市控、县控及交接断面每月次扣5分 …
#     断面年均值达到或优于V类的,该断面月度扣分按50%计算" (20分) ---------------------------------------------
def test_it_weights_rebound_months_by_section_level_and_halves_sections_at_v_or_better() -> None:
    rule = {
        "kind": "deduct",
        "each": {"names": "sec", "factor_if": "v_ok", "factor": 0.5},
        "events": [
            {"input": "infv", "per": 5, "label": "反弹为劣Ⅴ类", "per_by": {"input": "level", "map": {"省控": 10}}}
        ],
    }
    inputs: list[dict[str, object]] = [
        {"id": "sec", "name": "断面", "kind": "list", "item_kind": "category"},
        {"id": "infv", "name": "劣V月数", "kind": "list", "item_kind": "integer", "min": 0},
        {"id": "level", "name": "断面级别", "kind": "list", "item_kind": "category"},
        {"id": "v_ok", "name": "年均值达到V类", "kind": "list", "item_kind": "boolean"},
    ]
    scheme = single(20, rule, inputs)
    # 省控 A: 1 month × 10 = 10 (annual worse than V); 市控 B: 2 months × 5 × 50% = 5 ⇒ 20 − 15 = 5
    assert score_of(scheme, sec=["A", "B"], infv=[1, 2], level=["省控", "市控"], v_ok=[False, True]) == 5


# --- deduct with zero_if: S4 3.16(2) "发生1起扣1分,扣完5分为止;…予以区域限批…发生1起扣5分,该项总得分为零" ----
def test_it_scores_zero_when_a_regional_approval_ban_occurs() -> None:
    rule = {
        "kind": "deduct",
        "events": [{"input": "eia", "per": 1, "label": "环评违规审批"}],
        "zero_if": {"input": "ban"},
    }
    inputs: list[dict[str, object]] = [
        {"id": "eia", "name": "违规审批起数", "kind": "integer", "min": 0},
        {"id": "ban", "name": "区域限批", "kind": "boolean"},
    ]
    scheme = single(5, rule, inputs)
    assert score_of(scheme, eia=1, ban=False) == 5 - 1
    assert score_of(scheme, eia=0, ban=True) == 0


# --- deduct with factor_if: S4 3.14 "被通报或点名批评一项扣10分 … 整改工作被省级部门通报表扬的减半扣分" (10分) ----
def test_it_halves_the_yangtze_deduction_when_rectification_was_praised() -> None:
    rule = {
        "kind": "deduct",
        "events": [{"input": "named", "per": 10, "label": "被通报或点名批评"}],
        "factor_if": [{"when": {"input": "praised"}, "factor": 0.5, "label": "整改被通报表扬,减半扣分"}],
    }
    inputs: list[dict[str, object]] = [
        {"id": "named", "name": "被通报项数", "kind": "integer", "min": 0},
        {"id": "praised", "name": "整改被表扬", "kind": "boolean"},
    ]
    scheme = single(10, rule, inputs)
    assert score_of(scheme, named=1, praised=False) == 0  # 10 − 10
    assert score_of(scheme, named=1, praised=True) == 5  # 10 − 10 × 0.5


# --- threshold: S4 2.4 "低于考核目标值得20分,高于考核目标值不得分" (equal: 达到 = met, see the scheme note) ----
@pytest.mark.parametrize(("dust", "expected"), [(4.9, 20), (5.0, 20), (5.1, 0)])
def test_it_gives_dustfall_full_marks_only_at_or_below_target(dust: float, expected: float) -> None:
    rule = {"kind": "threshold", "when": {"input": "dust", "op": "<=", "value": "dust_target"}}
    inputs = [
        {"id": "dust", "name": "降尘量", "unit": "吨/月·平方公里", "min": 0},
        {"id": "dust_target", "name": "目标", "min": 0, "target": True},
    ]
    assert score_of(single(20, rule, inputs), dust=dust, dust_target=5.0) == expected


# --- target_band: S4 2.2 "达到力争目标值,得60分;达到确保目标值,得54分;在确保值和力争值之间的,按比例得分;
#     未达到确保目标值的,每差1个百分点扣2分(其中环境空气优良天数比例≥90%的部分,每差1个百分点扣1分),扣完为止" ---
BAND = {
    "kind": "target_band",
    "x": "ratio",
    "ensure": "ensure",
    "strive": "strive",
    "at_ensure": 54,
    "per_point_below": 2,
    "soft_zone": {"above": 90, "per_point": 1},
}
BAND_INPUTS: list[dict[str, object]] = [
    {"id": "ratio", "name": "优良天数比例", "unit": "%", "min": 0, "max": 100},
    {"id": "ensure", "name": "确保目标值", "unit": "%", "min": 0, "max": 100, "target": True},
    {"id": "strive", "name": "力争目标值", "unit": "%", "min": 0, "max": 100, "target": True},
]


@pytest.mark.parametrize(
    ("ratio", "ensure", "expected"),
    [
        (96.0, 92, 60),  # ≥ 力争 95 ⇒ 60
        (95.0, 92, 60),
        (93.5, 92, 54 + 6 * (93.5 - 92) / (95 - 92)),  # = 57, between the targets in proportion
        (92.0, 92, 54),
        (91.0, 92, 54 - 1 * 1),  # the 1-point gap lies at ≥ 90% ⇒ 1 per point
        (88.0, 92, 54 - (2 * 1 + 2 * 2)),  # = 48: 92→90 costs 1/pt, 90→88 costs 2/pt
        (80.0, 85, 54 - 5 * 2),  # = 44: the whole gap lies below 90% ⇒ 2 per point
        (50.0, 92, 0),  # 54 − (2 + 40 × 2) < 0 ⇒ 扣完为止
    ],
)
def test_it_scores_good_day_ratio_between_guaranteed_and_striving_targets(
    ratio: float, ensure: float, expected: float
) -> None:
    got = score_of(single(60, BAND, BAND_INPUTS), ratio=ratio, ensure=ensure, strive=95)
    assert got == pytest.approx(expected)


# --- adjust: S4 2.3 "达到考核要求,得16分;…每改善1微克/立方米,加2分,加满为止;每增加1微克/立方米,扣3分,扣完为止
#     (不足1微克/立方米的,按比例加扣分)" (20分) -------------------------------------------------------------
@pytest.mark.parametrize(
    ("pm10", "expected"),
    [(60, 16), (58.5, 16 + 2 * 1.5), (63, 16 - 3 * 3), (55, 20), (59.5, 17), (60.5, 14.5), (70, 0)],
)  # 55: 16 + 10 = 26 ⇒ 加满为止 20; 70: 16 − 30 ⇒ 扣完为止 0
def test_it_adjusts_pm10_per_microgram_with_proportional_parts(pm10: float, expected: float) -> None:
    rule = {
        "kind": "adjust",
        "x": "pm10",
        "target": "pm10_target",
        "base": 16,
        "better_per_unit": 2,
        "worse_per_unit": 3,
    }
    inputs = [
        {"id": "pm10", "name": "PM10年均浓度", "unit": "µg/m³", "min": 0},
        {"id": "pm10_target", "name": "目标", "unit": "µg/m³", "min": 0},
    ]
    assert score_of(single(20, rule, inputs), pm10=pm10, pm10_target=60) == pytest.approx(expected)


# --- adjust in whole steps: S4 3.16(8)② "审核率未达到100%的,每少5%,扣1.5分,扣完为止" (5分) -----------------
@pytest.mark.parametrize(("rate", "expected"), [(100, 5), (96, 5), (95, 5 - 1.5), (89, 5 - 2 * 1.5), (80, 0)])
def test_it_counts_whole_five_percent_steps_for_report_review_rate(rate: float, expected: float) -> None:
    # 96%: 4% short is less than one whole 5% step ⇒ no deduction (floor); 80%: 4 steps × 1.5 = 6 > 5 ⇒ 0
    rule = {
        "kind": "adjust",
        "x": "rate",
        "target": 100,
        "base": 5,
        "worse_per_unit": 1.5,
        "unit": 5,
        "rounding": "floor",
        "direction": "higher",
    }
    inputs = [{"id": "rate", "name": "审核率", "unit": "%", "min": 0, "max": 100}]
    assert score_of(single(5, rule, inputs), rate=rate) == pytest.approx(expected)


# --- tiered: S4 1.2(1) "优秀、良好、合格、不合格但至少一项指标合格以上和所有指标不合格五个等次,
#     分别得基本分60、45、30、10和0分" ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("grade", "expected"),
    [("优秀", 60), ("良好", 45), ("合格", 30), ("不合格但至少一项合格", 10), ("所有指标不合格", 0)],
)
def test_it_scores_boundary_section_grade_levels(grade: str, expected: float) -> None:
    choices = ["优秀", "良好", "合格", "不合格但至少一项合格", "所有指标不合格"]
    rule = {
        "kind": "tiered",
        "x": "g",
        "levels": [{"match": c, "score": s} for c, s in zip(choices, [60, 45, 30, 10, 0], strict=True)],
    }
    inputs = [{"id": "g", "name": "交界断面等级", "kind": "category", "choices": choices}]
    assert score_of(single(60, rule, inputs), g=grade) == expected


# --- brackets: S4 1.2(2)(3) "任一项…改善提高20%的加2分,提高20%-50%的加3分,提高50%以上的加5分,提高一个等级的,加10分
#     (不重复加水质改善提高分)。交界断面水质考核总加分不超过10分" -----------------------------------------------------
CHANGE_BONUS = {
    "cap": 10,
    "rule": {
        "kind": "brackets",
        "inputs": ["codmn", "nh3n", "tp"],
        "brackets": [
            {"over": 0, "max": 0.2, "score": 2},
            {"min": 0.2, "max": 0.5, "score": 3},
            {"min": 0.5, "score": 5},
        ],
        "override": {"when": {"input": "up"}, "score": 10, "label": "等级提高一个等级"},
    },
}
CHANGE_INPUTS: list[dict[str, object]] = [
    {"id": "g", "name": "等级", "kind": "category", "choices": ["合格"]},
    {"id": "codmn", "name": "高锰酸盐指数改善率"},
    {"id": "nh3n", "name": "氨氮改善率"},
    {"id": "tp", "name": "总磷改善率"},
    {"id": "up", "name": "等级提高", "kind": "boolean"},
]


@pytest.mark.parametrize(
    ("codmn", "nh3n", "tp", "up", "bonus"),
    [
        (0.1, 0.0, -0.1, False, 2),  # only CODMn improved, by 10% ⇒ +2; no improvement or worse ⇒ 0
        (1e-12, 0.0, 0.0, False, 2),  # any improvement at all is 提高 (the bracket is over 0, exclusive)
        (0.2, 0.0, 0.0, False, 3),  # 20% itself belongs to 20%–50%
        (0.1, 0.3, 0.0, False, 2 + 3),
        (0.6, 0.0, 0.0, False, 5),
        (0.6, 0.6, 0.6, False, 10),  # 15 ⇒ 总加分不超过10分
        (0.1, 0.0, 0.0, True, 10),  # one grade better ⇒ 10, not 10 + 2
    ],
)
def test_it_adds_the_boundary_change_bonus_by_improvement_bracket(
    codmn: float, nh3n: float, tp: float, up: bool, bonus: float
) -> None:
    scheme = single(
        60, {"kind": "tiered", "x": "g", "levels": [{"match": "合格", "score": 30}]}, CHANGE_INPUTS, bonus=CHANGE_BONUS
    )
    assert score_of(scheme, g="合格", codmn=codmn, nh3n=nh3n, tp=tp, up=up) == 30 + bonus


# --- linear: S4 1.4 "达标率达到100%,得分10分;达标率低于90%的,得0分;
#     90%≤达标率<100%,得分=10分×(达标率−90%)÷(100%−90%)" ----------------------------------------------------
@pytest.mark.parametrize(("rate", "expected"), [(100, 10), (96, 10 * (96 - 90) / 10), (90, 0), (85, 0)])
def test_it_scores_drinking_water_compliance_linearly_above_90(rate: float, expected: float) -> None:
    rule = {"kind": "linear", "x": "rate", "anchors": [[90, 0], [100, 10]], "below": 0}
    assert score_of(
        single(10, rule, [{"id": "rate", "name": "达标率", "unit": "%", "min": 0, "max": 100}]), rate=rate
    ) == pytest.approx(expected)


# --- linear with a jump: S4 3.12(2) "较上年有所增长得满分;和上年相比持平得80%分数;同比上年降低20%得零分,
#     …按比例得分" (10分) ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("growth", "expected"), [(5, 10), (0, 8), (-10, 8 * 10 / 20), (-20, 0), (-30, 0)])
def test_it_scores_fiscal_investment_growth(growth: float, expected: float) -> None:
    rule = {"kind": "linear", "x": "growth", "anchors": [[-20, 0], [0, 8]], "above": 10, "below": 0}
    inputs = [{"id": "growth", "name": "财政投入增长率", "unit": "%", "min": -100}]
    assert score_of(single(10, rule, inputs), growth=growth) == pytest.approx(expected)


# --- rank_share: S4 3.13(3) "根据保护率排名赋分,保护率最好的得满分,最差的得60%分数,介于其中按比例得分" (5分) --------
def test_it_shares_wetland_points_by_value_between_best_and_worst() -> None:
    scheme = single(
        5,
        {"kind": "rank_share", "x": "rate"},
        [{"id": "rate", "name": "湿地保护率", "unit": "%", "min": 0, "max": 100}],
    )
    rows = [{"unit_id": "a", "rate": 95}, {"unit_id": "b", "rate": 90}, {"unit_id": "c", "rate": 85}]
    got = {r["unit_id"]: r["x"] for r in score_both(scheme, rows)}
    # best 5; worst 5 × 60% = 3; 90: 5 × (0.6 + 0.4 × (90 − 85)/(95 − 85)) = 4
    assert got == pytest.approx({"a": 5, "b": 4, "c": 3})


def test_it_gives_full_rank_share_when_every_unit_has_the_same_value() -> None:
    scheme = single(
        5, {"kind": "rank_share", "x": "rate"}, [{"id": "rate", "name": "湿地保护率", "min": 0, "max": 100}]
    )
    assert [r["x"] for r in score_both(scheme, [{"unit_id": "a", "rate": 80}, {"unit_id": "b", "rate": 80}])] == [5, 5]


# --- rank_share with gate: S4 3.13(2) "完成市下达的指标得60%分数,其余40%的分数根据…排名赋分…
#     未完成…按比例扣分,扣完60%分数为止" ------------------------------------------------------------------------
def test_it_combines_the_target_gate_with_the_rank_part() -> None:
    rule = {"kind": "rank_share", "x": "rate", "gate": {"completion": "done", "share": 0.6}}
    inputs = [
        {"id": "rate", "name": "保护率", "min": 0, "max": 100},
        {"id": "done", "name": "指标完成率", "min": 0, "max": 2},
    ]
    rows = [{"unit_id": "a", "rate": 95, "done": 1.0}, {"unit_id": "b", "rate": 85, "done": 0.5}]
    got = {r["unit_id"]: r["x"] for r in score_both(single(5, rule, inputs), rows)}
    # a: 5 × (0.6 × 1 + 0.4 × 1) = 5; b: 5 × (0.6 × 0.5 + 0.4 × 0.6) = 5 × 0.54 = 2.7
    assert got == pytest.approx({"a": 5, "b": 2.7})


# --- share: S4 3.16(6) "完成10家企业环境污染责任保险(5分),根据完成比例得分" -------------------------------
@pytest.mark.parametrize(("done", "expected"), [(10, 5), (7, 5 * 7 / 10), (0, 0), (12, 5)])
def test_it_scores_insurance_by_completion_share(done: int, expected: float) -> None:
    scheme = single(
        5,
        {"kind": "share", "done": "done", "required": 10},
        [{"id": "done", "name": "投保企业数", "kind": "integer", "min": 0}],
    )
    assert score_of(scheme, done=done) == pytest.approx(expected)


# --- manual with full_if: S4 2.1 "按照市发改委…办法进行。在此基础上…PM2.5年均浓度达到力争目标值即得满分" (100分) ----
def test_it_takes_the_external_pm25_score_unless_the_striving_target_is_met() -> None:
    rule = {"kind": "manual", "input": "drc", "full_if": {"input": "pm25", "op": "<=", "value": "strive"}}
    inputs = [
        {"id": "drc", "name": "发改委考核得分", "min": 0, "max": 100},
        {"id": "pm25", "name": "PM2.5", "min": 0},
        {"id": "strive", "name": "力争目标值", "min": 0, "target": True},
    ]
    scheme = single(100, rule, inputs)
    assert score_of(scheme, drc=82, pm25=30, strive=32) == 100
    assert score_of(scheme, drc=82, pm25=35, strive=32) == 82


# --- rank_points: S4 B15(1) "满意度分值位列前3位的,第1名加5分,第2名加4分,第3名加3分" ----------------------------
def test_it_awards_bonus_points_by_rank_position_with_ties_sharing_the_better_place() -> None:
    doc = {
        "id": "t",
        "name": "测试",
        "year": 2020,
        "total_points": 10,
        "sequences": [{"id": "d", "name": "区"}],
        "inputs": [
            {"id": "base", "name": "基本", "min": 0, "max": 10},
            {"id": "sat", "name": "满意度", "min": 0, "max": 100},
        ],
        "indicators": [{"id": "x", "name": "基本", "points": 10, "rule": {"kind": "manual", "input": "base"}}],
        "bonus_items": [
            {
                "id": "B15",
                "name": "满意度",
                "points": 10,
                "rule": {"kind": "rank_points", "x": "sat", "points_by_rank": [5, 4, 3]},
            }
        ],
    }
    scheme = scheme_from(json.dumps(doc, ensure_ascii=False))
    rows = [{"unit_id": u, "base": 5, "sat": s} for u, s in (("a", 90), ("b", 85), ("c", 85), ("d", 70))]
    got = {r["unit_id"]: r["bonus"] for r in score_both(scheme, rows)}
    assert got == {"a": 5, "b": 4, "c": 4, "d": 0}  # d is 4th (three units are better) ⇒ no bonus


# --- per-event cap: S4 3.16(4)③ "清理整顿和发证登记工作有疏漏的,每疏漏1家排污单位扣0.1分,扣完1分为止"
#     in a 5-point pool ----------------------------------------------------------------------------------------
def test_it_caps_one_event_kind_inside_a_shared_pool() -> None:
    rule = {
        "kind": "deduct",
        "events": [
            {"input": "stages", "per": 0.5, "label": "阶段性要求未完成"},
            {"input": "omitted", "per": 0.1, "label": "疏漏排污单位", "cap": 1},
        ],
    }
    inputs = [
        {"id": "stages", "name": "未完成阶段数", "kind": "integer", "min": 0},
        {"id": "omitted", "name": "疏漏家数", "kind": "integer", "min": 0},
    ]
    scheme = single(5, rule, inputs)
    assert score_of(scheme, stages=2, omitted=4) == pytest.approx(5 - 2 * 0.5 - 4 * 0.1)  # 3.6
    assert score_of(scheme, stages=2, omitted=30) == pytest.approx(5 - 1 - 1)  # 30 × 0.1 = 3 ⇒ at most 1


# --- penalty on a parent: S4 3.15(2)④ "被中央通报…每次扣2分" deducts from all of (2);
#     3.16(7)⑥ "…该项不得分" zeroes (7) ------------------------------------------------------------------------
def test_it_deducts_a_parent_penalty_from_the_sum_of_its_children_and_can_zero_it() -> None:
    doc = {
        "id": "t",
        "name": "测试",
        "year": 2020,
        "total_points": 25,
        "sequences": [{"id": "d", "name": "区"}],
        "inputs": [
            {"id": "a", "name": "①得分", "min": 0, "max": 10},
            {"id": "b", "name": "②得分", "min": 0, "max": 15},
            {"id": "central", "name": "被中央通报次数", "kind": "integer", "min": 0},
            {"id": "spoilt", "name": "影响全市考核", "kind": "boolean"},
        ],
        "indicators": [
            {
                "id": "P",
                "name": "整改",
                "points": 25,
                "penalty": {
                    "kind": "deduct",
                    "events": [{"input": "central", "per": 2, "label": "被中央通报"}],
                    "zero_if": {"input": "spoilt"},
                },
                "children": [
                    {"id": "P1", "name": "①", "points": 10, "rule": {"kind": "manual", "input": "a"}},
                    {"id": "P2", "name": "②", "points": 15, "rule": {"kind": "manual", "input": "b"}},
                ],
            }
        ],
    }
    scheme = scheme_from(json.dumps(doc, ensure_ascii=False))
    rows = [
        {"unit_id": "u1", "a": 10, "b": 12, "central": 3, "spoilt": False},  # 22 − 3 × 2 = 16
        {"unit_id": "u2", "a": 2, "b": 1, "central": 3, "spoilt": False},  # 3 − 6 < 0 ⇒ 0
        {"unit_id": "u3", "a": 10, "b": 15, "central": 0, "spoilt": True},  # 该项不得分 ⇒ 0
    ]
    assert [r["P"] for r in score_both(scheme, rows)] == [16, 0, 0]


# --- a bonus-only sub-item: S4 3.8(3) "…启动生态文明建设规划编制或修编,加4分" ---------------------------------
def test_a_bonus_only_sub_item_adds_to_its_parent() -> None:
    doc = {
        "id": "t",
        "name": "测试",
        "year": 2020,
        "total_points": 12,
        "sequences": [{"id": "d", "name": "区"}],
        "inputs": [
            {"id": "a", "name": "得分", "min": 0, "max": 12},
            {"id": "plan", "name": "启动规划编制", "kind": "boolean"},
        ],
        "indicators": [
            {
                "id": "P",
                "name": "示范",
                "points": 12,
                "children": [
                    {"id": "P1", "name": "申报", "points": 12, "rule": {"kind": "manual", "input": "a"}},
                    {
                        "id": "P3",
                        "name": "规划编制",
                        "points": 0,
                        "bonus": {
                            "cap": 4,
                            "rule": {
                                "kind": "per_count",
                                "awards": [{"input": "plan", "per": 4, "label": "启动规划编制"}],
                            },
                        },
                    },
                ],
            }
        ],
    }
    scheme = scheme_from(json.dumps(doc, ensure_ascii=False))
    assert [
        r["P"]
        for r in score_both(
            scheme, [{"unit_id": "u1", "a": 10, "plan": True}, {"unit_id": "u2", "a": 10, "plan": False}]
        )
    ] == [14, 10]


def test_a_yes_no_category_maps_the_same_in_both_evaluators() -> None:
    rule = {
        "kind": "deduct",
        "each": {"names": "sec"},
        "events": [{"input": "n", "per": 5, "label": "劣V", "per_by": {"input": "prov", "map": {"true": 10}}}],
    }
    inputs: list[dict[str, object]] = [
        {"id": "sec", "name": "断面", "kind": "list", "item_kind": "category"},
        {"id": "n", "name": "月数", "kind": "list", "item_kind": "integer", "min": 0},
        {"id": "prov", "name": "省控", "kind": "list", "item_kind": "boolean"},
    ]
    # 省控 (true): 1 × 10; other: 1 × 5 ⇒ 20 − 15 = 5
    assert score_of(single(20, rule, inputs), sec=["A", "B"], n=[1, 1], prov=[True, False]) == 5


# --- linear below the first anchor with a negative floor: S4 3.12(1) "零增长不得分,增长按比例得分;负增长按比例扣分" --
@pytest.mark.parametrize(("growth", "expected"), [(10, 10), (4, 4), (0, 0), (-4, -4), (-30, -10)])
def test_it_lets_negative_growth_deduct_down_to_the_floor(growth: float, expected: float) -> None:
    doc = {
        "id": "t",
        "name": "测试",
        "year": 2020,
        "total_points": 10,
        "sequences": [{"id": "d", "name": "区"}],
        "inputs": [{"id": "g", "name": "投资增长率", "unit": "%", "min": -100}],
        "indicators": [
            {
                "id": "x",
                "name": "投资",
                "points": 10,
                "floor": -10,
                "rule": {
                    "kind": "linear",
                    "x": "g",
                    "anchors": [[0, 0], [10, 10]],
                    "below": "extrapolate",
                    "above": 10,
                },
            }
        ],
    }
    scheme = scheme_from(json.dumps(doc, ensure_ascii=False))
    row = score_both(scheme, [{"unit_id": "u", "g": growth}])[0]
    assert (row["x"], row["final_score"]) == (pytest.approx(expected), pytest.approx(expected))  # 10 × g / 10%


@pytest.mark.parametrize(
    ("bracket", "message"),
    [
        ({"min": 0, "over": 0, "max": 0.2, "score": 2}, "exactly one lower bound"),
        ({"max": 0.2, "score": 2}, "exactly one lower bound"),
        ({"over": 0.5, "max": 0.2, "score": 2}, "must be above its lower bound"),
    ],
)
def test_a_bracket_needs_one_lower_bound_below_its_max(bracket: dict[str, float], message: str) -> None:
    rule = {"kind": "brackets", "inputs": ["codmn"], "brackets": [bracket]}
    with pytest.raises(SchemeError, match=message):
        single(10, rule, [{"id": "codmn", "name": "高锰酸盐指数改善率"}])
