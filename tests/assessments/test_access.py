"""Access refusals have one home (issue 9 §1, ``kaohe.assessments.access``): a screen, a download, the JSON API and
an action refuse with the same message, and each kind of object is fetched and checked by one function."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from kaohe.assessments import access, actions
from tests.world import World

# The one refusal message, as the actions have always worded it.
MESSAGE = "没有权限执行此操作"


def test_the_message_is_the_actions_wording() -> None:
    assert access.REFUSED == MESSAGE


def test_a_screen_a_download_the_api_and_an_action_refuse_with_the_same_message(world: World) -> None:
    a = world.assessment("A")
    # a screen: 乙市's filler opens 甲市's self-evaluation (the 403 page says why)
    page = world.client("bob").get(reverse("assessment_detail", args=[a.pk]))
    assert page.status_code == 403 and MESSAGE in page.content.decode()
    # a download: 甲市's filler asks for the cycle's results workbook
    download = world.client("fay").get(reverse("reports:results_export", args=[world.cycle.pk]))
    assert download.status_code == 403 and MESSAGE in download.content.decode()
    # the API: 403 for a signed-in person, 401 for the public (an unpublished cycle's results)
    api = world.client("bob").get(f"/api/assessments/{a.pk}/items")
    assert (api.status_code, api.json()) == (403, {"detail": MESSAGE})
    anonymous = world.client("anon").get(f"/api/cycles/{world.cycle.pk}/results")
    assert (anonymous.status_code, anonymous.json()) == (401, {"detail": MESSAGE})
    # an action: a filler approving the cycle
    with pytest.raises(actions.ActionError) as refused:
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["fay"])
    assert str(refused.value) == MESSAGE
    assert actions.approval_refusal(world.cycle, world.people["fay"]) == MESSAGE


def test_a_superuser_without_a_role_is_refused_like_anyone(world: Any) -> None:
    """The role rules decide, whatever Django's superuser flag says (issue 8 §1.3)."""
    root = User.objects.create_superuser("root", password="x" * 16)
    with pytest.raises(access.Refused, match=MESSAGE):
        access.access_assessment(root, world.assessment("A").pk)
    with pytest.raises(access.Refused):
        access.require(root, "assessments.manage_cycle", world.cycle)


def test_each_kind_of_object_is_fetched_then_checked(world: World) -> None:
    """A missing id is 404 before any rule is asked; an existing one is checked on the object itself."""
    from django.http import Http404

    office, bob = world.people["alice"], world.people["bob"]
    item = world.item("A", "1")
    letter = world.cycle.letters.get(unit=world.units["A"])
    assert access.access_cycle(office, world.cycle.pk) == world.cycle
    assert access.access_assessment(office, item.assessment_id).pk == item.assessment_id
    assert access.access_item(office, item.pk) == item
    assert access.access_letter(office, letter.pk) == letter
    for fetch, pk in (
        (access.access_item, item.pk),
        (access.access_letter, letter.pk),
        (access.access_assessment, item.assessment_id),
    ):
        with pytest.raises(access.Refused):
            fetch(bob, pk)
        with pytest.raises(Http404):
            fetch(bob, 999_999)
    # the downloads: nothing to download yet is 404 for the office, a refusal for a filler
    with pytest.raises(Http404):
        access.access_cycle_results(office, world.cycle.pk, "reports.export_results")
    with pytest.raises(access.Refused):
        access.access_cycle_results(world.people["fay"], world.cycle.pk, "reports.export_results")
