"""The registers in the JSON API (``/api/ledgers/…``, added to ``kaohe.assessments.api.api``): a list and a detail per
register, with the screens' rules (``ledgers.view_ledgers``, ``ledgers.view_row``) and filters. Values are the
words a person reads (the vocabulary's words, 是/否 as booleans, ISO dates); the register's columns are keyed by
their ids, as in a register file."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import django_auth

from kaohe.assessments.access import require
from kaohe.ledgers import queries
from kaohe.ledgers.models import MODELS, LedgerRow, RectificationProblem
from kaohe.registers.kinds import register_kind

router = Router(tags=["台账"], auth=django_auth)
Kind = Literal["rectification", "complaints", "notices", "incidents"]
PAGE_SIZE = 200


class LedgerRowOut(Schema):
    id: int
    kind: str
    key: str
    unit_code: str
    unit_name: str
    columns: dict[str, Any]  # the register's columns by id (unit_id: the unit code)
    details: dict[str, Any]  # the web app's own fields (包保领导, 办理情况 …) by field name
    state: str  # 整改中 / 待验收 / 已销号, 办理中 / 已办结; "" for registers without one
    flag: str  # 逾期 / 临期 / ""


class ReportOut(Schema):
    date: str
    kind: str
    text: str
    previous_deadline: str | None
    new_deadline: str | None
    author: str


class LedgerDetailOut(LedgerRowOut):
    reports: list[ReportOut]


class LedgerPageOut(Schema):
    count: int
    page: int
    pages: int
    rows: list[LedgerRowOut]


def _value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _row(row: LedgerRow) -> dict[str, Any]:
    register = register_kind(row.KIND)
    today = timezone.localdate()
    columns = {c.id: _value(getattr(row, c.id)) for c in register.columns if c.id != "unit_id"}
    details: dict[str, Any] = {}
    for name in row.EXTRA_FIELDS:
        value = getattr(row, name)
        details[name] = str(value) if name == "linked_problem" and value else _value(value)
    return {
        "id": row.pk,
        "kind": row.KIND,
        "key": row.key,
        "unit_code": row.unit.code,
        "unit_name": row.unit.name,
        "columns": {"unit_id": row.unit.code, **columns},
        "details": details,
        "state": _state(row),
        "flag": row.flag_text(today),
    }


def _state(row: LedgerRow) -> str:
    if isinstance(row, RectificationProblem):
        return str(row.get_state_display())
    if row.KIND == "complaints":
        return queries.complaint_state(row)  # type: ignore[arg-type]  # a Complaint, by its KIND
    return ""


@router.get("/{kind}", response=LedgerPageOut)
def ledger_rows(
    request: HttpRequest,
    kind: Kind,
    unit: str = "",
    year: str = "",
    state: str = "",
    page: int = 1,
) -> dict[str, Any]:
    """The rows the person sees (the office, the approver and verifiers every row; a unit its own), filtered as the
    list page: ``unit`` (code), ``year``, ``state`` (open, applied, closed, overdue, due_soon …), 200 a page."""
    require(request.user, "ledgers.view_ledgers")
    rows = queries.filter_rows(
        queries.visible_rows(request.user, kind), kind, {"unit": unit, "year": year, "state": state}
    )
    count = rows.count()
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(1, page), pages)
    chunk = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {"count": count, "page": page, "pages": pages, "rows": [_row(r) for r in chunk]}


@router.get("/{kind}/{row_id}", response=LedgerDetailOut)
def ledger_row(request: HttpRequest, kind: Kind, row_id: int) -> dict[str, Any]:
    row = get_object_or_404(MODELS[kind]._default_manager.select_related("unit"), pk=row_id)
    require(request.user, "ledgers.view_row", row)
    out = _row(row)
    reports = []
    if isinstance(row, RectificationProblem):
        for r in row.reports.select_related("author"):
            reports.append(
                {
                    "date": r.date.isoformat(),
                    "kind": str(r.get_kind_display()),
                    "text": r.text,
                    "previous_deadline": _value(r.previous_deadline),
                    "new_deadline": _value(r.new_deadline),
                    "author": r.author.get_username() if r.author else "",
                }
            )
    out["reports"] = reports
    return out
