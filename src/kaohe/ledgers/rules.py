# mypy: disallow-untyped-decorators=False, disallow-untyped-calls=False, warn-return-any=False
"""Who may see and change the registers (loaded by rules' autodiscovery; issue 12 §1: "units see and report on their
own rows; the office manages all; the public sees what is flagged for disclosure").

    role                     sees                               may change
    ───────────────────────  ─────────────────────────────────  ────────────────────────────────────────────────────
    考核办 office              every row of every register         imports, exports; 验收销号 or 退回, 同意延期
    领导 approver, 核实人      every row (read only: the evidence  nothing
    verifier                 behind the counts)
    单位填报人/负责人 unit      its own units' rows                 on its rectification problems: 进展报告 and 申请销号
                                                                while not closed; on its complaints: 办理情况, 办结
    public                   rows flagged 信息公开 (public page)   nothing

Predicates take (user, row): a register row (``models.LedgerRow``). (rules' @predicate and add_perm are untyped: the
mypy line above, as pyproject.toml says for kaohe.assessments.rules.)
"""

from __future__ import annotations

from typing import Any

import rules

from kaohe.assessments.rules import is_approver, is_office, is_unit_person, is_verifier, unit_ids
from kaohe.ledgers.models import Complaint, RectificationProblem


@rules.predicate
def is_own_row(user: Any, row: Any) -> bool:
    return row is not None and row.unit_id in unit_ids(user)


@rules.predicate
def is_open_problem(user: Any, row: Any) -> bool:
    """A rectification problem the unit is still working on (整改中, also after a 退回)."""
    return isinstance(row, RectificationProblem) and row.state == RectificationProblem.State.OPEN


@rules.predicate
def is_applied_problem(user: Any, row: Any) -> bool:
    return isinstance(row, RectificationProblem) and row.state == RectificationProblem.State.APPLIED


@rules.predicate
def is_unclosed_problem(user: Any, row: Any) -> bool:
    return isinstance(row, RectificationProblem) and row.state != RectificationProblem.State.CLOSED


@rules.predicate
def is_open_complaint(user: Any, row: Any) -> bool:
    return isinstance(row, Complaint) and row.closed_on is None


sees_every_row = is_office | is_approver | is_verifier

rules.add_perm("ledgers.view_ledgers", sees_every_row | is_unit_person)
rules.add_perm("ledgers.view_every_row", sees_every_row)
rules.add_perm("ledgers.view_row", sees_every_row | is_own_row)
rules.add_perm("ledgers.manage", is_office)
rules.add_perm("ledgers.report_progress", is_own_row & is_open_problem)
rules.add_perm("ledgers.apply_closure", is_own_row & is_open_problem)
rules.add_perm("ledgers.decide_closure", is_office & is_applied_problem)
rules.add_perm("ledgers.extend_deadline", is_office & is_unclosed_problem)
rules.add_perm("ledgers.handle_complaint", is_own_row & is_open_complaint)
