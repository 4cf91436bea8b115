"""Screens of 公示 and 申诉 (issue 10 §4; the actions are ``appeals.py``): the office's 公示天数 and appeals list with
the decision form, the ranking list marked 公示稿 for the units, the unit's appeal form (on its result page) and the
appeal files. Each view: access → form → ``appeals.check_*`` → redirect with the message in words."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kaohe.assessments import appeals
from kaohe.assessments.access import REFUSED, Refused, access_assessment, access_cycle, require
from kaohe.assessments.actions import ActionError
from kaohe.assessments.dashboard import publication
from kaohe.assessments.forms import AppealDecisionForm, AppealForm, PublicityDaysForm
from kaohe.assessments.models import Appeal, AppealEvidence, Assessment, Cycle, Membership
from kaohe.assessments.rules import allowed, unit_ids


def _form_error(form: Any) -> str:
    """The form's mistakes in one line, each after its field's label."""
    labels = {name: field.label for name, field in form.fields.items()}
    return "；".join(f"{labels.get(f, '')}：{'，'.join(e)}" for f, e in form.errors.items())


@login_required
@require_POST
def cycle_publicity_days(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, "assessments.manage_cycle")
    form = PublicityDaysForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect("cycle_dashboard", cycle_id=cycle.pk)
    try:
        cycle = appeals.check_set_publicity_days(
            cycle=cycle, days=form.cleaned_data["publicity_days"], acting_user=request.user
        )
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        days = cycle.publicity_days
        if days:
            text = ngettext("公示天数已设为 %(days)d 天", "公示天数已设为 %(days)d 天", days) % {"days": days}
        else:
            text = _("已设为不公示")
        messages.success(request, text)
    return redirect("cycle_dashboard", cycle_id=cycle.pk)


@login_required
@require_GET
def cycle_publicity(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The ranking list as approved, marked 公示稿, for the units of the cycle during 公示 (never the public)."""
    cycle = access_cycle(request.user, cycle_id, "assessments.view_publicity")
    data = publication(cycle) if cycle.has_draft_results else None
    mine = unit_ids(request.user)
    return render(request, "assessments/publicity.html", {"cycle": cycle, "data": data, "mine": mine})


@login_required
@require_GET
def cycle_appeals(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, "assessments.view_appeals")
    rows = (
        Appeal.objects.filter(cycle=cycle)
        .select_related("assessment__unit", "lodged_by", "decided_by")
        .prefetch_related("evidence")
    )
    return render(
        request,
        "assessments/appeals.html",
        {
            "cycle": cycle,
            "appeals": rows,
            "can_decide": allowed(request.user, "assessments.decide_appeal", cycle),
            "decision_form": AppealDecisionForm(),
            "publication_refusal": appeals.publication_refusal(cycle) if cycle.has_draft_results else None,
        },
    )


@login_required
@require_POST
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal.objects.select_related("cycle", "assessment__unit"), pk=appeal_id)
    require(request.user, "assessments.decide_appeal", appeal.cycle)
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("%(unit)s的申诉：%(error)s") % {"unit": appeal.assessment.unit.name, "error": _form_error(form)}
        )
        return redirect("cycle_appeals", cycle_id=appeal.cycle_id)
    try:
        appeal = appeals.check_decide_appeal(
            appeal=appeal,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
    except ActionError as exc:
        messages.error(request, _("%(unit)s的申诉：%(error)s") % {"unit": appeal.assessment.unit.name, "error": exc})
    else:
        if appeal.decision == Appeal.Decision.UPHELD:
            text = _("%(unit)s的申诉成立：审定已撤回，该单位已重新核实；核实完成后请重新综合评价，再由领导审定") % {
                "unit": appeal.assessment.unit.name
            }
        else:
            text = _("%(unit)s的申诉已驳回") % {"unit": appeal.assessment.unit.name}
        messages.success(request, text)
    return redirect("cycle_appeals", cycle_id=appeal.cycle_id)


@login_required
@require_POST
def assessment_appeal(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request.user, assessment_id, "assessments.view_result")
    if assessment.unit_id not in unit_ids(request.user, (Membership.Role.HEAD,)):
        raise Refused  # the unit's head appeals; whether now, the action says in words
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
    else:
        try:
            appeals.check_lodge_appeal(
                assessment=assessment,
                reasons=form.cleaned_data["reasons"],
                files=request.FILES.getlist("files"),
                acting_user=request.user,
            )
        except ActionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("申诉已提交，考核办处理后会在此显示结果"))
    return redirect("assessment_result", assessment_id=assessment.pk)


@login_required
@require_GET
def appeal_file(request: HttpRequest, file_id: int) -> HttpResponseBase:
    evidence = get_object_or_404(AppealEvidence.objects.select_related("appeal__assessment__cycle"), pk=file_id)
    require(request.user, "assessments.view_appeal", evidence.appeal)
    stream = evidence.file.storage.open(evidence.file.name, "rb")
    response = FileResponse(
        stream, content_type=evidence.content_type, as_attachment=True, filename=evidence.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def result_context(user: Any, assessment: Assessment) -> dict[str, Any]:
    """The 公示 part of a unit's result page: 公示稿 while the cycle is in 公示 (until 通报), the unit's appeals with
    their decisions, and the appeal form when its head may appeal now (else why not, in words)."""
    cycle: Cycle = assessment.cycle
    if not cycle.has_draft_results and not assessment.appeals.exists():
        return {}
    refusal = appeals.appeal_refusal(assessment, user)
    return {
        "draft": cycle.has_draft_results,
        "unit_appeals": assessment.appeals.select_related("decided_by").prefetch_related("evidence"),
        "appeal_form": AppealForm() if refusal is None else None,
        # a reason only for the unit's head; everyone else simply sees no form
        "appeal_refusal": refusal if refusal != REFUSED else "",
    }
