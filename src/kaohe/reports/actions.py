"""Writes of ``kaohe.reports``: applying an uploaded self-evaluation sheet, all or nothing; a cycle's document
settings.

    check_apply_sheet ─► actions.check_save_self_evaluation (per changed item) ─► do_save_self_evaluation
                     └─► do_append_audit("self_evaluation.import")     which file brought the changes
    check_save_document_settings ─► do_save_document_settings ─► do_append_audit("document_settings.save")

Every item goes through the same check and save as the web form, so each value change gets its own audit entry
with old and new values; the import entry on top names the file and its SHA-256.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from kaohe.assessments import actions
from kaohe.assessments.access import REFUSED
from kaohe.assessments.models import Assessment, Cycle, SelfEvaluation
from kaohe.assessments.rules import allowed
from kaohe.audit.actions import do_append_audit
from kaohe.reports.models import DocumentSettings

SETTING_FIELDS = ("issuer", "number_pattern", "notice_number", "addressees", "signer", "date_style")


def check_apply_sheet(
    *, assessment: Assessment, changes: list[dict[str, Any]], file_name: str, sha256: str, acting_user: Any
) -> int:
    """Save every changed item in one transaction. Any refusal (permission, state, a value, another person's
    save since the preview: ``ConflictError``) raises ``ActionError`` and rolls back every item."""
    if not allowed(acting_user, "assessments.edit_self_evaluation", assessment):
        raise actions.ActionError(gettext("没有权限执行此操作：自评已提交或不属于本单位"))
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


def _settings_values(settings: DocumentSettings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in SETTING_FIELDS}


def check_save_document_settings(*, cycle: Cycle, values: dict[str, Any], acting_user: Any) -> DocumentSettings:
    """The office sets the cycle's 发文机关, 文号, 主送 and 落款 (``values``: cleaned form data, every field)."""
    if not allowed(acting_user, "assessments.manage_cycle", cycle):
        raise actions.ActionError(gettext(REFUSED))
    pattern = str(values["number_pattern"])
    if "{n}" not in pattern:
        raise actions.ActionError("发文字号格式须含 {n}（序号），例如 环考〔{year}〕{n}号")
    return do_save_document_settings(cycle=cycle, values=values, acting_user=acting_user)


def do_save_document_settings(*, cycle: Cycle, values: dict[str, Any], acting_user: Any) -> DocumentSettings:
    with transaction.atomic():
        settings = DocumentSettings.objects.select_for_update().filter(cycle=cycle).first()
        old = None if settings is None else _settings_values(settings)
        if settings is None:
            settings = DocumentSettings(cycle=cycle)
        for name in SETTING_FIELDS:
            setattr(settings, name, values[name])
        settings.save()
        do_append_audit(
            acting_user=acting_user,
            action="document_settings.save",
            obj=settings,
            what=f"{cycle.name} 公文设置",
            old=old,
            new=_settings_values(settings),
        )
    return settings
