"""Downloads and the self-evaluation upload. Access goes through the assessments app's ``access_*`` helpers.

The upload is two steps without server-side state: the preview page carries the parsed changes signed with
the secret key (so they cannot be altered in the browser), and applying them re-checks everything through the
same actions as the web form; each item's version makes a save by someone else in between a refusal.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe.assessments import actions
from kaohe.assessments.access import access_assessment, access_cycle, access_cycle_results, access_letter
from kaohe.assessments.models import Assessment, Cycle, ResponsibilityLetter
from kaohe.assessments.views import public_view
from kaohe.reports import docx, excel, letters, pdf
from kaohe.reports.actions import check_apply_sheet, check_save_document_settings
from kaohe.reports.forms import ApplyForm, DocumentSettingsForm, SheetUploadForm
from kaohe.reports.models import DocumentSettings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
SIGNING_SALT = "kaohe.reports.sheet-upload"
PREVIEW_MAX_AGE = 3600  # seconds a preview stays applicable


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    if disposition is not None:  # None only for an inline response without a file name
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------------------------------------ self-evaluation
@login_required
@require_GET
def sheet_download(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request.user, assessment_id)
    filename = f"{assessment.unit.name}-{assessment.cycle.name}-自评表.xlsx"
    return _attachment(excel.write_sheet(assessment), XLSX, filename)


def _upload_page(
    request: HttpRequest, assessment: Assessment, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request,
        "reports/sheet_upload.html",
        {"assessment": assessment, "cycle": assessment.cycle, "form": SheetUploadForm(), **context},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sheet_upload(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request.user, assessment_id, "assessments.edit_self_evaluation")
    if request.method == "GET":
        return _upload_page(request, assessment, {})
    form = SheetUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, assessment, {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        changes = excel.read_sheet(assessment, data)
    except excel.SheetErrors as exc:
        return _upload_page(request, assessment, {"errors": exc.errors, "file_name": upload.name}, status=400)
    token = signing.dumps(
        {
            "assessment": assessment.pk,
            "user": request.user.pk,
            "file": upload.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "changes": [c.payload() for c in changes],
        },
        salt=SIGNING_SALT,
        compress=True,
    )
    return _upload_page(
        request,
        assessment,
        {"changes": changes, "file_name": upload.name, "apply_form": ApplyForm(initial={"token": token})},
    )


@login_required
@require_POST
def sheet_apply(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request.user, assessment_id, "assessments.edit_self_evaluation")
    form = ApplyForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature("no token")
        payload = signing.loads(form.cleaned_data["token"], salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return _upload_page(request, assessment, {"apply_error": "预览已失效或不完整，请重新上传文件。"}, status=400)
    if payload["assessment"] != assessment.pk or payload["user"] != request.user.pk:
        return _upload_page(
            request, assessment, {"apply_error": "此预览不属于本单位或当前用户，请重新上传文件。"}, status=400
        )
    try:
        n = check_apply_sheet(
            assessment=assessment,
            changes=payload["changes"],
            file_name=payload["file"],
            sha256=payload["sha256"],
            acting_user=request.user,
        )
    except actions.ConflictError as exc:
        message = (
            f"没有导入任何改动：{exc.current.indicator_id} {exc.current.indicator_name} 在预览后已被他人修改，"
            "请重新下载或重新上传。"
        )
        return _upload_page(request, assessment, {"apply_error": message}, status=409)
    except actions.ActionError as exc:
        return _upload_page(request, assessment, {"apply_error": f"没有导入任何改动：{exc}"}, status=400)
    messages.success(request, f"已从 {payload['file']} 导入 {n} 项自评")
    return redirect("assessment_detail", assessment_id=assessment.pk)


# ------------------------------------------------------------------------------------------------ cycle files
@login_required
@require_GET
def results_export(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle_results(request.user, cycle_id, "reports.export_results")
    return _attachment(excel.write_cycle_results(cycle), XLSX, f"{cycle.name}-考核结果.xlsx")


def _document(request: HttpRequest, data: bytes, stem: str, as_pdf: bool) -> HttpResponse:
    """The .docx, or its PDF (LibreOffice); without LibreOffice a page that says so (503), never a traceback."""
    if not as_pdf:
        return _attachment(data, DOCX, f"{stem}.docx")
    try:
        return _attachment(pdf.docx_to_pdf(data), PDF, f"{stem}.pdf")
    except pdf.PdfUnavailable as exc:
        return render(request, "reports/pdf_unavailable.html", {"message": str(exc)}, status=503)


@public_view
@require_GET
def notice_download(request: HttpRequest, cycle_id: int, as_pdf: bool = False) -> HttpResponse:
    cycle = access_cycle_results(request.user, cycle_id, "reports.view_notice")
    suffix = "" if cycle.is_published else "（审阅稿）"
    return _document(request, docx.write_notice(cycle), f"关于{cycle.name}结果的通报{suffix}", as_pdf)


# ------------------------------------------------------------------------------------------------ 目标责任书
@login_required
@require_GET
def letters_download(request: HttpRequest, cycle_id: int, as_pdf: bool = False) -> HttpResponse:
    """Every unit's letter in one file (the office, as the letters screen)."""
    cycle = access_cycle(request.user, cycle_id, "assessments.manage_cycle")
    rows = ResponsibilityLetter.objects.filter(cycle=cycle).select_related("unit").order_by("unit__code")
    return _document(request, letters.write_letters(cycle, rows), f"{cycle.name}-目标责任书", as_pdf)


@login_required
@require_GET
def letter_download(request: HttpRequest, assessment_id: int, as_pdf: bool = False) -> HttpResponse:
    """One unit's letter, for whoever may see the unit's assessment (its own people, the office, …)."""
    assessment = access_assessment(request.user, assessment_id)
    letter = get_object_or_404(
        ResponsibilityLetter.objects.select_related("unit"), cycle=assessment.cycle, unit=assessment.unit
    )
    data = letters.write_letters(assessment.cycle, [letter])
    return _document(request, data, f"{assessment.unit.name}-{assessment.cycle.name}-目标责任书", as_pdf)


@login_required
@require_GET
def issued_letter_download(request: HttpRequest, letter_id: int, as_pdf: bool = False) -> HttpResponse:
    """One letter from the letters screen (the office)."""
    letter = access_letter(request.user, letter_id, "assessments.manage_cycle")
    data = letters.write_letters(letter.cycle, [letter])
    return _document(request, data, f"{letter.unit.name}-{letter.cycle.name}-目标责任书", as_pdf)


@login_required
@require_http_methods(["GET", "POST"])
def document_settings(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The office sets the cycle's 发文机关, 文号, 主送 and 落款 (GB/T 9704-2012 版头 and 落款)."""
    cycle: Cycle = access_cycle(request.user, cycle_id, "assessments.manage_cycle")
    current = DocumentSettings.for_cycle(cycle)
    form = DocumentSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            try:
                check_save_document_settings(cycle=cycle, values=form.cleaned_data, acting_user=request.user)
            except actions.ActionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "已保存公文设置")
                return redirect("reports:document_settings", cycle_id=cycle.pk)
        status = 400
    else:
        status = 200
    return render(
        request,
        "reports/document_settings.html",
        {"cycle": cycle, "form": form, "number": current.number()},
        status=status,
    )
