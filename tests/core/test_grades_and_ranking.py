"""Totals, grades after the special rules, missing inputs, ranking, 先进/约谈 and accountability.

Seeds: 000 art. 6 (特别重大事件 ⇒ 不得确定为优秀), art. 10 (数据造假 ⇒ 不合格, 政务失信); 001 四(三)
(否决项 ⇒ 不合格; 降档项 ⇒ 扣分后降档; 加分原则上不超过5分); 002 art. 16–18, 20 (序列排名, 前三分之一先进,
后三位约谈, 连续3年未完成 ⇒ 问责).
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest

from tests.core.helpers import scheme_from, score_both

BASE_DOC: dict[str, Any] = {
    "id": "t",
    "name": "测试",
    "year": 2022,
    "total_points": 100,
    "grading": {"bands": [{"grade": "优秀", "min": 90}, {"grade": "良好", "min": 80}, {"grade": "合格", "min": 60}, {"grade": "不合格"}]},
    "ranking": {"advanced": {"share": 1 / 3}, "interview": {"bottom": 3}, "accountability": {"years": 3}},
    "sequences": [{"id": "d", "name": "区"}],
    "inputs": [
        {"id": "s", "name": "得分", "min": 0, "max": 100},
        {"id": "b1", "name": "加分1", "min": 0},
        {"id": "b2", "name": "加分2", "min": 0},
        {"id": "d1", "name": "扣分事件", "kind": "integer", "min": 0},
        {"id": "incident", "name": "特别重大事件", "kind": "boolean"},
        {"id": "late", "name": "整改未按期", "kind": "boolean"},
        {"id": "binding", "name": "约束性指标未完成", "kind": "boolean"},
        {"id": "fake", "name": "数据造假", "kind": "boolean"},
        {"id": "ban", "name": "区域限批", "kind": "boolean"},
    ],
    "indicators": [{"id": "x", "name": "综合", "points": 100, "rule": {"kind": "manual", "input": "s"}}],
    "bonus_items": [
        {"id": "B1", "name": "加分一", "points": 5, "rule": {"kind": "per_count", "awards": [{"input": "b1", "per": 1, "label": "创新"}]}},
        {"id": "B2", "name": "加分二", "points": 5, "rule": {"kind": "per_count", "awards": [{"input": "b2", "per": 1, "label": "示范"}]}},
    ],
    "bonus_cap": 5,
    "deduction_items": [
        {"id": "D1", "name": "扣分一", "rule": {"kind": "per_count", "awards": [{"input": "d1", "per": 20, "label": "重大事件"}]}}
    ],
    "special": {
        "never_excellent": [{"id": "R1", "name": "特别重大事件", "when": {"input": "incident"}}],
        "downgrade": [
            {"id": "R3a", "name": "整改未按期", "when": {"input": "late"}},
            {"id": "R3b", "name": "约束性指标未完成", "when": {"input": "binding"}},
        ],
        "falsification": [{"id": "R5", "name": "数据造假", "when": {"input": "fake"}}],
        "no_advanced": [{"id": "R7", "name": "区域限批", "when": {"input": "ban"}}],
    },
}
NEUTRAL = {"s": 85, "b1": 0, "b2": 0, "d1": 0, "incident": False, "late": False, "binding": False, "fake": False, "ban": False}


def make(**changes: Any) -> Any:
    doc = json.loads(json.dumps(BASE_DOC))
    doc.update(changes)
    return scheme_from(json.dumps(doc, ensure_ascii=False))


def one(scheme: Any, **row: Any) -> dict[str, Any]:
    return score_both(scheme, [{**NEUTRAL, **row}])[0]


@pytest.mark.parametrize(("s", "grade"), [(95, "优秀"), (90, "优秀"), (89.99, "良好"), (80, "良好"), (60, "合格"), (59.5, "不合格")])
def test_it_grades_by_the_configured_bands(s: float, grade: str) -> None:
    assert one(make(), s=s)["grade"] == grade


def test_it_caps_total_bonus_at_five_in_principle() -> None:
    # seed 001 四(三)3: 3 + 4 = 7 bonus points ⇒ 5; final 85 + 5 = 90 ⇒ 优秀
    row = one(make(), b1=3, b2=4)
    assert (row["bonus"], row["final_score"], row["grade"]) == (5, 90, "优秀")


def with_cap_input() -> Any:
    doc = json.loads(json.dumps(BASE_DOC))
    doc["inputs"].append({"id": "cap", "name": "经研究确定的加分上限", "min": 0})
    doc["bonus_cap_input"] = "cap"
    return scheme_from(json.dumps(doc, ensure_ascii=False))


@pytest.mark.parametrize(
    ("cap", "bonus", "final"),
    [
        (None, 5, 90),  # no decision recorded: the usual cap, 3 + 4 = 7 ⇒ 5
        (8, 7, 92),  # the office allowed up to 8 for this unit ⇒ the full 7 counts
        (6, 6, 91),  # allowed 6 ⇒ 7 is cut to 6
        (3, 3, 88),  # a decision may also lower it
    ],
)
def test_the_office_may_decide_another_bonus_cap_for_a_unit(cap: float | None, bonus: float, final: float) -> None:
    # seed 001 四(三)3 "原则上加分项上限为5分": "in principle" leaves the office room to decide otherwise per unit
    row = one(with_cap_input(), b1=3, b2=4, cap=cap)
    assert (row["bonus"], row["final_score"]) == (bonus, final)


def test_it_caps_each_bonus_item_before_the_total() -> None:
    # B1 counts 7 × 1 = 7, capped at its own 5; B2 0 ⇒ bonus 5
    assert one(make(bonus_cap=None), b1=7)["bonus"] == 5


def test_it_subtracts_deduction_items_without_a_floor_by_default() -> None:
    # seed 004 D4-like: 2 events × 20 = 40 ⇒ 85 − 40 = 45 ⇒ 不合格
    row = one(make(), d1=2)
    assert (row["deduction"], row["final_score"], row["grade"]) == (40, 45, "不合格")


def test_it_never_grades_excellent_after_a_particularly_serious_incident() -> None:
    # seed 000 art. 6: 95 ⇒ 优秀 is capped at 良好; 85 (良好) is left alone
    assert one(make(), s=95, incident=True)["grade"] == "良好"
    assert one(make(), s=85, incident=True)["grade"] == "良好"


def test_it_downgrades_after_scoring_one_grade_and_not_below_fail() -> None:
    # seed 001 四(三)2: 先扣分再降档
    assert one(make(), s=95, late=True)["grade"] == "良好"
    assert one(make(), s=40, late=True)["grade"] == "不合格"


def test_it_does_not_stack_downgrades_unless_configured() -> None:
    assert one(make(), s=95, late=True, binding=True)["grade"] == "良好"
    special = {**BASE_DOC["special"], "downgrade_stacking": True}
    assert one(make(special=special), s=95, late=True, binding=True)["grade"] == "合格"


def test_it_applies_the_downgrade_before_the_excellent_cap() -> None:
    # RULES.md §5.4: 优秀 ⇒ downgrade ⇒ 良好; the never-优秀 cap then has no effect (not 合格)
    assert one(make(), s=95, late=True, incident=True)["grade"] == "良好"


def test_it_vetoes_to_fail_whatever_the_score() -> None:
    # seed 001 四(三)1: 特别重大事件 ⇒ 不合格, even at 98 points
    special = {"veto": [{"id": "R2", "name": "特别重大事件", "when": {"input": "incident"}}]}
    row = one(make(special=special), s=98, incident=True)
    assert (row["final_score"], row["grade"], row["flags"]) == (98, "不合格", ["R2"])


def test_it_fails_falsified_data_and_flags_the_dishonesty_record() -> None:
    # seed 000 art. 10: 数据造假 ⇒ 直接确定为不合格 + 政务失信记录
    row = one(make(), s=99, fake=True)
    assert (row["grade"], row["dishonesty_record"]) == ("不合格", True)
    assert one(make(), s=99)["dishonesty_record"] is False


def test_it_scores_zero_and_reports_a_missing_input_under_the_zero_policy() -> None:
    row = one(make(), s=None)
    assert (row["x"], row["final_score"], row["blocked"], row["missing"]) == (0, 0, False, ["x/s"])


def test_it_blocks_the_result_when_a_blocking_input_is_missing() -> None:
    scheme = make(missing_policy="block")
    rows = score_both(scheme, [{**NEUTRAL, "unit_id": "a", "s": None}, {**NEUTRAL, "unit_id": "b"}])
    a, b = rows
    assert (a["blocked"], a["final_score"], a["grade"], a["rank"]) == (True, None, None, None)
    assert (b["blocked"], b["rank"]) == (False, 1)


def _ranked(scores: list[float], **extra: Any) -> dict[str, dict[str, Any]]:
    rows = [{**NEUTRAL, "unit_id": f"u{i:02d}", "s": s, **extra.get(f"u{i:02d}", {})} for i, s in enumerate(scores)]
    return {r["unit_id"]: r for r in score_both(make(), rows)}


def test_it_marks_the_top_third_advanced_and_the_bottom_three_for_interview() -> None:
    # seed 002 art. 17/18: 9 units ⇒ ⌊9/3⌋ = 3 先进; 后三位 ⇒ 约谈
    got = _ranked([99, 95, 91, 88, 85, 80, 75, 70, 65])
    assert [u for u, r in got.items() if r["advanced"]] == ["u00", "u01", "u02"]
    assert [u for u, r in got.items() if r["interview"]] == ["u06", "u07", "u08"]
    assert [got[u]["rank"] for u in sorted(got)] == list(range(1, 10))


def test_it_rounds_the_top_third_down_by_default() -> None:
    got = _ranked([99, 95, 91, 88, 85, 80, 75, 70, 65, 60])  # 10 units ⇒ ⌊10/3⌋ = 3
    assert sum(r["advanced"] for r in got.values()) == 3


def test_it_ranks_ties_together_and_includes_ties_at_the_interview_boundary() -> None:
    # 90, 80, 80, 70, 70: ranks 1, 2, 2, 4, 4; bottom three positions are 3–5 ⇒ both 80s occupy position 3 ⇒ 约谈
    got = _ranked([90, 80, 80, 70, 70])
    assert [got[u]["rank"] for u in sorted(got)] == [1, 2, 2, 4, 4]
    assert [got[u]["interview"] for u in sorted(got)] == [False, True, True, True, True]


def test_it_keeps_a_vetoed_unit_out_of_the_advanced_list_without_freeing_its_slot() -> None:
    # seed 002 art. 9(三): 区域限批 ⇒ 不得评为先进单位 (the freed slot is [OPEN]; it is not given away)
    got = _ranked([99, 95, 91, 88, 85, 80, 75, 70, 65], u00={"ban": True})
    assert [u for u, r in got.items() if r["advanced"]] == ["u01", "u02"]
    assert got["u00"]["flags"] == ["R7"]


def test_it_flags_accountability_after_three_consecutive_unmet_years() -> None:
    # seed 002 art. 20: 连续3年未完成 ⇒ 启动问责; 2022 不合格 + 2021, 2020 不合格 ⇒ yes; only 2021 ⇒ no
    history = pl.DataFrame({"unit_id": ["a", "a", "b"], "year": [2020, 2021, 2021], "grade": ["不合格", "不合格", "不合格"]})
    rows = score_both(make(), [{**NEUTRAL, "unit_id": "a", "s": 50}, {**NEUTRAL, "unit_id": "b", "s": 50}], history)
    assert [r["accountability"] for r in rows] == [True, False]


def test_it_does_not_flag_accountability_when_this_year_is_met() -> None:
    history = pl.DataFrame({"unit_id": ["a", "a"], "year": [2020, 2021], "grade": ["不合格", "不合格"]})
    assert score_both(make(), [{**NEUTRAL, "unit_id": "a", "s": 70}], history)[0]["accountability"] is False


def test_it_scores_each_sequence_on_its_own_indicators_and_ranks_them_apart() -> None:
    # seed 002 art. 9/10/16: towns and departments score different content and are ranked separately
    doc = {
        "id": "t2", "name": "两序列", "year": 2022, "total_points": 100,
        "sequences": [{"id": "town", "name": "乡镇", "indicators": ["T"]}, {"id": "dept", "name": "部门", "indicators": ["P"]}],
        "inputs": [{"id": "t", "name": "乡镇得分", "min": 0, "max": 100}, {"id": "p", "name": "部门得分", "min": 0, "max": 100}],
        "indicators": [
            {"id": "T", "name": "乡镇内容", "points": 100, "rule": {"kind": "manual", "input": "t"}},
            {"id": "P", "name": "部门内容", "points": 100, "rule": {"kind": "manual", "input": "p"}},
        ],
    }
    scheme = scheme_from(json.dumps(doc, ensure_ascii=False))
    rows = [
        {"unit_id": "t1", "sequence": "town", "t": 80},
        {"unit_id": "t2", "sequence": "town", "t": 90},
        {"unit_id": "p1", "sequence": "dept", "p": 70},  # a department's missing town input is not "missing"
    ]
    got = {r["unit_id"]: r for r in score_both(scheme, rows)}
    assert (got["t2"]["rank"], got["t1"]["rank"], got["p1"]["rank"]) == (1, 2, 1)
    assert got["p1"]["T"] is None and got["p1"]["final_score"] == 70 and got["p1"]["missing"] == []


def test_it_counts_the_top_third_exactly_for_large_sequences() -> None:
    # seed 002 art. 17: 33 units ⇒ ⌊33/3⌋ = 11 (a 10-digit 0.3333333333 would give 10); "1/3" is exact
    ranking = {**BASE_DOC["ranking"], "advanced": {"share": "1/3"}}
    rows = [{**NEUTRAL, "unit_id": f"u{i:02d}", "s": 100 - i} for i in range(33)]
    assert sum(r["advanced"] for r in score_both(make(ranking=ranking), rows)) == 11
    rows = [{**NEUTRAL, "unit_id": f"u{i:02d}", "s": 100 - i} for i in range(36)]
    assert sum(r["advanced"] for r in score_both(make(ranking=ranking), rows)) == 12


def test_it_interviews_failing_units_when_the_scheme_says_so() -> None:
    # seed 000 art. 9: 考核结果为不合格的 ⇒ 约谈; not a bottom-N rule
    ranking = {"interview": {"grades": ["不合格"]}}
    rows = score_both(make(ranking=ranking), [{**NEUTRAL, "unit_id": "a", "s": 95}, {**NEUTRAL, "unit_id": "b", "s": 50}])
    assert [r["interview"] for r in rows] == [False, True]


def test_a_special_rule_limited_to_one_sequence_neither_applies_nor_needs_inputs_elsewhere() -> None:
    special = {"veto": [{"id": "R2", "name": "事件", "when": {"input": "incident"}, "sequences": ["d"]}]}
    sequences = [{"id": "d", "name": "区"}, {"id": "dept", "name": "部门"}]
    scheme = make(special=special, sequences=sequences)
    rows = score_both(scheme, [
        {**NEUTRAL, "unit_id": "a", "s": 95, "incident": True},
        {**NEUTRAL, "unit_id": "b", "s": 95, "incident": True, "sequence": "dept"},
        {**NEUTRAL, "unit_id": "c", "s": 95, "incident": None, "sequence": "dept"},
    ])
    assert [r["grade"] for r in rows] == ["不合格", "优秀", "优秀"]
    assert rows[2]["missing"] == []


def test_accountability_counts_back_from_the_given_assessment_year() -> None:
    # the same scheme used for 2024: 2022 and 2023 不合格 + 2024 不合格 ⇒ accountability
    history = pl.DataFrame({"unit_id": ["a", "a"], "year": [2022, 2023], "grade": ["不合格", "不合格"]})
    import kaohe
    from tests.core.helpers import frame_for

    scheme = make()
    frame = frame_for(scheme, [{**NEUTRAL, "unit_id": "a", "s": 50}])
    assert kaohe.score(scheme, frame, history, year=2024)["accountability"].to_list() == [True]
    assert kaohe.score(scheme, frame, history)["accountability"].to_list() == [False]  # scheme year 2022


def test_text_columns_are_read_like_input_files_by_the_library_call() -> None:
    # a frame built from text (是/否, "95") scores as the typed frame would; a bad cell is a located problem
    import kaohe
    from kaohe.core import InputTableError

    scheme = make()
    text = pl.DataFrame({"unit_id": ["a"], "sequence": ["d"], **{k: [str(v) if not isinstance(v, bool) else ("是" if v else "否")] for k, v in NEUTRAL.items()}})
    text = text.with_columns(pl.lit("95").alias("s"), pl.lit("是").alias("incident"))
    row = kaohe.score(scheme, text).row(0, named=True)
    assert (row["final_score"], row["grade"]) == (95, "良好")  # 95 ⇒ 优秀, capped by 特别重大事件
    with pytest.raises(InputTableError) as info:
        kaohe.score(scheme, text.with_columns(pl.lit("也许").alias("fake")))
    assert str(info.value.problems[0]) == "row 2, column fake: '也许' is not valid; expected 是/否 (yes/no, true/false, 1/0)"
