"""A unit's comment on an item no lead unit claims (issue 10 §2, ``recipients.comment_added``): such an item is the
office's to verify (``schemes.OFFICE_LEAD``), so the office is told, not a verifier of some other lead unit, and not
the author. The conftest's world (``tests/world.py``) with its scheme's indicator 3 stripped of its lead unit
(发展改革委), so the cycle opens with that item led by the office, as ``schemes.lead_unit_of`` decides."""

from __future__ import annotations

from typing import Any

import pytest

from kaohe.assessments import comments
from kaohe.assessments.schemes import OFFICE_LEAD
from kaohe.notifications.models import Notification
from tests import world as world_module
from tests.world import World, build_world

LEAD_OF_3 = "    lead_unit: 发展改革委\n"


@pytest.fixture
def office_led_world(db: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    assert world_module.SCHEME_YAML.count(LEAD_OF_3) == 1
    monkeypatch.setattr(world_module, "SCHEME_YAML", world_module.SCHEME_YAML.replace(LEAD_OF_3, ""))
    return build_world()


def test_a_units_comment_on_an_office_led_item_tells_the_office(office_led_world: World) -> None:
    world = office_led_world
    item = world.item("A", "3")
    assert item.lead_unit == OFFICE_LEAD  # what the cycle stored for an indicator that names no lead unit
    world.fill("A")
    world.submit("A")
    Notification.objects.all().delete()  # the submission's own notices

    comments.check_add_comment(item=world.item("A", "3"), text="重点任务清单见附件", acting_user=world.people["fay"])

    names = {user.pk: name for name, user in world.people.items()}
    got = {names[n.recipient_id]: n.body for n in Notification.objects.filter(kind="comment_added")}
    # alice is the only office member; dora (发展改革委, indicator 3's lead unit before it was stripped), vera and
    # walt verify for other lead units; fay wrote it; hank is her own unit's head (a unit's words go to the verifiers)
    assert got == {"alice": "fay（单位）留言：重点任务清单见附件"}
    n = Notification.objects.get(kind="comment_added")
    assert n.title == "新留言：甲市 · 指标 3「重点工作」"
    assert n.link == f"/assessments/{item.assessment_id}/#item-{item.pk}" and n.cycle == world.cycle
