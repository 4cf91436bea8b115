"""/api/ledgers/{kind} and /api/ledgers/{kind}/{id}: the screens' rules and filters, values in words."""

from __future__ import annotations

from tests.ledgers.helpers import import_rectification, problem
from tests.world import World


def test_a_unit_lists_its_own_rows_and_the_office_every_row(world: World) -> None:
    import_rectification(world)
    mine = world.client("fay").get("/api/ledgers/rectification").json()
    assert sorted(r["key"] for r in mine["rows"]) == ["P-A1", "P-A2"]
    every = world.client("alice").get("/api/ledgers/rectification?unit=220200").json()
    assert [r["key"] for r in every["rows"]] == ["P-B1"]
    row = every["rows"][0]
    assert row["state"] == "已销号"
    assert row["columns"]["source"] == "省级督察" and row["columns"]["closed_on"] == "2024-04-10"
    assert row["columns"]["unit_id"] == "220200"


def test_the_detail_follows_the_row_rules(world: World) -> None:
    import_rectification(world)
    pk = problem("P-B1").pk
    assert world.client("fay").get(f"/api/ledgers/rectification/{pk}").status_code == 403
    assert world.client("anon").get(f"/api/ledgers/rectification/{pk}").status_code == 401
    detail = world.client("vera").get(f"/api/ledgers/rectification/{pk}").json()
    assert detail["key"] == "P-B1" and detail["reports"] == []
    assert world.client("alice").get("/api/ledgers/nothing").status_code == 422
