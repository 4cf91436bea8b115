"""The metrics a register determines, each one a test of a register row for an assessment year Y (issue 12 §2).

A metric counts the rows of one unit in one register that pass its test (a yes/no metric: at least one row does).
A scheme input names it as ``source: register.<metric>``; :data:`METRICS` is the list the scheme loader checks
those names against. Imports nothing of kaohe: the scheme loader reads it while it is being loaded.

    register        metric                               counts, for year Y
    rectification   rect_due                             deadline (the last agreed one) in Y
                    rect_done                            … and completed on or before it
                    rectification_tasks_late             … and not: rect_due − rect_done
                    lvdun_listed_unclosed                绿盾, listed by the nation, not 销号 by 31 December Y
    complaints      complaints_received                  due date in Y
                    complaints_closed                    … and closed on or before it
                    complaints_overdue                   … and not: received − closed
                    petitions_overdue                    … of those, assigned by a 督察 (中央 or 省级)
    notices         rectification_{central,provincial}_notices   中央/省 通报·督办·退办·追责 for 整改不到位
                    rectification_city_notices           市级 督办 not rectified in time
                    instructions_unmet_{national,provincial,city}  批示 of that level not carried out in time
    incidents       incident_pollution                   (yes/no) an incident of severity 特别重大
                    incident_major_responsible           (yes/no) 重大 or 特别重大 with supervision failure
                    incidents_supervision_failure        重大/特别重大 with supervision failure, or a group incident
                                                         caused by one

Dates are ``date`` values, empty (None) meaning "not yet": a problem without a deadline is due in no year, one
without a completion date is not completed. Booleans: empty is 否, except ``rectified_in_time``, where empty is "not
(yet) rectified", which is not in time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl


@dataclass(frozen=True)
class Metric:
    id: str
    register: str  # the register kind whose rows it counts
    label: str  # Chinese, for messages and docs
    basis: str  # the seed clause or the issue text the rule comes from
    rows: Callable[[int], pl.Expr]  # year Y ⇒ true for the rows counted (null counts as false)
    boolean: bool = False  # yes/no: at least one row

    @property
    def source(self) -> str:
        """How a scheme input names it: ``register.rect_due``."""
        return f"register.{self.id}"


def _in_year(column: str, year: int) -> pl.Expr:
    # issue 12 §2: "in year Y" means the date falls in Y (1 January … 31 December, both included)
    return pl.col(column).is_between(date(year, 1, 1), date(year, 12, 31))


def _by(done: str, deadline: str) -> pl.Expr:
    # issue 12 §2: done "on or before" the deadline, so done ON the deadline day is on time; empty ⇒ not done
    return pl.col(done).is_not_null() & (pl.col(done) <= pl.col(deadline))


def _yes(column: str) -> pl.Expr:
    return pl.col(column).fill_null(False)  # an empty yes/no is 否 (kinds.py)


# -------------------------------------------------------------------------------------------- rectification


def _rect_due(year: int) -> pl.Expr:
    # issue 12 §2 rect_due: problems whose (last agreed) deadline is in Y; seed 001 三(二)1 按期完成
    return _in_year("deadline", year)


def _rect_done(year: int) -> pl.Expr:
    # issue 12 §2 rect_done: of those, completed on or before the deadline
    return _rect_due(year) & _by("completed_on", "deadline")


def _rect_late(year: int) -> pl.Expr:
    # issue 12 §2 rectification_tasks_late = rect_due − rect_done; seed 004 3.15(2)① 未按时完成整改任务的
    return _rect_due(year) & ~_by("completed_on", "deadline")


def _lvdun_unclosed(year: int) -> pl.Expr:
    # seed 004 3.9.1② 被国家挂号…未销号的; issue 12 §2: 绿盾, listed by the nation, not 销号 by 31 December of Y
    closed = pl.col("closed_on").is_not_null() & (pl.col("closed_on") <= date(year, 12, 31))
    return (pl.col("source") == "绿盾") & _yes("listed_by_nation") & ~closed


# -------------------------------------------------------------------------------------------- complaints

_INSPECTIONS = ("中央生态环境保护督察", "省级督察")  # a 督察 or higher body (issue 12 §2 petitions_overdue)


def _complaints_received(year: int) -> pl.Expr:
    # issue 12 §2 complaints_received: cases whose due date is in Y; seed 001 三(二)1 确保…全部按期办结
    return _in_year("due_on", year)


def _complaints_closed(year: int) -> pl.Expr:
    # issue 12 §2 complaints_closed: of those, closed on or before the due date
    return _complaints_received(year) & _by("closed_on", "due_on")


def _complaints_overdue(year: int) -> pl.Expr:
    # received − closed, every case (issue 12 §2, petitions_overdue without the 督察 restriction)
    return _complaints_received(year) & ~_by("closed_on", "due_on")


def _petitions_overdue(year: int) -> pl.Expr:
    # seed 004 3.15(2)② 交办信访件…未按期限办结的: only cases a 督察 (中央 or 省级) assigned (issue 12 §2)
    return _complaints_overdue(year) & pl.col("assigned_by").is_in(_INSPECTIONS)


# -------------------------------------------------------------------------------------------- notices

_SANCTIONS = ("通报", "督办", "退办", "追责")


def _rectification_notices(level: str) -> Callable[[int], pl.Expr]:
    def rows(year: int) -> pl.Expr:
        # seed 004 3.15(2)④ 因整改不到位被中央/省级通报、督办、退办或追责的 (issue 12 §2)
        return (
            _in_year("date", year)
            & (pl.col("level") == level)
            & pl.col("kind").is_in(_SANCTIONS)
            & (pl.col("cause") == "整改不到位")
        )

    return rows


def _city_notices(year: int) -> pl.Expr:
    # seed 004 3.15(2)④ 被市级督办且未及时整改的 (issue 12 §2); rectified_in_time empty ⇒ not (yet) in time
    return (
        _in_year("date", year)
        & (pl.col("level") == "市")
        & (pl.col("kind") == "督办")
        & ~pl.col("rectified_in_time").fill_null(False)
    )


def _instructions_unmet(level: str) -> Callable[[int], pl.Expr]:
    def rows(year: int) -> pl.Expr:
        # seed 004 (二)3 未按要求落实国家、省、市领导的重要批示的: a 批示 of Y not carried out in time
        return (
            _in_year("date", year)
            & (pl.col("level") == level)
            & (pl.col("kind") == "批示")
            & ~pl.col("rectified_in_time").fill_null(False)
        )

    return rows


# -------------------------------------------------------------------------------------------- incidents


def _incident_pollution(year: int) -> pl.Expr:
    # seed 001 四(三)1 / seed 000 第六条 发生特别重大环境污染事件 (issue 12 §2 incident_pollution)
    return _in_year("date", year) & (pl.col("severity") == "特别重大")


def _major_responsible(year: int) -> pl.Expr:
    # seed 002 第九条(三) 辖区内发生重大及以上突发环境事故，各级党委、政府负有领导和管理责任的
    return _in_year("date", year) & pl.col("severity").is_in(("重大", "特别重大")) & _yes("supervision_failure")


def _supervision_incidents(year: int) -> pl.Expr:
    # seed 004 (二)4 因监管不力…造成重大或特别重大突发环境事件，或因监管不力…引发群体性事件 (每起); its third
    # case, 重大活动期间较大及以上, is not in the register's columns (see the scheme's notes)
    major = pl.col("severity").is_in(("重大", "特别重大"))
    return _in_year("date", year) & _yes("supervision_failure") & (major | _yes("group_incident"))


METRICS: dict[str, Metric] = {
    m.id: m
    for m in (
        Metric("rect_due", "rectification", "年内应完成的整改任务数", "issue 12 §2; seed 001 三(二)1", _rect_due),
        Metric("rect_done", "rectification", "按期完成的整改任务数", "issue 12 §2; seed 001 三(二)1", _rect_done),
        Metric(
            "rectification_tasks_late", "rectification", "未按时完成的整改任务项数", "seed 004 3.15(2)①", _rect_late
        ),
        Metric(
            "lvdun_listed_unclosed", "rectification", "被国家挂号未销号问题数(绿盾)", "seed 004 3.9.1②", _lvdun_unclosed
        ),
        Metric(
            "complaints_received",
            "complaints",
            "应办结的群众投诉举报案件数",
            "issue 12 §2; seed 001 三(二)1",
            _complaints_received,
        ),
        Metric(
            "complaints_closed",
            "complaints",
            "按期办结的群众投诉举报案件数",
            "issue 12 §2; seed 001 三(二)1",
            _complaints_closed,
        ),
        Metric(
            "complaints_overdue", "complaints", "未按期办结的群众投诉举报案件数", "issue 12 §2", _complaints_overdue
        ),
        Metric(
            "petitions_overdue", "complaints", "交办信访件未按期限办结件数", "seed 004 3.15(2)②", _petitions_overdue
        ),
        Metric(
            "rectification_central_notices",
            "notices",
            "整改不到位被中央通报、督办、退办或追责次数",
            "seed 004 3.15(2)④",
            _rectification_notices("中央"),
        ),
        Metric(
            "rectification_provincial_notices",
            "notices",
            "整改不到位被省级通报、督办、退办或追责次数",
            "seed 004 3.15(2)④",
            _rectification_notices("省"),
        ),
        Metric(
            "rectification_city_notices", "notices", "被市级督办且未及时整改次数", "seed 004 3.15(2)④", _city_notices
        ),
        Metric(
            "instructions_unmet_national",
            "notices",
            "未按要求落实国家领导重要批示次数",
            "seed 004 (二)3",
            _instructions_unmet("中央"),
        ),
        Metric(
            "instructions_unmet_provincial",
            "notices",
            "未按要求落实省领导重要批示次数",
            "seed 004 (二)3",
            _instructions_unmet("省"),
        ),
        Metric(
            "instructions_unmet_city",
            "notices",
            "未按要求落实市领导重要批示次数",
            "seed 004 (二)3",
            _instructions_unmet("市"),
        ),
        Metric(
            "incident_pollution",
            "incidents",
            "发生特别重大突发环境事件",
            "seed 001 四(三)1; seed 000 第六条",
            _incident_pollution,
            boolean=True,
        ),
        Metric(
            "incident_major_responsible",
            "incidents",
            "发生重大及以上突发环境事件且负有监管责任",
            "seed 002 第九条(三)",
            _major_responsible,
            boolean=True,
        ),
        Metric(
            "incidents_supervision_failure",
            "incidents",
            "因监管不力造成重大或特别重大突发环境事件、引发群体性事件起数",
            "seed 004 (二)4",
            _supervision_incidents,
        ),
    )
}

SOURCE_PREFIX = "register."


def metric_of_source(source: str) -> Metric | None:
    """The metric a scheme input's ``source: register.<metric>`` names (None: not a register source, or unknown)."""
    if not source.startswith(SOURCE_PREFIX):
        return None
    return METRICS.get(source.removeprefix(SOURCE_PREFIX))
