"""先进, 一票否决 and 政务失信记录 as every output shows them: the stored result, in words (issue 8 §1.1, §1.6).

The cycle (tests/data/results_scheme.yaml: the web test scheme with 甲市, 乙市 and 丙县 in one pool, a veto R2 that
records its consequence, a falsification rule R5). Scores by hand, 40 + 40 + 20 points plus B1 (2 per award):

    甲市  water 1 month  40−5  + 40 + 20 + 2 = 97   特别重大事件 ⇒ veto ⇒ 不合格 (seed 001 四(三)1)
    乙市  water 3 months 40−15 + 40 + 20 + 2 = 87   data falsified ⇒ 不合格 + 政务失信记录 (seed 000 第十条)
    丙县  water 2 months 40−10 + 40 + 20 + 2 = 92   优秀

By score 甲市 would be 1st and the only 先进 (⌊3 × 1/3⌋ = 1 unit). Vetoed units rank after the others (the default
``ranking.vetoed: last``), among themselves by score: 丙县 1, 甲市 2, 乙市 3; the 先进 slot passes on to 丙县, and
the bottom one (约谈) is 乙市.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from kaohe.assessments import actions
from kaohe.assessments.models import Result
from tests import world as conftest
from tests.world import GOOD_VALUES, World, build_world

SCHEME = (Path(__file__).parents[1] / "data" / "results_scheme.yaml").read_text(encoding="utf-8")
CONSEQUENCE = "不得评为先进单位，不予通报表扬；党政主要领导、分管领导年度考核不得评优（第九条（三））"
VETO = "辖区内发生特别重大环境事件"
FALSIFIED = "数据造假：篡改数据、伪造资料造成考核结果严重失真失实"
CLAUSE = "《吉林省污染防治攻坚战成效考核实施方案》第十条"
IDS = re.compile(r"\bR[25]\b")  # the rules' ids, which no reader may see


@pytest.fixture
def flagged(db: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr(conftest, "SCHEME_YAML", SCHEME)
    world = build_world()
    findings = [
        {"unit_id": "220100", "major_incident": True, "falsified": False},
        {"unit_id": "220200", "major_incident": False, "falsified": True},
        {"unit_id": "220281", "major_incident": False, "falsified": False},
    ]
    actions.do_import_monitoring_values(
        cycle=world.cycle, rows=findings, source="考核办认定", acting_user=world.people["alice"]
    )
    world.fill("A")
    world.fill("B", {**GOOD_VALUES, "water_months": 3})
    world.fill("C", {**GOOD_VALUES, "water_months": 2})
    for unit in ("A", "B", "C"):
        world.submit(unit)
        world.verify_all(unit)
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    return world


def publish(world: World) -> None:
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])


def page(world: World, who: str, url: str) -> str:
    response = world.client(who).get(url)
    assert response.status_code == 200, url
    return str(response.content.decode())


def rows_by_unit(html: str) -> dict[str, list[str]]:
    """The cells (tags stripped) of each table row that names a unit."""
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        for name in ("甲市", "乙市", "丙县"):
            if name in cells:
                out[name] = cells
    return out


def section(html: str, element_id: str) -> str:
    """The element with that id, from its opening tag to the first closing tag of its kind."""
    start = html.rindex("<", 0, html.index(f'id="{element_id}"'))
    tag = re.match(r"<(\w+)", html[start:])
    assert tag is not None
    return html[start : html.index(f"</{tag.group(1)}>", start)]


def test_the_evaluation_stores_the_veto_its_consequences_and_the_dishonesty_record(flagged: World) -> None:
    got = {
        r.assessment.unit.name: (
            r.final_score,
            r.grade,
            r.rank,
            r.advanced,
            r.vetoed,
            r.consequences,
            r.dishonesty_record,
        )
        for r in Result.objects.filter(cycle=flagged.cycle).select_related("assessment__unit")
    }
    assert got == {
        "丙县": (92.0, "优秀", 1, True, False, [], False),
        "甲市": (97.0, "不合格", 2, False, True, [CONSEQUENCE], False),
        "乙市": (87.0, "不合格", 3, False, True, [], True),
    }


def test_the_approval_page_shows_the_stored_flags_in_words(flagged: World) -> None:
    html = page(flagged, "linda", reverse("cycle_approval", args=[flagged.cycle.pk]))
    header = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", html, flags=re.S)]
    rows = rows_by_unit(html)
    col = {name: header.index(name) for name in ("序列", "名次", "先进", "约谈", "说明")}
    assert [(rows[u][col["名次"]], rows[u][col["先进"]]) for u in ("丙县", "甲市", "乙市")] == [
        ("1", "✔"),
        ("2", ""),
        ("3", ""),
    ]
    assert rows["甲市"][col["说明"]] == f"一票否决：{VETO}。后果：{CONSEQUENCE}"
    assert rows["乙市"][col["说明"]].split() == [
        f"一票否决：{FALSIFIED}",
        f"纳入政务失信记录：{FALSIFIED}（依据{CLAUSE}纳入政务失信记录）",
    ]
    assert rows["丙县"][col["说明"]] == ""
    assert rows["丙县"][col["序列"]] == "市县"  # the sequence's name, not its id "all"
    assert not IDS.search(html)


def test_the_result_page_shows_the_consequences_and_the_dishonesty_reason(flagged: World) -> None:
    vetoed = page(flagged, "alice", reverse("assessment_result", args=[flagged.assessment("A").pk]))
    assert CONSEQUENCE in section(vetoed, "vetoed") and VETO in section(vetoed, "vetoed")
    assert "先进单位" not in vetoed.replace(CONSEQUENCE, "") and 'id="dishonesty"' not in vetoed
    falsified = page(flagged, "alice", reverse("assessment_result", args=[flagged.assessment("B").pk]))
    assert f"已纳入政务失信记录：{FALSIFIED}（依据{CLAUSE}纳入政务失信记录）" in section(falsified, "dishonesty")
    assert not IDS.search(vetoed) and not IDS.search(falsified)


def test_the_public_page_names_the_advanced_the_vetoed_and_the_dishonest_units(flagged: World) -> None:
    publish(flagged)
    html = page(flagged, "anon", reverse("public_results", args=[flagged.cycle.pk]))
    advanced = html[html.index("<h2>先进单位</h2>") :]
    assert advanced[: advanced.index("</section>")].endswith("<p>丙县</p>")
    assert f"<li>甲市（{VETO}）：{CONSEQUENCE}</li>" in section(html, "vetoed")
    assert f"<li>乙市：{FALSIFIED}（依据{CLAUSE}纳入政务失信记录）</li>" in section(html, "dishonesty")
    assert not IDS.search(html)


def test_the_office_lists_the_units_given_a_dishonesty_record(flagged: World) -> None:
    html = page(flagged, "alice", reverse("cycle_dashboard", args=[flagged.cycle.pk]))
    listing = section(html, "dishonesty")
    assert rows_by_unit(listing) == {
        "乙市": ["乙市", "2024年度考核", "不合格", f"{FALSIFIED}（依据{CLAUSE}纳入政务失信记录）"],
    }


def test_the_results_workbook_reads_the_stored_flags(flagged: World) -> None:
    response = flagged.client("alice").get(reverse("reports:results_export", args=[flagged.cycle.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:4] == ["市县", "一票否决与政务失信", "指标得分", "加扣分明细"]
    header = [c.value for c in wb["市县"][1]]
    ranking = [
        (r[0], r[2], r[header.index("等级")], r[header.index("先进")])
        for r in wb["市县"].iter_rows(min_row=2, values_only=True)
    ]
    assert ranking == [(1, "丙县", "优秀", "是"), (2, "甲市", "不合格", None), (3, "乙市", "不合格", None)]
    flags = list(wb["一票否决与政务失信"].iter_rows(values_only=True))
    assert flags == [
        (
            "单位代码",
            "单位名称",
            "序列",
            "名次",
            "等级",
            "先进",
            "一票否决（触发规则）",
            "否决后果",
            "政务失信记录（原因）",
        ),
        ("220100", "甲市", "市县", 2, "不合格", None, VETO, CONSEQUENCE, None),
        ("220200", "乙市", "市县", 3, "不合格", None, FALSIFIED, None, f"{FALSIFIED}（依据{CLAUSE}纳入政务失信记录）"),
    ]
    texts = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert not [t for t in texts if IDS.search(t)]


def test_the_notice_lists_the_vetoed_and_the_dishonest_units(flagged: World) -> None:
    publish(flagged)
    response = flagged.client("anon").get(reverse("reports:notice", args=[flagged.cycle.pk]))
    document = Document(io.BytesIO(response.content))
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [
        ["名次", "单位", "得分", "等级", "备注"],
        ["1", "丙县", "92.00", "优秀", ""],
        # The 通报 says why each 不合格 in words (issue 10 §5): 因“<the rule's name>”一票否决, and the record.
        ["2", "甲市", "97.00", "不合格", f"因“{VETO}”一票否决"],
        ["3", "乙市", "87.00", "不合格", f"因“{FALSIFIED}”一票否决；纳入政务失信记录"],
    ]
    # The body's sections (GB/T 9704 layout: 一级标题 as Heading 1, lists as sentences) up to the blank line before
    # the 落款; the results table's sequence heading (Heading 2) is not a section.
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for p in document.paragraphs:
        style = p.style.name if p.style is not None else ""
        if style.startswith("Heading 1"):
            current = sections.setdefault(p.text, [])
        elif current is not None and style == "Normal":
            if not p.text:
                break
            current.append(p.text)
    assert sections == {
        "一、考核结果": [],
        "二、先进单位": ["丙县。"],
        "三、约谈单位": ["乙市。"],
        "四、启动问责程序的单位": ["无。"],
        "五、不合格单位": [
            f"甲市因“{VETO}”一票否决，考核等级确定为不合格；{CONSEQUENCE}。",
            f"乙市因“{FALSIFIED}”一票否决，考核等级确定为不合格。",
        ],
        "六、一票否决的单位": [f"甲市（{VETO}）：{CONSEQUENCE}", f"乙市（{FALSIFIED}）"],
        "七、纳入政务失信记录的单位": [f"乙市：{FALSIFIED}（依据{CLAUSE}纳入政务失信记录）"],
    }
    assert not IDS.search("\n".join(p.text for p in document.paragraphs))


def test_the_api_gives_the_flags_and_their_words(flagged: World) -> None:
    publish(flagged)
    got = {r["unit_name"]: r for r in flagged.client("anon").get(f"/api/cycles/{flagged.cycle.pk}/results").json()}
    assert (got["甲市"]["advanced"], got["甲市"]["vetoed"], got["甲市"]["consequences"]) == (False, True, [CONSEQUENCE])
    assert got["甲市"]["flag_names"] == [VETO] and got["乙市"]["flag_names"] == [FALSIFIED]
    assert (got["乙市"]["dishonesty_record"], got["乙市"]["dishonesty_reason"]) == (
        True,
        f"{FALSIFIED}（依据{CLAUSE}纳入政务失信记录）",
    )
    assert got["丙县"]["advanced"] is True
