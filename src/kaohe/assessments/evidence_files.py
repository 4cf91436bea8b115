"""Replacing and deleting evidence (issue 10 §2), while the unit may still change the item: before submission, or
a returned item. Uploading is ``actions.check_add_evidence``.

    check_replace_evidence ─► do_replace_evidence    ``evidence.replace``: the same row, a new file; the entry keeps
                                                      the old and the new SHA-256 (``kaohe audit verify`` checks the
                                                      file against the newest of ``evidence.add``/``.replace``)
    check_delete_evidence ─► do_delete_evidence      ``evidence.delete``: the row is gone (snapshot ``null``), the
                                                      entry keeps the file's name and SHA-256

The old file leaves storage only once the transaction has committed: a rolled-back step keeps the file its row still
names. Both steps name the file the person saw (``expected_sha256``, from the page): a file someone else replaced
or deleted meanwhile is refused, like a stale item version.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.assessments.actions import ActionError, User, _actor, _require
from kaohe.assessments.models import Assessment, Evidence, State
from kaohe.assessments.uploads import store_upload
from kaohe.audit.actions import do_append_audit
from kaohe.audit.snapshots import deleted_with

STALE = gettext_lazy("操作未执行：该佐证材料已被他人替换或删除，请刷新页面后重试")


def _file_fields(evidence: Evidence) -> dict[str, Any]:
    return {
        "item": evidence.item_id,
        "name": evidence.original_name,
        "sha256": evidence.sha256,
        "size": evidence.size,
    }


def _lock_changeable(evidence: Evidence, expected_sha256: str | None) -> Evidence:
    """The evidence row as it is now, under its assessment's lock, if the unit may still change its item and it is
    still the file the caller saw."""
    assessment = Assessment.objects.select_for_update().get(pk=evidence.item.assessment_id)
    current = Evidence.objects.select_related("item").filter(pk=evidence.pk).first()
    if current is None or (expected_sha256 is not None and current.sha256 != expected_sha256):
        raise ActionError(str(STALE))
    current.item.assessment = assessment
    if not current.item.is_unit_editable:
        raise ActionError(
            _("操作未执行：当前状态为「%(state)s」，佐证材料不能再替换或删除")
            % {"state": State(assessment.state).label}
        )
    return current


def do_replace_evidence(
    *,
    evidence: Evidence,
    upload: UploadedFile,
    content_type: str,
    acting_user: User | None,
    expected_sha256: str | None = None,
) -> Evidence:
    storage = evidence.file.storage
    stored = ""
    try:
        with transaction.atomic():
            current = _lock_changeable(evidence, expected_sha256)
            old, old_name = _file_fields(current), current.file.name
            assessment = current.item.assessment
            store_upload(current, upload, content_type, f"{assessment.cycle_id}/{assessment.unit.code}")
            stored = current.file.name
            current.uploaded_by = _actor(acting_user)
            current.uploaded_at = timezone.now()
            current.save()
            do_append_audit(
                acting_user=acting_user,
                action="evidence.replace",
                obj=current,
                what=current.item.indicator_id,
                old=old,
                new=_file_fields(current),
            )
            transaction.on_commit(lambda: storage.delete(old_name))
    except BaseException:
        if stored:  # the new file of a step that did not happen
            storage.delete(stored)
        raise
    return current


def check_replace_evidence(
    *, evidence: Evidence, upload: UploadedFile, expected_sha256: str | None, acting_user: Any
) -> Evidence:
    from kaohe.assessments.forms import validate_evidence

    _require(acting_user, "assessments.edit_self_evaluation", evidence.item)
    try:
        content_type = validate_evidence(upload)
    except ValueError as exc:
        raise ActionError(str(exc)) from None
    return do_replace_evidence(
        evidence=evidence,
        upload=upload,
        content_type=content_type,
        expected_sha256=expected_sha256,
        acting_user=acting_user,
    )


def do_delete_evidence(*, evidence: Evidence, acting_user: User | None, expected_sha256: str | None = None) -> None:
    with transaction.atomic():
        current = _lock_changeable(evidence, expected_sha256)
        pk, name, storage = current.pk, current.file.name, current.file.storage
        old = _file_fields(current)
        gone = deleted_with(current)
        current.delete()
        do_append_audit(
            acting_user=acting_user,
            action="evidence.delete",
            object_type="assessments.evidence",
            object_id=pk,
            what=current.item.indicator_id,
            old=old,
            deleted=gone,
        )
        transaction.on_commit(lambda: storage.delete(name))


def check_delete_evidence(*, evidence: Evidence, expected_sha256: str | None, acting_user: Any) -> None:
    _require(acting_user, "assessments.edit_self_evaluation", evidence.item)
    do_delete_evidence(evidence=evidence, expected_sha256=expected_sha256, acting_user=acting_user)
