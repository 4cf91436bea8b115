"""Writes of ``kaohe.reports``: applying an uploaded self-evaluation sheet, all or nothing.

    check_apply_sheet ─► actions.check_save_self_evaluation (per changed item) ─► do_save_self_evaluation
                     └─► do_append_audit("self_evaluation.import")     which file brought the changes

Every item goes through the same check and save as the web form, so each value change gets its own audit entry
with old and new values; the import entry on top names the file and its SHA-256.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, SelfEvaluation
from kaohe.assessments.rules import allowed
from kaohe.audit.actions import do_append_audit


def check_apply_sheet(
    *, assessment: Assessment, changes: list[dict[str, Any]], file_name: str, sha256: str, acting_user: Any
) -> int:
    """Save every changed item in one transaction. Any refusal (permission, state, a value, another person's
    save since the preview: ``ConflictError``) raises ``ActionError`` and rolls back every item."""
    if not allowed(acting_user, "assessments.edit_self_evaluation", assessment):
        raise actions.ActionError("没有权限执行此操作：自评已提交或不属于本单位")
    with transaction.atomic():
        saved = []
        for change in changes:
            item = SelfEvaluation.objects.select_related("assessment__cycle", "assessment__unit").get(
                pk=change["item"], assessment=assessment
            )
            score = change["self_score"]
            actions.check_save_self_evaluation(
                item=item,
                raw_values=change["values"],
                self_score=None if score is None else Decimal(score),
                explanation=change["explanation"],
                version=change["version"],
                acting_user=acting_user,
            )
            saved.append(item.indicator_id)
        do_append_audit(
            acting_user=acting_user,
            action="self_evaluation.import",
            obj=assessment,
            what=file_name[:255],
            new={"file": file_name, "sha256": sha256, "items": saved},
        )
    return len(saved)
