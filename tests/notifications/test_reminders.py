"""``kaohe remind`` with frozen dates (time-machine): reminders N days before each deadline and on every day after it
while the step is owed, once per person, step and day however often cron runs it.

A second cycle of the conftest's units, with deadlines: 自评 2025-03-31, 核实 2025-04-30, 综合评价 2025-05-31;
``--days-before 3`` (the default) opens each window on 03-28, 04-27 and 05-28."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile

from kaohe.assessments import actions
from kaohe.assessments.integrity import verify_all
from kaohe.cli import main
from kaohe.notifications.models import Notification
from tests.world import SCHEME_YAML, World

UNIT_PEOPLE = {"fay", "hank", "bob", "bert", "carl", "cora"}


@pytest.fixture
def year(world: World) -> World:
    cycle = actions.do_open_cycle(
        name="2025年度考核",
        year=2025,
        scheme_id="",
        units=world.units.values(),
        self_evaluation_deadline=dt.date(2025, 3, 31),
        verification_deadline=dt.date(2025, 4, 30),
        evaluation_deadline=dt.date(2025, 5, 31),
        scheme_file=ContentFile(SCHEME_YAML.encode(), name="web_scheme.yaml"),
        acting_user=world.people["alice"],
    )
    return World(units=world.units, people=world.people, cycle=cycle)


def on(day: str) -> Any:
    """Frozen at 09:00 in Shanghai on ``day``."""
    return time_machine.travel(
        dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    )


def remind(capsys: Any, *args: str) -> str:
    assert main(["remind", *args]) == 0
    return str(capsys.readouterr().out)


def reminded(world: World, step: str, day: str) -> dict[str, Notification]:
    names = {user.pk: name for name, user in world.people.items()}
    return {
        names[n.recipient_id]: n
        for n in Notification.objects.filter(kind="reminder", step=step, day=dt.date.fromisoformat(day))
    }


def test_it_reminds_every_unit_once_three_days_before_the_self_evaluation_deadline(year: World, capsys: Any) -> None:
    with on("2025-03-27"):
        assert remind(capsys).strip() == "今天没有需要发送的提醒"
    with on("2025-03-28"):
        out = remind(capsys)
    assert "已发送提醒 6 条" in out
    got = reminded(year, "self_evaluation", "2025-03-28")
    assert set(got) == UNIT_PEOPLE  # not the office, the leader or the verifiers
    assert got["fay"].title == "提醒：2025年度考核 · 自评将于 2025年3月31日 截止（还有 3 天）"
    assert got["fay"].body == "甲市（填报中）。"
    assert got["fay"].link == f"/assessments/{year.assessment('A').pk}/"
    for day in ("2025-03-28", "2025-03-29", "2025-03-31"):  # the window's reminder is sent once
        with on(day):
            assert remind(capsys).strip() == "今天没有需要发送的提醒"
    assert Notification.objects.filter(kind="reminder").count() == 6


def test_after_the_deadline_it_reminds_daily_only_those_still_owing_and_only_once_a_day(
    year: World, capsys: Any
) -> None:
    with on("2025-03-30"):
        year.fill("A")
        year.submit("A")
    with on("2025-04-01"):
        remind(capsys)
        remind(capsys)  # cron ran twice
    got = reminded(year, "self_evaluation", "2025-04-01")
    assert set(got) == {"bob", "bert", "carl", "cora"}  # 甲市 has submitted
    assert got["bob"].title == "提醒：2025年度考核 · 自评已于 2025年3月31日 截止，已逾期 1 天"
    with on("2025-04-02"):
        remind(capsys)
    assert set(reminded(year, "self_evaluation", "2025-04-02")) == {"bob", "bert", "carl", "cora"}
    assert Notification.objects.filter(kind="reminder", step="self_evaluation").count() == 4 + 4
    report = verify_all()  # the reminders are in the audit log like every other row
    assert report.ok, report.problems


def test_verifiers_with_open_items_and_the_office_for_the_evaluation(year: World, capsys: Any) -> None:
    with on("2025-03-30"):
        year.fill("A")
        year.submit("A")
        item = year.item("A", "1")
        actions.check_verify_item(
            item=item,
            raw_values=item.values,
            score=None,
            reason="",
            version=item.version,
            acting_user=year.people["walt"],
        )
    with on("2025-04-27"):
        remind(capsys)
    got = reminded(year, "verification", "2025-04-27")
    assert set(got) == {"vera", "dora"}  # walt's only item of 甲市 is verified; 乙市 and 丙县 have not submitted
    assert got["vera"].body == "甲市 3 项待核实。"
    assert got["vera"].title == "提醒：2025年度考核 · 核实将于 2025年4月30日 截止（还有 3 天）"
    with on("2025-05-28"):
        remind(capsys)
    office = reminded(year, "evaluation", "2025-05-28")
    assert set(office) == {"alice"}
    assert office["alice"].body == "尚有 3 个单位未综合评价（其中 0 个已核实）。"
    # the verification is overdue by now: vera and dora again, on this day
    assert set(reminded(year, "verification", "2025-05-28")) == {"vera", "dora"}


def test_today_and_days_before_can_be_given(year: World, capsys: Any) -> None:
    out = remind(capsys, "--today", "2025-03-26", "--days-before", "5")
    assert "已发送提醒 6 条" in out
    assert set(reminded(year, "self_evaluation", "2025-03-26")) == UNIT_PEOPLE


def test_a_malformed_today_is_one_line_and_exit_2(db: Any, capsys: Any) -> None:
    assert main(["remind", "--today", "2025-13-01"]) == 2
    assert capsys.readouterr().err.strip() == "error: --today: expected a date as YYYY-MM-DD, got '2025-13-01'"


def test_nothing_is_reminded_once_every_step_is_done(year: World, capsys: Any) -> None:
    for letter in year.cycle.letters.all():
        actions.check_issue_letter(letter=letter, raw={"good_days_target": "85"}, acting_user=year.people["alice"])
    year.through_verified()
    actions.check_evaluate_cycle(cycle=year.cycle, acting_user=year.people["alice"])
    actions.check_approve_cycle(cycle=year.cycle, acting_user=year.people["linda"])
    with on("2025-06-01"):  # every deadline is past, but nothing is owed any more
        actions.check_publish_cycle(cycle=year.cycle, acting_user=year.people["alice"])
        assert remind(capsys).strip() == "今天没有需要发送的提醒"
