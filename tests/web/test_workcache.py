"""The per-session cache of the pages people work in (kaohe.web.workcache): repeated views are served without
rendering, and nothing a person sees is older than the last committed change, another person's page or a message
already shown."""

from __future__ import annotations

from unittest import mock

import time_machine
from django.test import Client

from kaohe.assessments import views
from kaohe.assessments.dashboard import dashboard_data
from kaohe.assessments.todo import todo_for
from tests.world import World


def _warm(client: Client, url: str) -> str:
    """The page after the first view (which sets the CSRF cookie) and the second (which keeps the page)."""
    client.get(url)
    return client.get(url).content.decode()


def test_a_page_viewed_again_is_served_without_rendering(world: World) -> None:
    client = world.client("alice")
    url = f"/cycles/{world.cycle.pk}/"
    first = _warm(client, url)
    with mock.patch.object(views, "dashboard_data", wraps=dashboard_data) as rendered:
        again = client.get(url).content.decode()
        assert rendered.call_count == 0
        assert again == first
        client.get(url + "?page=1")  # another URL is another page
        assert rendered.call_count == 1


def test_a_committed_change_shows_at_once(world: World) -> None:
    client = world.client("alice")
    url = f"/cycles/{world.cycle.pk}/"
    assert '<span class="badge submitted">' not in _warm(client, url)
    world.fill("A")
    world.submit("A")  # an audited action: the chain head moves
    assert '<span class="badge submitted">已提交</span>' in client.get(url).content.decode()


def test_each_person_gets_their_own_page(world: World) -> None:
    url = f"/cycles/{world.cycle.pk}/"
    office = _warm(world.client("alice"), url)
    assert f"/cycles/{world.cycle.pk}/approval/" in office  # the office's 综合评价与审定 link
    verifier = world.client("vera")
    verifier.get(url)
    page = verifier.get(url).content.decode()
    assert f"/cycles/{world.cycle.pk}/approval/" not in page


def test_a_message_is_shown_once_and_never_kept(world: World) -> None:
    client = world.client("alice")
    url = f"/cycles/{world.cycle.pk}/"
    _warm(client, url)
    response = client.post(f"/cycles/{world.cycle.pk}/evaluate/")  # refused: nobody is verified yet
    assert response.status_code == 302
    assert "还有单位未完成核实，不能综合评价" in client.get(url).content.decode()
    assert "还有单位未完成核实" not in client.get(url).content.decode()  # once, and the page kept before is not it


def test_the_next_day_renders_again(world: World) -> None:
    client = world.client("alice")
    with time_machine.travel("2025-03-05 23:50 +0800", tick=False) as clock:
        _warm(client, "/todo/")
        with mock.patch.object(views, "todo_for", wraps=todo_for) as rendered:
            client.get("/todo/")
            assert rendered.call_count == 0
            clock.move_to("2025-03-06 00:01 +0800")  # 逾期 turns on the date
            client.get("/todo/")
            assert rendered.call_count == 1


def test_without_a_csrf_cookie_the_page_is_not_kept(world: World) -> None:
    client = world.client("alice")
    url = f"/cycles/{world.cycle.pk}/"
    with mock.patch.object(views, "dashboard_data", wraps=dashboard_data) as rendered:
        for _ in range(2):
            client.cookies.pop("csrftoken", None)  # as a client that keeps no cookie but the session's
            client.get(url)
        assert rendered.call_count == 2


def test_a_write_outside_the_actions_shows_within_a_minute(world: World) -> None:
    client = world.client("alice")
    url = f"/cycles/{world.cycle.pk}/"
    with time_machine.travel("2025-03-05 10:00 +0800", tick=False) as clock:
        _warm(client, url)
        world.cycle.__class__.objects.filter(pk=world.cycle.pk).update(name="改过的名称")  # by hand, no audit entry
        assert "改过的名称" not in client.get(url).content.decode()
        clock.shift(61)
        assert "改过的名称" in client.get(url).content.decode()
