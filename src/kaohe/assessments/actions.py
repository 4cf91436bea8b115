"""Every write to assessment data.

Zulip's verbs: ``check_*`` validates (permission, state, values) and then calls ``do_*``; ``do_*`` writes inside
``transaction.atomic`` and appends an audit entry with the old and new values, trusting its caller. Views, the API,
management commands and tests all go through these functions.

    do_create_unit / do_add_membership                     master data
    check_add_membership / check_change_membership / check_remove_membership     roles (rules.may_grant_role)
    check_create_user / check_change_user / check_set_password                   accounts (rules.may_manage_account)
    check_open_cycle ─► do_open_cycle ─► do_issue_letter     考核办 opens a cycle (deadline order), issues 目标责任书
                                                            (do_write_letter; letter_targets.py: import, copy)
    check_save_self_evaluation ─► do_save_self_evaluation   unit fills an item (optimistic version check)
    check_add_evidence ─► do_add_evidence                   unit uploads a file
    check_submit ─► do_submit                               draft/returned → submitted
    check_verify_item ─► do_verify_item                     submitted → verifying → verified (all items done)
    check_return_item ─► do_return_item                     → returned, with a comment (the unit's other items
                                                            stay verifiable; batch.py: batch 核实无误)
    check_import_monitoring_values ─► do_import_monitoring_values   values derived from monitoring output files
    check_save_findings ─► do_save_finding                  认定事项: 是 / 否 / 未认定 (not after 审定)
    check_decide_remaining_findings_no                      其余未认定事项均认定为否
    check_evaluate_cycle ─► do_evaluate_cycle               verified → evaluated (kaohe.score, Result rows)
    check_approve_cycle / check_send_back_cycle             evaluated → approved / back to verified
                                                            (approval_refusal: unscored units, stale results,
                                                            the evaluator)
    check_publish_cycle ─► do_publish_cycle                 approved → published (not during 公示 or while an
                                                            appeal is pending: appeals.py)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext
from django_fsm import TransitionNotAllowed

from kaohe.assessments import schemes
from kaohe.assessments.access import REFUSED
from kaohe.assessments.models import (
    Assessment,
    Cycle,
    Evidence,
    ImportedValue,
    Membership,
    ResponsibilityLetter,
    Result,
    SelfEvaluation,
    State,
    Unit,
    Verification,
)
from kaohe.assessments.rules import allowed, may_grant_role, may_manage_account
from kaohe.audit.actions import AuditEntry, do_append_audit, do_append_audit_many
from kaohe.audit.snapshots import label_of, merge, take, users_audited_by_caller
from kaohe.core import guards, tables
from kaohe.core.exceptions import InputTableError, Problem, UserInputError
from kaohe.core.scheme import InputDef
from kaohe.notifications import notify

User = AbstractBaseUser | AnonymousUser


class ActionError(Exception):
    """A refused action; the message is shown to the user as it is."""


class ConflictError(ActionError):
    """Someone else saved the item first. ``current`` is the item as it is now; the caller's input is untouched."""

    def __init__(self, message: str, current: SelfEvaluation) -> None:
        super().__init__(message)
        self.current = current


def _require(user: Any, perm: str, obj: Any = None) -> None:
    # The role rules decide (rules.allowed): a superuser flag is no way round a role or a state rule.
    if not allowed(user, perm, obj):
        raise ActionError(gettext(REFUSED))  # the one refusal message (kaohe.assessments.access)


def _actor(user: User | None) -> AuthUser | None:
    """The person to store on a row (None for the system or an anonymous caller)."""
    return user if isinstance(user, AuthUser) else None


def _decimal(value: Any) -> str | None:
    return None if value is None else str(value)


# ------------------------------------------------------------------------------------------------ master data
def do_create_unit(
    *, code: str, name: str, type: str, sequence: str, parent: Unit | None = None, acting_user: User | None
) -> Unit:
    with transaction.atomic():
        unit = Unit.objects.create(code=code, name=name, type=type, sequence=sequence, parent=parent)
        do_append_audit(
            acting_user=acting_user,
            action="unit.create",
            obj=unit,
            new={"code": code, "name": name, "type": type, "sequence": sequence},
        )
    return unit


# The assessment office maintains master data in the Django admin: these model permissions come with the role.
OFFICE_ADMIN_PERMS = [
    "assessments.add_unit",
    "assessments.change_unit",
    "assessments.view_unit",
    "assessments.delete_unit",
    "assessments.add_membership",
    "assessments.change_membership",
    "assessments.view_membership",
    "assessments.delete_membership",
    "assessments.view_cycle",
    "assessments.change_cycle",
    "assessments.view_responsibilityletter",
    "audit.view_auditlog",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
]


def office_group() -> Any:
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name="考核办")
    if created:
        for label in OFFICE_ADMIN_PERMS:
            app_label, codename = label.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def do_add_membership(
    *, user: Any, role: str, unit: Unit | None = None, lead_unit: str = "", acting_user: User | None
) -> Membership:
    with transaction.atomic(), users_audited_by_caller():
        membership = Membership.objects.create(user=user, role=role, unit=unit, lead_unit=lead_unit)
        user.__dict__.pop("_kaohe_memberships", None)  # rules.memberships() caches the roles on the user object
        if role == Membership.Role.OFFICE:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(office_group())
        do_append_audit(
            acting_user=acting_user,
            action="membership.add",
            obj=membership,
            new={**_membership_fields(membership), "user": user.get_username(), "unit": unit.code if unit else None},
            rows=[user],  # its snapshot: the office role brings is_staff and the office group
        )
    return membership


def _membership_fields(membership: Membership) -> dict[str, Any]:
    """A Membership row's fields as the audit entries record them (for replaying the log against the row)."""
    return {
        "user_id": membership.user_id,
        "role": membership.role,
        "unit_id": membership.unit_id,
        "lead_unit": membership.lead_unit,
    }


def check_add_membership(
    *, user: Any, role: str, unit: Unit | None = None, lead_unit: str = "", acting_user: Any
) -> Membership:
    if not may_grant_role(acting_user, user, role):
        raise ActionError(gettext("没有权限授予此角色：考核办只能为单位账号授予单位填报人、单位负责人角色"))
    return do_add_membership(user=user, role=role, unit=unit, lead_unit=lead_unit, acting_user=acting_user)


def do_change_membership(*, membership: Membership, changes: dict[str, Any], acting_user: User | None) -> Membership:
    """Change a role's fields (``role``, ``unit``, ``lead_unit``, ``user``); audited with the row's old and new
    fields."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        old = _membership_fields(membership)
        for name, value in changes.items():
            setattr(membership, name, value)
        membership.save()
        membership.user.__dict__.pop("_kaohe_memberships", None)
        do_append_audit(
            acting_user=acting_user,
            action="membership.change",
            obj=membership,
            what=", ".join(sorted(changes)),
            old=old,
            new=_membership_fields(membership),
        )
    return membership


def check_change_membership(*, membership: Membership, changes: dict[str, Any], acting_user: Any) -> Membership:
    current = Membership.objects.select_related("user").get(pk=membership.pk)
    after_user = changes.get("user", current.user)
    after_role = changes.get("role", current.role)
    if not (
        may_grant_role(acting_user, current.user, current.role) and may_grant_role(acting_user, after_user, after_role)
    ):
        raise ActionError(gettext("没有权限修改此角色"))
    return do_change_membership(membership=current, changes=changes, acting_user=acting_user)


def do_remove_membership(*, membership: Membership, acting_user: User | None) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        old = _membership_fields(membership)
        do_append_audit(
            acting_user=acting_user,
            action="membership.remove",
            obj=membership,
            old=old,
            new=None,
            deleted=[membership],
        )
        membership.delete()


def check_remove_membership(*, membership: Membership, acting_user: Any) -> None:
    if not may_grant_role(acting_user, membership.user, membership.role):
        raise ActionError(gettext("没有权限删除此角色"))
    do_remove_membership(membership=membership, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ accounts
# Who may change whose account: kaohe.assessments.rules.may_manage_account. The password hash is never written to
# the audit log (it would invite offline guessing); entries record whether a usable password is set.
ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "is_active")
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


def _user_fields(user: Any) -> dict[str, Any]:
    """A user row's fields as the audit entries record them (without the password hash)."""
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "password_usable": user.has_usable_password(),
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{app}.{code}" for app, code in user.user_permissions.values_list("content_type__app_label", "codename")
        ),
    }


def do_create_user(
    *,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    acting_user: User | None,
) -> AuthUser:
    """A new account (no role yet: roles are memberships). ``password=None`` leaves it without a usable one."""
    with transaction.atomic(), users_audited_by_caller():
        user = AuthUser.objects.create_user(
            username=username, password=password, first_name=first_name, last_name=last_name, email=email
        )
        do_append_audit(acting_user=acting_user, action="user.create", obj=user, new=_user_fields(user))
    return user


def check_create_user(
    *,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    acting_user: Any,
) -> AuthUser:
    if not may_manage_account(acting_user, None):
        raise ActionError(gettext("没有权限创建账号"))
    return do_create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
        acting_user=acting_user,
    )


def do_change_user(*, user: Any, changes: dict[str, Any], acting_user: User | None) -> AuthUser:
    """Change account fields (``groups`` and ``user_permissions`` take the full new list)."""
    with transaction.atomic(), users_audited_by_caller():
        row = AuthUser.objects.select_for_update().get(pk=user.pk)
        old = _user_fields(row)
        for name, value in changes.items():
            if name in ("groups", "user_permissions"):
                getattr(row, name).set(value)
            else:
                setattr(row, name, value)
        row.save()
        do_append_audit(
            acting_user=acting_user,
            action="user.change",
            obj=row,
            what=", ".join(sorted(changes)),
            old=old,
            new=_user_fields(row),
        )
    return row


def check_change_user(*, user: Any, changes: dict[str, Any], acting_user: Any) -> AuthUser:
    if not may_manage_account(acting_user, user):
        raise ActionError(gettext("没有权限修改此账号"))
    unknown = set(changes) - set(ACCOUNT_FIELDS) - set(PRIVILEGE_FIELDS)
    if unknown:
        fields = pgettext("list separator", "、").join(sorted(unknown))
        raise ActionError(gettext("不能修改这些字段：%(fields)s") % {"fields": fields})
    if set(changes) & set(PRIVILEGE_FIELDS) and not acting_user.is_superuser:
        raise ActionError(gettext("只有系统管理员可以修改超级用户、职员、用户组和权限"))
    return do_change_user(user=user, changes=changes, acting_user=acting_user)


def do_set_password(*, user: Any, password: str | None, acting_user: User | None) -> AuthUser:
    """Set (or, with None, disable) the account's password; the audit entry says so without the hash."""
    with transaction.atomic(), users_audited_by_caller():
        row = AuthUser.objects.select_for_update().get(pk=user.pk)
        old = _user_fields(row)
        if password is None:
            row.set_unusable_password()
        else:
            row.set_password(password)
        row.save(update_fields=["password"])
        do_append_audit(acting_user=acting_user, action="user.set_password", obj=row, old=old, new=_user_fields(row))
    return row


def check_set_password(*, user: Any, password: str | None, acting_user: Any) -> AuthUser:
    if not may_manage_account(acting_user, user):
        raise ActionError(gettext("没有权限修改此账号的密码"))
    return do_set_password(user=user, password=password, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ cycles
def do_open_cycle(
    *,
    name: str,
    year: int,
    scheme_id: str,
    units: Iterable[Unit],
    self_evaluation_deadline: dt.date | None = None,
    verification_deadline: dt.date | None = None,
    evaluation_deadline: dt.date | None = None,
    scheme_file: Any = None,
    publicity_days: int = 0,
    acting_user: User | None,
) -> Cycle:
    """Create the cycle with one draft assessment, one empty letter and the self-evaluation items per unit.
    A unit whose sequence is not in the scheme is refused (the office fixes the master data first), and so is an
    order of deadlines that cannot work (自评截止 ≤ 核实截止 ≤ 综合评价截止, ``Cycle.deadline_problems``)."""
    with transaction.atomic():
        cycle = Cycle(
            name=name,
            year=year,
            scheme_id=scheme_id,
            self_evaluation_deadline=self_evaluation_deadline,
            verification_deadline=verification_deadline,
            evaluation_deadline=evaluation_deadline,
            publicity_days=publicity_days,
        )
        problems = cycle.deadline_problems()
        if problems:
            raise ActionError(pgettext("list of clauses", "；").join(problems.values()))
        if not 0 <= publicity_days <= Cycle.MAX_PUBLICITY_DAYS:
            raise ActionError(
                gettext("公示天数应为 0–%(max)d 的整数（0 表示不公示），现为 %(days)d")
                % {"max": Cycle.MAX_PUBLICITY_DAYS, "days": publicity_days}
            )
        if scheme_file is not None:
            cycle.scheme_file = scheme_file
        cycle.save()
        scheme = schemes.load(cycle.scheme_ref)
        if not cycle.scheme_id:
            cycle.scheme_id = scheme.id
            cycle.save(update_fields=["scheme_id"])
        unit_list = list(units)
        sequence_ids = scheme.sequence_ids()
        bad = [u.name for u in unit_list if u.sequence not in sequence_ids and len(sequence_ids) > 1]
        if bad:
            names = pgettext("list separator", "、").join(bad)
            raise ActionError(gettext("这些单位的序列不在考核方案中: %(units)s") % {"units": names})

        def sequence_of(unit: Unit) -> str:
            # A scheme with one ranking pool takes every unit, whatever its usual sequence.
            return unit.sequence if unit.sequence in sequence_ids else sequence_ids[0]

        specs_by_sequence = {seq: schemes.items_for(scheme, seq) for seq in {sequence_of(u) for u in unit_list}}
        opened: dict[str, Any] = {
            "name": name,
            "year": year,
            "scheme": cycle.scheme_id,
            "units": [u.code for u in unit_list],
        }
        if cycle.scheme_file:
            # The uploaded scheme decides every score: `kaohe audit verify` checks the file against this hash.
            with cycle.scheme_file.open("rb") as handle:
                opened["scheme_sha256"] = hashlib.sha256(handle.read()).hexdigest()
        do_append_audit(acting_user=acting_user, action="cycle.open", obj=cycle, new=opened)
        for unit in unit_list:
            assessment = Assessment.objects.create(cycle=cycle, unit=unit, sequence=sequence_of(unit))
            letter = ResponsibilityLetter.objects.create(cycle=cycle, unit=unit)
            SelfEvaluation.objects.bulk_create(
                SelfEvaluation(
                    assessment=assessment,
                    indicator_id=spec.indicator_id,
                    indicator_name=spec.indicator_name[:300],
                    lead_unit=spec.lead_unit,
                    kind=spec.kind,
                    values=dict.fromkeys(spec.input_ids),
                )
                for spec in specs_by_sequence[assessment.sequence]
            )
            # One entry per unit with the snapshots of its new rows (what `kaohe audit verify` holds them to).
            do_append_audit(
                acting_user=acting_user,
                action="cycle.open_unit",
                object_type="assessments.cycle",
                object_id=cycle.pk,
                what=f"{unit.code} {unit.name}"[:255],
                rows=[assessment, letter, SelfEvaluation.objects.filter(assessment=assessment)],
            )
    return cycle


def check_open_cycle(*, acting_user: Any, **kwargs: Any) -> Cycle:
    """The office opens a cycle (``do_open_cycle``'s keyword arguments)."""
    _require(acting_user, "assessments.manage_cycle")
    return do_open_cycle(acting_user=acting_user, **kwargs)


def do_issue_letter(*, letter: ResponsibilityLetter, targets: dict[str, Any], acting_user: User | None) -> None:
    """Set the yearly targets of one unit (values of the scheme's target inputs)."""
    do_write_letter(letter=letter, targets=targets, issue=True, acting_user=acting_user)


def do_write_letter(
    *, letter: ResponsibilityLetter, targets: dict[str, Any], issue: bool, reason: str = "", acting_user: User | None
) -> ResponsibilityLetter:
    """Write one letter's targets (coerced by the caller) with its audit entry: ``letter.issue`` sets the issue time
    (下达), ``letter.draft`` leaves the letter unissued (targets imported or copied from last year, kaohe.assessments.
    letter_targets). ``reason`` says where the values came from (a file, an earlier cycle)."""
    with transaction.atomic():
        letter = ResponsibilityLetter.objects.select_for_update().select_related("unit").get(pk=letter.pk)
        old = dict(letter.targets)
        letter.targets = targets
        fields = ["targets"]
        if issue:
            letter.issued_at = timezone.now()
            fields.append("issued_at")
        letter.save(update_fields=fields)
        do_append_audit(
            acting_user=acting_user,
            action="letter.issue" if issue else "letter.draft",
            obj=letter,
            what=letter.unit.code,
            old=old,
            new=targets,
            reason=reason,
        )
    return letter


def _require_unsigned(cycle: Cycle) -> None:
    """The office's own data of a cycle (letters, monitoring values, findings) is closed once the approver signed
    the results (审定): a changed target or finding would no longer be the one the signed result scored. Before
    that a change is allowed; approval then waits for a new evaluation (``approval_refusal``)."""
    if cycle.assessments.filter(state__in=[State.APPROVED, State.PUBLISHED]).exists():
        raise ActionError(gettext("本周期结果已经领导审定，目标责任书、监测数据和认定事项不能再修改"))


def _coerce_all(inputs: Iterable[Any], raw: dict[str, Any]) -> dict[str, Any]:
    """Each input's value from the user's ``raw`` text, or every problem at once as one ``ActionError``."""
    values: dict[str, Any] = {}
    errors = []
    for inp in inputs:
        try:
            values[inp.id] = schemes.coerce_value(inp, raw.get(inp.id))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise ActionError(pgettext("list of clauses", "；").join(errors))
    return values


def check_issue_letter(*, letter: ResponsibilityLetter, raw: dict[str, Any], acting_user: Any) -> None:
    _require(acting_user, "assessments.manage_cycle", letter.cycle)
    _require_unsigned(letter.cycle)
    scheme = schemes.load(letter.cycle.scheme_ref)
    targets = _coerce_all(schemes.target_inputs(scheme), raw)
    do_issue_letter(letter=letter, targets=targets, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ self-evaluation
def clean_values(item: SelfEvaluation, raw: dict[str, Any]) -> dict[str, Any]:
    """The item's input values from raw form/JSON values; raises ActionError naming every bad value."""
    scheme = schemes.load(item.assessment.cycle.scheme_ref)
    values: dict[str, Any] = {}
    errors = []
    for input_id in item.values:
        try:
            values[input_id] = schemes.coerce_value(schemes.input_def(scheme, input_id), raw.get(input_id))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise ActionError(pgettext("list of clauses", "；").join(errors))
    return values


def _versioned_update(item: SelfEvaluation, version: int, **fields: Any) -> SelfEvaluation:
    """Write ``fields`` only if the item is still at ``version`` (the compare-and-set of optimistic locking).

    On PostgreSQL a concurrent transaction that already updated the row makes this UPDATE wait for it and then
    match no row, so exactly one of two simultaneous saves wins. Returns the fresh item; the row stays locked
    until the caller's transaction ends."""
    updated = SelfEvaluation.objects.filter(pk=item.pk, version=version).update(version=F("version") + 1, **fields)
    current = SelfEvaluation.objects.select_related("assessment__cycle", "assessment__unit").get(pk=item.pk)
    if not updated:
        raise ConflictError(
            gettext(
                "保存失败：此项已被他人修改（您编辑的是第 %(version)d 版，当前为第 %(current)d 版）。"
                "您填写的内容已保留，请对照最新内容后重新保存。"
            )
            % {"version": version, "current": current.version},
            current,
        )
    return current


def _not_returned(name: str) -> str:
    return gettext("操作未执行：「%(name)s」没有被退回。已退回的单位只能修改被退回的指标，其余指标保持原值") % {
        "name": name
    }


def do_save_self_evaluation(
    *,
    item: SelfEvaluation,
    values: dict[str, Any],
    self_score: Decimal | None,
    explanation: str,
    version: int,
    acting_user: User | None,
) -> SelfEvaluation:
    with transaction.atomic():
        # Under the assessment's lock, whoever the caller is: once submitted (and above all once verified) the
        # unit's figures change only after a return or through 重新核实, never behind the verifier's back.
        assessment = Assessment.objects.select_for_update().get(pk=item.assessment_id)
        if not assessment.is_unit_editable:
            raise ActionError(
                gettext("操作未执行：当前状态为「%(state)s」，自评值不能再修改")
                % {"state": State(assessment.state).label}
            )
        # A returned unit corrects its returned items only; the version check below catches a stale ``item``.
        if assessment.state == State.RETURNED and item.status != SelfEvaluation.ItemStatus.RETURNED:
            raise ActionError(_not_returned(item.indicator_name))
        old = {"values": item.values, "self_score": _decimal(item.self_score), "explanation": item.explanation}
        fields: dict[str, Any] = {"values": values, "self_score": self_score, "explanation": explanation}
        # A changed value must be verified again, whatever the verifier said about the old one (a returned item
        # stays returned until the unit submits again: do_submit reopens it).
        if values != item.values and item.status in (
            SelfEvaluation.ItemStatus.ACCEPTED,
            SelfEvaluation.ItemStatus.CHANGED,
        ):
            fields["status"] = SelfEvaluation.ItemStatus.OPEN
        fresh = _versioned_update(item, version, **fields)
        do_append_audit(
            acting_user=acting_user,
            action="self_evaluation.save",
            obj=fresh,
            what=fresh.indicator_id,
            old=old,
            new={"values": values, "self_score": _decimal(self_score), "explanation": explanation},
        )
    return fresh


def check_save_self_evaluation(
    *,
    item: SelfEvaluation,
    raw_values: dict[str, Any],
    self_score: Decimal | None,
    explanation: str,
    version: int,
    acting_user: Any,
) -> SelfEvaluation:
    if (
        item.assessment.state == State.RETURNED
        and item.status != SelfEvaluation.ItemStatus.RETURNED
        and allowed(acting_user, "assessments.edit_self_evaluation", item.assessment)
    ):
        raise ActionError(_not_returned(item.indicator_name))  # the unit's own, in words
    _require(acting_user, "assessments.edit_self_evaluation", item)
    values = clean_values(item, raw_values)
    return do_save_self_evaluation(
        item=item,
        values=values,
        self_score=self_score,
        explanation=explanation,
        version=version,
        acting_user=acting_user,
    )


def do_add_evidence(
    *, item: SelfEvaluation, upload: UploadedFile, content_type: str, acting_user: User | None
) -> Evidence:
    """Store the file under a generated name (the user's name is kept only as data: ``uploads.store_upload``)."""
    from kaohe.assessments.uploads import removed_on_failure, store_upload

    with removed_on_failure(), transaction.atomic():
        evidence = Evidence(item=item, uploaded_by=_actor(acting_user))
        store_upload(evidence, upload, content_type, f"{item.assessment.cycle_id}/{item.assessment.unit.code}")
        evidence.save()
        do_append_audit(
            acting_user=acting_user,
            action="evidence.add",
            obj=evidence,
            what=item.indicator_id,
            new={"item": item.pk, "name": evidence.original_name, "sha256": evidence.sha256, "size": evidence.size},
        )
    return evidence


def check_add_evidence(*, item: SelfEvaluation, upload: UploadedFile, acting_user: Any) -> Evidence:
    from kaohe.assessments.forms import validate_evidence

    _require(acting_user, "assessments.edit_self_evaluation", item)
    try:
        content_type = validate_evidence(upload)
    except ValueError as exc:
        raise ActionError(str(exc)) from None
    return do_add_evidence(item=item, upload=upload, content_type=content_type, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ workflow
def _stale_state(state: str) -> str:
    """The refusal of a step whose caller read an older state of the assessment."""
    return gettext("操作未执行：当前状态为「%(state)s」，请刷新页面后重试") % {"state": State(state).label}


def _transition(
    assessment: Assessment,
    name: str,
    *,
    acting_user: User | None,
    reason: str = "",
    rows: Iterable[Any] = (),
    prepared: Any = None,
) -> None:
    """Run one django-fsm transition (which refuses a wrong source state) and audit it. Inside atomic. ``rows`` and
    ``prepared`` add the snapshots of other rows the step wrote (``do_append_audit``)."""
    entry = _transition_entry(assessment, name, reason=reason, rows=rows, prepared=prepared)
    do_append_audit_many([entry], acting_user=acting_user)


def _transition_entry(
    assessment: Assessment, name: str, *, reason: str = "", rows: Iterable[Any] = (), prepared: Any = None
) -> AuditEntry:
    """``_transition`` without the append: the transition is done and saved, and its entry returned for the caller
    to append, alone or with others in one ``do_append_audit_many``. The entry carries the snapshots of the
    assessment and ``rows`` read now, so a later transition in the same append cannot change what it records."""
    old = assessment.state
    try:
        getattr(assessment, name)()
    except TransitionNotAllowed:
        # The caller's check read an older state: someone else moved the assessment on in between.
        raise ActionError(_stale_state(old)) from None
    assessment.save()
    return AuditEntry(
        action=f"assessment.{name}",
        object_type=label_of(assessment),
        object_id=assessment.pk,
        what="state",
        old=old,
        new=assessment.state,
        reason=reason,
        prepared=merge(prepared or {}, take([*rows, assessment])),  # what do_append_audit(obj=assessment) reads
    )


def do_submit(*, assessment: Assessment, acting_user: User | None) -> None:
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        # Items sent back are open for verification again.
        returned = list(assessment.items.filter(status=SelfEvaluation.ItemStatus.RETURNED).values_list("pk", flat=True))
        SelfEvaluation.objects.filter(pk__in=returned).update(
            status=SelfEvaluation.ItemStatus.OPEN, version=F("version") + 1
        )
        _transition(
            assessment, "submit", acting_user=acting_user, rows=[SelfEvaluation.objects.filter(pk__in=returned)]
        )
        notify.unit_submitted(assessment, acting_user=acting_user)


def check_submit(*, assessment: Assessment, acting_user: Any) -> None:
    _require(acting_user, "assessments.submit_assessment", assessment)
    empty = [
        item.indicator_id
        for item in assessment.items.all()
        if all(v is None for v in item.values.values()) and item.kind == "base"
    ]
    if empty:
        names = pgettext("list separator", "、").join(empty[:10]) + (gettext(" 等") if len(empty) > 10 else "")
        raise ActionError(gettext("以下指标尚未填报: %(indicators)s") % {"indicators": names})
    do_submit(assessment=assessment, acting_user=acting_user)


def _lock_verifiable_assessment(assessment_id: int) -> Assessment:
    """Locks the assessment (always before its items, so that two verifiers cannot deadlock) and checks, under the
    lock, that it still awaits verification (submitted, verifying, or returned: a return holds back the returned
    items only); the permission check read it before someone else may have moved it on."""
    # Unit and cycle come along for the messages (unit name, notification); only the assessment's row is locked.
    assessment = (
        Assessment.objects.select_for_update(of=("self",)).select_related("unit", "cycle").get(pk=assessment_id)
    )
    if not assessment.is_verifiable:
        raise ActionError(_stale_state(assessment.state))
    return assessment


def _lock_verifiable(item: SelfEvaluation) -> Assessment:
    """``_lock_verifiable_assessment`` for one item, which must not be one the unit is correcting (a stale ``item``
    is caught by the version check of ``_versioned_update``)."""
    assessment = _lock_verifiable_assessment(item.assessment_id)
    if item.status == SelfEvaluation.ItemStatus.RETURNED:
        raise ActionError(gettext("操作未执行：该项已退回单位修改，单位重新提交后可以核实"))
    return assessment


VERIFIED_STATUSES = (SelfEvaluation.ItemStatus.ACCEPTED, SelfEvaluation.ItemStatus.CHANGED)


def _advance_verification(assessment: Assessment, entries: Iterable[AuditEntry], *, acting_user: User | None) -> None:
    """After items of the locked ``assessment`` were verified: submitted → verifying, and → verified once every
    item is verified. A returned unit stays returned (its returned items wait for the unit, then for a verifier).
    ``entries`` (the items' own) and the transitions' entries are appended in that order in one call, so the chain's
    head is locked and moved once; the notification of a completed verification follows them."""
    entries = list(entries)
    completed = False
    if assessment.state != State.RETURNED:
        if assessment.state == State.SUBMITTED:
            entries.append(_transition_entry(assessment, "start_verification"))
        if not assessment.items.exclude(status__in=VERIFIED_STATUSES).exists():
            entries.append(_transition_entry(assessment, "complete_verification"))
            completed = True
    do_append_audit_many(entries, acting_user=acting_user)
    if completed:
        notify.verification_complete(assessment, acting_user=acting_user)


def _score_changed(item: SelfEvaluation, score: Decimal | None) -> bool:
    """The verifier set a score other than the unit's own (leaving it empty keeps the unit's)."""
    return score is not None and score != item.self_score


def do_verify_item(
    *,
    item: SelfEvaluation,
    values: dict[str, Any],
    score: Decimal | None,
    reason: str,
    version: int,
    acting_user: User | None,
) -> SelfEvaluation:
    """Record the verified values beside the self-reported ones. When the last item of the unit is verified the
    assessment moves to ``verified``."""
    with transaction.atomic():
        assessment = _lock_verifiable(item)
        accepted = values == item.values and not _score_changed(item, score)
        status = SelfEvaluation.ItemStatus.ACCEPTED if accepted else SelfEvaluation.ItemStatus.CHANGED
        fresh = _versioned_update(item, version, status=status)
        verification, _ = Verification.objects.get_or_create(item=fresh)
        old = {"values": verification.values, "score": _decimal(verification.score), "status": item.status}
        verification.values = values
        verification.score = score
        verification.reason = reason
        verification.comment = ""
        verification.verifier = _actor(acting_user)
        verification.save()
        entry = AuditEntry(
            action="verification.save",
            obj=fresh,
            what=fresh.indicator_id,
            old=old,
            new={"values": values, "score": _decimal(score), "status": status},
            reason=reason,
            rows=[verification],
        )
        _advance_verification(assessment, [entry], acting_user=acting_user)
    return fresh


def check_verify_item(
    *,
    item: SelfEvaluation,
    raw_values: dict[str, Any],
    score: Decimal | None,
    reason: str,
    version: int,
    acting_user: Any,
) -> SelfEvaluation:
    _require(acting_user, "assessments.verify_item", item)
    values = clean_values(item, raw_values)
    if (values != item.values or _score_changed(item, score)) and not reason.strip():
        raise ActionError(gettext("核实值与自评值不同，必须填写调整理由"))
    return do_verify_item(
        item=item, values=values, score=score, reason=reason.strip(), version=version, acting_user=acting_user
    )


def do_return_item(*, item: SelfEvaluation, comment: str, version: int, acting_user: User | None) -> SelfEvaluation:
    with transaction.atomic():
        assessment = _lock_verifiable(item)
        fresh = _versioned_update(item, version, status=SelfEvaluation.ItemStatus.RETURNED)
        verification, _ = Verification.objects.get_or_create(item=fresh)
        verification.comment = comment
        verification.verifier = _actor(acting_user)
        verification.save()
        from kaohe.assessments import comments  # comments.py imports this module

        entry = comments.record_return(fresh, comment, acting_user=acting_user)  # the unit answers it in the thread
        do_append_audit(
            acting_user=acting_user,
            action="verification.return",
            obj=fresh,
            what=fresh.indicator_id,
            old=item.status,
            new=SelfEvaluation.ItemStatus.RETURNED,
            reason=comment,
            rows=[verification, entry],
        )
        if assessment.state != State.RETURNED:  # a second return while the unit corrects the first one
            _transition(assessment, "return_to_unit", acting_user=acting_user, reason=comment)
        notify.item_returned(fresh, comment, acting_user=acting_user)
    return fresh


def check_return_item(*, item: SelfEvaluation, comment: str, version: int, acting_user: Any) -> SelfEvaluation:
    _require(acting_user, "assessments.verify_item", item)
    if not comment.strip():
        raise ActionError(gettext("退回时必须填写退回意见"))
    return do_return_item(item=item, comment=comment.strip(), version=version, acting_user=acting_user)


def do_reopen_verification(*, assessment: Assessment, reason: str, acting_user: User | None) -> None:
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _transition(assessment, "reopen_verification", acting_user=acting_user, reason=reason)


def check_reopen_verification(*, assessment: Assessment, reason: str, acting_user: Any) -> None:
    _require(acting_user, "assessments.reopen_verification", assessment)
    if not reason.strip():
        raise ActionError(gettext("重新核实时必须填写理由"))
    do_reopen_verification(assessment=assessment, reason=reason.strip(), acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ monitoring imports
@dataclass(frozen=True)
class MonitoringTable:
    """A monitoring result file as read, before it is parsed against a cycle's scheme."""

    file: str  # as the errors name it: the upload's name, or the path given to ``kaohe import``
    frame: pl.DataFrame  # text (CSV, .xlsx) or Parquet's own types, as kaohe.core.tables.read_raw returns it
    sheet: str | None = None  # the sheet read (.xlsx)


def read_monitoring_file(name: str, data: bytes | None = None) -> MonitoringTable:
    """A monitoring result file (CSV, .xlsx or Parquet with a ``unit_id`` column), for the web form (``data``: the
    upload's bytes) and ``kaohe import`` (``data`` None: ``name`` is the path) alike. Read by the input tables'
    reader (``kaohe.core.tables.read_raw``): a CSV in UTF-8 or GBK, invalid text refused, every row as wide as the
    header; an .xlsx from its first visible sheet, merged cells and formula errors refused. Raises
    :class:`InputTableError` with every problem located in ``name``."""
    if data is None:
        frame, sheet = tables.read_raw(name)
        return MonitoringTable(name, frame, sheet)
    with tempfile.TemporaryDirectory(prefix="kaohe-import-") as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(data)
        try:
            guards.input_file(path)  # a truncated or inflating .xlsx, as on the command line
            frame, sheet = tables.read_raw(path)
        except UserInputError as exc:  # the temporary copy is no name the person knows
            raise InputTableError(
                [replace(p, file=name, message=p.message.replace(str(path), name)) for p in exc.problems]
            ) from None
    return MonitoringTable(name, frame, sheet)


def do_import_monitoring_values(
    *, cycle: Cycle, rows: list[dict[str, Any]] | MonitoringTable, source: str, acting_user: User | None
) -> int:
    """Store input values derived from monitoring data: a file as read (``read_monitoring_file``), or rows with
    ``unit_id`` (the unit code) and one key per input id. The table is parsed as input tables are
    (``kaohe.core.tables.parse_table``: each column once, ranges, list lengths, duplicate units); a unit not in the
    cycle, an unknown input or any bad value refuses the whole table with an :class:`InputTableError` listing every
    problem (file, row, column). Empty cells are not imported."""
    table = rows if isinstance(rows, MonitoringTable) else MonitoringTable(source, _rows_frame(rows))
    scheme = schemes.load(cycle.scheme_ref)
    units = {a.unit.code: a.unit for a in cycle.assessments.select_related("unit")}
    problems: list[Problem] = []
    try:
        typed = tables.parse_table(scheme, table.frame, file=table.file, sheet=table.sheet, partial=True)
    except InputTableError as exc:
        problems += exc.problems
        typed = None
    problems += _units_not_in_cycle(table, set(units))
    if problems or typed is None:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise InputTableError(problems)
    inputs = [schemes.input_def(scheme, c) for c in typed.columns if c not in tables.KEYS]
    parsed: list[tuple[Unit, str, Any]] = []
    for row in typed.select(pl.col("unit_id"), *(pl.col(i.id) for i in inputs)).iter_rows():
        for spec, value in zip(inputs, row[1:], strict=True):
            if value is not None:
                parsed.append((units[row[0]], spec.id, _stored(spec, value)))
    with transaction.atomic():
        for unit, input_id, value in parsed:
            previous = ImportedValue.objects.filter(cycle=cycle, unit=unit, input_id=input_id).first()
            imported, _ = ImportedValue.objects.update_or_create(
                cycle=cycle, unit=unit, input_id=input_id, defaults={"value": value, "source": source}
            )
            do_append_audit(
                acting_user=acting_user,
                action="monitoring.import",
                object_type="assessments.importedvalue",
                object_id=f"{cycle.pk}:{unit.code}:{input_id}",
                what=input_id,
                old=previous.value if previous else None,
                new=value,
                reason=source,
                rows=[imported],
            )
    return len(parsed)


def _rows_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows a program built (the demo, tests) as a frame: the values keep their types, which parse_table reads with
    the same grammar as text."""
    return pl.DataFrame(rows, infer_schema_length=None, strict=False)


def _units_not_in_cycle(table: MonitoringTable, codes: set[str]) -> list[Problem]:
    """A row whose unit code is not one of the cycle's units (an empty code parse_table reports)."""
    column = next((c for c in table.frame.columns if c.strip() == "unit_id" or c.rstrip().endswith("[unit_id]")), None)
    if column is None:
        return []
    code = pl.col(column).cast(pl.String).str.strip_chars()
    unknown = (
        table.frame.select(code.alias("code"))
        .with_row_index("index")
        .filter(pl.col("code").is_not_null() & (pl.col("code") != "") & ~pl.col("code").is_in(list(codes)))
        .head(20)
    )
    return [
        Problem(
            f"单位 {unit} 不在本周期",
            file=table.file,
            sheet=table.sheet,
            line=index + 2,
            column=tables.KEY_LABELS["unit_id"],
            expected="本周期一个单位的代码",
            found=unit,
        )
        for index, unit in unknown.iter_rows()
    ]


def _stored(spec: InputDef, value: Any) -> Any:
    """A parsed value as ImportedValue keeps it (JSON): whole numbers of an integer input as ``int``, so a count reads
    back as 2, not 2.0, as from the web's forms (``schemes.coerce_value``)."""
    item_kind = (spec.item_kind or "number") if spec.kind == "list" else spec.kind
    if item_kind != "integer":
        return value
    return [int(v) for v in value] if spec.kind == "list" else int(value)


def check_import_monitoring_values(
    *, cycle: Cycle, rows: list[dict[str, Any]] | MonitoringTable, source: str, acting_user: Any
) -> int:
    """The 导入监测数据 screen and ``kaohe import``: the office's permission, and not after 审定."""
    _require(acting_user, "assessments.manage_cycle", cycle)
    _require_unsigned(cycle)
    return do_import_monitoring_values(cycle=cycle, rows=rows, source=source, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ office findings
# 认定事项: the inputs only special rules read (veto incidents, falsification …), decided by the office per unit and
# stored as ImportedValue rows. A finding is 是, 否 or 未认定 (no row, or a row whose value is null): an undecided
# finding is not "no", and under a ``block`` missing policy it leaves the unit without a score.
FINDING_SOURCE = "考核办认定"
# ImportedValue.source of a count pulled from the registers kept in kaohe (kaohe.ledgers.pull): the words a person reads
REGISTER_SOURCE = "台账数据"
REMAINING_NO_SOURCE = "考核办认定（其余未认定事项均认定为否）"


def _imported_fields(row: ImportedValue) -> dict[str, Any]:
    """An ImportedValue row's fields as the audit entry records them (for replaying the log against the row)."""
    return {
        "cycle_id": row.cycle_id,
        "unit_id": row.unit_id,
        "input_id": row.input_id,
        "value": row.value,
        "source": row.source,
    }


def do_save_finding(
    *,
    cycle: Cycle,
    unit: Unit,
    input_id: str,
    value: Any,
    source: str = FINDING_SOURCE,
    reason: str = "",
    acting_user: User | None,
) -> ImportedValue:
    """Store one finding (None = 未认定) and audit it with the row's resulting fields."""
    with transaction.atomic():
        row = ImportedValue.objects.select_for_update().filter(cycle=cycle, unit=unit, input_id=input_id).first()
        old = None if row is None else _imported_fields(row)
        if row is None:
            row = ImportedValue(cycle=cycle, unit=unit, input_id=input_id)
        row.value, row.source = value, source
        row.save()
        do_append_audit(
            acting_user=acting_user,
            action="finding.save",
            obj=row,
            what=f"{unit.code} {input_id}",
            old=old,
            new=_imported_fields(row),
            reason=reason,
        )
    return row


def _finding_values(cycle: Cycle, unit: Unit, inputs: list[Any]) -> dict[str, Any]:
    stored = dict(
        ImportedValue.objects.filter(cycle=cycle, unit=unit, input_id__in=[i.id for i in inputs]).values_list(
            "input_id", "value"
        )
    )
    return {inp.id: stored.get(inp.id) for inp in inputs}


def check_save_findings(*, cycle: Cycle, unit_code: str, raw: dict[str, Any], acting_user: Any) -> int:
    """Save one unit's findings from the 认定事项 form (``""`` = 未认定); returns how many changed. Every value is
    checked before anything is written."""
    _require(acting_user, "assessments.manage_cycle", cycle)
    _require_unsigned(cycle)
    assessment = cycle.assessments.select_related("unit").filter(unit__code=unit_code).first()
    if assessment is None:
        raise ActionError(gettext("单位 %(unit)s 不在本周期") % {"unit": unit_code})
    findings = schemes.finding_inputs(schemes.load(cycle.scheme_ref))
    values = _coerce_all(findings, raw)
    current = _finding_values(cycle, assessment.unit, findings)
    changed = 0
    with transaction.atomic():
        for input_id, value in values.items():
            if value != current[input_id]:
                do_save_finding(
                    cycle=cycle, unit=assessment.unit, input_id=input_id, value=value, acting_user=acting_user
                )
                changed += 1
    return changed


def do_decide_remaining_findings_no(*, cycle: Cycle, acting_user: User | None) -> int:
    """其余未认定事项均认定为否: every yes/no finding still 未认定, of every unit, becomes 否 (one audited entry per
    row, with the reason). Findings that are numbers or categories stay as they are: "no" means nothing for them."""
    findings = [i for i in schemes.finding_inputs(schemes.load(cycle.scheme_ref)) if i.kind == "boolean"]
    count = 0
    with transaction.atomic():
        for assessment in cycle.assessments.select_related("unit").order_by("unit__code"):
            for input_id, value in _finding_values(cycle, assessment.unit, findings).items():
                if value is None:
                    do_save_finding(
                        cycle=cycle,
                        unit=assessment.unit,
                        input_id=input_id,
                        value=False,
                        source=REMAINING_NO_SOURCE,
                        reason="其余未认定事项均认定为否",
                        acting_user=acting_user,
                    )
                    count += 1
    return count


def check_decide_remaining_findings_no(*, cycle: Cycle, acting_user: Any) -> int:
    _require(acting_user, "assessments.manage_cycle", cycle)
    _require_unsigned(cycle)
    return do_decide_remaining_findings_no(cycle=cycle, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ evaluation
def do_evaluate_cycle(*, cycle: Cycle, acting_user: User | None) -> int:
    """Score every unit of the cycle and store the results; every verified assessment becomes ``evaluated``."""
    from kaohe.assessments.evaluation import evaluate

    with transaction.atomic():
        assessments = list(Assessment.objects.select_for_update().filter(cycle=cycle).select_related("unit"))
        replaced = list(Result.objects.filter(cycle=cycle).values_list("pk", flat=True))
        stored = evaluate(cycle)
        # Every stored Result row goes into the log (what `kaohe audit verify` holds it to): with its unit's
        # evaluate step, or in the cycle.evaluate entry below (units not moved, and the replaced rows).
        results = take([Result.objects.filter(cycle=cycle)]).get("assessments.result", {})
        by_assessment = {snap["assessment_id"]: (pk, snap) for pk, snap in results.items() if snap is not None}
        for assessment in assessments:
            if assessment.state in (State.VERIFIED, State.EVALUATED):
                own = by_assessment.pop(assessment.pk, None)
                _transition(
                    assessment,
                    "evaluate",
                    acting_user=acting_user,
                    prepared={"assessments.result": {own[0]: own[1]}} if own else None,
                )
        cycle.evaluated_at = timezone.now()
        cycle.save(update_fields=["evaluated_at"])
        do_append_audit(
            acting_user=acting_user,
            action="cycle.evaluate",
            obj=cycle,
            new={code: row for code, row in stored.items()},
            deleted=[("assessments.result", pk) for pk in replaced if str(pk) not in results],
            prepared={"assessments.result": dict(by_assessment.values())} if by_assessment else None,
        )
    return len(stored)


def check_evaluate_cycle(*, cycle: Cycle, acting_user: Any) -> int:
    _require(acting_user, "assessments.manage_cycle", cycle)
    if cycle.assessments.filter(state__in=[State.APPROVED, State.PUBLISHED]).exists():
        # the true reason, not "还有单位未完成核实": an approved (or published) result is final
        published = cycle.assessments.filter(state=State.PUBLISHED).exists()
        if cycle.approved_at:
            date = f"{timezone.localtime(cycle.approved_at):%Y-%m-%d}"
            if published:
                text = gettext("本周期已于 %(date)s 审定并已通报，结果已定，不能重新综合评价") % {"date": date}
            else:
                text = gettext("本周期已于 %(date)s 审定，结果已定，不能重新综合评价") % {"date": date}
        elif published:
            text = gettext("本周期已审定并已通报，结果已定，不能重新综合评价")
        else:
            text = gettext("本周期已审定，结果已定，不能重新综合评价")
        raise ActionError(text)
    pending = cycle.assessments.exclude(state__in=[State.VERIFIED, State.EVALUATED]).select_related("unit")
    if pending.exists():
        names = pgettext("list separator", "、").join(a.unit.name for a in pending[:10])
        names += gettext(" 等") if pending.count() > 10 else ""
        raise ActionError(gettext("还有单位未完成核实，不能综合评价: %(units)s") % {"units": names})
    return do_evaluate_cycle(cycle=cycle, acting_user=acting_user)


def _cycle_transition(cycle: Cycle, name: str, *, acting_user: User | None, reason: str = "") -> None:
    with transaction.atomic():
        for assessment in Assessment.objects.select_for_update().filter(cycle=cycle):
            _transition(assessment, name, acting_user=acting_user, reason=reason)
        do_append_audit(acting_user=acting_user, action=f"cycle.{name}", obj=cycle, reason=reason)


def _require_all(cycle: Cycle, state: str, message: str) -> None:
    if cycle.assessments.exclude(state=state).exists() or not cycle.assessments.exists():
        raise ActionError(message)


def do_approve_cycle(*, cycle: Cycle, acting_user: User | None) -> None:
    with transaction.atomic():
        # Set before the cycle's entry is written, so that the entry's snapshot holds who approved it and when.
        cycle.approved_at = timezone.now()
        cycle.approved_by = _actor(acting_user)
        # the 公示 setting as stored now (the caller's object may predate a change of it)
        cycle.publicity_days, cycle.publicity_ends_at = (
            Cycle.objects.filter(pk=cycle.pk).values_list("publicity_days", "publicity_ends_at").get()
        )
        if cycle.publicity_days and cycle.publicity_ends_at is None:
            # 公示 from the first 审定 (a re-approval after an upheld appeal keeps the period: appeals.py)
            cycle.publicity_ends_at = cycle.approved_at + dt.timedelta(days=cycle.publicity_days)
        cycle.save(update_fields=["approved_at", "approved_by", "publicity_ends_at"])
        _cycle_transition(cycle, "approve", acting_user=acting_user)
        notify.cycle_approved(cycle, acting_user=acting_user)


def evaluator_of(cycle: Cycle) -> int | None:
    """The person who evaluated the cycle: the actor of its latest ``cycle.evaluate`` audit entry (user id)."""
    from kaohe.audit.models import AuditLog

    entry = (
        AuditLog.objects.filter(action="cycle.evaluate", object_type="assessments.cycle", object_id=str(cycle.pk))
        .order_by("-seq")
        .only("actor_id")
        .first()
    )
    return entry.actor_id if entry is not None else None


def approval_refusal(cycle: Cycle, acting_user: Any) -> str | None:
    """Why ``acting_user`` may not approve (审定) the cycle now, in words; None when the approval may go ahead.
    The approval page shows the 审定 button only when this is None."""
    from django.conf import settings

    from kaohe.assessments.evaluation import stale, unscored, unscored_text

    if not allowed(acting_user, "assessments.approve_cycle", cycle):
        return gettext(REFUSED)
    if cycle.assessments.exclude(state=State.EVALUATED).exists() or not cycle.assessments.exists():
        return gettext("只有全部单位完成综合评价后才能审定")
    missing = unscored(cycle)
    if missing:
        return gettext("以下单位没有考核结果，不能审定（请补齐数据或认定事项后重新综合评价）：%(units)s") % {
            "units": unscored_text(missing)
        }
    changed = stale(cycle)
    if changed:
        names = pgettext("list separator", "、").join(changed[:10])
        if len(changed) > 10:
            names += ngettext(" 等 %(n)d 个单位", " 等 %(n)d 个单位", len(changed)) % {"n": len(changed)}
        return gettext("综合评价后这些单位的数据有变化，请考核办重新综合评价后再审定：%(units)s") % {"units": names}
    # Separation of duties: whoever evaluated the cycle does not approve it (KAOHE_SEPARATION_OF_DUTIES=0 turns
    # this off for a one-person office).
    if settings.KAOHE_SEPARATION_OF_DUTIES and getattr(acting_user, "pk", None) == evaluator_of(cycle):
        return gettext("综合评价人不能审定同一考核周期（职责分离），请由另一位领导审定")
    return None


def check_approve_cycle(*, cycle: Cycle, acting_user: Any) -> None:
    _require(acting_user, "assessments.approve_cycle", cycle)
    refusal = approval_refusal(cycle, acting_user)
    if refusal is not None:
        raise ActionError(refusal)
    do_approve_cycle(cycle=cycle, acting_user=acting_user)


def do_send_back_cycle(*, cycle: Cycle, comment: str, acting_user: User | None) -> None:
    with transaction.atomic():
        _cycle_transition(cycle, "send_back", acting_user=acting_user, reason=comment)
        notify.evaluation_sent_back(cycle, comment, acting_user=acting_user)


def check_send_back_cycle(*, cycle: Cycle, comment: str, acting_user: Any) -> None:
    _require(acting_user, "assessments.approve_cycle", cycle)
    if not comment.strip():
        raise ActionError(gettext("退回时必须填写意见"))
    _require_all(cycle, State.EVALUATED, gettext("只有综合评价后的结果可以退回"))
    do_send_back_cycle(cycle=cycle, comment=comment.strip(), acting_user=acting_user)


def do_publish_cycle(*, cycle: Cycle, acting_user: User | None) -> None:
    with transaction.atomic():
        # Set before the cycle's entry is written, so that the entry's snapshot holds the publication time.
        cycle.published_at = timezone.now()
        cycle.save(update_fields=["published_at"])
        _cycle_transition(cycle, "publish", acting_user=acting_user)
        notify.results_published(cycle, acting_user=acting_user)


def check_publish_cycle(*, cycle: Cycle, acting_user: Any) -> None:
    _require(acting_user, "assessments.manage_cycle", cycle)
    _require_all(cycle, State.APPROVED, gettext("只有领导审定后才能通报"))
    from kaohe.assessments.appeals import publication_refusal

    refusal = publication_refusal(Cycle.objects.get(pk=cycle.pk))
    if refusal is not None:
        raise ActionError(refusal)
    do_publish_cycle(cycle=cycle, acting_user=acting_user)
