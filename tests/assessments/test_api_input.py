"""The JSON API refuses what it cannot mean (issue 9 §2): wrong JSON types, unknown keys and unbounded text are
answered with a message naming the field (422 for the body's shape, as ninja answers; 400 for a value, as
for a value the action refuses), and nothing is written (no new version, no audit row)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kaohe.assessments.limits import MAX_EXPLANATION_CHARS, MAX_REASON_CHARS
from kaohe.assessments.models import SelfEvaluation
from kaohe.audit.models import AuditLog
from tests.world import World


def send(client: Any, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def refused(
    world: World, who: str, method: str, url: str, body: dict[str, Any], item: SelfEvaluation, status: int = 422
) -> str:
    audit_rows = AuditLog.objects.count()
    response = send(world.client(who), method, url, body)
    assert response.status_code == status, response.content
    assert SelfEvaluation.objects.get(pk=item.pk).version == item.version  # nothing written
    assert AuditLog.objects.count() == audit_rows
    return json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"water_months": True}, ["断面不达标月数", "water_months", "true"]),  # was read as 1
        ({"water_months": "2"}, ["断面不达标月数", "数字"]),  # a number is a JSON number, not text
        ({"water_months": 2, "wter_months": 3}, ["wter_months", "未知"]),  # a typo was dropped silently
    ],
)
def test_a_value_of_the_wrong_json_type_or_an_unknown_input_is_refused(
    world: World, values: dict[str, Any], words: list[str]
) -> None:
    item = world.item("A", "1")
    body = {"values": values, "version": item.version}
    text = refused(world, "fay", "put", f"/api/items/{item.pk}", body, item, status=400)
    assert all(word in text for word in words), text


def test_a_boolean_input_takes_a_json_boolean_only(world: World) -> None:
    item = world.item("A", "3")
    body = {"values": {"tasks_done": 1}, "version": item.version}
    text = refused(world, "fay", "put", f"/api/items/{item.pk}", body, item, status=400)
    assert "重点任务完成" in text and "true 或 false" in text
    ok = send(
        world.client("fay"), "put", f"/api/items/{item.pk}", {"values": {"tasks_done": True}, "version": item.version}
    )
    assert ok.status_code == 200, ok.content


@pytest.mark.parametrize(
    "body",
    [
        {"values": {"water_months": 2}, "comment": "多余"},  # unknown key (was dropped)
        {"values": {"water_months": 2}, "version": True},  # true is not a version number
        {"values": {"water_months": 2}, "version": "1"},
        {"values": {"water_months": 2}, "version": 10**20},
        {"values": {"water_months": 2}, "self_score": True},
        {"values": {"water_months": 2}, "self_score": "30"},
        {"values": {"water_months": 2}, "explanation": 5},
        {"values": {"water_months": 2}, "explanation": "长" * (MAX_EXPLANATION_CHARS + 1)},
    ],
    ids=[
        "unknown-key",
        "version-true",
        "version-text",
        "version-huge",
        "score-true",
        "score-text",
        "explanation-number",
        "explanation-long",
    ],
)
def test_a_body_of_the_wrong_shape_is_refused(world: World, body: dict[str, Any]) -> None:
    item = world.item("A", "1")
    body = {"version": item.version, **body}  # the current version unless the case is about it
    refused(world, "fay", "put", f"/api/items/{item.pk}", body, item)


def test_an_explanation_at_the_bound_is_kept(world: World) -> None:
    item = world.item("A", "1")
    text = "长" * MAX_EXPLANATION_CHARS
    body = {"values": {"water_months": 2}, "explanation": text, "version": item.version}
    assert send(world.client("fay"), "put", f"/api/items/{item.pk}", body).status_code == 200
    assert SelfEvaluation.objects.get(pk=item.pk).explanation == text


def test_a_5_mb_comment_is_refused_before_it_reaches_the_audit_log(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    url = f"/api/items/{item.pk}/return"
    text = refused(world, "walt", "post", url, {"comment": "x" * 5_000_000, "version": item.version}, item)
    assert "comment" in text and str(MAX_REASON_CHARS) in text
    body = {"values": {"water_months": 3}, "reason": "理" * (MAX_REASON_CHARS + 1), "version": item.version}
    refused(world, "walt", "post", f"/api/items/{item.pk}/verification", body, item)
    ok = send(world.client("walt"), "post", url, {"comment": "退" * MAX_REASON_CHARS, "version": item.version})
    assert ok.status_code == 200, ok.content
