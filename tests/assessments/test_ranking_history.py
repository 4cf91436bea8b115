"""历年排名 (issue 10 §4): a unit's rank, score and grade in every approved or published year of its assessment
series, on the office's dashboard (approved years) and on the public unit page (published years only).

Years, all of the web test scheme (id web-test) unless said otherwise; 甲市 A and 乙市 B are the 市 sequence:
    2025  乙市 vetoed → A 1st, B 2nd (a vetoed unit ranks last); approved and published
    2026  甲市 vetoed → B 1st, A 2nd; approved, not published
    2026  another scheme (other-test): not this series
    2027  evaluated, waiting for 审定: not a result yet
A unit that is not vetoed scores 35 (1: 40 − 5 for one month) + 40 (2) + 20 (3) + 2 (one award) = 97, 优秀.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.test import Client

from kaohe.assessments import actions
from kaohe.assessments.history import sequence_history, unit_history
from kaohe.assessments.models import Assessment, Cycle
from tests.assessments.test_accountability_history import OTHER_YAML, run_cycle
from tests.world import World

A, B = "220100", "220200"


def _years(world: World) -> dict[int, Cycle]:
    office = world.people["alice"]
    first = run_cycle(world, 2025, {B})
    actions.check_publish_cycle(cycle=first, acting_user=office)
    second = run_cycle(world, 2026, {A})
    run_cycle(world, 2026, set(), text=OTHER_YAML)
    third = run_cycle(world, 2027, set(), approve=False)
    return {2025: first, 2026: second, 2027: third}


def json_script(html: str, element_id: str) -> Any:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no {element_id}"
    return json.loads(found.group(1))


def _city(history: list[dict[str, Any]]) -> dict[str, Any]:
    (city,) = [s for s in history if s["sequence"] == "市"]
    return city


def test_the_office_sees_every_approved_year_of_the_series(world: World) -> None:
    years = _years(world)
    response = world.client("alice").get(f"/cycles/{years[2027].pk}/")
    assert response.status_code == 200
    city = _city(json_script(response.content.decode(), "history-data"))
    assert city["labels"] == ["2025", "2026"]  # not the other scheme's 2026, not 2027 waiting for 审定
    by_code = {u["code"]: u for u in city["units"]}
    assert by_code[A]["ranks"] == [1, 2]
    assert by_code[B]["ranks"] == [2, 1]
    assert by_code[A]["cells"] == ["1 · 97.00 · 优秀", "2 · 97.00 · 不合格"]
    assert "历年排名" in response.content.decode()


def test_the_public_unit_page_shows_published_years_only(world: World) -> None:
    years = _years(world)
    a_2025 = Assessment.objects.get(cycle=years[2025], unit=world.units["A"])
    for who in ("anon", "fay", "alice"):
        response = world.client(who).get(f"/assessments/{a_2025.pk}/result/")
        assert response.status_code == 200, who
        chart = json_script(response.content.decode(), "unit-history-data")
        assert chart["labels"] == ["2025"], who  # 2026 is approved but not published
        assert chart["ranks"] == [1] and chart["grades"] == ["优秀"]
    rows = unit_history(world.units["B"], "web-test", published_only=True)
    assert [(y.year, y.rank, y.grade) for y in rows] == [(2025, 2, "不合格")]
    rows = unit_history(world.units["B"], "web-test", published_only=False)
    assert [(y.year, y.rank) for y in rows] == [(2025, 2), (2026, 1)]


def test_an_unpublished_cycle_stays_hidden_from_the_public_and_the_verifiers(world: World) -> None:
    years = _years(world)
    # the anonymous public cannot open the unpublished cycle's pages at all
    a_2026 = Assessment.objects.get(cycle=years[2026], unit=world.units["A"])
    assert Client().get(f"/assessments/{a_2026.pk}/result/").status_code == 302
    # a verifier follows the dashboard, but its history holds the published years only
    response = world.client("vera").get(f"/cycles/{years[2027].pk}/")
    city = _city(json_script(response.content.decode(), "history-data"))
    assert city["labels"] == ["2025"]
    assert "2026" not in json.dumps(json_script(response.content.decode(), "history-data"))


def test_the_history_is_one_query_for_all_years(world: World, django_assert_num_queries: Any) -> None:
    years = _years(world)
    with django_assert_num_queries(1):
        history = sequence_history(years[2027], {"city": "市", "county": "县"}, published_only=False)
    assert [s["sequence"] for s in history] == ["市", "县"]
    with django_assert_num_queries(1):
        unit_history(world.units["A"], "web-test", published_only=False)


def test_no_history_before_any_approved_year(world: World) -> None:
    response = world.client("alice").get(f"/cycles/{world.cycle.pk}/")
    assert 'id="history-data"' not in response.content.decode()
