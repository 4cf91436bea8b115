"""Screens. Each view reads as: access_* (fetch + permission, kaohe.assessments.access) → form → check_* action →
render."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe.assessments import actions, change_words, comments, evidence_files, letter_targets, schemes
from kaohe.assessments.access import (
    Refused,
    access_assessment,
    access_cycle,
    access_evidence,
    access_item,
    access_letter,
    require,
)
from kaohe.assessments.batch import check_verify_items_unchanged, held_for_item, source_words
from kaohe.assessments.dashboard import dashboard_data, describe, progress_page, public_data, result_notes
from kaohe.assessments.evaluation import explain_result, unscored, unscored_text
from kaohe.assessments.forms import (
    QUEUE_SORTS,
    BatchVerifyForm,
    CommentForm,
    CycleForm,
    EvidenceChangeForm,
    EvidenceForm,
    ItemCommentForm,
    LetterTargetsImportForm,
    MonitoringImportForm,
    ProgressFilterForm,
    QueueFilterForm,
    ReturnForm,
    SelfEvaluationForm,
    VerificationForm,
    decimal_or_none,
)
from kaohe.assessments.history import sequence_history, unit_chart, unit_history
from kaohe.assessments.integrity import verify_all
from kaohe.assessments.models import (
    Assessment,
    Cycle,
    Evidence,
    ImportedValue,
    ResponsibilityLetter,
    Result,
    SelfEvaluation,
    State,
)
from kaohe.assessments.rules import allowed, lead_units, leads_indicator, unit_ids
from kaohe.assessments.schemes import OFFICE_LEAD
from kaohe.assessments.todo import todo_for
from kaohe.audit import anchors
from kaohe.audit.models import AuditLog
from kaohe.core.describe import describe_scheme, node_texts_by_id
from kaohe.core.exceptions import InputTableError, Problem, UserInputError
from kaohe.maps.data import map_data
from kaohe.web.workcache import work_page

View = Callable[..., HttpResponseBase]


def public_view(view: View) -> View:
    """For views the public may see for some objects: an anonymous visitor refused by an access_* check is sent
    to the login page, a signed-in user gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise

    return wrapper


# ------------------------------------------------------------------------------------------------ home and cycles
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # Everyone signed in lands on the 待办 page (issue 10 §1); the public on the published results.
    return redirect("todo" if request.user.is_authenticated else "public_index")


@login_required
@require_GET
@work_page
def todo(request: HttpRequest) -> HttpResponse:
    """待办: what waits for this person, a section per role held (kaohe.assessments.todo)."""
    return render(request, "assessments/todo.html", {"todo": todo_for(request.user)})


@login_required
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "assessments.view_cycle")
    cycles = Cycle.objects.all()
    mine = Assessment.objects.filter(unit_id__in=unit_ids(request.user)).select_related("cycle", "unit")
    return render(request, "assessments/cycle_list.html", {"cycles": cycles, "mine": mine})


@login_required
@require_http_methods(["GET", "POST"])
def cycle_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "assessments.manage_cycle")
    # 以此为基础新建 (?from=<id>): the form pre-filled from that cycle, its targets copied as drafts once opened
    base_id = request.POST.get("base") or request.GET.get("from")
    base = access_cycle(request.user, int(base_id), "assessments.manage_cycle") if base_id else None
    initial = letter_targets.next_cycle_initial(base) if base else None
    form = CycleForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kwargs = form.action_kwargs()
            if base is None:
                cycle = actions.check_open_cycle(acting_user=request.user, **kwargs)
            else:
                cycle, copied = letter_targets.check_open_cycle_from(base=base, acting_user=request.user, **kwargs)
        except (actions.ActionError, UserInputError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已创建考核周期：%(cycle)s") % {"cycle": cycle.name})
            if base is not None:
                messages.info(request, _copy_message(copied))
                return redirect("cycle_letters", cycle_id=cycle.pk)
            return redirect("cycle_dashboard", cycle_id=cycle.pk)
    return render(request, "assessments/cycle_new.html", {"form": form, "base": base})


@login_required
@require_GET
@work_page
def cycle_dashboard(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, "assessments.view_dashboard")
    return _dashboard(request, cycle)


def _dashboard(
    request: HttpRequest, cycle: Cycle, extra: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    # Verifiers follow the progress but see scores only once published, as on the result pages.
    data = dashboard_data(cycle, with_results=allowed(request.user, "assessments.view_cycle_results", cycle))
    progress_form = ProgressFilterForm(request.GET)
    progress_page_obj, progress = progress_page(cycle, progress_form.progress_filters(), request.GET.get("page"))
    # The office's buttons, only where the cycle's states allow the step (the actions refuse the others anyway).
    office = allowed(request.user, "assessments.manage_cycle", cycle)
    states = {state for state, n in data["state_counts"].items() if n}
    steps = {
        "can_evaluate": office and bool(states) and states <= {State.VERIFIED, State.EVALUATED},
        "can_publish": office and states == {State.APPROVED},
        "can_import": office and not states & {State.APPROVED, State.PUBLISHED},
    }
    return render(
        request,
        "assessments/dashboard.html",
        {
            "cycle": cycle,
            **data,
            "progress": progress,
            "progress_page": progress_page_obj,
            "progress_form": progress_form,
            "progress_query": urlencode(progress_form.query()),
            **steps,
            **_history_and_map(request.user, cycle, data["results"], _page_units(progress_page_obj)),
            **(extra or {}),
        },
        status=status,
    )


def _cycle_action(request: HttpRequest, cycle_id: int, perm: str, run: Callable[[Cycle], str]) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, perm)
    try:
        messages.success(request, run(cycle))
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("cycle_dashboard", cycle_id=cycle.pk)


def _page_units(page: Page[Assessment]) -> list[str] | None:
    """The unit codes of the progress table's page when the table has more than one page, else None (all units)."""
    if page.paginator.num_pages <= 1:
        return None
    return [a.unit.code for a in page.object_list]


def _history_and_map(
    user: Any, cycle: Cycle, results: list[Result], unit_codes: list[str] | None = None
) -> dict[str, Any]:
    """历年排名 per sequence and the unit map (issue 10 §4). The office and the approver see approved years too;
    verifiers, like the public, published years only. ``unit_codes``: only these units' history (the units of the
    dashboard's table page when a cycle has more units than a page holds)."""
    scheme = schemes.load(cycle.scheme_ref)
    published_only = not allowed(user, "assessments.view_audit")
    names = {s.id: s.name for s in scheme.sequences}
    return {
        "history": sequence_history(cycle, names, published_only=published_only, unit_codes=unit_codes),
        "history_published_only": published_only,
        "history_page_only": unit_codes is not None,
        "map_data": map_data(scheme, results),
        "can_manage_map": allowed(user, "maps.manage_map"),
    }


@login_required
@require_POST
def cycle_evaluate(request: HttpRequest, cycle_id: int) -> HttpResponse:
    def run(cycle: Cycle) -> str:
        n = actions.check_evaluate_cycle(cycle=cycle, acting_user=request.user)
        missing = unscored(cycle)
        if missing:
            # Every unit the engine could not score, with why in words; approval waits until none is left.
            text = ngettext(
                "%(n)d 个单位无法计分，不能审定：%(units)s", "%(n)d 个单位无法计分，不能审定：%(units)s", len(missing)
            )
            messages.error(request, text % {"n": len(missing), "units": unscored_text(missing, limit=50)})
        scored = n - len(missing)
        done = ngettext("综合评价完成：%(n)d 个单位已计分", "综合评价完成：%(n)d 个单位已计分", scored) % {"n": scored}
        if missing:
            done += ngettext("，%(n)d 个单位无法计分", "，%(n)d 个单位无法计分", len(missing)) % {"n": len(missing)}
        return done

    return _cycle_action(request, cycle_id, "assessments.manage_cycle", run)


@login_required
@require_POST
def cycle_approve(request: HttpRequest, cycle_id: int) -> HttpResponse:
    def run(cycle: Cycle) -> str:
        actions.check_approve_cycle(cycle=cycle, acting_user=request.user)
        return _("已审定")

    return _cycle_action(request, cycle_id, "assessments.approve_cycle", run)


@login_required
@require_POST
def cycle_send_back(request: HttpRequest, cycle_id: int) -> HttpResponse:
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""

    def run(cycle: Cycle) -> str:
        actions.check_send_back_cycle(cycle=cycle, comment=comment, acting_user=request.user)
        return _("已退回考核办")

    return _cycle_action(request, cycle_id, "assessments.approve_cycle", run)


@login_required
@require_POST
def cycle_publish(request: HttpRequest, cycle_id: int) -> HttpResponse:
    def run(cycle: Cycle) -> str:
        actions.check_publish_cycle(cycle=cycle, acting_user=request.user)
        return _("已通报")

    return _cycle_action(request, cycle_id, "assessments.manage_cycle", run)


def problem_text(problem: Problem) -> str:
    """A located mistake of an uploaded table as the screens list it: 工作表「…」 第 3 行 good_days 列：… (the file's
    name heads the list)."""
    where = []
    if problem.sheet:
        where.append(_("工作表「%(sheet)s」") % {"sheet": problem.sheet})
    if problem.row is not None:
        where.append(_("第 %(row)s 行") % {"row": problem.row})
    if problem.column:
        where.append(_("%(column)s 列") % {"column": problem.column})
    return (
        _("%(where)s：%(message)s") % {"where": " ".join(where), "message": problem.message}
        if where
        else problem.message
    )


@login_required
@require_POST
def cycle_import(request: HttpRequest, cycle_id: int) -> HttpResponse:
    form = MonitoringImportForm(request.POST, request.FILES)
    cycle = access_cycle(request.user, cycle_id, "assessments.manage_cycle")
    upload = form.cleaned_data["file"] if form.is_valid() else None
    try:
        if upload is None:
            raise actions.ActionError(_("请选择文件"))
        if upload.size > 50 * 1024 * 1024:
            raise actions.ActionError(_("文件过大：最大 %(mb)d MB") % {"mb": 50})
        table = actions.read_monitoring_file(upload.name, upload.read())
        n = actions.check_import_monitoring_values(
            cycle=cycle, rows=table, source=upload.name, acting_user=request.user
        )
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    except InputTableError as exc:  # every mistake, located, next to the upload; nothing was imported
        errors = [problem_text(p) for p in exc.problems]
        return _dashboard(request, cycle, {"import_errors": errors, "import_file": upload.name if upload else ""}, 400)
    else:
        messages.success(request, ngettext("已导入 %(n)d 个监测数据值", "已导入 %(n)d 个监测数据值", n) % {"n": n})
    return redirect("cycle_dashboard", cycle_id=cycle.pk)


@login_required
@require_GET
def cycle_letters(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, "assessments.manage_cycle")
    return _letters(request, cycle)


def _letters(
    request: HttpRequest, cycle: Cycle, extra: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    scheme = schemes.load(cycle.scheme_ref)
    targets = schemes.target_inputs(scheme)
    letters = ResponsibilityLetter.objects.filter(cycle=cycle).select_related("unit").order_by("unit__code")
    rows = [(letter, [(t, letter.targets.get(t.id)) for t in targets]) for letter in letters]
    signed = cycle.assessments.filter(state__in=[State.APPROVED, State.PUBLISHED]).exists()  # as check_issue_letter
    context = {
        "cycle": cycle,
        "targets": targets,
        "rows": rows,
        "can_change": not signed,
        "previous": letter_targets.previous_cycle(cycle),
        "import_form": LetterTargetsImportForm(),
        **(extra or {}),
    }
    return render(request, "assessments/letters.html", context, status=status)


@login_required
@require_GET
def letters_template(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The .xlsx of the cycle's targets to fill and upload back (letter_targets.write_template)."""
    cycle = access_cycle(request.user, cycle_id, "assessments.manage_cycle")
    response = HttpResponse(
        letter_targets.write_template(cycle),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{cycle.name}-目标值.xlsx") or "attachment"
    return response


@login_required
@require_POST
def letters_import(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """导入目标值: all rows or none; every mistake listed next to the upload (HTTP 400)."""
    cycle = access_cycle(request.user, cycle_id, "assessments.manage_cycle")
    form = LetterTargetsImportForm(request.POST, request.FILES)
    upload = form.cleaned_data["file"] if form.is_valid() else None
    try:
        if upload is None:
            raise actions.ActionError(_("请选择文件"))
        if upload.size > 20 * 1024 * 1024:
            raise actions.ActionError(_("文件过大：最大 %(mb)d MB") % {"mb": 20})
        report = letter_targets.check_import_letter_targets(
            cycle=cycle,
            name=upload.name,
            data=upload.read(),
            issue=form.cleaned_data["issue"],
            acting_user=request.user,
        )
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    except InputTableError as exc:  # every mistake, located, next to the upload; nothing was imported
        errors = [problem_text(p) for p in exc.problems]
        return _letters(request, cycle, {"import_errors": errors, "import_file": upload.name if upload else ""}, 400)
    else:
        n = len(report.changed)
        text = ngettext("已导入 %(n)d 个单位的目标值", "已导入 %(n)d 个单位的目标值", n) % {"n": n}
        if report.changed:
            text += _("：%(units)s") % {"units": pgettext("list separator", "、").join(report.changed)}
        if report.unchanged:
            text += ngettext("；%(n)d 个单位没有变化", "；%(n)d 个单位没有变化", report.unchanged) % {
                "n": report.unchanged
            }
        messages.success(request, text)
    return redirect("cycle_letters", cycle_id=cycle.pk)


def _copy_message(report: letter_targets.CopyReport) -> str:
    n = len(report.copied)
    copied = ngettext(
        "已从%(cycle)s复制 %(n)d 个单位的目标值（草稿，尚未下达）",
        "已从%(cycle)s复制 %(n)d 个单位的目标值（草稿，尚未下达）",
        n,
    ) % {"cycle": report.source.name, "n": n}
    if not report.not_copied:
        return copied
    return copied + _("。未复制：%(lines)s") % {"lines": pgettext("list of clauses", "；").join(report.not_copied)}


@login_required
@require_POST
def letters_copy(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """从上一年度复制目标 into the letters not yet issued; what was not copied is listed on the screen."""
    cycle = access_cycle(request.user, cycle_id, "assessments.manage_cycle")
    try:
        report = letter_targets.check_copy_letter_targets(cycle=cycle, acting_user=request.user)
    except actions.ActionError as exc:
        messages.error(request, str(exc))
        return redirect("cycle_letters", cycle_id=cycle.pk)
    return _letters(request, cycle, {"copy_report": report})


@login_required
@require_GET
def cycle_scheme(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The whole scheme of a cycle in words (issue 10 §3): for the office, the approver and the verifiers; a unit
    reads its own indicators' rules on its assessment page."""
    cycle = access_cycle(request.user, cycle_id, "assessments.view_dashboard")
    words = describe_scheme(schemes.load(cycle.scheme_ref))
    return render(request, "assessments/scheme.html", {"cycle": cycle, "scheme": words})


@login_required
@require_POST
def letter_issue(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = access_letter(request.user, letter_id, "assessments.manage_cycle")
    raw = {k[2:]: v for k, v in request.POST.items() if k.startswith("t_")}
    try:
        actions.check_issue_letter(letter=letter, raw=raw, acting_user=request.user)
        messages.success(request, _("已下达 %(unit)s 的目标责任书") % {"unit": letter.unit.name})
    except actions.ActionError as exc:
        messages.error(request, _("%(unit)s：%(error)s") % {"unit": letter.unit.name, "error": exc})
    return redirect("cycle_letters", cycle_id=letter.cycle_id)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_findings(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """考核办认定事项: per unit, the inputs only special rules read (stored like imported monitoring values)."""
    cycle = access_cycle(request.user, cycle_id, "assessments.manage_cycle")
    scheme = schemes.load(cycle.scheme_ref)
    findings = schemes.finding_inputs(scheme)
    assessments = list(cycle.assessments.select_related("unit").order_by("unit__code"))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remaining_no":
                n = actions.check_decide_remaining_findings_no(cycle=cycle, acting_user=request.user)
                messages.success(
                    request,
                    ngettext("已将其余 %(n)d 项未认定事项认定为否", "已将其余 %(n)d 项未认定事项认定为否", n)
                    % {"n": n},
                )
            else:
                code = request.POST.get("unit_id", "")
                # 是 / 否 / 未认定: an empty choice stays 未认定 (never silently 否)
                raw = {inp.id: request.POST.get(f"f_{inp.id}", "") for inp in findings}
                actions.check_save_findings(cycle=cycle, unit_code=code, raw=raw, acting_user=request.user)
                name = next((a.unit.name for a in assessments if a.unit.code == code), code)
                messages.success(request, _("已保存认定事项：%(unit)s") % {"unit": name})
        except actions.ActionError as exc:
            messages.error(request, str(exc))
        return redirect("cycle_findings", cycle_id=cycle.pk)
    stored: dict[tuple[int, str], Any] = {
        (iv.unit_id, iv.input_id): iv.value
        for iv in ImportedValue.objects.filter(cycle=cycle, input_id__in=[i.id for i in findings])
    }
    rows = [(a, [(inp, stored.get((a.unit_id, inp.id))) for inp in findings]) for a in assessments]
    undecided = sum(1 for _, pairs in rows for inp, v in pairs if v is None and inp.kind == "boolean")
    signed = cycle.assessments.filter(state__in=[State.APPROVED, State.PUBLISHED]).exists()
    return render(
        request,
        "assessments/findings.html",
        {"cycle": cycle, "findings": findings, "rows": rows, "undecided": undecided, "can_change": not signed},
    )


# The verifier's queue: filters, sort orders and pages (issue 10 §1); rows are never all on one page.
QUEUE_PAGE_SIZE = 50
_QUEUE_ORDER = {
    "unit": ("assessment__unit__code", "id"),
    "indicator": ("indicator_id", "assessment__unit__code", "id"),
    "state": ("status", "assessment__unit__code", "id"),
    "submitted": ("assessment__submitted_at", "assessment__unit__code", "id"),
}
_VERIFIABLE_STATES = [State.SUBMITTED, State.VERIFYING, State.RETURNED]


def _queue_leads(user: Any) -> set[str]:
    """The lead units whose items ``user`` verifies (the office verifies the items no lead unit claims)."""
    return lead_units(user) | ({OFFICE_LEAD} if allowed(user, "assessments.manage_cycle") else set())


def _queue_items(cycle: Cycle, leads: set[str], filters: dict[str, str]) -> QuerySet[SelfEvaluation]:
    """The rows the queue shows for ``filters`` (``QueueFilterForm.filters()``), in their sort order."""
    items = SelfEvaluation.objects.filter(assessment__cycle=cycle, lead_unit__in=leads).exclude(
        assessment__state=State.DRAFT
    )
    if "unit" in filters:  # a unit's code, or part of its name
        unit = filters["unit"]
        items = items.filter(Q(assessment__unit__code=unit) | Q(assessment__unit__name__icontains=unit))
    if "indicator" in filters:
        items = items.filter(indicator_id=filters["indicator"])
    if "lead" in filters:
        items = items.filter(lead_unit=filters["lead"])
    state = filters.get("state", "")
    if state == "":  # by default only what still waits for this verifier
        items = items.filter(status=SelfEvaluation.ItemStatus.OPEN, assessment__state__in=_VERIFIABLE_STATES)
    elif state != "all":
        items = items.filter(status=state)
    return items.order_by(*_QUEUE_ORDER[filters.get("sort", "unit")])


def _queue_filters(request: HttpRequest, cycle: Cycle, leads: set[str]) -> QueueFilterForm:
    data = request.GET.copy() if request.method == "GET" else request.POST.copy()
    if data.get("all") == "1" and "state" not in data:  # the old 显示全部 link
        data["state"] = "all"
    # The indicators of the cycle's sequences that ``leads`` verify, from the scheme: do_open_cycle made every item
    # from these specs, and a DISTINCT over a 3,000-unit cycle's items was a fifth of the page's database time.
    scheme = schemes.load(cycle.scheme_ref)
    sequences = sorted(set(cycle.assessments.order_by().values_list("sequence", flat=True)))
    indicators = sorted(
        {
            (spec.indicator_id, spec.indicator_name)
            for sequence in sequences
            for spec in schemes.items_for(scheme, sequence)
            if spec.lead_unit in leads
        }
    )
    return QueueFilterForm(
        data,
        indicators=[(i, f"{i} {name}"[:60]) for i, name in indicators],
        leads=sorted(leads),
    )


@login_required
@require_GET
@work_page
def cycle_verification(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, "assessments.verify_cycle")
    leads = _queue_leads(request.user)
    form = _queue_filters(request, cycle, leads)
    filters = form.filters()
    everything = SelfEvaluation.objects.filter(assessment__cycle=cycle, lead_unit__in=leads).exclude(
        assessment__state=State.DRAFT
    )
    by_status = list(
        everything.values("status")
        .annotate(n=Count("id"), waiting=Count("id", filter=Q(assessment__state__in=_VERIFIABLE_STATES)))
        .order_by()
    )
    counts = sorted((SelfEvaluation.ItemStatus(row["status"]).label, row["n"]) for row in by_status)
    items = _queue_items(cycle, leads, filters)
    page = Paginator(items.select_related("assessment__unit", "assessment__cycle", "verification"), QUEUE_PAGE_SIZE)
    if not filters.keys() - {"sort"}:
        # The unfiltered queue is the open items of verifiable units (_queue_items): already counted above, and each
        # scan of a 3,000-unit cycle's items costs tens of milliseconds.
        page.count = sum(row["waiting"] for row in by_status if row["status"] == SelfEvaluation.ItemStatus.OPEN)
    page_obj = page.get_page(request.GET.get("page"))
    # By default the queue shows only what still waits (_queue_items): every row is batchable, counted once.
    batchable = (
        page.count
        if filters.get("state", "") == ""
        else items.filter(status=SelfEvaluation.ItemStatus.OPEN, assessment__state__in=_VERIFIABLE_STATES).count()
    )
    return render(
        request,
        "assessments/verification.html",
        {
            "cycle": cycle,
            "form": form,
            "filters": filters,
            "query": urlencode(filters),
            "sort_links": [
                (key, label, urlencode({**{k: v for k, v in filters.items() if k != "sort"}, "sort": key}))
                for key, label in QUEUE_SORTS
            ],
            "sort": filters.get("sort", "unit"),
            "page_obj": page_obj,
            "items": page_obj.object_list,
            "counts": counts,
            "batchable": batchable,
            "batch_form": BatchVerifyForm(),
        },
    )


@login_required
@require_POST
def cycle_verify_batch(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """批量核实无误: the ticked rows, or every open row the filter shows (the filter's fields are posted back)."""
    cycle = access_cycle(request.user, cycle_id, "assessments.verify_cycle")
    leads = _queue_leads(request.user)
    filter_form = _queue_filters(request, cycle, leads)
    filters = filter_form.filters()
    form = BatchVerifyForm(request.POST)
    back = f"{reverse('cycle_verification', args=[cycle.pk])}?{urlencode(filters)}"
    if not filter_form.is_valid():  # a filter dropped here would widen "everything the filter shows"
        problems = pgettext("list of clauses", "；").join(
            _("%(field)s：%(errors)s")
            % {
                "field": filter_form.fields[name].label,
                "errors": pgettext("list separator", "、").join(str(m) for m in e),
            }
            for name, e in filter_form.errors.items()
        )
        messages.error(
            request, _("筛选条件无效，未核实任何项（%(problems)s），请重新筛选后再批量核实") % {"problems": problems}
        )
        return redirect(back)
    if not form.is_valid():
        messages.error(request, _("请选择「核实无误（所选）」或「当前筛选的全部核实无误」"))
        return redirect(back)
    if form.cleaned_data["scope"] == "filtered":
        ids = list(
            _queue_items(cycle, leads, filters)
            .filter(status=SelfEvaluation.ItemStatus.OPEN, assessment__state__in=_VERIFIABLE_STATES)
            .values_list("pk", flat=True)
        )
    else:
        ids = form.item_ids()
    try:
        outcome = check_verify_items_unchanged(cycle=cycle, item_ids=ids, acting_user=request.user)
    except actions.ActionError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    text = ngettext("已核实无误 %(n)d 项", "已核实无误 %(n)d 项", outcome.verified) % {"n": outcome.verified}
    if outcome.completed:
        done = len(outcome.completed)
        units = pgettext("list separator", "、").join(outcome.completed[:10])
        text += ngettext("；%(n)d 个单位全部核实完成：%(units)s", "；%(n)d 个单位全部核实完成：%(units)s", done) % {
            "n": done,
            "units": units,
        }
        text += _(" 等") if done > 10 else ""
    messages.success(request, text)
    if outcome.skipped:
        skipped = len(outcome.skipped)
        shown = pgettext("list of clauses", "；").join(str(s) for s in outcome.skipped[:20])
        if skipped > 20:
            shown += ngettext("；等共 %(n)d 项", "；等共 %(n)d 项", skipped) % {"n": skipped}
        messages.warning(
            request,
            ngettext("以下 %(n)d 项未核实：%(items)s", "以下 %(n)d 项未核实：%(items)s", skipped)
            % {"n": skipped, "items": shown},
        )
    return redirect(back)


@login_required
@require_GET
def cycle_approval(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, "assessments.view_audit")
    # The stored flags (先进, 一票否决, 政务失信记录 …) with the rules' names in words: nothing here recomputes them.
    results = describe(
        cycle, Result.objects.filter(cycle=cycle).select_related("assessment__unit").order_by("sequence", "rank")
    )
    states = Counter(cycle.assessments.values_list("state", flat=True))
    state_counts = [(State(s).label, n) for s, n in states.items()]
    return render(
        request,
        "assessments/approval.html",
        {
            "cycle": cycle,
            "results": results,
            "states": state_counts,
            "comment_form": CommentForm(),
            "can_approve": allowed(request.user, "assessments.approve_cycle", cycle),
            "all_evaluated": set(states) == {State.EVALUATED},
            # after 审定 the page says who approved and when (Cycle.approved_at/by), not what is still to be done
            "approved": bool(states) and set(states) <= {State.APPROVED, State.PUBLISHED},
            # why this person may not 审定 now (units without a result, stale results, the evaluator himself …)
            "approval_refusal": actions.approval_refusal(cycle, request.user)
            if set(states) == {State.EVALUATED}
            else None,
        },
    )


# ------------------------------------------------------------------------------------------------ a unit's assessment
def _item_rows(
    request: HttpRequest, assessment: Assessment, forms: dict[int, Any] | None = None
) -> list[dict[str, Any]]:
    scheme = schemes.load(assessment.cycle.scheme_ref)
    # Per item: a returned unit edits its returned items only (the rule asks the item's status).
    can_edit_some = allowed(request.user, "assessments.edit_self_evaluation", assessment)
    # The targets of the unit's responsibility letter that each indicator compares against.
    letter = ResponsibilityLetter.objects.filter(cycle=assessment.cycle, unit=assessment.unit).first()
    targets = {inp.id: inp for inp in schemes.target_inputs(scheme)}
    reads = {n.id: [i for i in n.inputs if i in targets] for n in schemes.nodes(scheme)}
    words = node_texts_by_id(scheme)  # each indicator's points, rule and clause in words
    pulled = _register_values(scheme, assessment)  # 台账数据 (issue 12 §2): the count and the rows behind it
    rows = []
    items = assessment.items.select_related("verification").prefetch_related("evidence", "comments__author")
    for item in items:
        verification = getattr(item, "verification", None)
        inputs = [
            {
                "def": schemes.input_def(scheme, input_id),
                "self": value,
                "verified": verification.values.get(input_id) if verification and verification.values else None,
                "register": pulled.get(input_id),  # (value, url of the rows counted) or None
            }
            for input_id, value in item.values.items()
        ]
        item.assessment = assessment  # the rules read its state; no query per item
        form = (forms or {}).get(item.pk)
        if form is None and can_edit_some and allowed(request.user, "assessments.edit_self_evaluation", item):
            form = SelfEvaluationForm(
                item=item,
                scheme=scheme,
                initial_values=item.values,
                initial={"self_score": item.self_score, "explanation": item.explanation},
            )
        item_targets = [
            (targets[t], letter.targets.get(t) if letter else None) for t in reads.get(item.indicator_id, [])
        ]
        rows.append(
            {
                "item": item,
                "inputs": inputs,
                "verification": verification,
                "form": form,
                "targets": item_targets,
                "about": words.get(item.indicator_id),
                "can_verify": allowed(request.user, "assessments.verify_item", item),
            }
        )
    return rows


def _register_values(scheme: Any, assessment: Assessment) -> dict[str, tuple[Any, str]]:
    """input id → (the value pulled from the registers, the register list of the rows it counts) for the unit's
    inputs the scheme reads from a register (``kaohe.ledgers.pull``)."""
    from kaohe.ledgers.pull import evidence_url, register_values
    from kaohe.registers import scheme_metrics

    metrics = {spec.id: metric for spec, metric in scheme_metrics(scheme)}
    if not metrics:
        return {}
    stored = register_values(assessment.cycle_id, assessment.unit_id, metrics)
    year, code = assessment.cycle.year, assessment.unit.code
    return {k: (v, evidence_url(metrics[k], code, year)) for k, v in stored.items()}


@login_required
@require_GET
@work_page
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request.user, assessment_id)
    return _render_assessment(request, assessment)


def _render_assessment(
    request: HttpRequest, assessment: Assessment, forms: dict[int, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    sequences = {s.id: s.name for s in schemes.load(assessment.cycle.scheme_ref).sequences}
    rows = _item_rows(request, assessment, forms)
    page_messages, placed = _placed_messages(request, {f"item-{row['item'].pk}" for row in rows})
    for row in rows:  # an item's own messages inside its card, where the person is (the redirect's #item-<id>)
        row["messages"] = placed.get(f"item-{row['item'].pk}", [])
    context = {
        "assessment": assessment,
        "cycle": assessment.cycle,
        "sequence_name": sequences.get(assessment.sequence, assessment.sequence),  # 市, never the id "city"
        "rows": rows,
        "messages": page_messages,
        "can_edit": allowed(user, "assessments.edit_self_evaluation", assessment),
        "can_submit": allowed(user, "assessments.submit_assessment", assessment),
        "can_reopen": allowed(user, "assessments.reopen_verification", assessment),
        "can_see_result": allowed(user, "assessments.view_result", assessment) and hasattr(assessment, "result"),
        "evidence_form": EvidenceForm(),
        "overdue": assessment.overdue_text(),  # who owes the overdue step, in words
    }
    return render(request, "assessments/assessment.html", context, status=status)


@login_required
@require_POST
def assessment_submit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request.user, assessment_id, "assessments.submit_assessment")
    try:
        actions.check_submit(assessment=assessment, acting_user=request.user)
        messages.success(request, _("自评已提交"))
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    return redirect("assessment_detail", assessment_id=assessment.pk)


@login_required
@require_POST
def assessment_reopen(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request.user, assessment_id, "assessments.reopen_verification")
    form = CommentForm(request.POST)
    reason = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        actions.check_reopen_verification(assessment=assessment, reason=reason, acting_user=request.user)
        messages.success(request, _("已重新打开核实：牵头单位可修改核实值，全部保存后重新成为已核实"))
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    return redirect("assessment_detail", assessment_id=assessment.pk)


@login_required
@require_POST
def item_save(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access_item(request.user, item_id, "assessments.edit_self_evaluation")
    scheme = schemes.load(item.assessment.cycle.scheme_ref)
    form = SelfEvaluationForm(request.POST, item=item, scheme=scheme, initial_values=item.values)
    status = 400
    if form.is_valid():
        try:
            actions.check_save_self_evaluation(
                item=item,
                raw_values=form.raw_values(),
                self_score=decimal_or_none(form.cleaned_data["self_score"]),
                explanation=form.cleaned_data["explanation"],
                version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except actions.ConflictError as exc:
            form.add_error(None, str(exc))
            _adopt_version(form, exc.current.version)
            status = 409
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("已保存：%(indicator)s") % {"indicator": item.indicator_name}, extra_tags=f"item-{item.pk}"
            )
            return redirect(f"{_assessment_url(item)}#item-{item.pk}")
    # The user's input is re-rendered as typed; nothing is lost on a conflict or a bad value.
    return _render_assessment(request, item.assessment, {item.pk: form}, status=status)


def _adopt_version(form: Any, version: int) -> None:
    """After a conflict the form keeps what the person typed but names the current version: having seen the
    other person's values on the page, saving again is a deliberate choice."""
    form.data = form.data.copy()
    form.data["version"] = str(version)


def _assessment_url(item: SelfEvaluation) -> str:
    from django.urls import reverse

    return reverse("assessment_detail", args=[item.assessment_id])


def _placed_messages(request: HttpRequest, places: set[str]) -> tuple[list[Any], dict[str, list[Any]]]:
    """The pending messages split by where they belong: one tagged with a place of this page (``item-<id>``,
    ``return``) is shown there, next to what it is about; the rest at the top of the page (the template's
    ``messages`` replaces the context processor's). Reading them marks them shown, as base.html's loop does."""
    page: list[Any] = []
    placed: dict[str, list[Any]] = {}
    for message in messages.get_messages(request):
        if message.extra_tags in places:
            placed.setdefault(message.extra_tags, []).append(message)
        else:
            page.append(message)
    return page, placed


@login_required
@require_POST
def evidence_upload(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access_item(request.user, item_id, "assessments.edit_self_evaluation")
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件"), extra_tags=f"item-{item.pk}")
    else:
        try:
            actions.check_add_evidence(item=item, upload=form.cleaned_data["file"], acting_user=request.user)
            messages.success(request, _("佐证材料已上传"), extra_tags=f"item-{item.pk}")
        except actions.ActionError as exc:
            messages.error(request, str(exc), extra_tags=f"item-{item.pk}")
    return redirect(f"{_assessment_url(item)}#item-{item.pk}")


@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    evidence = access_evidence(request.user, evidence_id, "assessments.view_evidence")
    stream = evidence.file.storage.open(evidence.file.name, "rb")
    response = FileResponse(
        stream, content_type=evidence.content_type, as_attachment=True, filename=evidence.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# The preview is framed by this site's own pages (a PDF in an <iframe>): this one view allows same-origin framing,
# every other page keeps X-Frame-Options DENY and frame-ancestors 'none' (settings.py).
# (Chromium's PDF viewer works under the site's object-src 'none': tests/web/test_comments_browser.py.)
PREVIEW_CSP = {"frame-ancestors": ["'self'"]}


@login_required
@require_GET
@xframe_options_sameorigin
def evidence_preview(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    """The file shown in the page (images in an <img>, PDFs in an <iframe>), inline, for the same people as the
    download. Only PNG, JPEG, GIF and PDF: any other file is download only (404 here)."""
    evidence = access_evidence(request.user, evidence_id, "assessments.view_evidence")
    if not evidence.preview_kind:
        raise Http404(_("该类型的文件不能在页面中预览，请下载"))
    stream = evidence.file.storage.open(evidence.file.name, "rb")
    response = FileResponse(
        stream, content_type=evidence.content_type, as_attachment=False, filename=evidence.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    # django-csp's csp_replace, for the enforced and the report-only policy alike (KAOHE_CSP_REPORT_ONLY)
    response._csp_replace = response._csp_replace_ro = PREVIEW_CSP  # type: ignore[attr-defined]
    return response


def _access_changeable_evidence(user: Any, evidence_id: int) -> Evidence:
    """Evidence of an item the unit may still change (draft, or a returned item); the action checks it again under
    the assessment's lock."""
    evidence = access_evidence(user, evidence_id, "assessments.view_evidence")
    require(user, "assessments.edit_self_evaluation", evidence.item)
    return evidence


@login_required
@require_POST
def evidence_replace(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = _access_changeable_evidence(request.user, evidence_id)
    here = f"item-{evidence.item_id}"
    form = EvidenceChangeForm(request.POST, request.FILES)
    if not form.is_valid() or not form.cleaned_data["file"]:
        messages.error(
            request, _("请选择用来替换「%(file)s」的文件") % {"file": evidence.original_name}, extra_tags=here
        )
    else:
        try:
            new = evidence_files.check_replace_evidence(
                evidence=evidence,
                upload=form.cleaned_data["file"],
                expected_sha256=form.cleaned_data["sha256"],
                acting_user=request.user,
            )
            text = _("佐证材料「%(old)s」已替换为「%(new)s」") % {
                "old": evidence.original_name,
                "new": new.original_name,
            }
            messages.success(request, text, extra_tags=here)
        except actions.ActionError as exc:
            messages.error(request, str(exc), extra_tags=here)
    return redirect(f"{_assessment_url(evidence.item)}#item-{evidence.item_id}")


@login_required
@require_POST
def evidence_delete(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = _access_changeable_evidence(request.user, evidence_id)
    here = f"item-{evidence.item_id}"
    form = EvidenceChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, evidence_files.STALE, extra_tags=here)
    else:
        try:
            evidence_files.check_delete_evidence(
                evidence=evidence, expected_sha256=form.cleaned_data["sha256"], acting_user=request.user
            )
            messages.success(
                request, _("佐证材料「%(file)s」已删除") % {"file": evidence.original_name}, extra_tags=here
            )
        except actions.ActionError as exc:
            messages.error(request, str(exc), extra_tags=here)
    return redirect(f"{_assessment_url(evidence.item)}#item-{evidence.item_id}")


@login_required
@require_POST
def item_comment(request: HttpRequest, item_id: int) -> HttpResponse:
    """A comment in the item's thread, from the unit's page or the verifier's; back to the thread it was written in."""
    item = access_item(request.user, item_id, "assessments.comment_item")
    form = ItemCommentForm(request.POST)
    valid = form.is_valid()
    try:
        comments.check_add_comment(item=item, text=form.cleaned_data["text"] if valid else "", acting_user=request.user)
        messages.success(request, _("留言已发表：%(indicator)s") % {"indicator": item.indicator_name})
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    if valid and form.cleaned_data["back"] == "verify":
        response = redirect("item_verify", item_id=item.pk)
    else:
        response = redirect("assessment_detail", assessment_id=item.assessment_id)
    response["Location"] += f"#thread-{item.pk}"
    return response


def _access_verification(user: Any, item_id: int) -> SelfEvaluation:
    """An item of an indicator ``user`` verifies, in a unit ``user`` may see (never a draft), whether or not it can
    be verified right now: the page then says why not (``SelfEvaluation.verification_refusal``)."""
    item = access_item(user, item_id, "assessments.view_assessment")
    if not leads_indicator(user, item):
        raise Refused
    return item


@login_required
@require_http_methods(["GET", "POST"])
def item_verify(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _access_verification(request.user, item_id)
    refusal = item.verification_refusal()
    if refusal is not None:  # a returned item, a unit verified meanwhile …: why, and what to do, in words
        return render(request, "assessments/item_verify.html", {"item": item, "refusal": refusal}, status=409)
    scheme = schemes.load(item.assessment.cycle.scheme_ref)
    verification = getattr(item, "verification", None)
    pulled = {k: v for k, v in _register_values(scheme, item.assessment).items() if k in item.values}
    start = verification.values if verification is not None and verification.values else item.values
    initial: dict[str, Any] = {}
    if verification is None or not verification.values:
        # The values the cycle holds first (台账数据, a monitoring import, the office's finding): saving the form as it
        # opens adopts them, not the unit's figure (which the verified value would otherwise put in their place);
        # where they differ the reason says which was taken
        held = held_for_item(item)
        start = {**item.values, **{k: value for k, (value, _source) in held.items()}}
        differing = sorted({source_words(held[k][1]) for k in held if held[k][0] != item.values.get(k)})
        if differing:
            initial["reason"] = _("以%(sources)s为准") % {"sources": "、".join(differing)}
    form = VerificationForm(request.POST or None, item=item, scheme=scheme, initial_values=start, initial=initial)
    return_form = ReturnForm(initial={"version": item.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_verify_item(
                item=item,
                raw_values=form.raw_values(),
                score=decimal_or_none(form.cleaned_data["score"]),
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except actions.ConflictError as exc:
            form.add_error(None, str(exc))
            _adopt_version(form, exc.current.version)
            item, status = exc.current, 409
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
            status = 400
        else:
            messages.success(
                request,
                _("已核实：%(unit)s · %(indicator)s")
                % {"unit": item.assessment.unit.name, "indicator": item.indicator_name},
            )
            return redirect("cycle_verification", cycle_id=item.assessment.cycle_id)
    elif request.method == "POST":
        status = 400
    # The verifier sees the unit's figure beside the monitoring figure (which the evaluation prefers), and beside the
    # registers' count with a link to the rows it counts (台账数据).
    imported = dict(
        ImportedValue.objects.filter(
            cycle_id=item.assessment.cycle_id, unit_id=item.assessment.unit_id, input_id__in=list(item.values)
        )
        .exclude(input_id__in=list(pulled))
        .values_list("input_id", "value")
    )
    inputs = [(schemes.input_def(scheme, k), v, imported.get(k), pulled.get(k)) for k, v in item.values.items()]
    page_messages, placed = _placed_messages(request, {"return"})
    return render(
        request,
        "assessments/item_verify.html",
        {
            "messages": page_messages,
            "return_messages": placed.get("return", []),  # shown next to the return form (#return)
            "item": item,
            "form": form,
            "return_form": return_form,
            "inputs": inputs,
            "verification": verification,
            "has_imported": bool(imported),
            "has_register": bool(pulled),
        },
        status=status,
    )


@login_required
@require_POST
def item_return(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _access_verification(request.user, item_id)
    refusal = item.verification_refusal()
    if refusal is not None:
        return render(request, "assessments/item_verify.html", {"item": item, "refusal": refusal}, status=409)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退回时必须填写退回意见"), extra_tags="return")
        return redirect(reverse("item_verify", args=[item.pk]) + "#return")
    try:
        actions.check_return_item(
            item=item,
            comment=form.cleaned_data["comment"],
            version=form.cleaned_data["version"],
            acting_user=request.user,
        )
        messages.success(
            request,
            _("已退回：%(unit)s · %(indicator)s")
            % {"unit": item.assessment.unit.name, "indicator": item.indicator_name},
        )
    except actions.ActionError as exc:
        messages.error(request, str(exc), extra_tags="return")
        return redirect(reverse("item_verify", args=[item.pk]) + "#return")
    return redirect("cycle_verification", cycle_id=item.assessment.cycle_id)


@login_required
@require_GET
def item_history(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access_item(request.user, item_id)
    # the item's files, also those deleted since: each evidence.add entry names its item first (canonical JSON)
    uploaded = AuditLog.objects.filter(action="evidence.add", new_value__startswith=f'{{"item":{item.pk},')
    evidence_ids = {str(pk) for pk in item.evidence.values_list("pk", flat=True)}
    evidence_ids |= set(uploaded.values_list("object_id", flat=True))
    comment_ids = [str(pk) for pk in item.comments.values_list("pk", flat=True)]
    entries = AuditLog.objects.filter(
        Q(object_type="assessments.selfevaluation", object_id=str(item.pk))
        | Q(object_type="assessments.evidence", object_id__in=evidence_ids)
        | Q(object_type="assessments.itemcomment", object_id__in=comment_ids)
    ).order_by("seq")
    # in words: inputs by name and unit, 是/否, status labels; never the stored JSON (change_words)
    lines = change_words.history_lines(item, list(entries))
    return render(request, "assessments/item_history.html", {"item": item, "entries": lines})


# ------------------------------------------------------------------------------------------------ results
@public_view
@require_GET
def assessment_result(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request.user, assessment_id, "assessments.view_result")
    result = get_object_or_404(Result.objects.defer("inputs", "scores"), assessment=assessment)
    # Computed only when the template's cached fragment is missing (a Result row never changes).
    lines = SimpleLazyObject(lambda: explain_result(result))
    notes = SimpleLazyObject(lambda: result_notes(assessment.cycle, result))
    # 历年排名: published years only, whoever looks (this is the public unit page).
    years = unit_history(assessment.unit, assessment.cycle.scheme_id, published_only=True)
    context = {"assessment": assessment, "result": result, "lines": lines, "notes": notes}
    from kaohe.assessments.appeal_views import result_context  # 公示稿 and 申诉 (issue 10 §4)

    context.update(result_context(request.user, assessment))
    context["missing"] = SimpleLazyObject(lambda: _missing_words(assessment.cycle, result.missing))  # not "R2/id"
    return render(
        request,
        "assessments/result.html",
        {**context, "unit_history": years, "unit_history_chart": unit_chart(years)},
    )


def _missing_words(cycle: Cycle, missing: list[str]) -> list[str]:
    """The result's missing data (stored as ``<indicator or rule>/<input id>``) by the inputs' names and units."""
    scheme = schemes.load(cycle.scheme_ref)
    names = {i.id: f"{i.name}（{i.unit}）" if i.unit else i.name for i in scheme.inputs}
    return list(dict.fromkeys(names.get(m.rsplit("/", 1)[-1], _("未知数据项")) for m in missing))


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    cycles = Cycle.objects.filter(published_at__isnull=False)
    return render(request, "assessments/public_index.html", {"cycles": cycles})


@public_view
@require_GET
def public_results(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, "assessments.view_public")
    # Read only when the template's cached fragment is missing (published results never change).
    data = SimpleLazyObject(lambda: public_data(cycle))
    results = Result.objects.filter(cycle=cycle).select_related("assessment__unit").order_by("sequence", "rank")
    area = map_data(schemes.load(cycle.scheme_ref), results)
    return render(request, "assessments/public.html", {"cycle": cycle, "data": data, "map_data": area})


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    require(request.user, "assessments.view_audit")
    object_type, object_id = request.GET.get("object_type", ""), request.GET.get("object_id", "")
    shown = AuditLog.objects.defer("rows")  # the row snapshots are for `kaohe audit verify`, not for reading
    if object_type and object_id:  # the whole history of one object (a letter, an assessment's states …)
        entries = shown.filter(object_type=object_type, object_id=object_id).order_by("seq")
    else:
        entries = shown.order_by("-seq")[:200]
    # Walking the whole chain and every row reads everything, so it runs when asked for (as `kaohe audit verify`).
    report = verify_all() if request.GET.get("verify") == "1" else None
    return render(
        request,
        "assessments/audit.html",
        {
            "entries": entries,
            "report": report,
            "object_type": object_type,
            "object_id": object_id,
            "anchor": anchors.current(),
        },
    )
