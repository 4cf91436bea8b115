"""The registers' screens (issue 12 §1): per register a list with filters and paging and a detail page; the office's
import (a preview, then all rows or none) and export; the unit's 进展报告, 申请销号 and 办理情况; the office's 验收销号,
退回 and 同意延期; the public page of the rows flagged 信息公开. Views are access → form → check_* → render."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import register_converter
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe.assessments.access import require
from kaohe.assessments.actions import ActionError
from kaohe.assessments.models import Unit
from kaohe.assessments.rules import allowed
from kaohe.core.exceptions import InputTableError
from kaohe.ledgers import actions, forms, queries
from kaohe.ledgers.imports import parse_ledger_frame, plan_import, read_ledger_file
from kaohe.ledgers.models import MODELS, Complaint, LedgerRow, RectificationProblem, ReportEvidence
from kaohe.registers import write_register_template
from kaohe.registers.kinds import REGISTERS, register_kind

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class KindConverter:
    """``<ledger:kind>``: one of the four register ids."""

    regex = "|".join(REGISTERS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "ledger")


def access_row(user: Any, kind: str, row_id: int, perm: str = "ledgers.view_row") -> Any:
    """The register row (404 for an id that does not exist), if the rules allow ``perm`` on it."""
    row = get_object_or_404(MODELS[kind]._default_manager.select_related("unit"), pk=row_id)
    require(user, perm, row)
    return row


def _download(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# ------------------------------------------------------------------------------------------------ lists
@login_required
@require_GET
def ledger_index(request: HttpRequest) -> HttpResponse:
    """台账: the four registers with how many rows the person sees and how many are 逾期 / 临期."""
    require(request.user, "ledgers.view_ledgers")
    today = timezone.localdate()
    registers = []
    for kind, register in REGISTERS.items():
        rows = queries.visible_rows(request.user, kind)
        registers.append(
            {
                "kind": kind,
                "label": register.label,
                "count": rows.count(),
                "overdue": queries.filter_rows(rows, kind, {"state": "overdue"}, today).count(),
                "due_soon": queries.filter_rows(rows, kind, {"state": "due_soon"}, today).count(),
            }
        )
    return render(request, "ledgers/index.html", {"registers": registers, "manage": _manages(request)})


def _manages(request: HttpRequest) -> bool:
    return allowed(request.user, "ledgers.manage")


@login_required
@require_GET
def ledger_list(request: HttpRequest, kind: str) -> HttpResponse:
    require(request.user, "ledgers.view_ledgers")
    today = timezone.localdate()
    rows = queries.filter_rows(queries.visible_rows(request.user, kind), kind, request.GET, today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    columns = queries.list_columns(kind)
    lines = [
        {
            "row": row,
            "cells": [queries.display(row, name) for name, _ in columns],
            "flag": row.flag(today),
            "flag_text": row.flag_text(today),
            "state": _state_text(row),
        }
        for row in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    metric = queries.counting_metric(kind, request.GET)
    return render(
        request,
        "ledgers/list.html",
        {
            "metric": metric,  # the rows behind a count (台账数据): the list says which count they are
            "metric_unit": _unit_name(request.GET.get("unit", "")) if metric else "",
            "kind": kind,
            "register": register_kind(kind),
            "columns": columns,
            "lines": lines,
            "page": page,
            "query": query.urlencode(),
            "filters": request.GET,
            "units": queries.units_for_filter(request.user),
            "states": queries.STATES[kind],
            "choice_filters": [(*f, request.GET.get(f[0], "")) for f in queries.filter_choices(kind)],
            "manage": _manages(request),
        },
    )


def _unit_name(code: str) -> str:
    unit = Unit.objects.filter(code=code.strip()).first() if code.strip() else None
    return unit.name if unit else ""


def _state_text(row: LedgerRow) -> str:
    if isinstance(row, RectificationProblem):
        return str(row.get_state_display())
    if isinstance(row, Complaint):
        return queries.complaint_state(row)
    return ""


@login_required
@require_GET
def ledger_detail(request: HttpRequest, kind: str, row_id: int) -> HttpResponse:
    row = access_row(request.user, kind, row_id)
    return _detail(request, kind, row)


def _detail(request: HttpRequest, kind: str, row: Any, status: int = 200, **bound: Any) -> HttpResponse:
    model = MODELS[kind]
    register = register_kind(kind)
    names = [c.id for c in register.columns] + list(model.EXTRA_FIELDS)
    fields = [
        (str(getattr(model._meta.get_field(n if n != "unit_id" else "unit"), "verbose_name", n)), n) for n in names
    ]
    today = timezone.localdate()
    user = request.user
    steps: dict[str, Any] = {}
    if isinstance(row, RectificationProblem):
        if allowed(user, "ledgers.report_progress", row):
            steps["progress"] = bound.get("progress") or forms.ProgressForm(initial={"date": today}, prefix="progress")
        if allowed(user, "ledgers.apply_closure", row):
            steps["apply"] = bound.get("apply") or forms.ApplyForm(initial={"completed_on": today}, prefix="apply")
        if allowed(user, "ledgers.decide_closure", row):
            steps["accept"] = bound.get("accept") or forms.AcceptForm(initial={"closed_on": today}, prefix="accept")
            steps["send_back"] = bound.get("send_back") or forms.SendBackForm(prefix="send_back")
        if allowed(user, "ledgers.extend_deadline", row):
            steps["extend"] = bound.get("extend") or forms.ExtendForm(prefix="extend")
    if isinstance(row, Complaint) and allowed(user, "ledgers.handle_complaint", row):
        steps["handle"] = bound.get("handle") or forms.HandleForm(
            initial={"handling": row.handling, "reply": row.reply}, prefix="handle"
        )
    context = {
        "kind": kind,
        "register": register,
        "row": row,
        "fields": [(label, queries.display(row, name)) for label, name in fields],
        "state": _state_text(row),
        "flag": row.flag(today),
        "flag_text": row.flag_text(today),
        "reports": (
            list(row.reports.select_related("author").prefetch_related("files"))
            if isinstance(row, RectificationProblem)
            else []
        ),
        "file_steps": FILE_STEPS,
        "steps": steps,
        "history": allowed(user, "assessments.view_audit"),
        "manage": allowed(user, "ledgers.manage"),
        "object_type": model._meta.label_lower,
    }
    return render(request, "ledgers/detail.html", context, status=status)


# ------------------------------------------------------------------------------------------------ steps
STEPS: dict[str, tuple[type[Any], str, Any]] = {
    # step: (form, permission, action taking the form's cleaned data)
    "progress": (
        forms.ProgressForm,
        "ledgers.report_progress",
        lambda row, d, user: actions.check_report_progress(
            problem=row, date=d["date"], text=d["text"], acting_user=user, files=d["files"]
        ),
    ),
    "apply": (
        forms.ApplyForm,
        "ledgers.apply_closure",
        lambda row, d, user: actions.check_apply_closure(
            problem=row, completed_on=d["completed_on"], text=d["text"], acting_user=user, files=d["files"]
        ),
    ),
    "accept": (
        forms.AcceptForm,
        "ledgers.decide_closure",
        lambda row, d, user: actions.check_accept_closure(
            problem=row, closed_on=d["closed_on"], text=d["text"], acting_user=user
        ),
    ),
    "send_back": (
        forms.SendBackForm,
        "ledgers.decide_closure",
        lambda row, d, user: actions.check_send_back_closure(problem=row, reason=d["reason"], acting_user=user),
    ),
    "extend": (
        forms.ExtendForm,
        "ledgers.extend_deadline",
        lambda row, d, user: actions.check_extend_deadline(
            problem=row, new_deadline=d["new_deadline"], reason=d["reason"], acting_user=user
        ),
    ),
    "handle": (
        forms.HandleForm,
        "ledgers.handle_complaint",
        lambda row, d, user: actions.check_handle_complaint(
            complaint=row, handling=d["handling"], reply=d["reply"], closed_on=d["closed_on"], acting_user=user
        ),
    ),
}
DONE = {
    "progress": "已报送进展情况",
    "apply": "已申请销号，等待考核办验收",
    "accept": "已验收销号",
    "send_back": "已退回单位继续整改",
    "extend": "已同意延期",
    "handle": "已保存办理情况",
}


def _step(request: HttpRequest, kind: str, row_id: int, step: str) -> HttpResponse:
    form_class, perm, action = STEPS[step]
    row = access_row(request.user, kind, row_id, perm)
    form = form_class(request.POST, prefix=step)  # each step's fields are named apart on the detail page
    if form.is_valid():
        try:
            # the step's files (附件: 进展报告, 申请销号), checked by the action as the assessments' evidence is
            action(row, {**form.cleaned_data, "files": request.FILES.getlist(f"{step}-files")}, request.user)
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext(DONE[step]))
            return redirect("ledgers:detail", kind=kind, row_id=row.pk)
    return _detail(request, kind, row, status=400, **{step: form})


@login_required
@require_POST
def rectification_step(request: HttpRequest, row_id: int, step: str) -> HttpResponse:
    if step not in ("progress", "apply", "accept", "send_back", "extend"):
        raise Http404
    return _step(request, "rectification", row_id, step)


@login_required
@require_POST
def complaint_handle(request: HttpRequest, row_id: int) -> HttpResponse:
    return _step(request, "complaints", row_id, "handle")


FILE_STEPS = ("progress", "apply")  # the steps that carry files


@login_required
@require_GET
def report_file(request: HttpRequest, file_id: int) -> HttpResponseBase:
    """A 调度记录 entry's file, as an attachment, for whoever may see the problem."""
    evidence = get_object_or_404(ReportEvidence.objects.select_related("report__problem"), pk=file_id)
    require(request.user, "ledgers.view_row", evidence.report.problem)
    stream = evidence.file.storage.open(evidence.file.name, "rb")
    response = FileResponse(
        stream, content_type=evidence.content_type, as_attachment=True, filename=evidence.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------------------------------------ one row
@login_required
@require_http_methods(["GET", "POST"])
def ledger_row_new(request: HttpRequest, kind: str) -> HttpResponse:
    """新增一行: the row form, empty; saved as a file of one row would be imported (``ledger.edit``)."""
    require(request.user, "ledgers.manage")
    return _row_form(request, kind, None)


@login_required
@require_http_methods(["GET", "POST"])
def ledger_row_edit(request: HttpRequest, kind: str, row_id: int) -> HttpResponse:
    """修改: the row form with the row's values, the key fixed, a reason required."""
    row = access_row(request.user, kind, row_id, "ledgers.manage")
    return _row_form(request, kind, row)


def _row_form(request: HttpRequest, kind: str, row: LedgerRow | None) -> HttpResponse:
    form = forms.RowForm(request.POST or None, kind=kind, row=row)
    if request.method == "POST" and form.is_valid():
        try:
            table = parse_ledger_frame(kind, form.frame(), file=gettext("表单"))
            change = actions.check_save_register_row(
                table=table, new=row is None, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except InputTableError as exc:
            form.place(exc.problems)
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            if change is None:
                messages.info(request, gettext("没有修改任何内容"))
                assert row is not None  # a new row is always a change
                return redirect("ledgers:detail", kind=kind, row_id=row.pk)
            messages.success(request, gettext("已新增") if change.kind == "new" else gettext("已保存修改"))
            return redirect("ledgers:detail", kind=kind, row_id=change.row.pk)
    context = {"kind": kind, "register": register_kind(kind), "row": row, "form": form}
    return render(request, "ledgers/row_form.html", context, status=400 if form.errors else 200)


# ------------------------------------------------------------------------------------------------ files
@login_required
@require_GET
def ledger_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The rows the list shows (its filters), as an .xlsx that imports again unchanged."""
    from kaohe.ledgers.imports import export_workbook

    require(request.user, "ledgers.view_ledgers")
    rows = queries.filter_rows(queries.visible_rows(request.user, kind), kind, request.GET)
    name = f"{register_kind(kind).label.replace('/', '、')}-{timezone.localdate():%Y%m%d}.xlsx"
    return _download(export_workbook(kind, rows), name)


@login_required
@require_GET
def ledger_template(request: HttpRequest, kind: str) -> HttpResponse:
    """The empty template of kaohe.registers (headers, drop-down lists, 说明 sheet)."""
    require(request.user, "ledgers.manage")
    with tempfile.TemporaryDirectory(prefix="kaohe-template-") as folder:
        path = Path(folder) / "template.xlsx"
        write_register_template(kind, path)
        data = path.read_bytes()
    return _download(data, f"{register_kind(kind).label.replace('/', '、')}-模板.xlsx")


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "ledger-imports"


SESSION_KEY = "ledger_imports"


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest, kind: str) -> HttpResponse:
    """导入: GET the form; POST a file → the preview (new, changed, unchanged rows; or every mistake, nothing kept).
    The file waits under MEDIA_ROOT for 确认导入 (``ledger_import_apply``), named by a token in the person's session."""
    require(request.user, "ledgers.manage")
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"kind": kind, "register": register_kind(kind), "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or "upload.xlsx"
        data = upload.read()
        try:
            table = read_ledger_file(kind, name, data)
        except InputTableError as exc:
            context["problems"] = exc.problems
            return render(request, "ledgers/import.html", context, status=400)
        plan = plan_import(table)
        token = secrets.token_hex(16)
        folder = _upload_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{token}{Path(name).suffix.lower()}").write_bytes(data)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {"kind": kind, "name": name, "suffix": Path(name).suffix.lower()}
        request.session[SESSION_KEY] = pending
        context.update(
            {
                "token": token,
                "file": name,
                "new": [c for c in plan if c.kind == "new"],
                "changed": [c for c in plan if c.kind == "changed"],
                "same": sum(1 for c in plan if c.kind == "same"),
            }
        )
    return render(request, "ledgers/import.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def ledger_import_apply(request: HttpRequest, kind: str) -> HttpResponse:
    """确认导入: the previewed file, read and checked again, written all rows or none (``ledger.import``)."""
    require(request.user, "ledgers.manage")
    token = request.POST.get("token", "")
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.get(token) if isinstance(pending, dict) else None
    if not entry or entry.get("kind") != kind:
        messages.error(request, gettext("导入已过期或不存在，请重新上传文件"))
        return redirect("ledgers:import", kind=kind)
    path = _upload_dir() / f"{token}{entry['suffix']}"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        messages.error(request, gettext("导入已过期或不存在，请重新上传文件"))
        return redirect("ledgers:import", kind=kind)
    try:
        table = read_ledger_file(kind, entry["name"], data)
        changes = actions.check_import_register(table=table, acting_user=request.user)
    except InputTableError as exc:
        context = {"kind": kind, "register": register_kind(kind), "form": forms.ImportForm(), "problems": exc.problems}
        return render(request, "ledgers/import.html", context, status=400)
    finally:
        pending.pop(token, None)
        request.session[SESSION_KEY] = pending
        path.unlink(missing_ok=True)
    messages.success(
        request,
        gettext("已导入 %(file)s：新增 %(new)s 条，修改 %(changed)s 条")
        % {
            "file": entry["name"],
            "new": sum(1 for c in changes if c.kind == "new"),
            "changed": sum(1 for c in changes if c.kind == "changed"),
        },
    )
    return redirect("ledgers:list", kind=kind)


# ------------------------------------------------------------------------------------------------ public
@require_GET
def ledger_public(request: HttpRequest) -> HttpResponse:
    """信息公开: the rectification problems and complaints the office flagged for disclosure; nothing else of them (no
    complainant, no handling notes), and nothing of the other registers."""
    problems = RectificationProblem.objects.filter(disclose=True).select_related("unit")
    complaints = Complaint.objects.filter(disclose=True).select_related("unit")
    return render(
        request,
        "ledgers/public.html",
        {"problems": problems.order_by("unit__code", "problem_id"), "complaints": complaints.order_by("-received_on")},
    )


# ------------------------------------------------------------------------------------------------ 台账数据 → cycle
@login_required
@require_GET
def cycle_pull(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """台账数据: the preview of what the registers give the cycle (per unit and input: the stored value → the derived
    one, each count linked to its rows), and the 确认导入 form; or every register row the reader refuses."""
    from kaohe.assessments.access import access_cycle
    from kaohe.ledgers.pull import plan_pull

    cycle = access_cycle(request.user, cycle_id, "assessments.manage_cycle")
    return _pull_page(request, cycle, plan_pull)


def _pull_page(request: HttpRequest, cycle: Any, plan_pull: Any, status: int = 200) -> HttpResponse:
    from kaohe.assessments.models import State
    from kaohe.assessments.views import problem_text

    context: dict[str, Any] = {"cycle": cycle, "only_changed": request.GET.get("changed") == "1"}
    try:
        plan = plan_pull(cycle)
    except InputTableError as exc:
        context["problems"] = [problem_text(p) for p in exc.problems]
        return render(request, "ledgers/pull.html", context, status=400)
    lines = plan.changed if context["only_changed"] else plan.lines
    signed = cycle.assessments.filter(state__in=[State.APPROVED, State.PUBLISHED]).exists()
    context.update({"plan": plan, "lines": lines, "signed": signed})
    return render(request, "ledgers/pull.html", context, status=status)


@login_required
@require_POST
def cycle_pull_apply(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """确认导入: the preview's values, all or none (``registers.pull``)."""
    from kaohe.assessments.access import access_cycle
    from kaohe.ledgers.pull import check_pull_registers, plan_pull

    cycle = access_cycle(request.user, cycle_id, "assessments.manage_cycle")
    fingerprint = request.POST.get("fingerprint", "")
    if not fingerprint:
        messages.error(request, gettext("请先预览台账数据，再确认导入"))
        return redirect("ledgers:cycle_pull", cycle_id=cycle.pk)
    try:
        plan = check_pull_registers(cycle=cycle, fingerprint=fingerprint, acting_user=request.user)
    except ActionError as exc:
        messages.error(request, str(exc))
        return redirect("ledgers:cycle_pull", cycle_id=cycle.pk)
    except InputTableError:
        return _pull_page(request, cycle, plan_pull, status=400)
    messages.success(
        request,
        gettext("已从台账导入 %(year)s 年度数据：新增 %(new)s 个值，修改 %(changed)s 个值")
        % {"year": plan.year, "new": plan.new_count, "changed": plan.changed_count},
    )
    return redirect("cycle_dashboard", cycle_id=cycle.pk)
