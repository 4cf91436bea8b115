"""Django admin for master data (units, people and roles, cycles' names and deadlines).

Assessment data (values, verification, states, targets, evidence) is not editable here: it changes only through
actions, which write the audit log. Letters and results are shown read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from kaohe.assessments import actions
from kaohe.assessments.models import Cycle, Membership, ResponsibilityLetter, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
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
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
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
class CycleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
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
class ResponsibilityLetterAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["cycle", "unit", "issued_at"]
    list_filter = ["cycle"]
    readonly_fields = ["cycle", "unit", "targets", "issued_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
