"""The JSON API (django-ninja) at /api/, OpenAPI docs at /api/docs.

Same permissions as the screens (``rules``), same actions. Writes use the session cookie (``django_auth``, which
also enforces CSRF); published results are readable anonymously.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import BeforeValidator, ConfigDict, StrictInt, StrictStr

from kaohe.assessments import actions, schemes
from kaohe.assessments.access import Refused, access_assessment, access_cycle, access_item, require
from kaohe.assessments.dashboard import notes_for
from kaohe.assessments.limits import MAX_EXPLANATION_CHARS, MAX_REASON_CHARS
from kaohe.assessments.models import Assessment, Cycle, Result, SelfEvaluation, Unit
from kaohe.assessments.rules import allowed

api = NinjaAPI(title="kaohe 考核 API", version="1", urls_namespace="api", docs_url="/docs")


@api.exception_handler(Refused)
def refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    """A refusal of kaohe.assessments.access: 403, or 401 when nobody is signed in, with its one message."""
    return api.create_response(request, {"detail": str(exc)}, status=403 if request.user.is_authenticated else 401)


class UnitOut(Schema):
    id: int
    code: str
    name: str
    type: str
    sequence: str
    parent_id: int | None


class CycleOut(Schema):
    id: int
    name: str
    year: int
    scheme_id: str
    published: bool


class AssessmentOut(Schema):
    id: int
    unit_code: str
    unit_name: str
    sequence: str
    state: str
    overdue: bool


class VerificationOut(Schema):
    values: dict[str, Any]
    score: Decimal | None
    reason: str
    comment: str


class ItemOut(Schema):
    id: int
    indicator_id: str
    indicator_name: str
    lead_unit: str
    values: dict[str, Any]
    self_score: Decimal | None
    explanation: str
    status: str
    version: int
    verification: VerificationOut | None


# Bounds on typed text, as the forms apply them (kaohe.assessments.limits).


def _json_number(value: object) -> object:
    """A score is a JSON number: ``true`` (which pydantic reads as 1) and text are refused."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float | Decimal)):
        raise ValueError(f"应为数字（JSON number），不是 {json.dumps(value, ensure_ascii=False)[:40]}")
    return value


# Scores as the database columns hold them (DecimalField(max_digits=8, decimal_places=2)), as the web form checks.
Score = Annotated[Decimal | None, BeforeValidator(_json_number), Field(max_digits=8, decimal_places=2)]
Reason = Annotated[StrictStr, Field(max_length=MAX_REASON_CHARS)]
Explanation = Annotated[StrictStr, Field(max_length=MAX_EXPLANATION_CHARS)]
# SelfEvaluation.version is a PositiveIntegerField: a larger number reached the database query (out of range there).
Version = Annotated[StrictInt, Field(ge=1, le=2_147_483_647)]


class _In(Schema):
    """A request body: an unknown key is refused (not dropped), and types are strict (``"1"`` or ``true`` is not
    a version number); ninja answers 422 naming the field."""

    model_config = ConfigDict(extra="forbid")


class ItemIn(_In):
    values: dict[str, Any]  # checked against the item's inputs by _check_values
    self_score: Score = None
    explanation: Explanation = ""
    version: Version


class VerificationIn(_In):
    values: dict[str, Any]
    score: Score = None
    reason: Reason = ""
    version: Version


class ReturnIn(_In):
    comment: Reason
    version: Version


def _json_kind(kind: str, value: Any) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "category":
        return isinstance(value, str)
    return isinstance(value, int | float) and not isinstance(value, bool)  # number, integer


_JSON_KIND = {"boolean": "true 或 false", "category": "文字（JSON string）", "number": "数字（JSON number）"}


def _check_values(item: SelfEvaluation, values: dict[str, Any]) -> None:
    """Every key is one of the item's inputs and every value has the input's JSON type (null = blank; a list input
    takes a JSON array). The value itself (range, choices) is then checked by the action, as for the forms."""
    scheme = schemes.load(item.assessment.cycle.scheme_ref)
    problems: list[str] = []
    for key, value in values.items():
        if key not in item.values:
            known = "、".join(item.values) or "无"
            problems.append(f"未知的输入 {key[:40]!r}：此项的输入为 {known}")
            continue
        if value is None:
            continue
        inp = schemes.input_def(scheme, key)
        kind = str(inp.kind)
        item_kind = str(inp.item_kind or "number") if kind == "list" else kind
        ok = (
            isinstance(value, list) and all(v is None or _json_kind(item_kind, v) for v in value)
            if kind == "list"
            else _json_kind(kind, value)
        )
        if not ok:
            what = _JSON_KIND.get(item_kind, _JSON_KIND["number"])
            what = f"由{what}组成的列表（JSON array）" if kind == "list" else what
            found = json.dumps(value, ensure_ascii=False)[:40]
            problems.append(f"{inp.name}（{key}）：应为{what}，不是 {found}")
    if problems:
        raise HttpError(400, "；".join(problems))


class ResultOut(Schema):
    unit_code: str
    unit_name: str
    sequence: str
    final_score: float | None
    grade: str
    rank: int | None
    advanced: bool
    interview: bool
    accountability: bool
    flags: list[str]  # the fired special rules' ids (stable keys for programs)
    flag_names: list[str]  # the same rules by name, as people read them
    vetoed: bool  # a veto, falsification or 一票否决 rule fired
    consequences: list[str]  # who else the veto affects (seed 002 第九条(三)), in the scheme's words
    dishonesty_record: bool  # 纳入政务失信记录 (seed 000 第十条)
    dishonesty_reason: str  # the falsification rule that fired and the clause; "" without a record


def _item_out(item: SelfEvaluation) -> dict[str, Any]:
    verification = getattr(item, "verification", None)
    return {
        "id": item.pk,
        "indicator_id": item.indicator_id,
        "indicator_name": item.indicator_name,
        "lead_unit": item.lead_unit,
        "values": item.values,
        "self_score": item.self_score,
        "explanation": item.explanation,
        "status": item.status,
        "version": item.version,
        "verification": None
        if verification is None
        else {
            "values": verification.values,
            "score": verification.score,
            "reason": verification.reason,
            "comment": verification.comment,
        },
    }


def _write(run: Any) -> Any:
    try:
        return run()
    except actions.ConflictError as exc:
        raise HttpError(409, str(exc)) from None
    except actions.ActionError as exc:
        raise HttpError(400, str(exc)) from None


@api.get("/units", response=list[UnitOut], auth=django_auth)
def list_units(request: Any) -> Any:
    require(request.user, "assessments.view_cycle")
    return Unit.objects.all()


@api.get("/cycles", response=list[CycleOut], auth=django_auth)
def list_cycles(request: Any) -> Any:
    require(request.user, "assessments.view_cycle")
    return [
        {"id": c.pk, "name": c.name, "year": c.year, "scheme_id": c.scheme_id, "published": c.is_published}
        for c in Cycle.objects.all()
    ]


@api.get("/cycles/{cycle_id}/assessments", response=list[AssessmentOut], auth=django_auth)
def list_assessments(request: Any, cycle_id: int) -> Any:
    cycle = access_cycle(request.user, cycle_id, "assessments.view_cycle")
    visible = [
        a
        for a in Assessment.objects.filter(cycle=cycle).select_related("unit", "cycle")
        if allowed(request.user, "assessments.view_assessment", a)
    ]
    return [
        {
            "id": a.pk,
            "unit_code": a.unit.code,
            "unit_name": a.unit.name,
            "sequence": a.sequence,
            "state": a.state,
            "overdue": a.is_overdue(),
        }
        for a in visible
    ]


@api.get("/assessments/{assessment_id}/items", response=list[ItemOut], auth=django_auth)
def list_items(request: Any, assessment_id: int) -> Any:
    assessment = access_assessment(request.user, assessment_id, "assessments.view_assessment")
    return [_item_out(i) for i in assessment.items.select_related("verification")]


@api.put("/items/{item_id}", response=ItemOut, auth=django_auth)
def save_item(request: Any, item_id: int, payload: ItemIn) -> Any:
    item = access_item(request.user, item_id, "assessments.edit_self_evaluation")
    _check_values(item, payload.values)
    fresh = _write(
        lambda: actions.check_save_self_evaluation(
            item=item,
            raw_values=payload.values,
            self_score=payload.self_score,
            explanation=payload.explanation,
            version=payload.version,
            acting_user=request.user,
        )
    )
    return _item_out(fresh)


@api.post("/items/{item_id}/verification", response=ItemOut, auth=django_auth)
def verify_item(request: Any, item_id: int, payload: VerificationIn) -> Any:
    item = access_item(request.user, item_id, "assessments.verify_item")
    _check_values(item, payload.values)
    fresh = _write(
        lambda: actions.check_verify_item(
            item=item,
            raw_values=payload.values,
            score=payload.score,
            reason=payload.reason,
            version=payload.version,
            acting_user=request.user,
        )
    )
    return _item_out(SelfEvaluation.objects.select_related("verification").get(pk=fresh.pk))


@api.post("/items/{item_id}/return", response=ItemOut, auth=django_auth)
def return_item(request: Any, item_id: int, payload: ReturnIn) -> Any:
    item = access_item(request.user, item_id, "assessments.verify_item")
    fresh = _write(
        lambda: actions.check_return_item(
            item=item, comment=payload.comment, version=payload.version, acting_user=request.user
        )
    )
    return _item_out(SelfEvaluation.objects.select_related("verification").get(pk=fresh.pk))


@api.get("/cycles/{cycle_id}/results", response=list[ResultOut])
def list_results(request: Any, cycle_id: int) -> Any:
    """Published results for everyone; evaluated results for the office and approvers."""
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    results = Result.objects.filter(cycle=cycle).select_related("assessment__unit", "assessment__cycle")
    if not cycle.is_published:
        require(request.user, "assessments.view_audit", cycle)
    scheme = schemes.load(cycle.scheme_ref)
    out = []
    for r in results:
        notes = notes_for(scheme, r)
        out.append(
            {
                "unit_code": r.assessment.unit.code,
                "unit_name": r.assessment.unit.name,
                "sequence": r.sequence,
                "final_score": r.final_score,
                "grade": r.grade,
                "rank": r.rank,
                "advanced": r.advanced,
                "interview": r.interview,
                "accountability": r.accountability,
                "flags": [str(f) for f in r.flags],
                "flag_names": notes.rules,
                "vetoed": r.vetoed,
                "consequences": notes.consequences,
                "dishonesty_record": r.dishonesty_record,
                "dishonesty_reason": notes.dishonesty,
            }
        )
    return out


# The registers (台账, kaohe.ledgers): their list and detail under /api/ledgers/, with the same refusals.
from kaohe.ledgers.api import router as ledgers_router  # noqa: E402  (after ``api``: the router joins it)

api.add_router("/ledgers", ledgers_router)
