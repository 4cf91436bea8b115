"""The pages people work in, with a cycle's worth of units (issue 10 "Numbers": benchmarks/web_load.py measures the
verifier's queue, a unit's self-evaluation page, the office dashboard and the 待办 page, logged in, with 3,000
units). A page's query count must not grow with the number of units, and the per-row work stays cheap."""

from __future__ import annotations

from unittest import mock

import pytest
from django import forms
from django.core.files.base import ContentFile
from django.db import connection
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext

from kaohe.assessments import actions
from kaohe.assessments.forms import LongSelect
from kaohe.assessments.models import Assessment, Cycle, State
from tests.world import SCHEME_YAML, World


def _cycle_in_verification(world: World, n_units: int) -> Cycle:
    """A 2025 cycle of 甲市 and ``n_units - 1`` more cities, all submitted but 甲市 (its filler is still at work)."""
    office = world.people["alice"]
    units = [world.units["A"]] + [
        actions.do_create_unit(
            code=f"9{n_units}{i:04d}", name=f"{n_units}-{i}号市", type="city", sequence="city", acting_user=office
        )
        for i in range(n_units - 1)
    ]
    cycle = actions.do_open_cycle(
        name="2025年度考核",
        year=2025,
        scheme_id="",
        units=units,
        scheme_file=ContentFile(SCHEME_YAML.encode(), name="web_scheme.yaml"),
        acting_user=office,
    )
    for assessment in Assessment.objects.filter(cycle=cycle).exclude(unit=world.units["A"]):
        actions.do_submit(assessment=assessment, acting_user=None)
    return cycle


def _get(world: World, who: str, url: str, marker: str) -> tuple[list[str], str]:
    """The SQL of the page's second request (the first fills per-process caches) and the page."""
    client = world.client(who)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    assert marker in page, url
    return [q["sql"] for q in queries.captured_queries], page


PAGES = [  # who, the page, what it shows
    ("vera", "/cycles/{cycle}/verify/", "核实核证"),  # the verifier's queue
    ("vera", "/cycles/{cycle}/verify/?indicator=2", "核实核证"),  # filtered
    ("fay", "/assessments/{draft}/", "甲市"),  # the self-evaluation page of the unit still filling
    ("alice", "/cycles/{cycle}/", "各单位进度"),  # the office dashboard
    ("vera", "/todo/", "待办"),
    ("alice", "/todo/", "待办"),
]


@pytest.mark.parametrize(("who", "url", "marker"), PAGES)
def test_a_pages_query_count_does_not_grow_with_the_units(world: World, who: str, url: str, marker: str) -> None:
    counts = []
    for n_units in (2, 6):
        Cycle.objects.filter(year=2025).delete()
        cycle = _cycle_in_verification(world, n_units)
        draft = Assessment.objects.get(cycle=cycle, state=State.DRAFT)
        sql, _ = _get(world, who, url.format(cycle=cycle.pk, draft=draft.pk), marker)
        counts.append(len(sql))
    assert counts[0] == counts[1]


def test_the_queue_counts_its_rows_once_and_takes_its_indicators_from_the_scheme(world: World) -> None:
    # With 3,000 units each scan of the cycle's items costs tens of milliseconds: by default every row shown is
    # batchable and counted by the status counts' scan; the indicator filter's choices come from the scheme, not
    # a DISTINCT.
    cycle = _cycle_in_verification(world, 3)
    sql, page = _get(world, "vera", f"/cycles/{cycle.pk}/verify/", "核实核证")
    # one scan counts the items per status, and how many of the open ones wait (the unfiltered queue's length)
    item_scans = [q for q in sql if "COUNT(" in q and "assessments_selfevaluation" in q]
    assert len(item_scans) == 1 and "GROUP BY" in item_scans[0]
    assert not [q for q in sql if q.startswith("SELECT DISTINCT") and "assessments_selfevaluation" in q]
    # vera verifies for 生态环境局: indicator 2 (空气质量) and the bonus B1 and deduction D1 items (web_scheme.yaml)
    for value, label in [("", "全部指标"), ("2", "2 空气质量"), ("B1", "B1 国家表彰"), ("D1", "D1 较大环境事件")]:
        assert f'<option value="{value}"' + (" selected" if not value else "") + f">{label}</option>" in page
    assert '<option value="1">' not in page  # 水环境质量 is 水利局's (walt)
    # 3 items (2, B1, D1) of each of the 2 submitted cities; 甲市 is still filling
    assert "当前筛选的全部核实无误（6 项）" in page


@pytest.mark.parametrize("value", [None, "", "b", "&"])
def test_the_long_select_writes_what_djangos_select_writes(value: str | None) -> None:
    choices = [("", "全部单位"), ("a", "甲市（220100）"), ("b", '乙 <市> & "丙"'), ("&", "x")]
    ours = LongSelect(choices=choices).render("unit", value, attrs={"id": "id_unit"})
    django = forms.Select(choices=choices).render("unit", value, attrs={"id": "id_unit"})
    assert parse_html(ours) == parse_html(django)


def test_the_dashboard_writes_each_units_state_without_a_lookup_per_row(world: World) -> None:
    # Assessment.get_state_display() hashes the translated choices on every call: a third of the rendering of a
    # 3,000-row progress table. The labels are looked up once per state.
    cycle = _cycle_in_verification(world, 3)
    client = world.client("alice")
    with mock.patch.object(Assessment, "get_state_display", side_effect=AssertionError("per row")):
        page = client.get(f"/cycles/{cycle.pk}/").content.decode()
    assert '<span class="badge draft">填报中</span>' in page
    assert page.count('<span class="badge submitted">已提交</span>') == 2
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with mock.patch.object(Assessment, "get_state_display", side_effect=AssertionError("per row")):
        page = client.get(f"/cycles/{cycle.pk}/").content.decode()
    assert page.count('<span class="badge submitted">Submitted</span>') == 2
