"""Django admin for master data (units, people and roles, cycles' names and deadlines).

Assessment data (values, verification, states, targets, evidence) is not editable here: it changes only through
actions, which write the audit log. Letters and results are shown read-only. Every change and deletion made here
is audited too (``admin.change`` / ``admin.delete``, with the old and new value of each changed field)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from kaohe.assessments import actions
from kaohe.assessments.models import Cycle, Membership, ResponsibilityLetter, Unit
from kaohe.audit.actions import do_append_audit
from kaohe.audit.admin import ReadOnlyAdmin


def _shown(value: Any) -> Any:
    """A field value as the audit log keeps it: model instances by their text, dates as ISO text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Writes an audit entry for every change and deletion made in the admin, in the same transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        fields = list(form.changed_data)
        old = {name: _shown(form.initial.get(name)) for name in fields}
        # form.initial holds primary keys for foreign keys; show the related object's text as for the new value
        for name in fields:
            field = obj._meta.get_field(name)
            related_model = field.related_model
            if field.is_relation and old[name] is not None and isinstance(related_model, type) and issubclass(related_model, Model):
                related = related_model._default_manager.filter(pk=form.initial[name]).first()
                old[name] = _shown(related)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if fields:
                do_append_audit(
                    acting_user=request.user, action="admin.change", obj=obj, what=", ".join(fields),
                    old=old, new={name: _shown(getattr(obj, name)) for name in fields},
                )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic():
            do_append_audit(acting_user=request.user, action="admin.delete", obj=obj, what=str(obj), old=str(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                do_append_audit(acting_user=request.user, action="admin.delete", obj=obj, what=str(obj), old=str(obj))
            super().delete_queryset(request, queryset)


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["code", "name", "type", "sequence", "parent"]
    list_filter = ["type", "sequence"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: Unit, form: ModelForm[Unit], change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = actions.do_create_unit(
            code=obj.code, name=obj.name, type=obj.type, sequence=obj.sequence, parent=obj.parent,
            acting_user=request.user,
        )
        obj.pk = created.pk


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "role", "unit", "lead_unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "lead_unit"]
    autocomplete_fields = ["unit"]

    def save_model(self, request: HttpRequest, obj: Membership, form: ModelForm[Membership], change: bool) -> None:
        """A new role goes through the action: it is audited and the office role brings admin access."""
        if change:
            super().save_model(request, obj, form, change)
            return
        created = actions.do_add_membership(
            user=obj.user, role=obj.role, unit=obj.unit, lead_unit=obj.lead_unit, acting_user=request.user
        )
        obj.pk = created.pk


@admin.register(Cycle)
class CycleAdmin(AuditedAdmin):
    """Cycles are opened on the 新建考核 screen (which creates every unit's items); here only the name and the
    deadlines can change."""

    list_display = ["name", "year", "scheme_id", "self_evaluation_deadline", "verification_deadline", "published_at"]
    fields = ["name", "year", "scheme_id", "self_evaluation_deadline", "verification_deadline", "evaluation_deadline"]
    readonly_fields = ["year", "scheme_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ResponsibilityLetter)
class ResponsibilityLetterAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "unit", "issued_at"]
    list_filter = ["cycle"]
    readonly_fields = ["cycle", "unit", "targets", "issued_at"]
