"""Django admin for master data (units, people and roles, cycles' names and deadlines).

Assessment data (values, verification, states, targets, evidence) is not editable here: it changes only through
actions, which write the audit log. Letters and results are shown read-only. Every change and deletion made here
is audited too (``admin.change`` / ``admin.delete``, with the old and new value of each changed field).

Accounts and roles go through their own audited actions (``user.create`` / ``user.change`` / ``user.set_password``,
``membership.add`` / ``membership.change`` / ``membership.remove``) and the rule of
``kaohe.assessments.rules.may_manage_account``: an office member who is not a superuser sees no superuser, staff,
group or permission fields, and may change and reset the password of unit accounts only (单位填报人/单位负责人, or
accounts with no role yet), never an approver's, a verifier's or an office member's; it grants unit roles only.
The Django stock ``UserAdmin`` is replaced, so none of this can be reached around the actions."""

from __future__ import annotations

import contextvars
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from kaohe.assessments import actions
from kaohe.assessments.models import Cycle, Membership, ResponsibilityLetter, Unit
from kaohe.assessments.rules import OFFICE_GRANTABLE_ROLES, may_grant_role, may_manage_account
from kaohe.audit.actions import do_append_audit
from kaohe.audit.admin import ReadOnlyAdmin
from kaohe.audit.snapshots import deleted_with


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
            if (
                field.is_relation
                and old[name] is not None
                and isinstance(related_model, type)
                and issubclass(related_model, Model)
            ):
                related = related_model._default_manager.filter(pk=form.initial[name]).first()
                old[name] = _shown(related)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if fields:
                do_append_audit(
                    acting_user=request.user,
                    action="admin.change",
                    obj=obj,
                    what=", ".join(fields),
                    old=old,
                    new={name: _shown(getattr(obj, name)) for name in fields},
                )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic():
            # The entry names every audited row the deletion removes (the row and what cascades with it).
            do_append_audit(
                acting_user=request.user,
                action="admin.delete",
                obj=obj,
                what=str(obj),
                old=str(obj),
                deleted=deleted_with(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                do_append_audit(
                    acting_user=request.user,
                    action="admin.delete",
                    obj=obj,
                    what=str(obj),
                    old=str(obj),
                    deleted=deleted_with(obj),
                )
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
            code=obj.code,
            name=obj.name,
            type=obj.type,
            sequence=obj.sequence,
            parent=obj.parent,
            acting_user=request.user,
        )
        obj.pk = created.pk


def _refused(exc: actions.ActionError) -> PermissionDenied:
    return PermissionDenied(str(exc))


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "role", "unit", "lead_unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "lead_unit"]
    autocomplete_fields = ["unit"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or may_grant_role(request.user, obj.user, obj.role)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (
            obj is None or may_grant_role(request.user, obj.user, obj.role)
        )

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role" and not request.user.is_superuser:  # an office member grants unit roles only
            kwargs["choices"] = [(v, label) for v, label in Membership.Role.choices if v in OFFICE_GRANTABLE_ROLES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user" and not request.user.is_superuser:  # only accounts the office may manage
            kwargs["queryset"] = User.objects.filter(is_superuser=False, is_staff=False).exclude(
                memberships__role__in=[r for r in Membership.Role.values if r not in OFFICE_GRANTABLE_ROLES]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Membership, form: ModelForm[Membership], change: bool) -> None:
        """Roles go through the actions: audited, checked against who may grant what (the office role also
        brings admin access)."""
        try:
            if change:
                changes = {name: getattr(obj, name) for name in form.changed_data}
                actions.check_change_membership(membership=obj, changes=changes, acting_user=request.user)
                return
            created = actions.check_add_membership(
                user=obj.user, role=obj.role, unit=obj.unit, lead_unit=obj.lead_unit, acting_user=request.user
            )
        except actions.ActionError as exc:
            raise _refused(exc) from None
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            actions.check_remove_membership(membership=obj, acting_user=request.user)
        except actions.ActionError as exc:
            raise _refused(exc) from None

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset.select_related("user"):
                self.delete_model(request, obj)


# The person acting in the admin's password form (the form's save() has no request); a ContextVar is per thread.
_admin_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("kaohe_admin_actor")


class AuditedPasswordChangeForm(AdminPasswordChangeForm):  # type: ignore[type-arg]
    """The admin's 修改密码 form, saved through the audited action."""

    def save(self, commit: bool = True) -> Any:
        password = self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password", True) else None
        try:
            return actions.check_set_password(user=self.user, password=password, acting_user=_admin_actor.get())
        except actions.ActionError as exc:
            raise _refused(exc) from None


class KaoheUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Accounts: the stock admin's screens, with the fields and accounts ``may_manage_account`` allows and every
    write through an audited action."""

    change_password_form = AuditedPasswordChangeForm
    # what an office member (not a superuser) sees and may change
    office_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("first_name", "last_name", "email")}),
        ("状态", {"fields": ("is_active",)}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not request.user.is_superuser:
            return self.office_fieldsets
        return super().get_fieldsets(request, obj)

    def get_list_filter(self, request: HttpRequest) -> Any:
        return super().get_list_filter(request) if request.user.is_superuser else ("is_active",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or may_manage_account(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Accounts are deactivated (is_active), never deleted: the audit log names their actions.
        return bool(request.user.is_superuser) and super().has_delete_permission(request, obj)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        token = _admin_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _admin_actor.reset(token)

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        try:
            if not change:
                data = form.cleaned_data
                created = actions.check_create_user(
                    username=obj.username,
                    password=data.get("password1") if data.get("set_usable_password", True) else None,
                    first_name=obj.first_name,
                    last_name=obj.last_name,
                    email=obj.email,
                    acting_user=request.user,
                )
                obj.pk = created.pk
                return
            names = [n for n in form.changed_data if n in (*actions.ACCOUNT_FIELDS, *actions.PRIVILEGE_FIELDS)]
            changes = {n: form.cleaned_data[n] for n in names}
            if changes:
                actions.check_change_user(user=obj, changes=changes, acting_user=request.user)
        except actions.ActionError as exc:
            raise _refused(exc) from None

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Groups and permissions were set by the action (audited); the form must not set them again."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


admin.site.unregister(User)
admin.site.register(User, KaoheUserAdmin)


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
