"""What keeps the public pages fast under load (benchmarks/web_load.py measures it; tests never time anything):
the published ranking and a unit's explanation are computed once, then served from the cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.assessments import actions
from tests.world import World


@pytest.fixture
def published(world: World) -> World:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    return world


def result_queries(client: Any, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return sum('"assessments_result"' in q["sql"] for q in queries.captured_queries), response.content.decode()


def test_the_published_ranking_is_read_once(published: World) -> None:
    url = reverse("public_results", args=[published.cycle.pk])
    first, page = result_queries(published.client("anon"), url)
    again, page_again = result_queries(published.client("anon"), url)
    # The first request reads the ranking once and the unit map's colours once (issue 10 §4: grade, score and each
    # indicator's score per unit); later anonymous requests are answered from the page cache.
    assert (first, again) == (2, 0)
    assert page_again.count("甲市") == page.count("甲市") >= 1


def test_a_units_explanation_is_computed_once(published: World) -> None:
    url = reverse("assessment_result", args=[published.assessment("A").pk])
    first, page = result_queries(published.client("anon"), url)
    again, page_again = result_queries(published.client("anon"), url)
    # The first request reads the unit's row, then the inputs of its ranking pool, then its 历年排名 (one query for
    # all years, issue 10 §4); later anonymous ones are answered from the anonymous page cache (web/pagecache.py)
    # without reading anything.
    assert (first, again) == (3, 0)
    assert "断面不达标" in page_again  # the explanation line of indicator 1 is still shown


def test_signed_in_people_are_never_served_the_anonymous_copy(published: World) -> None:
    url = reverse("assessment_result", args=[published.assessment("A").pk])
    result_queries(published.client("anon"), url)  # fills the anonymous cache
    signed_in, page = result_queries(published.client("alice"), url)
    assert signed_in >= 1  # read from the database, not the cache
    assert "退出" in page  # the signed-in header (logout button), which the anonymous copy lacks


def test_an_unpublished_page_is_not_cached(world: World) -> None:
    from django.conf import settings
    from django.core.cache import cache

    url = reverse("public_results", args=[world.cycle.pk])
    assert world.client("anon").get(url).status_code == 302  # to the login page: not published yet
    assert cache.get(f"kaohe:anon-page:{settings.LANGUAGE_CODE}:{url}") is None


def test_a_cached_page_is_the_same_page_with_its_length(published: World) -> None:
    url = reverse("public_results", args=[published.cycle.pk])
    first = published.client("anon").get(url)
    again = published.client("anon").get(url)
    assert again.content == first.content
    assert int(again["Content-Length"]) == len(again.content)
    assert again["Content-Type"] == first["Content-Type"]
