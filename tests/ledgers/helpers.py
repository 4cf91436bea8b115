"""Register rows for the web tests, written the way the office writes them: an import through the audited action."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from kaohe.ledgers import actions
from kaohe.ledgers.imports import read_ledger_file
from kaohe.ledgers.models import RectificationProblem
from kaohe.registers.kinds import register_kind
from tests.world import World

# P-A1's deadline: always a few years ahead of today, so that it is neither due soon nor overdue whenever tests run
FUTURE_DEADLINE = dt.date(dt.datetime.now(tz=dt.UTC).year + 4, 12, 31)
# 甲市 (220100) has two problems, 乙市 (220200) one; P-A2 is due in 2024 and completed late.
RECTIFICATION_ROWS: list[dict[str, Any]] = [
    {
        "unit_id": "220100",
        "problem_id": "P-A1",
        "source": "中央生态环境保护督察",
        "level": "中央",
        "listed_by_nation": "否",
        "description": "城区污水管网雨污混流",
        "deadline": FUTURE_DEADLINE.isoformat(),
        "completed_on": "",
        "closed_on": "",
    },
    {
        "unit_id": "220100",
        "problem_id": "P-A2",
        "source": "绿盾",
        "level": "省",
        "listed_by_nation": "是",
        "description": "自然保护区内违规采石",
        "deadline": "2024-06-30",
        "completed_on": "2024-07-15",
        "closed_on": "",
    },
    {
        "unit_id": "220200",
        "problem_id": "P-B1",
        "source": "省级督察",
        "level": "省",
        "listed_by_nation": "否",
        "description": "工业园区VOCs治理滞后",
        "deadline": "2024-03-31",
        "completed_on": "2024-03-20",
        "closed_on": "2024-04-10",
    },
]


# one row of each of the other three registers
OTHER_ROWS: dict[str, dict[str, Any]] = {
    "complaints": {
        "unit_id": "220100",
        "case_id": "12369-001",
        "channel": "网络",
        "category": "大气",
        "assigned_by": "省级督察",
        "received_on": "2024-05-01",
        "due_on": "2024-05-16",
        "closed_on": "2024-05-15",
    },
    "notices": {
        "unit_id": "220200",
        "notice_id": "N-1",
        "date": "2024-08-01",
        "level": "省",
        "kind": "督办",
        "cause": "整改不到位",
        "rectified_in_time": "否",
    },
    "incidents": {
        "unit_id": "220281",
        "incident_id": "I-1",
        "date": "2024-09-09",
        "severity": "较大",
        "supervision_failure": "是",
        "group_incident": "",
    },
}


def workbook(kind: str, rows: list[dict[str, Any]], extra: dict[str, list[Any]] | None = None) -> bytes:
    """An .xlsx with the template's headers (``整改时限 [deadline]``) and ``rows``; ``extra`` adds columns."""
    register = register_kind(kind)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    headers = [c.header for c in register.columns] + list(extra or {})
    ws.append(headers)
    for n, row in enumerate(rows):
        ws.append([row.get(c.id) or None for c in register.columns] + [v[n] for v in (extra or {}).values()])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def import_rectification(world: World, rows: list[dict[str, Any]] | None = None) -> None:
    table = read_ledger_file("rectification", "整改台账.xlsx", workbook("rectification", rows or RECTIFICATION_ROWS))
    actions.check_import_register(table=table, acting_user=world.people["alice"])


def problem(problem_id: str) -> RectificationProblem:
    return RectificationProblem.objects.select_related("unit").get(problem_id=problem_id)
