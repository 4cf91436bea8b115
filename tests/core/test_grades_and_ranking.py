"""Totals, grades after the special rules, missing inputs, ranking, 先进/约谈 and accountability.

Seeds: 000 art. 6 (特别重大事件 ⇒ 不得确定为优秀), art. 10 (数据造假 ⇒ 不合格, 政务失信); 001 四(三)
(否决项 ⇒ 不合格; 降档项 ⇒ 扣分后降档; 加分原则上不超过5分); 002 art. 16–18, 20 (序列排名, 前三分之一先进,
后三位约谈, 连续3年未完成 ⇒ 问责).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl
import pytest

from kaohe.core import Scheme
from tests.core.helpers import scheme_from, score_both

BASE_DOC: dict[str, Any] = {
    "id": "t",
    "name": "测试",
    "year": 2022,
    "total_points": 100,
    "grading": {
        "bands": [
            {"grade": "优秀", "min": 90},
            {"grade": "良好", "min": 80},
            {"grade": "合格", "min": 60},
            {"grade": "不合格"},
        ]
    },
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
        {
            "id": "B1",
            "name": "加分一",
            "points": 5,
            "rule": {"kind": "per_count", "awards": [{"input": "b1", "per": 1, "label": "创新"}]},
        },
        {
            "id": "B2",
            "name": "加分二",
            "points": 5,
            "rule": {"kind": "per_count", "awards": [{"input": "b2", "per": 1, "label": "示范"}]},
        },
    ],
    "bonus_cap": 5,
    "deduction_items": [
        {
            "id": "D1",
            "name": "扣分一",
            "rule": {"kind": "per_count", "awards": [{"input": "d1", "per": 20, "label": "重大事件"}]},
        }
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
NEUTRAL = {
    "s": 85,
    "b1": 0,
    "b2": 0,
    "d1": 0,
    "incident": False,
    "late": False,
    "binding": False,
    "fake": False,
    "ban": False,
}


def make(**changes: Any) -> Scheme:
    doc = json.loads(json.dumps(BASE_DOC))
    doc.update(changes)
    return scheme_from(json.dumps(doc, ensure_ascii=False))


def one(scheme: Scheme, **row: Any) -> dict[str, Any]:
    return score_both(scheme, [{**NEUTRAL, **row}])[0]


@pytest.mark.parametrize(
    ("s", "grade"), [(95, "优秀"), (90, "优秀"), (89.99, "良好"), (80, "良好"), (60, "合格"), (59.5, "不合格")]
)
def test_it_grades_by_the_configured_bands(s: float, grade: str) -> None:
    assert one(make(), s=s)["grade"] == grade


def test_it_caps_total_bonus_at_five_in_principle() -> None:
    # seed 001 四(三)3: 3 + 4 = 7 bonus points ⇒ 5; final 85 + 5 = 90 ⇒ 优秀
    row = one(make(), b1=3, b2=4)
    assert (row["bonus"], row["final_score"], row["grade"]) == (5, 90, "优秀")


def with_cap_input() -> Scheme:
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


def _ranked(scores: list[float], ranking: dict[str, Any] | None = None, **extra: Any) -> dict[str, dict[str, Any]]:
    rows = [{**NEUTRAL, "unit_id": f"u{i:02d}", "s": s, **extra.get(f"u{i:02d}", {})} for i, s in enumerate(scores)]
    return {r["unit_id"]: r for r in score_both(make(**({"ranking": ranking} if ranking else {})), rows)}


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


def test_it_keeps_a_vetoed_unit_out_of_the_advanced_list_without_freeing_its_slot_if_told() -> None:
    # seed 002 art. 9(三): 区域限批 ⇒ 不得评为先进单位; by_score + leave_empty: u00 keeps place 1, nobody moves up
    ranking = {**BASE_DOC["ranking"], "vetoed": "by_score", "advanced_vacated": "leave_empty"}
    got = _ranked([99, 95, 91, 88, 85, 80, 75, 70, 65], u00={"ban": True}, ranking=ranking)
    assert [u for u, r in got.items() if r["advanced"]] == ["u01", "u02"]
    assert (got["u00"]["flags"], got["u00"]["rank"], got["u00"]["vetoed"]) == (["R7"], 1, True)


# ---- vetoed units and vacated 先进 slots (ranking.vetoed, ranking.advanced_vacated) -------------------------
# R2 否决 (seed 001 四(三)1 ⇒ 不合格), R5 造假 (seed 000 art. 10 ⇒ 不合格) and R7 一票否决 (seed 002 art. 9(三)) make a
# unit vetoed; R1 (never 优秀) and R3a/R3b (降档) do not.
VETO = {"id": "R2", "name": "特别重大事件", "when": {"input": "incident"}}
CONSEQUENCE_R7 = "不得评为先进单位，不予通报表扬；党政主要领导、分管领导年度考核不得评优（第九条（三））"
CONSEQUENCE_R5 = "纳入政务失信记录，严肃追究有关单位和人员责任（第十条）"


def vetoing(**ranking: Any) -> Scheme:
    special = json.loads(json.dumps(BASE_DOC["special"]))
    special["never_excellent"] = []
    special["veto"] = [VETO]
    special["falsification"][0]["consequence"] = CONSEQUENCE_R5
    special["no_advanced"][0]["consequence"] = CONSEQUENCE_R7
    return make(special=special, ranking={**BASE_DOC["ranking"], **ranking})


def _ranked_by(scheme: Scheme, scores: Sequence[float], **extra: Any) -> dict[str, dict[str, Any]]:
    rows = [{**NEUTRAL, "unit_id": f"u{i:02d}", "s": s, **extra.get(f"u{i:02d}", {})} for i, s in enumerate(scores)]
    return {r["unit_id"]: r for r in score_both(scheme, rows)}


SIX = [95, 92, 88, 80, 70, 65]  # u01 (92, second by score) is vetoed below


def test_a_vetoed_unit_with_the_second_score_ranks_last_by_default() -> None:
    # vetoed: last (default). Not vetoed by score: u00 95 → 1, u02 88 → 2, u03 80 → 3, u04 70 → 4, u05 65 → 5;
    # then u01 (92, 否决 ⇒ 不合格) → 5 + 1 = 6. 先进 ⌊6/3⌋ = 2: u00, u02. 后三位 (places 4–6): u04, u05, u01.
    got = _ranked_by(vetoing(), SIX, u01={"incident": True})
    assert [got[f"u{i:02d}"]["rank"] for i in range(6)] == [1, 6, 2, 3, 4, 5]
    assert (got["u01"]["final_score"], got["u01"]["grade"], got["u01"]["vetoed"]) == (92, "不合格", True)
    assert [u for u, r in got.items() if r["advanced"]] == ["u00", "u02"]
    assert [u for u, r in got.items() if r["interview"]] == ["u01", "u04", "u05"]


def test_by_score_keeps_the_vetoed_unit_in_its_place() -> None:
    # vetoed: by_score ⇒ places 1–6 by score, u01 2nd; 后三位 are places 4–6: u03, u04, u05.
    # 先进 k = 2: pass_on ⇒ the two best eligible, u00 and u02 (u01's slot passes to u02); leave_empty ⇒ u00 only.
    passed = _ranked_by(vetoing(vetoed="by_score"), SIX, u01={"incident": True})
    assert [passed[f"u{i:02d}"]["rank"] for i in range(6)] == [1, 2, 3, 4, 5, 6]
    assert [u for u, r in passed.items() if r["advanced"]] == ["u00", "u02"]
    assert [u for u, r in passed.items() if r["interview"]] == ["u03", "u04", "u05"]
    empty = _ranked_by(vetoing(vetoed="by_score", advanced_vacated="leave_empty"), SIX, u01={"incident": True})
    assert [u for u, r in empty.items() if r["advanced"]] == ["u00"]


def test_vetoed_units_rank_among_themselves_by_score_and_share_ties() -> None:
    # 90, 85 (vetoed), 85 (vetoed), 80, 70 ⇒ not vetoed 90 → 1, 80 → 2, 70 → 3; the two vetoed 85s share 3 + 1 = 4.
    # 后三位 of 5 = places 3–5: 70 and both 85s (their shared place runs to 5); 80 (place 2) is not interviewed.
    got = _ranked_by(vetoing(), [90, 85, 85, 80, 70], u01={"fake": True}, u02={"ban": True})
    assert [got[f"u{i:02d}"]["rank"] for i in range(5)] == [1, 4, 4, 2, 3]
    assert [got[f"u{i:02d}"]["interview"] for i in range(5)] == [False, True, True, False, True]


@pytest.mark.parametrize(
    ("ranking", "advanced"),
    [
        # nine units, k = ⌊9/3⌋ = 3; u00 (99) is 一票否决 (R7)
        ({}, ["u01", "u02", "u03"]),  # last: u00 goes to place 9; 95, 91, 88 take places 1–3
        ({"advanced_vacated": "leave_empty"}, ["u01", "u02", "u03"]),  # the same: u00 holds no place in the first 3
        ({"vetoed": "by_score"}, ["u01", "u02", "u03"]),  # u00 keeps place 1; its slot passes to u03 (place 4)
        ({"vetoed": "by_score", "advanced_vacated": "leave_empty"}, ["u01", "u02"]),  # places 2 and 3 only
    ],
)
def test_a_vacated_advanced_slot_passes_on_or_stays_empty(ranking: dict[str, str], advanced: list[str]) -> None:
    got = _ranked_by(vetoing(**ranking), [99, 95, 91, 88, 85, 80, 75, 70, 65], u00={"ban": True})
    assert [u for u, r in got.items() if r["advanced"]] == advanced


@pytest.mark.parametrize(("vacated", "advanced"), [("pass_on", ["u01", "u02"]), ("leave_empty", ["u01"])])
def test_a_unit_failed_by_a_downgrade_is_never_advanced(vacated: str, advanced: list[str]) -> None:
    # Not a veto (降档 keeps the score and its place): u00 65 合格, 整改未按期 ⇒ one grade down ⇒ 不合格, place 1.
    # 64, 63, 62, 61, 60 合格. k = ⌊6/3⌋ = 2: pass_on ⇒ the two best eligible, u01 and u02; leave_empty ⇒ places
    # 1–2 minus u00 ⇒ u01.
    got = _ranked_by(vetoing(advanced_vacated=vacated), [65, 64, 63, 62, 61, 60], u00={"late": True})
    assert (got["u00"]["grade"], got["u00"]["rank"], got["u00"]["vetoed"]) == ("不合格", 1, False)
    assert [u for u, r in got.items() if r["advanced"]] == advanced


@pytest.mark.parametrize("vetoed", ["last", "by_score"])
@pytest.mark.parametrize("vacated", ["pass_on", "leave_empty"])
def test_a_failing_unit_is_never_advanced(vetoed: str, vacated: str) -> None:
    # 55, 50, 45, 40, 35, 30: all below 60 ⇒ 不合格 ⇒ no 先进 although k = 2; a 99 with falsified data (不合格) neither
    scheme = vetoing(vetoed=vetoed, advanced_vacated=vacated)
    assert not any(r["advanced"] for r in _ranked_by(scheme, [55, 50, 45, 40, 35, 30]).values())
    got = _ranked_by(scheme, [99, 55, 50], u00={"fake": True})
    assert (got["u00"]["grade"], got["u00"]["advanced"]) == ("不合格", False)


def test_a_vetoed_unit_is_never_advanced_without_grade_bands() -> None:
    # no grading ⇒ grade None; 限批 (R7) still bars 先进: 3 units, k = 1 ⇒ u01 (the best not vetoed)
    doc = json.loads(json.dumps(BASE_DOC))
    del doc["grading"]
    got = _ranked_by(scheme_from(json.dumps(doc, ensure_ascii=False)), [99, 95, 91], u00={"ban": True})
    assert [(r["grade"], r["advanced"]) for r in got.values()] == [(None, False), (None, True), (None, False)]


def test_the_consequences_of_a_veto_are_recorded_on_the_result() -> None:
    # seed 002 art. 9(三): 一票否决 ⇒ 不得评为先进单位，不予通报表扬；党政主要领导、分管领导年度考核不得评优
    got = _ranked_by(
        vetoing(), [90, 80, 70, 60], u00={"ban": True}, u01={"fake": True, "ban": True}, u02={"late": True}
    )
    assert got["u00"]["consequences"] == [CONSEQUENCE_R7]
    assert got["u01"]["consequences"] == [CONSEQUENCE_R5, CONSEQUENCE_R7]  # in the order of the flags: R5, R7
    assert (got["u02"]["consequences"], got["u02"]["vetoed"]) == ([], False)  # 降档 is no veto and declares none
    assert (got["u03"]["consequences"], got["u03"]["vetoed"]) == ([], False)


def test_a_blocked_result_is_neither_vetoed_nor_given_consequences() -> None:
    # missing_policy block: no result to set aside, as for dishonesty_record
    scheme = vetoing().model_copy(update={"missing_policy": "block"})
    got = _ranked_by(scheme, [90, 80], u00={"s": None, "ban": True})
    assert (got["u00"]["blocked"], got["u00"]["vetoed"], got["u00"]["consequences"], got["u00"]["rank"]) == (
        True,
        False,
        [],
        None,
    )


def test_it_flags_accountability_after_three_consecutive_unmet_years() -> None:
    # seed 002 art. 20: 连续3年未完成 ⇒ 启动问责; 2022 不合格 + 2021, 2020 不合格 ⇒ yes; only 2021 ⇒ no
    history = pl.DataFrame(
        {"unit_id": ["a", "a", "b"], "year": [2020, 2021, 2021], "grade": ["不合格", "不合格", "不合格"]}
    )
    rows = score_both(make(), [{**NEUTRAL, "unit_id": "a", "s": 50}, {**NEUTRAL, "unit_id": "b", "s": 50}], history)
    assert [r["accountability"] for r in rows] == [True, False]


def test_it_does_not_flag_accountability_when_this_year_is_met() -> None:
    history = pl.DataFrame({"unit_id": ["a", "a"], "year": [2020, 2021], "grade": ["不合格", "不合格"]})
    assert score_both(make(), [{**NEUTRAL, "unit_id": "a", "s": 70}], history)[0]["accountability"] is False


def test_it_scores_each_sequence_on_its_own_indicators_and_ranks_them_apart() -> None:
    # seed 002 art. 9/10/16: towns and departments score different content and are ranked separately
    doc = {
        "id": "t2",
        "name": "两序列",
        "year": 2022,
        "total_points": 100,
        "sequences": [
            {"id": "town", "name": "乡镇", "indicators": ["T"]},
            {"id": "dept", "name": "部门", "indicators": ["P"]},
        ],
        "inputs": [
            {"id": "t", "name": "乡镇得分", "min": 0, "max": 100},
            {"id": "p", "name": "部门得分", "min": 0, "max": 100},
        ],
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
    rows = score_both(
        make(ranking=ranking), [{**NEUTRAL, "unit_id": "a", "s": 95}, {**NEUTRAL, "unit_id": "b", "s": 50}]
    )
    assert [r["interview"] for r in rows] == [False, True]


def test_a_special_rule_limited_to_one_sequence_neither_applies_nor_needs_inputs_elsewhere() -> None:
    special = {"veto": [{"id": "R2", "name": "事件", "when": {"input": "incident"}, "sequences": ["d"]}]}
    sequences = [{"id": "d", "name": "区"}, {"id": "dept", "name": "部门"}]
    scheme = make(special=special, sequences=sequences)
    rows = score_both(
        scheme,
        [
            {**NEUTRAL, "unit_id": "a", "s": 95, "incident": True},
            {**NEUTRAL, "unit_id": "b", "s": 95, "incident": True, "sequence": "dept"},
            {**NEUTRAL, "unit_id": "c", "s": 95, "incident": None, "sequence": "dept"},
        ],
    )
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
    text = pl.DataFrame(
        {
            "unit_id": ["a"],
            "sequence": ["d"],
            **{k: [str(v) if not isinstance(v, bool) else ("是" if v else "否")] for k, v in NEUTRAL.items()},
        }
    )
    text = text.with_columns(pl.lit("95").alias("s"), pl.lit("是").alias("incident"))
    row = kaohe.score(scheme, text).row(0, named=True)
    assert (row["final_score"], row["grade"]) == (95, "良好")  # 95 ⇒ 优秀, capped by 特别重大事件
    with pytest.raises(InputTableError) as info:
        kaohe.score(scheme, text.with_columns(pl.lit("也许").alias("fake")))
    assert (
        str(info.value.problems[0]) == "row 2, column fake: “也许” 不是有效值，应为是或否 "
        "('也许' is not valid; expected 是/否 (yes/no, true/false, 1/0))"
    )
