"""kaohe.registers.derive: every metric of issue 12 §2 on small registers, the expected counts worked out by hand in
the comment above each assertion, and the boundaries the issue names."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kaohe.core.exceptions import UserInputError
from kaohe.registers import METRICS, derive, rows_counted
from tests.registers.helpers import register

Y = 2024


def counts(
    registers: dict[str, pl.DataFrame], *metrics: str, units: list[str] | None = None
) -> dict[str, list[object]]:
    return derive(registers, Y, metrics, units=units).to_dict(as_series=False)


# ---------------------------------------------------------------------------------------------- rectification

RECT = register(
    "rectification",
    {"unit_id": "U1", "source": "中央生态环境保护督察", "deadline": "2024-03-01", "completed_on": "2024-03-01"},
    {"unit_id": "U1", "source": "省级督察", "deadline": "2024-12-31", "completed_on": "2025-01-02"},
    {"unit_id": "U1", "source": "省级督察", "deadline": "2023-12-31", "completed_on": None},
    {"unit_id": "U1", "source": "其他", "deadline": "2024-06-30", "completed_on": None},
    {"unit_id": "U1", "source": "其他", "deadline": "2024-01-01", "completed_on": "2023-11-20"},
    {"unit_id": "U1", "source": "其他", "deadline": None, "completed_on": "2024-05-01"},
    {"unit_id": "U2", "source": "市级督办", "deadline": "2025-01-01", "completed_on": "2024-12-30"},
    {"unit_id": "U2", "source": "市级督办", "deadline": "2024-07-01", "completed_on": "2024-07-02"},
)


def test_rectification_tasks_due_done_and_late_in_the_year() -> None:
    # U1: R1 (2024-03-01, done 03-01: on time), R2 (2024-12-31, done 2025-01-02: late), R3 (2023-12-31: not in Y),
    #     R4 (2024-06-30, not done: late), R5 (2024-01-01, done early 2023-11-20: on time), R6 (no deadline: due in
    #     no year) ⇒ rect_due 4 (R1 R2 R4 R5), rect_done 2 (R1 R5), late 2 (R2 R4)
    # U2: R7 (2025-01-01: not in Y, though done in 2024), R8 (2024-07-01, done 07-02: late) ⇒ due 1, done 0, late 1
    assert counts({"rectification": RECT}, "rect_due", "rect_done", "rectification_tasks_late") == {
        "unit_id": ["U1", "U2"],
        "rect_due": [4, 1],
        "rect_done": [2, 0],
        "rectification_tasks_late": [2, 1],
    }


@pytest.mark.parametrize(
    ("deadline", "completed_on", "due", "done"),
    [
        ("2024-12-31", "2024-12-31", 1, 1),  # deadline on 31 December counts in Y; done ON the deadline day: on time
        ("2024-01-01", "2024-01-01", 1, 1),  # 1 January counts in Y
        ("2024-12-31", "2025-01-01", 1, 0),  # a day late, across the year's end
        ("2025-01-01", "2024-12-31", 0, 0),  # due the next year: not in Y, whenever done
        ("2023-12-31", "2024-01-05", 0, 0),  # due the year before, done late in Y: not in Y either
        ("2024-05-31", None, 1, 0),  # an empty completion date is "not yet"
        (None, "2024-05-31", 0, 0),  # an empty deadline is "not yet set": due in no year
    ],
)
def test_rectification_boundaries(deadline: str | None, completed_on: str | None, due: int, done: int) -> None:
    rect = register(
        "rectification", {"unit_id": "U1", "source": "其他", "deadline": deadline, "completed_on": completed_on}
    )
    got = counts({"rectification": rect}, "rect_due", "rect_done", "rectification_tasks_late")
    assert (got["rect_due"], got["rect_done"], got["rectification_tasks_late"]) == ([due], [done], [due - done])


@pytest.mark.parametrize(
    ("last_agreed_deadline", "due_2024", "done_2024"),
    [
        # due 2024-03-31, extended (after it had passed) to 2024-09-30, done 2024-08-01: the extension decides
        ("2024-09-30", 1, 1),
        # originally due 2024-10-31, extended into 2025: no longer due in 2024
        ("2025-03-31", 0, 0),
    ],
)
def test_the_last_agreed_deadline_decides(last_agreed_deadline: str, due_2024: int, done_2024: int) -> None:
    rect = register(
        "rectification",
        {"unit_id": "U1", "source": "其他", "deadline": last_agreed_deadline, "completed_on": "2024-08-01"},
    )
    got = counts({"rectification": rect}, "rect_due", "rect_done")
    assert (got["rect_due"], got["rect_done"]) == ([due_2024], [done_2024])


def test_lvdun_problems_listed_by_the_nation_and_not_closed_by_the_years_end() -> None:
    rect = register(
        "rectification",
        {"unit_id": "U1", "source": "绿盾", "listed_by_nation": "是", "closed_on": None},
        {"unit_id": "U1", "source": "绿盾", "listed_by_nation": "是", "closed_on": "2024-12-31"},
        {"unit_id": "U1", "source": "绿盾", "listed_by_nation": "是", "closed_on": "2025-01-03"},
        {"unit_id": "U1", "source": "绿盾", "listed_by_nation": "否", "closed_on": None},
        {"unit_id": "U1", "source": "绿盾", "listed_by_nation": None, "closed_on": None},
        {"unit_id": "U1", "source": "中央生态环境保护督察", "listed_by_nation": "是", "closed_on": None},
        {"unit_id": "U2", "source": "绿盾", "listed_by_nation": "true", "closed_on": "2023-06-01"},
    )
    # U1: R1 listed, never closed ⇒ 1; R2 closed ON 31 December ⇒ closed; R3 closed in 2025 ⇒ unclosed at the end of
    #     2024 ⇒ 2; R4 not listed; R5 listed empty = 否; R6 listed but not 绿盾 ⇒ lvdun_listed_unclosed 2
    # U2: R7 closed in 2023 ⇒ 0
    assert counts({"rectification": rect}, "lvdun_listed_unclosed")["lvdun_listed_unclosed"] == [2, 0]


# ---------------------------------------------------------------------------------------------- complaints

COMPLAINTS = register(
    "complaints",
    {"unit_id": "U1", "channel": "12369热线", "due_on": "2024-02-10", "closed_on": "2024-02-10"},
    {"unit_id": "U1", "channel": "信访", "due_on": "2024-12-31", "closed_on": None},
    {
        "unit_id": "U1",
        "channel": "督察交办",
        "assigned_by": "中央生态环境保护督察",
        "due_on": "2024-05-01",
        "closed_on": "2024-05-03",
    },
    {"unit_id": "U1", "channel": "督察交办", "assigned_by": "省级督察", "due_on": "2024-09-01", "closed_on": None},
    {
        "unit_id": "U1",
        "channel": "督察交办",
        "assigned_by": "省级督察",
        "due_on": "2024-09-01",
        "closed_on": "2024-08-30",
    },
    {"unit_id": "U1", "channel": "网络", "assigned_by": "市级督办", "due_on": "2024-03-01", "closed_on": "2024-04-01"},
    {"unit_id": "U1", "channel": "督察交办", "assigned_by": "省级督察", "due_on": "2025-01-10", "closed_on": None},
    {"unit_id": "U2", "channel": "网络", "due_on": "2023-12-31", "closed_on": "2024-01-15"},
)


def test_complaints_received_closed_and_overdue() -> None:
    # U1 due in 2024: R1 (closed ON the due day: in time), R2 (due 31 Dec, not closed: overdue), R3 (中央督察, 2 days
    #     late), R4 (省级督察, not closed), R5 (省级督察, early), R6 (市级督办, a month late); R7 due 2025: not in Y
    #     ⇒ received 6, closed 2 (R1 R5), overdue 4 (R2 R3 R4 R6), of which assigned by a 督察: R3 R4 ⇒ petitions 2
    # U2: R8 due 2023: nothing in 2024 ⇒ 0 0 0 0
    assert counts(
        {"complaints": COMPLAINTS},
        "complaints_received",
        "complaints_closed",
        "complaints_overdue",
        "petitions_overdue",
    ) == {
        "unit_id": ["U1", "U2"],
        "complaints_received": [6, 0],
        "complaints_closed": [2, 0],
        "complaints_overdue": [4, 0],
        "petitions_overdue": [2, 0],
    }


# ---------------------------------------------------------------------------------------------- notices

NOTICES = register(
    "notices",
    {"unit_id": "U1", "date": "2024-01-01", "level": "中央", "kind": "通报", "cause": "整改不到位"},
    {"unit_id": "U1", "date": "2024-06-01", "level": "中央", "kind": "追责", "cause": "整改不到位"},
    {"unit_id": "U1", "date": "2024-06-01", "level": "中央", "kind": "批示", "cause": "整改不到位"},
    {"unit_id": "U1", "date": "2024-06-01", "level": "中央", "kind": "通报", "cause": "监管不力"},
    {"unit_id": "U1", "date": "2023-12-31", "level": "中央", "kind": "督办", "cause": "整改不到位"},
    {"unit_id": "U1", "date": "2024-12-31", "level": "省", "kind": "退办", "cause": "整改不到位"},
    {"unit_id": "U1", "date": "2024-03-03", "level": "省", "kind": "督办", "cause": "整改不到位"},
    {"unit_id": "U1", "date": "2024-03-03", "level": "市", "kind": "督办", "rectified_in_time": "否"},
    {"unit_id": "U1", "date": "2024-04-04", "level": "市", "kind": "督办", "rectified_in_time": None},
    {"unit_id": "U1", "date": "2024-05-05", "level": "市", "kind": "督办", "rectified_in_time": "是"},
    {"unit_id": "U1", "date": "2024-05-05", "level": "市", "kind": "通报", "rectified_in_time": "否"},
    {"unit_id": "U2", "date": "2024-07-07", "level": "中央", "kind": "批示", "rectified_in_time": "否"},
    {"unit_id": "U2", "date": "2024-08-08", "level": "省", "kind": "批示", "rectified_in_time": None},
    {"unit_id": "U2", "date": "2024-08-09", "level": "省", "kind": "批示", "rectified_in_time": "是"},
    {"unit_id": "U2", "date": "2025-01-01", "level": "市", "kind": "批示", "rectified_in_time": "否"},
    {"unit_id": "U2", "date": "2024-09-09", "level": "市", "kind": "批示", "rectified_in_time": "否"},
)


def test_rectification_notices_by_level() -> None:
    # U1 central: R1 通报 (1 January) and R2 追责 for 整改不到位 ⇒ 2; R3 is a 批示, R4 is for 监管不力, R5 in 2023: not
    #     counted. Provincial: R6 退办 (31 December) and R7 督办 ⇒ 2. City 督办 not rectified in time: R8 (否), R9
    #     (empty: not yet rectified) ⇒ 2; R10 was in time, R11 is a 通报.
    # U2: its rows are 批示 only ⇒ 0 0 0
    got = counts(
        {"notices": NOTICES},
        "rectification_central_notices",
        "rectification_provincial_notices",
        "rectification_city_notices",
    )
    assert got == {
        "unit_id": ["U1", "U2"],
        "rectification_central_notices": [2, 0],
        "rectification_provincial_notices": [2, 0],
        "rectification_city_notices": [2, 0],
    }


def test_instructions_not_carried_out_by_level() -> None:
    # U2: national R12 (否) ⇒ 1; provincial R13 (empty: not carried out) ⇒ 1, R14 carried out; city R15 is 2025,
    #     R16 (否) ⇒ 1. U1: its only 批示, R3, is national and was not marked carried out ⇒ 1.
    got = counts(
        {"notices": NOTICES}, "instructions_unmet_national", "instructions_unmet_provincial", "instructions_unmet_city"
    )
    assert got == {
        "unit_id": ["U1", "U2"],
        "instructions_unmet_national": [1, 1],
        "instructions_unmet_provincial": [0, 1],
        "instructions_unmet_city": [0, 1],
    }


# ---------------------------------------------------------------------------------------------- incidents

INCIDENTS = register(
    "incidents",
    {"unit_id": "U1", "date": "2024-12-31", "severity": "特别重大", "supervision_failure": "否"},
    {"unit_id": "U1", "date": "2024-03-01", "severity": "重大", "supervision_failure": "是"},
    {"unit_id": "U1", "date": "2024-03-02", "severity": "一般", "supervision_failure": "是", "group_incident": "是"},
    {"unit_id": "U1", "date": "2024-03-03", "severity": "较大", "supervision_failure": None, "group_incident": "是"},
    {"unit_id": "U2", "date": "2023-12-31", "severity": "特别重大", "supervision_failure": "是"},
    {"unit_id": "U2", "date": "2024-05-05", "severity": "较大", "supervision_failure": "是"},
    {"unit_id": "U3", "date": "2024-01-01", "severity": "重大", "supervision_failure": "是"},
)


def test_incidents() -> None:
    # U1: R1 特别重大 on 31 December ⇒ incident_pollution yes; 重大+ with supervision failure: R2 ⇒ responsible yes;
    #     D4 count: R2 (重大, failure) + R3 (group incident, failure) = 2; R1 no failure, R4 failure empty = 否
    # U2: R5 特别重大 in 2023: not in Y; R6 较大 with failure: neither ⇒ no, no, 0
    # U3: R7 重大 with failure on 1 January ⇒ no 特别重大; responsible yes; D4 1
    got = counts(
        {"incidents": INCIDENTS}, "incident_pollution", "incident_major_responsible", "incidents_supervision_failure"
    )
    assert got == {
        "unit_id": ["U1", "U2", "U3"],
        "incident_pollution": [True, False, False],
        "incident_major_responsible": [True, False, True],
        "incidents_supervision_failure": [2, 0, 1],
    }


# ---------------------------------------------------------------------------------------------- units, registers


def test_listed_units_get_a_row_each_and_zero_where_a_register_has_none_of_their_rows() -> None:
    # U3 has no rectification rows: 0, not missing; U2's rows are counted only because it is listed; U9 (rows of a
    # unit not listed) is left out
    rect = RECT.vstack(register("rectification", {"unit_id": "U9", "source": "其他", "deadline": "2024-05-05"}))
    got = derive({"rectification": rect}, Y, ["rect_due"], units=["U3", "U1", "U2"])
    expected = pl.DataFrame({"unit_id": ["U3", "U1", "U2"], "rect_due": [0, 4, 1]})
    assert_frame_equal(got, expected)


def test_a_metric_whose_register_is_not_given_is_refused() -> None:
    # no register is not the same as no problems: the count would be 0 for every unit
    with pytest.raises(UserInputError, match=r"信访/12369案件 \(complaints\)"):
        derive({"rectification": RECT}, Y, ["rect_due", "complaints_received"])


def test_a_year_is_an_assessment_year_and_a_metric_a_known_one() -> None:
    with pytest.raises(UserInputError, match="expected a year from 2000"):
        derive({"rectification": RECT}, 1999, ["rect_due"])
    with pytest.raises(UserInputError, match="unknown register metric 'rect_overdue'"):
        derive({"rectification": RECT}, Y, ["rect_overdue"])


def test_the_rows_behind_a_count_are_the_evidence() -> None:
    # U1's late tasks in 2024 are R2 and R4 (see test_rectification_tasks_due_done_and_late_in_the_year)
    assert rows_counted(RECT, "rectification_tasks_late", Y, "U1").get_column("problem_id").to_list() == ["R2", "R4"]
    assert rows_counted(RECT, "rectification_tasks_late", Y).get_column("problem_id").to_list() == ["R2", "R4", "R8"]


def test_every_metric_counts_rows_of_a_known_register_and_cites_its_clause() -> None:
    for metric in METRICS.values():
        assert metric.register in ("rectification", "complaints", "notices", "incidents")
        assert metric.basis and metric.label and metric.source == f"register.{metric.id}"
