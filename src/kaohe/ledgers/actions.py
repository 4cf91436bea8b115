"""Every write to the registers; each one appends its audit entry in the same transaction (``kaohe.audit``).

Zulip's verbs, as ``kaohe.assessments.actions``: ``check_*`` checks the role rules and the row's state, then calls
``do_*``, which writes inside ``transaction.atomic`` and audits the row's fields before and after.

    check_import_register ─► do_import_register      考核办: a register file, all rows or none (``ledger.import``,
                                                     one entry per new or changed row); ``imports.py`` reads it
    check_save_register_row ─► do_save_register_row  考核办: one row typed in the row form (``ledger.edit``): new, or
                                                     changed with a reason; read by the same reader as a file
    check_report_progress ─► do_add_report           单位: 进展报告 (``rectification.progress``)
    check_apply_closure ─► do_apply_closure          单位: 申请销号 with its completion date and evidence
    check_accept_closure ─► do_accept_closure        考核办: 验收销号 → 已销号
    check_send_back_closure ─► do_send_back_closure  考核办: 退回 → 整改中 (the claimed completion date is cleared)
    check_extend_deadline ─► do_extend_deadline      考核办: 同意延期, with the reason and the deadline it replaces
    check_handle_complaint ─► do_handle_complaint    单位: 办理情况、答复、办结日期 of its own case
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kaohe.assessments.access import REFUSED
from kaohe.assessments.actions import ActionError
from kaohe.assessments.forms import validate_evidence
from kaohe.assessments.limits import MAX_REASON_CHARS, MAX_REPORT_FILES
from kaohe.assessments.rules import allowed
from kaohe.assessments.uploads import removed_on_failure, store_upload
from kaohe.audit.actions import AuditEntry, do_append_audit, do_append_audit_many
from kaohe.audit.snapshots import plain
from kaohe.ledgers.imports import LedgerTable, RowChange, plan_import
from kaohe.ledgers.models import (
    MODELS,
    Complaint,
    LedgerRow,
    RectificationProblem,
    RectificationReport,
    ReportEvidence,
)

Problem = RectificationProblem
Report = RectificationReport


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if not allowed(user, perm, obj):
        raise ActionError(gettext(REFUSED))


def fields_of(row: Any) -> dict[str, Any]:
    """The row's fields as its audit entry's old and new value record them (attribute names, JSON values)."""
    return {f.attname: plain(getattr(row, f.attname)) for f in row._meta.concrete_fields if not f.primary_key}


def _text(value: str, what: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ActionError(gettext("请填写%(what)s") % {"what": what})
    if len(value) > MAX_REASON_CHARS:
        raise ActionError(gettext("%(what)s不能超过 %(n)s 个字") % {"what": what, "n": MAX_REASON_CHARS})
    return value


# ------------------------------------------------------------------------------------------------ import
def _write_rows(table: LedgerTable, *, action: str, reason: str, new_only: bool, acting_user: Any) -> list[RowChange]:
    """Write every new or changed row of ``table`` (already read and checked: ``imports.parse_ledger_frame``), one
    ``action`` entry each, all in one transaction. The plan is made again under the transaction, so what is written is
    what the table says about each row as it is now. ``new_only``: a row whose key is taken is refused."""
    model = MODELS[table.kind]
    with transaction.atomic():
        planned = plan_import(table, lock=True)
        taken = [c for c in planned if c.kind != "new"] if new_only else []
        if taken:
            row = taken[0].row
            words = {"register": row.register().label, "key": row.key}
            raise ActionError(gettext("%(register)s中已有「%(key)s」：请打开该行修改") % words)
        changes = [c for c in planned if c.kind != "same"]
        entries = []
        for change in changes:
            row = change.row
            old = None if row.pk is None else fields_of(model._default_manager.get(pk=row.pk))
            row.save()
            entries.append(
                AuditEntry(action=action, obj=row, what=row_label(row), old=old, new=fields_of(row), reason=reason)
            )
        do_append_audit_many(entries, acting_user=acting_user)
    return changes


def do_import_register(*, table: LedgerTable, acting_user: Any) -> list[RowChange]:
    """A register file: every new or changed row, one ``ledger.import`` entry each, all or none."""
    reason = gettext("导入 %(file)s") % {"file": table.file}
    return _write_rows(table, action="ledger.import", reason=reason, new_only=False, acting_user=acting_user)


def check_import_register(*, table: LedgerTable, acting_user: Any) -> list[RowChange]:
    _require(acting_user, "ledgers.manage")
    return do_import_register(table=table, acting_user=acting_user)


def do_save_register_row(*, table: LedgerTable, new: bool, reason: str, acting_user: Any) -> RowChange | None:
    """One row typed in the row form (``ledger.edit``), read by the same reader as a file: a new row (its key not
    taken) or a change to an existing one; None when the row is as it was."""
    changes = _write_rows(table, action="ledger.edit", reason=reason, new_only=new, acting_user=acting_user)
    return changes[0] if changes else None


def check_save_register_row(*, table: LedgerTable, new: bool, reason: str, acting_user: Any) -> RowChange | None:
    """考核办: 新增 a row (the reason may be left empty: 新增), or 修改 one with the reason for the change."""
    _require(acting_user, "ledgers.manage")
    reason = _text(reason, gettext("修改原因"), required=not new) or gettext("新增")
    return do_save_register_row(table=table, new=new, reason=reason, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ rectification
def _lock(problem: Problem) -> Problem:
    return Problem.objects.select_for_update().get(pk=problem.pk)


def _report(
    problem: Problem,
    *,
    kind: str,
    date: dt.date,
    text: str,
    old: dict[str, Any],
    acting_user: Any,
    previous_deadline: dt.date | None = None,
    new_deadline: dt.date | None = None,
    files: Iterable[tuple[UploadedFile, str]] = (),
) -> Report:
    """The problem's new 调度记录 with its files (``files``: (upload, content type), already checked: ``_checked``)
    and the audit entry of the step: the problem, the record and its files as they are now (each file's SHA-256 is
    in the files' snapshots, which ``kaohe audit verify`` checks the stored files against)."""
    report = Report.objects.create(
        problem=problem,
        kind=kind,
        date=date,
        text=text,
        previous_deadline=previous_deadline,
        new_deadline=new_deadline,
        author=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    for upload, content_type in files:
        evidence = ReportEvidence(report=report)
        store_upload(evidence, upload, content_type, str(problem.unit_id))
        evidence.save()
    do_append_audit(
        acting_user=acting_user,
        action=f"rectification.{kind}",
        obj=problem,
        what=f"{problem.problem_id} {Report.Kind(kind).label}",
        old=old,
        new=fields_of(problem),
        reason=text,
        rows=[report, ReportEvidence.objects.filter(report=report)],
    )
    return report


def _checked(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Each file with its content type, as the assessments' evidence is checked (size, type, content); the first
    file refused names itself and why."""
    if len(files) > MAX_REPORT_FILES:
        raise ActionError(gettext("附件最多 %(n)s 个文件，现有 %(m)s 个") % {"n": MAX_REPORT_FILES, "m": len(files)})
    checked = []
    for upload in files:
        try:
            checked.append((upload, validate_evidence(upload)))
        except ValueError as exc:
            name = PurePath(upload.name or "").name
            raise ActionError(gettext("附件「%(name)s」：%(why)s") % {"name": name, "why": exc}) from None
    return checked


def do_add_report(
    *, problem: Problem, date: dt.date, text: str, acting_user: Any, files: Iterable[tuple[UploadedFile, str]] = ()
) -> Report:
    with removed_on_failure(), transaction.atomic():
        problem = _lock(problem)
        old = fields_of(problem)
        return _report(
            problem, kind=Report.Kind.PROGRESS, date=date, text=text, old=old, acting_user=acting_user, files=files
        )


def check_report_progress(
    *, problem: Problem, date: dt.date, text: str, acting_user: Any, files: Sequence[UploadedFile] = ()
) -> Report:
    """单位 reports progress (定期调度) on its own problem while it is 整改中, with its files (工作简报 …)."""
    _require(acting_user, "ledgers.report_progress", problem)
    text = _text(text, gettext("进展情况"))
    return do_add_report(problem=problem, date=date, text=text, acting_user=acting_user, files=_checked(files))


def do_apply_closure(
    *,
    problem: Problem,
    completed_on: dt.date,
    text: str,
    acting_user: Any,
    files: Iterable[tuple[UploadedFile, str]] = (),
) -> Report:
    with removed_on_failure(), transaction.atomic():
        problem = _lock(problem)
        if problem.state != Problem.State.OPEN:
            raise ActionError(
                gettext("该问题当前状态为「%(state)s」，不能申请销号") % {"state": problem.get_state_display()}
            )
        old = fields_of(problem)
        problem.completed_on, problem.state = completed_on, Problem.State.APPLIED
        problem.save(update_fields=["completed_on", "state"])
        return _report(
            problem, kind=Report.Kind.APPLY, date=completed_on, text=text, old=old, acting_user=acting_user, files=files
        )


def check_apply_closure(
    *, problem: Problem, completed_on: dt.date, text: str, acting_user: Any, files: Sequence[UploadedFile] = ()
) -> Report:
    """单位 applies for 销号: the date the rectification was completed and what shows it (整改完成情况及佐证), with the
    佐证材料 as files."""
    _require(acting_user, "ledgers.apply_closure", problem)
    if completed_on > timezone.localdate():
        raise ActionError(gettext("完成整改日期不能晚于今天"))
    text = _text(text, gettext("整改完成情况及佐证"))
    checked = _checked(files)
    return do_apply_closure(
        problem=problem, completed_on=completed_on, text=text, acting_user=acting_user, files=checked
    )


def do_accept_closure(*, problem: Problem, closed_on: dt.date, text: str, acting_user: Any) -> Report:
    with transaction.atomic():
        problem = _lock(problem)
        if problem.state != Problem.State.APPLIED:
            raise ActionError(
                gettext("该问题当前状态为「%(state)s」，不能验收") % {"state": problem.get_state_display()}
            )
        old = fields_of(problem)
        problem.closed_on, problem.state = closed_on, Problem.State.CLOSED
        problem.save(update_fields=["closed_on", "state"])
        return _report(problem, kind=Report.Kind.ACCEPT, date=closed_on, text=text, old=old, acting_user=acting_user)


def check_accept_closure(*, problem: Problem, closed_on: dt.date, text: str, acting_user: Any) -> Report:
    """考核办 验收: the problem is 已销号 from ``closed_on`` (not before the completion the unit reported)."""
    _require(acting_user, "ledgers.decide_closure", problem)
    if problem.completed_on is not None and closed_on < problem.completed_on:
        raise ActionError(gettext("销号日期不能早于完成整改日期（%(date)s）") % {"date": problem.completed_on})
    text = _text(text, gettext("验收意见"))
    return do_accept_closure(problem=problem, closed_on=closed_on, text=text, acting_user=acting_user)


def do_send_back_closure(*, problem: Problem, reason: str, acting_user: Any) -> Report:
    with transaction.atomic():
        problem = _lock(problem)
        if problem.state != Problem.State.APPLIED:
            raise ActionError(
                gettext("该问题当前状态为「%(state)s」，不能退回") % {"state": problem.get_state_display()}
            )
        old = fields_of(problem)
        # The completion was not accepted: it does not count as done (rect_done) until the unit applies again.
        problem.completed_on, problem.state = None, Problem.State.OPEN
        problem.save(update_fields=["completed_on", "state"])
        return _report(
            problem,
            kind=Report.Kind.SEND_BACK,
            date=timezone.localdate(),
            text=reason,
            old=old,
            acting_user=acting_user,
        )


def check_send_back_closure(*, problem: Problem, reason: str, acting_user: Any) -> Report:
    _require(acting_user, "ledgers.decide_closure", problem)
    return do_send_back_closure(problem=problem, reason=_text(reason, gettext("退回理由")), acting_user=acting_user)


def do_extend_deadline(*, problem: Problem, new_deadline: dt.date, reason: str, acting_user: Any) -> Report:
    with transaction.atomic():
        problem = _lock(problem)
        old = fields_of(problem)
        previous = problem.deadline
        problem.deadline = new_deadline
        problem.save(update_fields=["deadline"])
        return _report(
            problem,
            kind=Report.Kind.EXTEND,
            date=timezone.localdate(),
            text=reason,
            old=old,
            acting_user=acting_user,
            previous_deadline=previous,
            new_deadline=new_deadline,
        )


def check_extend_deadline(*, problem: Problem, new_deadline: dt.date, reason: str, acting_user: Any) -> Report:
    """考核办 agrees an extension: a later deadline, with the reason (the deadline it replaces is kept)."""
    _require(acting_user, "ledgers.extend_deadline", problem)
    if problem.deadline is not None and new_deadline <= problem.deadline:
        raise ActionError(gettext("延期后的时限应晚于现时限（%(date)s）") % {"date": problem.deadline})
    reason = _text(reason, gettext("延期理由"))
    return do_extend_deadline(problem=problem, new_deadline=new_deadline, reason=reason, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ complaints
def do_handle_complaint(
    *, complaint: Complaint, handling: str, reply: str, closed_on: dt.date | None, acting_user: Any
) -> Complaint:
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        old = fields_of(complaint)
        complaint.handling, complaint.reply, complaint.closed_on = handling, reply, closed_on
        complaint.save(update_fields=["handling", "reply", "closed_on"])
        do_append_audit(
            acting_user=acting_user,
            action="complaint.handle",
            obj=complaint,
            what=complaint.case_id,
            old=old,
            new=fields_of(complaint),
        )
    return complaint


def check_handle_complaint(
    *, complaint: Complaint, handling: str, reply: str, closed_on: dt.date | None, acting_user: Any
) -> Complaint:
    """单位 records how it handled its own open case, and closes it (办结) with a date when done."""
    _require(acting_user, "ledgers.handle_complaint", complaint)
    if closed_on is not None and closed_on > timezone.localdate():
        raise ActionError(gettext("办结日期不能晚于今天"))
    if closed_on is not None and complaint.received_on is not None and closed_on < complaint.received_on:
        raise ActionError(gettext("办结日期不能早于受理日期（%(date)s）") % {"date": complaint.received_on})
    handling = _text(handling, gettext("办理情况"))
    reply = _text(reply, gettext("答复情况"), required=closed_on is not None)
    return do_handle_complaint(
        complaint=complaint, handling=handling, reply=reply, closed_on=closed_on, acting_user=acting_user
    )


def row_label(row: LedgerRow) -> str:
    return f"{row.register().label} {row.key}"
