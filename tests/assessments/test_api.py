"""The JSON API: same rules and actions as the screens."""

from __future__ import annotations

import json
from typing import Any

from kaohe.assessments import actions
from kaohe.assessments.models import SelfEvaluation
from tests.world import World


def put(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json")


def post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_it_lists_only_the_assessments_each_may_see(world: World) -> None:
    def units(who: str) -> set[str]:
        return {a["unit_code"] for a in world.client(who).get(f"/api/cycles/{world.cycle.pk}/assessments").json()}

    assert units("alice") == {"220100", "220200", "220281"}
    assert units("fay") == {"220100"}
    assert units("vera") == set()  # all drafts
    world.fill("A")
    world.submit("A")
    assert units("vera") == {"220100"}


def test_a_unit_saves_an_item(world: World) -> None:
    item = world.item("A", "1")
    response = put(
        world.client("fay"),
        f"/api/items/{item.pk}",
        {"values": {"water_months": 2}, "explanation": "两个月", "version": item.version},
    )
    assert response.status_code == 200, response.content
    assert response.json()["values"] == {"water_months": 2}
    assert response.json()["version"] == item.version + 1
    assert SelfEvaluation.objects.get(pk=item.pk).explanation == "两个月"


def test_it_names_a_bad_value(world: World) -> None:
    item = world.item("A", "1")
    response = put(
        world.client("fay"), f"/api/items/{item.pk}", {"values": {"water_months": "很多"}, "version": item.version}
    )
    assert response.status_code == 400
    assert "断面不达标月数" in response.json()["detail"]


def test_a_verifier_changes_a_value_with_a_reason(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    client = world.client("walt")
    url = f"/api/items/{item.pk}/verification"
    assert post(client, url, {"values": {"water_months": 3}, "version": item.version}).status_code == 400
    response = post(client, url, {"values": {"water_months": 3}, "reason": "按监测月报", "version": item.version})
    assert response.status_code == 200
    body = response.json()
    assert (body["values"], body["verification"]["values"], body["status"]) == (
        {"water_months": 1},
        {"water_months": 3},
        "changed",
    )
    # A verifier of another lead unit may not touch it.
    assert (
        post(
            world.client("vera"), url, {"values": {"water_months": 0}, "reason": "x", "version": body["version"]}
        ).status_code
        == 403
    )


def test_it_reports_a_conflict(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    actions.check_verify_item(
        item=item, raw_values=item.values, score=None, reason="", version=item.version, acting_user=world.people["walt"]
    )
    response = post(
        world.client("walt"),
        f"/api/items/{item.pk}/verification",
        {"values": {"water_months": 1}, "version": item.version},
    )
    assert response.status_code == 409


def test_results_are_public_once_published(world: World) -> None:
    url = f"/api/cycles/{world.cycle.pk}/results"
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    assert world.client("anon").get(url).status_code == 401
    assert len(world.client("linda").get(url).json()) == 3
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    rows = world.client("anon").get(url).json()
    assert {(r["unit_code"], r["grade"]) for r in rows} == {("220100", "优秀"), ("220200", "优秀"), ("220281", "合格")}


def test_the_openapi_schema_lists_the_endpoints(world: World) -> None:
    paths = world.client("anon").get("/api/openapi.json").json()["paths"]
    assert {"/api/units", "/api/cycles", "/api/items/{item_id}/verification", "/api/cycles/{cycle_id}/results"} <= set(
        paths
    )


def test_it_refuses_a_value_that_is_not_a_finite_number(world: World) -> None:
    # Python's JSON parser reads NaN and Infinity; the database's JSON columns cannot store them.
    client = world.client("fay")
    for item, values in [
        (world.item("A", "2"), '{"good_days": NaN}'),
        (world.item("A", "1"), '{"water_months": Infinity}'),
    ]:
        body = f'{{"values": {values}, "version": {item.version}}}'
        response = client.put(f"/api/items/{item.pk}", body, content_type="application/json")
        assert response.status_code == 400, response.content
        assert SelfEvaluation.objects.get(pk=item.pk).version == item.version


def test_it_refuses_a_score_the_database_cannot_hold(world: World) -> None:
    world.fill("A")
    item = world.item("A", "1")
    body = {"values": {"water_months": 1}, "self_score": "123456789012", "version": item.version}
    assert put(world.client("fay"), f"/api/items/{item.pk}", body).status_code == 422
    world.submit("A")
    body = {"values": {"water_months": 1}, "score": "1e12", "reason": "x", "version": item.version}
    assert post(world.client("walt"), f"/api/items/{item.pk}/verification", body).status_code == 422
    assert world.item("A", "1").self_score is None
