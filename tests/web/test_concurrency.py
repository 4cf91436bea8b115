"""Two verifiers saving the same item: one wins, the other is told and loses nothing (optimistic version check)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from kaohe.assessments import actions
from kaohe.assessments.models import Membership, SelfEvaluation
from tests.web.conftest import World, build_world


def second_water_verifier(world: World) -> User:
    """Another person of 水利局, so two people may verify the same item."""
    xena = User.objects.create_user("xena", password="pw")
    actions.do_add_membership(user=xena, role=Membership.Role.VERIFIER, lead_unit="水利局", acting_user=world.people["alice"])
    return xena


def submitted_item(world: World) -> SelfEvaluation:
    world.fill("A")
    world.submit("A")
    return world.item("A", "1")


def verify(item: SelfEvaluation, months: int, user: Any) -> SelfEvaluation:
    return actions.check_verify_item(
        item=item, raw_values={"water_months": months}, score=None, reason=f"核定为 {months} 个月", version=item.version,
        acting_user=user,
    )


def test_it_refuses_a_save_based_on_an_old_version(world: World) -> None:
    xena = second_water_verifier(world)
    item = submitted_item(world)
    stale = world.item("A", "1")
    verify(item, 2, world.people["walt"])
    with pytest.raises(actions.ConflictError, match="已被他人修改") as info:
        verify(stale, 5, xena)
    assert info.value.current.verification.values == {"water_months": 2}
    assert world.item("A", "1").verification.values == {"water_months": 2}


def test_the_screen_keeps_what_the_loser_typed(world: World) -> None:
    xena = second_water_verifier(world)
    item = submitted_item(world)
    verify(world.item("A", "1"), 2, world.people["walt"])
    client = world.client("walt")
    client.force_login(xena)
    response = client.post(
        f"/items/{item.pk}/verify/",
        {"version": item.version, "v_water_months": "7", "reason": "按月报核定"},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "已被他人修改" in page
    assert 'value="7"' in page and "按月报核定" in page  # the loser's input is still in the form
    assert world.item("A", "1").verification.values == {"water_months": 2}
    assert f'name="version" value="{world.item("A", "1").version}"' in page  # a second save is deliberate


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_verifiers_saving_at_once_one_wins(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks between two connections (SQLite serialises whole-database writes)")
    world = build_world()
    xena = second_water_verifier(world)
    item = submitted_item(world)
    first_saved = threading.Event()
    outcome: dict[str, Any] = {}

    def walt() -> None:
        try:
            with transaction.atomic():
                verify(SelfEvaluation.objects.get(pk=item.pk), 2, world.people["walt"])
                first_saved.set()
                # Hold the row lock while xena's save starts: her UPDATE must wait for this commit.
                threading.Event().wait(0.5)
            outcome["walt"] = "saved"
        except Exception as exc:  # reported by the assertion below
            outcome["walt"] = exc
        finally:
            first_saved.set()
            connection.close()

    def xena_saves() -> None:
        first_saved.wait(5)
        try:
            verify(stale, 5, xena)
            outcome["xena"] = "saved"
        except actions.ConflictError as exc:
            outcome["xena"] = exc
        finally:
            connection.close()

    stale = SelfEvaluation.objects.get(pk=item.pk)  # both start from the same version
    threads = [threading.Thread(target=walt), threading.Thread(target=xena_saves)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert outcome["walt"] == "saved"
    assert isinstance(outcome["xena"], actions.ConflictError)
    fresh = SelfEvaluation.objects.select_related("verification").get(pk=item.pk)
    assert fresh.verification.values == {"water_months": 2}
    assert fresh.version == item.version + 1


def test_two_people_of_a_unit_editing_the_same_item(world: World) -> None:
    item = world.item("A", "1")
    fay, hank = world.client("fay"), world.client("hank")
    assert fay.post(f"/items/{item.pk}/", {"version": item.version, "v_water_months": "2"}).status_code == 302
    response = hank.post(f"/items/{item.pk}/", {"version": item.version, "v_water_months": "4", "explanation": "按台账"})
    page = response.content.decode()
    assert response.status_code == 409 and "已被他人修改" in page
    assert 'value="4"' in page and "按台账" in page
    assert world.item("A", "1").values == {"water_months": 2}
    # Having seen fay's value, hank saves again on purpose: the form now names the current version.
    current = world.item("A", "1").version
    assert f'name="version" value="{current}"' in page
    again = hank.post(f"/items/{item.pk}/", {"version": current, "v_water_months": "4", "explanation": "按台账"})
    assert again.status_code == 302
    assert world.item("A", "1").values == {"water_months": 4}
