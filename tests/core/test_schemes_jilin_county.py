"""The built-in schemes of seeds 000 (jilin-2020-campaign), 001 (jilin-2021-2025) and 002
(county-party-government): structure, and one case per special rule of each seed, scored through both
evaluators (``kaohe.score`` and ``kaohe.core.score_reference``) with the expected result worked out by hand
from the seed clause. Points, weights and grade bands are the schemes' stated assumptions (百分制 90/80/60).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import kaohe
from kaohe.core import check_inputs, score_reference
from kaohe.core.scheme import BUILTIN_DIR, Scheme, load_scheme_file

IDS = ["jilin-2020-campaign", "jilin-2021-2025", "county-party-government"]
CJK = re.compile(r"[\u4e00-\u9fff]")
COMPARED = [
    "final_score",
    "grade",
    "rank",
    "advanced",
    "interview",
    "accountability",
    "dishonesty_record",
    "flags",
    "vetoed",
    "consequences",
]


def both(
    scheme: Scheme, rows: list[dict[str, Any]], history: list[dict[str, Any]] | None = None
) -> dict[str, dict[str, Any]]:
    """Score ``rows`` with both evaluators, check they agree, return unit_id ⇒ result."""
    frame = pl.DataFrame(rows, infer_schema_length=None)
    hist = pl.DataFrame(history, infer_schema_length=None) if history else None
    fast = {r["unit_id"]: r for r in kaohe.score(scheme, frame, hist).to_dicts()}
    slow = {r["unit_id"]: r for r in score_reference(scheme, rows, history or [])}
    assert fast.keys() == slow.keys()
    for unit, f in fast.items():
        s = slow[unit]
        for col in COMPARED:
            if isinstance(f[col], float):
                assert f[col] == pytest.approx(s[col], abs=1e-9), (unit, col)
            else:
                assert f[col] == s[col], (unit, col)
        for node in scheme.nodes():
            if f[node.id] is None or s[node.id] is None:
                assert f[node.id] is None and s[node.id] is None, (unit, node.id)
            else:
                assert f[node.id] == pytest.approx(s[node.id], abs=1e-9), (unit, node.id)
    return fast


# ----------------------------------------------------------------------------------------------- structure
@pytest.mark.parametrize("scheme_id", IDS)
def test_it_validates_and_its_id_is_the_file_stem(scheme_id: str) -> None:
    path = BUILTIN_DIR / f"{scheme_id}.yaml"
    scheme = load_scheme_file(path)
    assert scheme.id == Path(path).stem == scheme_id
    assert kaohe.load_scheme(scheme_id).id == scheme_id
    assert scheme.grading is not None and scheme.grading.assumed


@pytest.mark.parametrize("scheme_id", IDS)
def test_its_points_add_up(scheme_id: str) -> None:
    scheme = kaohe.load_scheme(scheme_id)
    assert scheme.total_points == 100  # 百分制 in all three seeds
    for seq in scheme.sequences:
        tops = [scheme.node(i) for i in scheme.top_ids_for(seq.id)]
        assert sum(n.points or 0 for n in tops) == pytest.approx(100), seq.id
    for node in scheme.nodes():
        if node.children and node.kind == "base":
            assert sum(c.points or 0 for c in node.children) == pytest.approx(node.points), node.id


@pytest.mark.parametrize("scheme_id", IDS)
def test_every_input_is_described_and_read(scheme_id: str) -> None:
    scheme = kaohe.load_scheme(scheme_id)
    read = {ref for node in scheme.nodes() for ref in node.inputs}
    read |= {ref for _g, rule in scheme.special.all_rules() for ref in rule.when.refs()}
    read |= {scheme.bonus_cap_input} if scheme.bonus_cap_input else set()
    for spec in scheme.inputs:
        assert CJK.search(spec.name), spec.id
        assert spec.unit, spec.id
        if spec.kind in ("number", "integer"):
            assert spec.min is not None and spec.max is not None, spec.id
        assert spec.id in read, f"{spec.id} is declared but nothing reads it"
        # register sources (issue 12) are pinned scheme by scheme in tests/registers/test_scheme_sources.py
        assert spec.source in (
            None,
            "air.good_ratio",
            "air.pm25_mean",
            "air.heavy_ratio",
            "water.drinking_rate",
        ) or (spec.source or "").startswith("register.")
        if spec.source == "air.good_ratio" or spec.source == "air.heavy_ratio":
            assert spec.source_scale == 100  # monitoring gives fractions, the scheme percent


@pytest.mark.parametrize("scheme_id", IDS)
def test_manual_inputs_range_over_their_indicator_points(scheme_id: str) -> None:
    scheme = kaohe.load_scheme(scheme_id)
    for node in scheme.nodes():
        if node.rule is not None and node.rule.kind == "manual":
            spec = scheme.input(node.rule.input)
            assert (spec.min, spec.max) == (0, node.points), node.id


@pytest.mark.parametrize("scheme_id", IDS)
def test_top_level_nodes_name_their_lead_unit(scheme_id: str) -> None:
    scheme = kaohe.load_scheme(scheme_id)
    assert all(n.lead_unit for n in scheme.indicators)


# ----------------------------------------------------------------------------------- seed 000 (S0)
S0 = "jilin-2020-campaign"


def s0_row(unit: str, **changes: Any) -> dict[str, Any]:
    """A locality at full marks, 100 points (every target met, every judgement at its maximum)."""
    row: dict[str, Any] = dict(
        unit_id=unit, unit_name=unit, sequence="localities",
        m_a1_1=6, m_a1_2=4, m_a2_1=2, m_a2_2=3, m_a4_1=16, m_a4_2=4, m_a6_1=3,
        good_ratio=90.0, good_ratio_target=88.0, pm25=30.0, pm25_target=33.0,
        water_good_share=80.0, water_good_share_target=75.0,
        water_inferior_v_share=0.0, water_inferior_v_share_target=0.0,
        farmland_safe_use=95.0, farmland_safe_use_target=90.0, plot_safe_use=95.0, plot_safe_use_target=90.0,
        so2_cut=3.0, so2_cut_target=2.0, nox_cut=3.0, nox_cut_target=2.0, cod_cut=3.0, cod_cut_target=2.0,
        nh3n_cut=3.0, nh3n_cut_target=2.0,
        rect_done=10, rect_due=10, complaints_closed=200, complaints_received=200,
        binding_missed=False, eco_spending_growth=5.0, satisfaction=100.0,
        incident_pollution=False, incident_ecology=False, falsified=False,
    )  # fmt: skip
    row.update(changes)
    return row


def test_s0_a_full_marks_locality_scores_100_and_is_excellent() -> None:
    out = both(kaohe.load_scheme(S0), [s0_row("长春市")])["长春市"]
    assert out["final_score"] == pytest.approx(100)  # 10 + 5 + 40 + 20 + 10 + 5 + 10
    assert out["grade"] == "优秀"


def test_s0_quality_rules_deduct_per_point_short_of_target() -> None:
    # A3.1.1: 优良天数比率 85.5% against a target of 88% ⇒ 7 − 1 × 2.5 = 4.5
    # A3.1.2: PM2.5 36 µg/m³ against 33 ⇒ 7 − 1 × 3 = 4
    # A3.2.2: 劣Ⅴ类 1.5% against 0% ⇒ 7 − 2 × 1.5 = 4
    # A3.3.1: 耕地安全利用率 81% of a 90% target ⇒ 3 × 81/90 = 2.7
    # A3.4.2: 氮氧化物 1.9% < 2% target ⇒ 0
    # A7: 满意率 87% ⇒ 10 × 0.87 = 8.7
    # total 100 − 2.5 − 3 − 3 − 0.3 − 1.5 − 1.3 = 88.4 ⇒ 良好
    row = s0_row(
        "吉林市",
        good_ratio=85.5,
        pm25=36.0,
        water_inferior_v_share=1.5,
        farmland_safe_use=81.0,
        nox_cut=1.9,
        satisfaction=87.0,
    )
    out = both(kaohe.load_scheme(S0), [row])["吉林市"]
    assert (
        out["A3.1.1"],
        out["A3.1.2"],
        out["A3.2.2"],
        out["A3.3.1"],
        out["A3.4.2"],
        out["A7"],
    ) == pytest.approx((4.5, 4, 4, 2.7, 0, 8.7))
    assert out["final_score"] == pytest.approx(88.4)
    assert out["grade"] == "良好"


def test_s0_spending_growth_counts_only_where_a_binding_target_was_missed() -> None:
    # A6.2 (第五条(六)): missed a binding target and spending fell ⇒ 0 of 2; met the targets ⇒ 2 whatever spending did
    rows = [
        s0_row("四平市", binding_missed=True, eco_spending_growth=-3.0),
        s0_row("辽源市", binding_missed=True, eco_spending_growth=4.0),
        s0_row("通化市", binding_missed=False, eco_spending_growth=-3.0),
    ]
    out = both(kaohe.load_scheme(S0), rows)
    assert [out[u]["A6.2"] for u in ("四平市", "辽源市", "通化市")] == [0, 2, 2]


def test_s0_especially_serious_incident_caps_excellent_at_good_and_leaves_good_alone() -> None:
    # 第六条: 发生特别重大环境污染事件或特别重大生态破坏事件的,考核结果不得确定为优秀.
    # 白山市: 100 points ⇒ 优秀 by the bands, with an especially serious pollution incident ⇒ 良好.
    # 松原市: m_a4_1 1 of 16 ⇒ 100 − 15 = 85 ⇒ 良好; an especially serious ecological incident changes nothing.
    # 白城市: m_a4_1 11 of 16 ⇒ 95 ⇒ 优秀 (no incident, the control).
    rows = [
        s0_row("白山市", incident_pollution=True),
        s0_row("松原市", m_a4_1=1, incident_ecology=True),
        s0_row("白城市", m_a4_1=11),
    ]
    out = both(kaohe.load_scheme(S0), rows)
    assert (out["白山市"]["final_score"], out["白山市"]["grade"]) == (pytest.approx(100), "良好")
    assert (out["松原市"]["final_score"], out["松原市"]["grade"]) == (pytest.approx(85), "良好")
    assert (out["白城市"]["final_score"], out["白城市"]["grade"]) == (pytest.approx(95), "优秀")
    assert out["白山市"]["flags"] == ["R1"] and out["松原市"]["flags"] == ["R1"] and out["白城市"]["flags"] == []
    assert not any(o["dishonesty_record"] for o in out.values())


def test_s0_falsification_fails_the_locality_and_records_dishonesty() -> None:
    # 第十条: 篡改数据、伪造资料等造成考核结果严重失真失实的,考核等级直接确定为不合格,将相关信息纳入政务失信记录.
    rows = [s0_row("延边州", falsified=True), s0_row("梅河口市")]
    out = both(kaohe.load_scheme(S0), rows)
    assert out["延边州"]["final_score"] == pytest.approx(100)  # the score stands; the grade does not
    assert out["延边州"]["grade"] == "不合格"
    assert out["延边州"]["dishonesty_record"] is True
    assert out["延边州"]["flags"] == ["R5"]
    assert (out["梅河口市"]["grade"], out["梅河口市"]["dishonesty_record"]) == ("优秀", False)


def test_s0_a_failing_locality_is_interviewed_a_falsified_one_included() -> None:
    # 第九条: 考核结果为不合格的,由省生态环境保护工作领导小组对相关地区党委和政府主要负责人进行约谈,提出限期整改要求.
    # 延边州: 100 points, falsified ⇒ 不合格 (第十条) ⇒ 约谈. 四平市: every judgement at 0 loses 6+4+2+3+16+4+3 = 38
    # ⇒ 62 ⇒ 合格, no 约谈; 辽源市: also m_a7 satisfaction 50% ⇒ 10 × 0.5 = 5 more lost ⇒ 57 ⇒ 不合格 ⇒ 约谈.
    zero = dict(m_a1_1=0, m_a1_2=0, m_a2_1=0, m_a2_2=0, m_a4_1=0, m_a4_2=0, m_a6_1=0)
    rows = [
        s0_row("延边州", falsified=True),
        s0_row("四平市", **zero),
        s0_row("辽源市", **zero, satisfaction=50.0),
        s0_row("梅河口市"),
    ]
    out = both(kaohe.load_scheme(S0), rows)
    assert (out["延边州"]["grade"], out["延边州"]["interview"], out["延边州"]["vetoed"]) == ("不合格", True, True)
    assert out["延边州"]["consequences"] == [
        "将相关信息纳入政务失信记录，按照有关规定严肃追究有关单位和人员责任（第十条）"
    ]
    assert (out["四平市"]["final_score"], out["四平市"]["grade"], out["四平市"]["interview"]) == (
        pytest.approx(62),
        "合格",
        False,
    )
    assert (out["辽源市"]["final_score"], out["辽源市"]["grade"], out["辽源市"]["interview"]) == (
        pytest.approx(57),
        "不合格",
        True,
    )
    assert (out["梅河口市"]["interview"], out["梅河口市"]["consequences"]) == (False, [])
    # vetoed last: 延边州 (100) is placed after 梅河口市 100, 四平市 62 and 辽源市 57
    assert [out[u]["rank"] for u in ("梅河口市", "四平市", "辽源市", "延边州")] == [1, 2, 3, 4]


def test_s0_a_missing_value_withholds_the_result() -> None:
    out = both(kaohe.load_scheme(S0), [s0_row("长白山开发区", satisfaction=None), s0_row("长春市")])
    assert out["长白山开发区"]["grade"] is None and out["长白山开发区"]["final_score"] is None
    assert out["长春市"]["grade"] == "优秀"


# ----------------------------------------------------------------------------------- seed 001 (S1)
S1 = "jilin-2021-2025"


def s1_row(unit: str, **changes: Any) -> dict[str, Any]:
    """A government at full marks, 100 points."""
    row: dict[str, Any] = dict(
        unit_id=unit, unit_name=unit, sequence="governments",
        good_ratio=92.0, good_ratio_ensure=88.0, good_ratio_strive=90.0,
        pm25=28.0, pm25_ensure=33.0, pm25_strive=30.0, heavy_ratio=0.5, heavy_ratio_target=1.0,
        water_good_share=85.0, water_good_share_target=80.0,
        water_inferior_v_share=0.0, water_inferior_v_share_target=0.0,
        groundwater_v_share=10.0, groundwater_v_share_target=15.0, drinking_water_rate=100.0,
        co2_intensity_met=True, energy_intensity_met=True, nonfossil_share=12.0, nonfossil_share_target=11.0,
        nox_cut=1000.0, nox_cut_target=1000.0, voc_cut=500.0, voc_cut_target=500.0,
        cod_cut=2000.0, cod_cut_target=2000.0,
        nh3n_cut=100.0, nh3n_cut_target=100.0, rural_sewage_rate=40.0, rural_sewage_rate_target=35.0,
        farmland_safe_use=92.0, farmland_safe_use_target=90.0, plot_safe_use=93.0, plot_safe_use_target=90.0,
        eco_index=70.0, eco_index_prev=69.0, forest_cover=45.0, forest_cover_target=44.0,
        redline_fixed=5, redline_due=5,
        rect_done=10, rect_due=10, complaints_closed=100, complaints_received=100,
        m_2_2=4, m_2_3=4, m_2_4=4, m_2_5=4, m_2_6=4, m_2_7=4,
        m_3_1=4, binding_missed=False, eco_spending_growth=3.0, projects_done=8, projects_planned=8,
        satisfaction=100.0, national_awards=0, provincial_models=0,
        incident_pollution=False, incident_ecology=False,
    )  # fmt: skip
    row.update(changes)
    return row


def test_s1_a_full_marks_government_scores_100() -> None:
    out = both(kaohe.load_scheme(S1), [s1_row("长春市")])["长春市"]
    assert out["final_score"] == pytest.approx(100)  # 50 + 30 + 10 + 10
    assert (out["C1"], out["C2"], out["C3"], out["C4"]) == pytest.approx((50, 30, 10, 10))
    assert out["grade"] == "优秀"


def test_s1_targets_band_between_ensure_and_strive() -> None:
    # C1.1.1: 89% between 确保 88 and 力争 90 ⇒ 4 + (5 − 4) × (89 − 88)/(90 − 88) = 4.5
    #         86% below 确保 88 ⇒ 4 − 1 × 2 = 2
    # C1.1.2: PM2.5 35 µg/m³, 2 above 确保 33 ⇒ 4 − 0.5 × 2 = 3
    # C1.2.4: 饮用水水源达标 95% ⇒ 3 × (95 − 90)/(100 − 90) = 1.5
    rows = [s1_row("A", good_ratio=89.0, pm25=35.0, drinking_water_rate=95.0), s1_row("B", good_ratio=86.0)]
    out = both(kaohe.load_scheme(S1), rows)
    assert (out["A"]["C1.1.1"], out["A"]["C1.1.2"], out["A"]["C1.2.4"]) == pytest.approx((4.5, 3, 1.5))
    assert out["B"]["C1.1.1"] == pytest.approx(2)
    assert out["A"]["final_score"] == pytest.approx(100 - 0.5 - 2 - 1.5)


def test_s1_especially_serious_incident_fails_even_at_98_points() -> None:
    # 四(三)1: 发生特别重大环境污染事件或生态破坏事件的,考核结果直接评定为不合格.
    # m_2_2 2 of 4 ⇒ 98 points ⇒ 优秀 by the bands; with the incident ⇒ 不合格.
    rows = [
        s1_row("吉林市", m_2_2=2, incident_pollution=True),
        s1_row("四平市", m_2_2=2, incident_ecology=True),
        s1_row("辽源市", m_2_2=2),
    ]
    out = both(kaohe.load_scheme(S1), rows)
    for unit in ("吉林市", "四平市"):
        assert out[unit]["final_score"] == pytest.approx(98)
        assert out[unit]["grade"] == "不合格"
        assert out[unit]["flags"] == ["R2"]
        assert (out[unit]["vetoed"], out[unit]["consequences"]) == (True, [])  # the seed names no further consequence
        assert out[unit]["rank"] == 2  # vetoed last: after 辽源市 (1), the two vetoed units share place 1 + 1
    assert (out["辽源市"]["grade"], out["辽源市"]["rank"]) == ("优秀", 1)


def test_s1_downgrade_drops_one_grade_after_the_deduction() -> None:
    # 四(三)2: 未按期完成督察问题整改任务,或未完成国家下达的约束性指标任务的,在扣除相应指标分数的基础上,实行降档评定.
    # 通化市: 9 of 10 rectification tasks on time ⇒ C2.1.1 = 3 × 9/10 = 2.7 ⇒ 99.7 ⇒ 优秀 ⇒ R3a ⇒ 良好
    # 白山市: binding indicator missed (spending grew, so C3.2 keeps 2) ⇒ 100 ⇒ 优秀 ⇒ R3b ⇒ 良好
    # 松原市: both triggers ⇒ 99.7 ⇒ 优秀 ⇒ still one step (not stacking) ⇒ 良好
    # 白城市: satisfaction 0 (−10), m_2_2 0 (−4), m_2_3 3 (−1) ⇒ 85 ⇒ 良好 ⇒ R3b ⇒ 合格
    # 延边州: satisfaction 0, m_2_2…m_2_7 0, m_3_1 0, projects 0 of 8 ⇒ 100 − 10 − 24 − 4 − 4 = 58 ⇒ 不合格
    #         ⇒ stays 不合格
    rows = [
        s1_row("通化市", rect_done=9),
        s1_row("白山市", binding_missed=True),
        s1_row("松原市", rect_done=9, binding_missed=True),
        s1_row("白城市", satisfaction=0.0, m_2_2=0, m_2_3=3, binding_missed=True),
        s1_row(
            "延边州",
            satisfaction=0.0,
            m_2_2=0,
            m_2_3=0,
            m_2_4=0,
            m_2_5=0,
            m_2_6=0,
            m_2_7=0,
            m_3_1=0,
            projects_done=0,
            binding_missed=True,
        ),
        s1_row("梅河口市"),
    ]
    out = both(kaohe.load_scheme(S1), rows)
    expected = {
        "通化市": (99.7, "良好", ["R3a"]),
        "白山市": (100, "良好", ["R3b"]),
        "松原市": (99.7, "良好", ["R3a", "R3b"]),
        "白城市": (85, "合格", ["R3b"]),
        "延边州": (58, "不合格", ["R3b"]),
        "梅河口市": (100, "优秀", []),
    }
    for unit, (final, grade, flags) in expected.items():
        assert out[unit]["final_score"] == pytest.approx(final), unit
        assert out[unit]["grade"] == grade, unit
        assert out[unit]["flags"] == flags, unit
    assert out["通化市"]["C2.1.1"] == pytest.approx(2.7)


def test_s1_bonus_items_are_capped_at_5_in_total() -> None:
    # 四(三)3: 原则上加分项上限为5分. satisfaction 0 ⇒ base 90.
    # 辽源市: 1 national commendation × 3 = 3, 2 provincial demonstrations × 2 = 4 ⇒ 3 + 4 = 7 ⇒ capped 5 ⇒ 95
    # 通化市: 1 national commendation ⇒ 3 ⇒ 93
    rows = [
        s1_row("辽源市", satisfaction=0.0, national_awards=1, provincial_models=2),
        s1_row("通化市", satisfaction=0.0, national_awards=1),
    ]
    out = both(kaohe.load_scheme(S1), rows)
    assert (out["辽源市"]["B1"], out["辽源市"]["B2"]) == pytest.approx((3, 4))
    assert out["辽源市"]["bonus"] == pytest.approx(5)
    assert out["辽源市"]["final_score"] == pytest.approx(95)
    assert out["通化市"]["bonus"] == pytest.approx(3)
    assert out["通化市"]["final_score"] == pytest.approx(93)


# ----------------------------------------------------------------------------------- seed 002 (S2)
S2 = "county-party-government"
TOWN_INPUTS = dict(
    m_9_1_1=4, party_meetings=4, m_9_1_3=4, npc_report=True, m_9_1_5=4, m_9_1_6=2, m_9_1_7=3, m_9_1_8=3,
    m_9_2_1=8, tasks_done=12, tasks_assigned=12, m_9_2_3=6, m_9_2_4=6, binding_met=10, binding_assigned=10,
    drinking_water_rate=100.0, m_9_2_7=4, rect_done=8, rect_due=8, audit_done=True, m_9_3_3=4, m_9_3_4=4,
)  # fmt: skip
DEPT_INPUTS = dict(
    m_10_1_1=8, dept_violations=0, m_10_1_3=5, m_10_1_4=5, m_10_1_5=4, m_10_2_1=12, tasks_done=18, tasks_assigned=18,
    m_10_2_3=8, m_10_2_4=6, m_10_2_5=6, rect_done=10, rect_due=10, audit_done=True, m_10_3_3=5,
)  # fmt: skip
TOWN_MANUAL = [
    "m_9_1_1",
    "m_9_1_3",
    "m_9_1_5",
    "m_9_1_6",
    "m_9_1_7",
    "m_9_1_8",
    "m_9_2_1",
    "m_9_2_3",
    "m_9_2_4",
    "m_9_2_7",
    "m_9_3_3",
    "m_9_3_4",
]


def _blank(scheme: Scheme) -> dict[str, Any]:
    return {spec.id: None for spec in scheme.inputs}


def town(unit: str, **changes: Any) -> dict[str, Any]:
    """A town or park at full marks (100); the department-only inputs are left empty."""
    row = _blank(kaohe.load_scheme(S2))
    row.update(
        unit_id=unit,
        unit_name=unit,
        sequence="towns_parks",
        regional_restriction=False,
        major_incident_responsible=False,
    )
    row.update(TOWN_INPUTS)
    row.update(changes)
    return row


def dept(unit: str, **changes: Any) -> dict[str, Any]:
    """A county department at full marks (100); the town-only inputs are left empty."""
    row = _blank(kaohe.load_scheme(S2))
    row.update(
        unit_id=unit,
        unit_name=unit,
        sequence="departments",
        regional_restriction=False,
        major_incident_responsible=False,
    )
    row.update(DEPT_INPUTS)
    row.update(changes)
    return row


def ladder() -> list[dict[str, Any]]:
    """Nine towns T1…T9: m_9_2_1 = 8, 7, …, 0 ⇒ 100, 99, …, 92; four departments D1…D4."""
    towns = [town(f"T{i}", m_9_2_1=9 - i) for i in range(1, 10)]
    depts = [
        dept("D1"),  # 100
        dept("D2", dept_violations=1),  # 10.1.2: 8 − 4 = 4 ⇒ 96
        dept("D3", dept_violations=3),  # 10.1.2: 8 − min(8, 12) = 0 (扣完为止) ⇒ 92
        dept("D4", m_10_2_1=0),  # 100 − 12 = 88
    ]
    return [*towns, *depts]


def test_s2_each_sequence_scores_its_own_content() -> None:
    out = both(kaohe.load_scheme(S2), [town("城关镇"), dept("县发展改革局")])
    t, d = out["城关镇"], out["县发展改革局"]
    assert (t["9.1"], t["9.2"], t["9.3"], t["final_score"]) == pytest.approx((30, 50, 20, 100))
    assert t["10.1"] is None and t["10.2"] is None and t["10.3"] is None
    assert (d["10.1"], d["10.2"], d["10.3"], d["final_score"]) == pytest.approx((30, 50, 20, 100))
    assert d["9.1"] is None and d["9.2"] is None and d["9.3"] is None
    assert t["grade"] == d["grade"] == "合格"


def test_s2_two_sequences_are_ranked_separately() -> None:
    # 第十六条: 考评结果分两个序列 … 按照得分排位. T1 and D1 both have 100 and are both first.
    out = both(kaohe.load_scheme(S2), ladder())
    assert [out[f"T{i}"]["final_score"] for i in range(1, 10)] == pytest.approx([100 - i for i in range(9)])
    assert [out[f"T{i}"]["rank"] for i in range(1, 10)] == list(range(1, 10))
    assert [out[d]["final_score"] for d in ("D1", "D2", "D3", "D4")] == pytest.approx([100, 96, 92, 88])
    assert [out[d]["rank"] for d in ("D1", "D2", "D3", "D4")] == [1, 2, 3, 4]


def test_s2_top_third_is_advanced_and_bottom_three_interviewed() -> None:
    # 第十七条 前三分之一: towns floor(9 × 1/3) = 3 ⇒ T1, T2, T3; departments floor(4 × 1/3) = 1 ⇒ D1.
    # 第十八条 后三位: towns places 7, 8, 9; departments places 2, 3, 4 (with four units the lists overlap nothing
    # but leave only D1 out).
    out = both(kaohe.load_scheme(S2), ladder())
    assert sorted(u for u, o in out.items() if o["advanced"]) == ["D1", "T1", "T2", "T3"]
    assert sorted(u for u, o in out.items() if o["interview"]) == ["D2", "D3", "D4", "T7", "T8", "T9"]


def test_s2_one_vote_veto_bars_a_top_third_unit_from_advanced() -> None:
    # 第九条(三): 受到市级以上环境保护行政主管部门区域限批的 … 年度考核不得评为先进单位.
    # T2 (second, inside the top three) is 限批 ⇒ keeps its rank 2, not advanced; the slot is not passed on, so
    # T4 stays out. T5 (a 重大 incident with responsibility, outside the top third) changes nothing visible.
    rows = ladder()
    rows[1]["regional_restriction"] = True
    rows[4]["major_incident_responsible"] = True
    out = both(kaohe.load_scheme(S2), rows)
    assert (out["T2"]["rank"], out["T2"]["advanced"], out["T2"]["flags"]) == (2, False, ["R7"])
    assert [out[u]["advanced"] for u in ("T1", "T3", "T4")] == [True, True, False]
    assert (out["T5"]["advanced"], out["T5"]["flags"]) == (False, ["R7"])
    assert out["T2"]["final_score"] == pytest.approx(99)  # the veto takes the title, not points
    # 第九条(三) also names who else is affected: recorded on the result of both vetoed towns, nobody else's
    said = ["不得评为先进单位，不予通报表扬；党政主要领导、分管领导年度考核不得评优（第九条（三））"]
    assert [(out[u]["vetoed"], out[u]["consequences"]) for u in ("T2", "T5", "T1")] == [
        (True, said),
        (True, said),
        (False, []),
    ]


def test_s2_top_third_of_36_units_is_12() -> None:
    # floor(36 / 3) = 12. (With share 0.3333333333, 36 × 0.3333333333 + 1e-9 = 11.9999999998 ⇒ 11: the scheme carries
    # the double nearest 1/3 instead.)
    rows = [town(f"Z{i:02d}", m_9_2_1=8 - 0.2 * i) for i in range(36)]
    out = both(kaohe.load_scheme(S2), rows)
    assert sum(o["advanced"] for o in out.values()) == 12
    assert sorted(u for u, o in out.items() if o["advanced"]) == [f"Z{i:02d}" for i in range(12)]


def test_s2_three_consecutive_unmet_years_start_accountability() -> None:
    # 第二十条: 连续3年未完成县委、县政府下达的环境保护年度目标任务的,按规定启动问责程序.
    # "Unmet" = grade 不合格 (< 60). A town with every judged item at 0 loses the 52 manual points:
    # 4+4+4+2+3+3 + 8+6+6+4 + 4+4 = 52 ⇒ 48 ⇒ 不合格.  Scheme year 2020 ⇒ the earlier years are 2018 and 2019.
    poor = {name: 0 for name in TOWN_MANUAL}
    rows = [town("P", **poor), town("Q", **poor), town("R", **poor), town("S")]
    history = [
        {"unit_id": "P", "year": 2018, "grade": "不合格"},
        {"unit_id": "P", "year": 2019, "grade": "不合格"},  # 2018, 2019, 2020 ⇒ accountability
        {"unit_id": "Q", "year": 2018, "grade": "合格"},
        {"unit_id": "Q", "year": 2019, "grade": "不合格"},  # only 2019 and 2020 ⇒ no
        {"unit_id": "R", "year": 2017, "grade": "不合格"},
        {"unit_id": "R", "year": 2019, "grade": "不合格"},  # 2018 missing: not consecutive ⇒ no
        {"unit_id": "S", "year": 2018, "grade": "不合格"},
        {"unit_id": "S", "year": 2019, "grade": "不合格"},  # met the targets in 2020 ⇒ no
    ]
    out = both(kaohe.load_scheme(S2), rows, history)
    assert out["P"]["final_score"] == pytest.approx(48)
    assert [out[u]["grade"] for u in "PQRS"] == ["不合格", "不合格", "不合格", "合格"]
    assert [out[u]["accountability"] for u in "PQRS"] == [True, False, False, False]


# ----------------------------------------------------------------------------------- the county demo
DEMO = Path(kaohe.__file__).parent / "data" / "demo"


def test_the_county_demo_scores_with_both_evaluators() -> None:
    scheme = kaohe.load_scheme(S2)
    units = pl.read_csv(DEMO / "county_units.csv")
    inputs = pl.read_csv(DEMO / "county_inputs.csv", infer_schema_length=None)
    assert units["unit_id"].to_list() == inputs["unit_id"].to_list()
    counts = dict(inputs.group_by("sequence").len().iter_rows())
    assert 12 <= counts["towns_parks"] <= 18 and 17 <= counts["departments"] <= 24
    checked = check_inputs(scheme, inputs)
    rows = [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in checked.to_dicts()
    ]
    fast = kaohe.score(scheme, inputs)
    slow = {r["unit_id"]: r for r in score_reference(scheme, rows)}
    assert not fast["blocked"].any()
    for r in fast.to_dicts():
        assert r["final_score"] == pytest.approx(slow[r["unit_id"]]["final_score"])
        assert (r["rank"], r["advanced"], r["interview"]) == (
            slow[r["unit_id"]]["rank"], slow[r["unit_id"]]["advanced"], slow[r["unit_id"]]["interview"],
        )  # fmt: skip
    for seq, n in counts.items():
        part = fast.filter(pl.col("sequence") == seq)
        assert part["advanced"].sum() <= n // 3
        assert part["interview"].sum() >= 3
