"""The demo province's registers (issue 12 §3): a few hundred 督察整改 problems, 信访/12369 cases and 通报·督办·批示
entries, and some 突发环境事件, for the years of the demo's cycles and the current one; synthetic, seeded, with late
and on-time cases. Written the way an office writes them: an import per register through the audited action
(``kaohe.ledgers.actions.check_import_register``), then a few 销号 steps; the demo's cycles then pull their counts
from them (``kaohe.ledgers.pull``).

    demo_register_rows(units, years, rng, quality, today) -> {kind: [row, …]}   the rows, as a register file holds them
    load_demo_registers(units, years, rng, quality, today, office, fillers)     imported and worked on
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
from django.contrib.auth.models import User

from kaohe.assessments.models import Unit
from kaohe.registers.kinds import register_kind

SOURCES = [  # (source, level, weight)
    ("中央生态环境保护督察", "中央", 3),
    ("省级督察", "省", 4),
    ("市级督办", "市", 2),
    ("绿盾", "省", 2),
    ("长江经济带", "中央", 1),
]
PROBLEMS = [
    "城区污水管网雨污混流，污水直排",
    "工业园区VOCs治理设施运行不正常",
    "自然保护区内违规采石未完成生态修复",
    "垃圾填埋场渗滤液处理能力不足",
    "黑臭水体整治不彻底，返黑返臭",
    "畜禽养殖粪污资源化利用率偏低",
    "饮用水水源保护区内违规建筑未拆除",
    "建筑工地扬尘管控不到位",
    "燃煤锅炉淘汰任务滞后",
    "尾矿库环境风险隐患整治不到位",
]
COMPLAINTS = ["夜间施工噪声扰民", "餐饮油烟污染", "企业异味扰民", "河道漂浮垃圾", "固废非法倾倒", "毁林采砂"]


def _day(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def _iso(day: dt.date | None, today: dt.date) -> str:
    """A date the register holds: none yet when it is after ``today`` (what has not happened is not recorded)."""
    return "" if day is None or day > today else day.isoformat()


def demo_register_rows(
    units: Sequence[Unit], years: Sequence[int], rng: random.Random, quality: Mapping[int, float], today: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """The four registers' rows. ``quality`` (unit pk → 0…1) makes good units late less often. Per year: 2–4 problems
    for a city, 0–2 for a county; 3–5 cases for a city, 1–2 for a county; notices now and then; about one incident
    in ten units, one of them 特别重大 (the year's veto). The current year adds open problems and cases, some 逾期
    and some 临期, for the 通报预警."""
    rows: dict[str, list[dict[str, Any]]] = {"rectification": [], "complaints": [], "notices": [], "incidents": []}
    weights = [w for *_, w in SOURCES]
    for year in [*years, today.year]:
        current = year == today.year
        unlucky = rng.choice(units).code
        for unit in units:
            city = unit.type != "county"
            late_odds = 0.05 + 0.35 * (1 - quality[unit.pk])
            for n in range(rng.randint(2, 4) if city else rng.randint(0, 2)):
                source, level, _w = rng.choices(SOURCES, weights)[0]
                if current:  # open: a few overdue, a few due within the month, the rest later in the year
                    deadline = today + dt.timedelta(days=rng.choice([-20, -5, 10, 25, 60, 120]))
                    completed = None
                else:
                    deadline = _day(rng, year)
                    roll = rng.random()
                    if roll < late_odds * 0.3:
                        completed = None  # never completed
                    elif roll < late_odds:
                        completed = deadline + dt.timedelta(days=rng.randint(3, 90))
                    else:
                        completed = deadline - dt.timedelta(days=rng.randint(0, 60))
                closed = completed + dt.timedelta(days=rng.randint(10, 45)) if completed else None
                rows["rectification"].append(
                    {
                        "unit_id": unit.code,
                        "problem_id": f"ZG{year}-{unit.code}-{n + 1:02d}",
                        "source": source,
                        "level": level,
                        "listed_by_nation": "是" if source == "绿盾" and rng.random() < 0.4 else "否",
                        "description": rng.choice(PROBLEMS),
                        "deadline": deadline.isoformat(),
                        "completed_on": _iso(completed, today),
                        "closed_on": _iso(closed, today),
                    }
                )
            for n in range(rng.randint(3, 5) if city else rng.randint(1, 2)):
                channel = rng.choice(["12369热线", "12369热线", "网络", "信访", "督察交办"])
                assigned = rng.choice(["中央生态环境保护督察", "省级督察"]) if channel == "督察交办" else ""
                received = today - dt.timedelta(days=rng.randint(0, 20)) if current else _day(rng, year)
                due = received + dt.timedelta(days=60 if channel == "信访" else 15)
                roll = rng.random()
                closed_on = (
                    None
                    if current and roll < 0.5
                    else due + dt.timedelta(days=rng.randint(1, 30))
                    if roll < late_odds * 0.6
                    else received + dt.timedelta(days=rng.randint(1, (due - received).days))
                )
                rows["complaints"].append(
                    {
                        "unit_id": unit.code,
                        "case_id": f"XF{year}-{unit.code}-{n + 1:02d}",
                        "channel": channel,
                        "category": rng.choice(["大气", "水", "噪声", "固废", "生态", "其他"]),
                        "assigned_by": assigned,
                        "received_on": received.isoformat(),
                        "due_on": due.isoformat(),
                        "closed_on": _iso(closed_on, today),
                    }
                )
            if current:
                continue
            for n in range(rng.choice([0, 0, 1, 1, 2]) if city else rng.choice([0, 0, 0, 1])):
                kind = rng.choice(["通报", "督办", "督办", "退办", "追责", "批示", "曝光"])
                rows["notices"].append(
                    {
                        "unit_id": unit.code,
                        "notice_id": f"TB{year}-{unit.code}-{n + 1:02d}",
                        "date": _day(rng, year).isoformat(),
                        "level": rng.choice(["中央", "省", "省", "市", "市"]),
                        "kind": kind,
                        "cause": "未落实批示" if kind == "批示" else rng.choice(["整改不到位", "监管不力", "其他"]),
                        "rectified_in_time": "是" if rng.random() < 0.7 else "否",
                    }
                )
            if unit.code == unlucky or rng.random() < 0.08:
                severity = "特别重大" if unit.code == unlucky else rng.choice(["一般", "一般", "较大"])
                rows["incidents"].append(
                    {
                        "unit_id": unit.code,
                        "incident_id": f"SJ{year}-{unit.code}",
                        "date": _day(rng, year).isoformat(),
                        "severity": severity,
                        "supervision_failure": "是" if severity == "特别重大" or rng.random() < 0.2 else "否",
                        "group_incident": "否",
                    }
                )
    return rows


def load_demo_registers(
    units: Sequence[Unit],
    years: Sequence[int],
    rng: random.Random,
    quality: Mapping[int, float],
    today: dt.date,
    office: User,
    fillers: Mapping[int, User],
) -> dict[str, int]:
    """The registers imported by the office (one audited ``ledger.import`` per register file), then worked on: some
    of the current year's open problems applied for 销号 by their unit, one accepted by the office, one extended.
    Returns the rows per register."""
    from kaohe.ledgers import actions as ledger_actions
    from kaohe.ledgers.imports import parse_ledger_frame
    from kaohe.ledgers.models import RectificationProblem

    counts: dict[str, int] = {}
    for kind, rows in demo_register_rows(units, years, rng, quality, today).items():
        register = register_kind(kind)
        frame = pl.DataFrame(
            {c.id: [row.get(c.id) or None for row in rows] for c in register.columns},
            schema={c.id: pl.String for c in register.columns},
        )
        table = parse_ledger_frame(kind, frame, file=f"示范{register.label}.xlsx")
        ledger_actions.check_import_register(table=table, acting_user=office)
        counts[kind] = len(rows)
    current = list(
        RectificationProblem.objects.filter(deadline__year__gte=today.year, completed_on__isnull=True).order_by(
            "problem_id"
        )[:3]
    )
    for n, problem in enumerate(current):
        if n == 2:
            assert problem.deadline is not None
            ledger_actions.check_extend_deadline(
                problem=problem,
                new_deadline=problem.deadline + dt.timedelta(days=90),
                reason="汛期无法施工，经研究同意延期",
                acting_user=office,
            )
            continue
        ledger_actions.check_apply_closure(
            problem=problem,
            completed_on=today,
            text="已完成整改，附现场核查照片和验收报告",
            acting_user=fillers[problem.unit_id],
        )
        if n == 0:
            ledger_actions.check_accept_closure(
                problem=RectificationProblem.objects.get(pk=problem.pk),
                closed_on=today,
                text="现场核查属实，同意销号",
                acting_user=office,
            )
    return counts
