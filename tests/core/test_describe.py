"""kaohe.core.describe: a scheme's rules, special rules and ranking settings in words.

Each expected sentence is written from the YAML of the built-in scheme (values, input names and units), not
copied from output.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from kaohe.core import load_scheme, load_scheme_text
from kaohe.core.describe import (
    chinese_note,
    describe_node,
    describe_scheme,
    node_rule_text,
    ranking_lines,
    share_text,
)

XX = "xx-city-2020"


def rule_of(scheme_id: str, node_id: str) -> str:
    scheme = load_scheme(scheme_id)
    return node_rule_text(scheme, scheme.node(node_id))


@pytest.mark.parametrize(
    ("scheme_id", "node_id", "expected"),
    [
        # deduct, per section with a waiver, and an in-indicator bonus capped at 20 (S4 1.1)
        (
            XX,
            "1.1",
            "按“水十条”考核断面逐个计算；月度水质不达标，每月次扣 5 分；水质反弹为劣Ⅴ类，每月次扣 10 分；"
            "各断面年均值达到年度目标的，免扣其扣分；扣完为止。"
            "另加分：年均水质类别较上一年度升类的断面，每个加 5 分；加分不超过 20 分。",
        ),
        # deduct with a per-section factor and a per-element rate (S4 1.3: 省控 10, others 5, 年均值 ≤ Ⅴ ⇒ 50 %)
        (
            XX,
            "1.3",
            "按县控以上断面逐个计算；水质反弹劣Ⅴ类，每月次扣 5 分（各断面是否省控(含国控)断面为是的，每月次扣 10 分）；"
            "各断面年均值达到或优于Ⅴ类的，其扣分按 50% 计算；扣完为止。",
        ),
        # deduct with a whole-item factor (S4 3.14 减半扣分)
        (
            XX,
            "3.14",
            "省级检查中被通报或点名批评，每项扣 10 分；"
            "长江经济带整改工作被省级部门通报表扬的，扣分按 50% 计算；扣完为止。",
        ),
        # threshold (S4 2.4)
        (XX, "2.4", "降尘量不高于降尘量考核目标值的，得满分 20 分；否则不得分。"),
        # target_band with the ≥90 % soft zone (S4 2.2)
        (
            XX,
            "2.2",
            "环境空气优良天数比例达到力争目标（优良天数比例力争目标值）得 60 分；"
            "达到确保目标（优良天数比例确保目标值）得 54 分；其间按比例得分；"
            "未达到确保目标的，每差 1 个百分点扣 2 分（"
            "其中环境空气优良天数比例 ≥ 90% 的部分，每差 1 个百分点扣 1 分），"
            "扣完为止。",
        ),
        # adjust, lower is better, proportional part-steps, max 20 (S4 2.3)
        (
            XX,
            "2.3",
            "PM10年均浓度不高于目标（PM10年均浓度考核目标值）得 16 分；每比目标低 1 µg/m³ 加 2 分，最多 20 分；"
            "每比目标高 1 µg/m³ 扣 3 分，扣完为止；不足 1 µg/m³ 的按比例计算。",
        ),
        # tiered by category; brackets with an override as the bonus (S4 1.2)
        (
            XX,
            "1.2",
            "河道交接断面水质评定等级：优秀得 60 分，良好得 45 分，合格得 30 分，不合格但至少一项指标合格得 10 分，"
            "所有指标不合格得 0 分。另加分：交接断面高锰酸盐指数较上年均值改善比例、交接断面氨氮较上年均值改善比例、"
            "交接断面总磷较上年均值改善比例每项：高于 0%、低于 20% 的加 2 分，不低于 20%、低于 50% 的加 3 分，"
            "不低于 50% 的加 5 分，各项相加；交界断面水质评定等级提高一个等级"
            "（交接断面评定等级较上年变化(提高为正)不低于 1 级）的，加 10 分，不重复加分；加分不超过 10 分。",
        ),
        # linear with a floor of 0 below the first anchor (S4 1.4.1; the input's range is 0–100 %)
        (
            XX,
            "1.4.1",
            "县级集中式饮用水源地水质达标率为 90% 得 0 分，100% 得 10 分，其间按比例计分；低于 90% 的得 0 分。",
        ),
        # linear extrapolated below, with the node's floor −10 (S4 3.12.1)
        (
            XX,
            "3.12.1",
            "生态保护与环境治理业年度投资增长率为 0% 得 0 分，10% 得 10 分，其间按比例计分；"
            "低于 0% 的按同一比例继续计算（可为负分）；高于 10% 的得 10 分。最低 -10 分（从总分中扣减）。",
        ),
        # manual with full marks when the striving target is met (S4 2.1)
        (
            XX,
            "2.1",
            "由牵头单位核实人核定得分（0 至 100 分）；PM2.5年均浓度不高于PM2.5年均浓度力争目标值的，得满分。",
        ),
        # rank_share without and with a target gate (S4 3.13.3, 3.13.2)
        (
            XX,
            "3.13.3",
            "在本序列内按湿地保护率比较：最高的得满分，"
            "最差的得 60% 分数，其间按数值比例得分；全序列数值相同时均得满分。",
        ),
        (
            XX,
            "3.13.2",
            "完成目标的得 60% 分数，未完成的按重点生物物种种数保护率指标完成率(实际÷市下达指标)按比例得分；"
            "其余 40% 分数在本序列内按重点生物物种种数保护率比较：最高的得全部，最差的得其中 0%，其间按数值比例得分。",
        ),
        # rank_points with a penalty, in a bonus item (S4 B15 (1))
        (
            XX,
            "B15.1",
            "在本序列内按公众对生态环境质量满意度分值排名（越高越靠前）："
            "第 1 名加 5 分，第 2 名加 4 分，第 3 名加 3 分；"
            "数值相同的名次并列，取较前名次。从本项总分中扣分：满意度得分比上一年下降"
            "（满意度分值较上年提升值低于 0 分），扣 1 分；扣完为止。本项最多加 5 分。",
        ),
        # per_count in a bonus and in a deduction item; a yes/no input counts once (S4 B17, D3)
        (XX, "B17", "建成永久性再生资源分拣中心的，加 5 分。本项最多加 5 分。"),
        (
            XX,
            "D3",
            "未落实国家领导重要批示，每次扣 50 分；"
            "未落实省领导重要批示，每次扣 20 分；未落实市领导重要批示，每次扣 10 分。",
        ),
        # share against a constant with the input's unit (seed 002 9.1.2: 每季度召开党委会议)
        (
            "county-party-government",
            "9.1.2",
            "按完成比例得分：6 分 × 党委会议研究部署生态文明建设和环境保护的季度数 ÷ 4 季度，最多 6 分，最少 0 分。",
        ),
        # threshold on an any/not condition (seed 001 三(三))
        (
            "jilin-2021-2025",
            "C3.2",
            "未完成国家下达的约束性指标任务为否或生态环境保护相关财政支出增长率高于 0% 的，得满分 2 分；否则不得分。",
        ),
    ],
)
def test_it_says_each_rule_kind_in_words(scheme_id: str, node_id: str, expected: str) -> None:
    assert rule_of(scheme_id, node_id) == expected


def test_it_names_the_kind_points_units_and_inputs_of_a_node() -> None:
    scheme = load_scheme(XX)
    text = describe_node(scheme, scheme.node("2.3"), depth=1)
    assert (text.id, text.name, text.points, text.kind, text.rule_kind) == (
        "2.3",
        "PM10年均浓度达到年度考核要求",
        "20 分",
        "基本指标",
        "按差值加扣分",
    )
    assert text.lead_unit == "区大气办"
    assert text.responsible_units == ("区大气和土壤污染防治领导小组成员单位",)
    assert [i.label for i in text.inputs] == [
        "PM10年均浓度 (µg/m³) [pm10_mean]",
        "PM10年均浓度考核目标值 (µg/m³) [pm10_target]",
    ]
    assert text.clause.startswith("达到考核要求,得16分;")  # the seed's own words, verbatim


def test_a_bonus_items_points_are_its_cap() -> None:
    scheme = load_scheme(XX)
    text = describe_node(scheme, scheme.node("B17"))
    assert (text.points, text.kind, text.rule_kind) == ("最多 5 分", "加分项", "加分")


def test_it_shows_chinese_notes_and_drops_english_developer_notes() -> None:
    # seed 001 C1.1.1: "assumed — 达到力争目标值得5分,…"; S4 1.4.1's note is an English explanation of the OCR
    scheme = load_scheme("jilin-2021-2025")
    assert describe_node(scheme, scheme.node("C1.1.1")).note.startswith("假定：达到力争目标值得5分")
    xx = load_scheme(XX)
    assert describe_node(xx, xx.node("1.4.1")).note == ""
    assert chinese_note("assumed after seed 004 item 1.4 — 100% 得满分,低于90%不得分,其间按比例。") == (
        "假定：100% 得满分,低于90%不得分,其间按比例。"
    )
    assert (
        chinese_note("The halving applies to the whole deduction of the item when the rectification was praised.") == ""
    )


def test_it_says_special_rules_without_their_ids() -> None:
    text = describe_scheme(load_scheme("jilin-2021-2025"))
    veto, first, second = text.special
    assert (veto.kind, veto.effect) == ("否决", "考核结果直接评定为不合格")
    assert veto.name == "发生特别重大环境污染事件或生态破坏事件的,考核结果直接评定为不合格(四(三)1)"
    assert veto.condition == "发生特别重大环境污染事件或发生特别重大生态破坏事件"
    assert (first.kind, first.effect) == ("降档", "考核等级降低 1 档")
    assert first.condition == "按期完成的生态环境保护督察整改任务数低于年内应完成的生态环境保护督察整改任务数"
    assert second.condition == "未完成国家下达的约束性指标任务"
    assert "同时触发多项降档的，只按降档最多的一项计" in text.ranking  # downgrade_stacking: false
    every_word = repr(text)
    for code in ("R2", "R3a", "R3b"):
        assert code not in every_word


def test_it_says_falsification_and_never_excellent_with_consequences() -> None:
    text = describe_scheme(load_scheme("jilin-2020-campaign"))
    never, falsified = text.special
    assert (never.kind, never.effect, never.consequence) == ("不得评为优秀", "考核等级不得评为优秀", "")
    assert (falsified.kind, falsified.effect) == ("数据造假", "考核等级直接确定为不合格，纳入政务失信记录")
    assert falsified.consequence == "将相关信息纳入政务失信记录，按照有关规定严肃追究有关单位和人员责任（第十条）"
    assert "约谈：考核等级为不合格的单位" in text.ranking
    assert "被否决的单位排在所有未被否决的单位之后，彼此之间按得分排名" in text.ranking


def test_it_says_the_ranking_settings_of_seed_002() -> None:
    scheme = load_scheme("county-party-government")
    lines = ranking_lines(scheme)
    assert lines[0] == "考核等级：合格 60 分及以上；不合格 低于 60 分（按最终得分：基本分 + 加分 − 扣分）"
    assert "被否决的单位仍按得分排名" in lines  # vetoed: by_score
    assert (
        "先进：每个序列排名前三分之一的单位（名额按序列单位数计算，向下取整）；不合格、被否决或不得评为先进的单位不能评为先进"
    ) in lines
    assert "不能评为先进的单位所占的名额空缺，不递补" in lines  # advanced_vacated: leave_empty
    assert "约谈：每个序列排名后 3 位的单位（与第 3 位并列的一并约谈）" in lines
    assert "问责：连续 3 年考核等级为不合格的单位" in lines
    (special,) = describe_scheme(scheme).special
    assert (special.kind, special.effect) == ("一票否决", "不得评为先进")
    assert (
        special.consequence == "不得评为先进单位，不予通报表扬；党政主要领导、分管领导年度考核不得评优（第九条（三））"
    )


def test_it_says_the_bonus_cap_and_its_override() -> None:
    caps = describe_scheme(load_scheme("jilin-2021-2025")).caps
    assert caps[:2] == (
        "满分 100 分（基本指标）",
        "加分项合计最多 5 分；经研究对个别单位另定上限的，以“经研究确定的加分上限”为准",
    )


@pytest.mark.parametrize(("share", "expected"), [("1/3", "前三分之一"), ("1/4", "前四分之一"), ("0.15", "前 15%")])
def test_it_says_a_share_in_words(share: str, expected: str) -> None:
    from fractions import Fraction

    assert share_text(Fraction(share)) == expected


def test_a_sequence_restricted_rule_names_its_sequence() -> None:
    scheme = load_scheme_text(
        """
id: t
name: 测试
year: 2024
total_points: 10
sequences: [{id: a, name: 甲序列}, {id: b, name: 乙序列}]
inputs:
  - {id: x, name: 完成率, unit: '%', min: 0, max: 100}
  - {id: bad, name: 发生重大事件, kind: boolean}
indicators:
  - {id: '1', name: 完成情况, points: 10, rule: {kind: share, done: x, required: 100}}
special:
  veto: [{id: V1, name: 发生重大事件的，否决, when: {input: bad}, sequences: [b]}]
"""
    )
    (veto,) = describe_scheme(scheme).special
    assert (veto.condition, veto.sequences) == ("发生重大事件", "乙序列")
    assert rule_of_text(scheme) == "按完成比例得分：10 分 × 完成率 ÷ 100%，最多 10 分，最少 0 分。"


def rule_of_text(scheme: object) -> str:
    from kaohe.core.scheme import Scheme

    assert isinstance(scheme, Scheme)
    return node_rule_text(scheme, scheme.node("1"))


def test_every_builtin_rule_has_words_and_no_rule_id() -> None:
    from kaohe.core import list_schemes

    for scheme in list_schemes():
        text = describe_scheme(scheme)
        ids = {rule.id for _, rule in scheme.special.all_rules()}
        for node in text.nodes:
            if node.is_leaf and node.points not in ("0 分", ""):
                assert node.rule, (scheme.id, node.id)
        every_word = repr(text.nodes) + repr(text.special) + repr(text.ranking)
        for rule_id in ids:
            assert f"'{rule_id}'" not in every_word and f"{rule_id} " not in every_word


def test_describe_imports_no_django() -> None:
    code = "import sys, kaohe.core.describe; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
