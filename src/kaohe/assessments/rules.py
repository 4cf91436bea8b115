"""Who may do what, as ``rules`` predicates (loaded by rules' autodiscovery).

    role                 sees                                           may change
    ───────────────────  ─────────────────────────────────────────────  ─────────────────────────────────────────
    考核办 office          everything                                     cycles, letters, evaluation, publication
    单位填报人 filler       its own unit's assessment and results          its unit's items while draft; when returned,
                                                                        only the returned items
    单位负责人 head         as filler                                      as filler, and submits
    牵头单位核实人 verifier  every unit's assessment once submitted         only items of indicators its unit leads
                                                                        (the office verifies items no unit leads)
    领导 approver          everything                                     approves or sends back an evaluation
    public (anonymous)    published results                              nothing

Predicates take (user, obj) where obj is a Cycle, Assessment, SelfEvaluation or Evidence, as the permission says.

These permissions come from the person's roles only. Django's superuser flag makes ``user.has_perm`` answer yes to
everything; it is for the Django admin (a separate ``admin`` account), never a way round a role or a state rule, so
the workflow asks :func:`allowed`, not ``user.has_perm``, and the templates' ``perms`` is :class:`RolePerms`.
"""

from __future__ import annotations

from typing import Any

import rules

from kaohe.assessments.models import (
    Appeal,
    AppealEvidence,
    Assessment,
    Cycle,
    Evidence,
    Membership,
    SelfEvaluation,
    State,
)
from kaohe.assessments.schemes import OFFICE_LEAD

Role = Membership.Role

# The apps whose permissions are role rules (this module, kaohe/reports/rules.py, kaohe/ledgers/rules.py), not model
# permissions.
ROLE_APPS = ("assessments", "reports", "ledgers")


def allowed(user: Any, perm: str, obj: Any = None) -> bool:
    """May ``user`` do ``perm`` (on ``obj``)? The role rules below decide, whatever the superuser flag says."""
    return bool(rules.has_perm(perm, user, obj))


class _RoleLookup:
    def __init__(self, user: Any, app_label: str) -> None:
        self.user, self.app_label = user, app_label

    def __getitem__(self, name: str) -> bool:
        perm = f"{self.app_label}.{name}"
        return allowed(self.user, perm) if rules.perm_exists(perm) else bool(self.user.has_perm(perm))

    def __bool__(self) -> bool:
        return bool(self.user.has_module_perms(self.app_label))


class RolePerms:
    """The templates' ``perms``: ``perms.assessments.manage_cycle`` asks the role rules (see :func:`allowed`);
    model permissions of other apps (the admin's) are Django's as usual."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def __getitem__(self, app_label: str) -> Any:
        if app_label in ROLE_APPS:
            return _RoleLookup(self.user, app_label)
        from django.contrib.auth.context_processors import PermWrapper

        return PermWrapper(self.user)[app_label]

    def __iter__(self) -> Any:
        raise TypeError("RolePerms is not iterable")

    def __contains__(self, perm_name: str) -> bool:
        if "." not in perm_name:
            return bool(self[perm_name])
        app_label, name = perm_name.split(".", 1)
        return bool(self[app_label][name])


def memberships(user: Any) -> list[Membership]:
    """The user's roles, read once per request object (cached on the user)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_kaohe_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("unit"))
        user._kaohe_memberships = cached
    return cached


def unit_ids(user: Any, roles: tuple[str, ...] = Membership.UNIT_ROLES) -> set[int]:
    return {m.unit_id for m in memberships(user) if m.role in roles and m.unit_id is not None}


def lead_units(user: Any) -> set[str]:
    return {m.lead_unit for m in memberships(user) if m.role == Role.VERIFIER}


def _assessment(obj: Any) -> Assessment:
    if isinstance(obj, Assessment):
        return obj
    if isinstance(obj, SelfEvaluation):
        return obj.assessment
    if isinstance(obj, Evidence):
        return obj.item.assessment
    if isinstance(obj, Appeal):
        return obj.assessment
    if isinstance(obj, AppealEvidence):
        return obj.appeal.assessment
    raise TypeError(f"no assessment for {type(obj).__name__}")


def _cycle(obj: Any) -> Cycle:
    return obj if isinstance(obj, Cycle) else _assessment(obj).cycle


def _has(role: str) -> Any:
    @rules.predicate(name=f"is_{role}")
    def predicate(user: Any) -> bool:
        return any(m.role == role for m in memberships(user))

    return predicate


is_office = _has(Role.OFFICE)
is_approver = _has(Role.APPROVER)
is_verifier = _has(Role.VERIFIER)
is_unit_person = _has(Role.FILLER) | _has(Role.HEAD)
has_any_role = is_office | is_approver | is_verifier | is_unit_person


@rules.predicate
def is_member_of_unit(user: Any, obj: Any) -> bool:
    return _assessment(obj).unit_id in unit_ids(user)


@rules.predicate
def is_head_of_unit(user: Any, obj: Any) -> bool:
    return _assessment(obj).unit_id in unit_ids(user, (Role.HEAD,))


@rules.predicate
def is_past_draft(user: Any, obj: Any) -> bool:
    """Submitted at least once: no longer a draft the unit keeps to itself."""
    a = _assessment(obj)
    return a.state != State.DRAFT


@rules.predicate
def is_unit_editable(user: Any, obj: Any) -> bool:
    """On an assessment: the unit may change some of its items (draft or returned). On an item: this item, which
    in a returned unit means a returned item only (``SelfEvaluation.is_unit_editable``)."""
    if isinstance(obj, SelfEvaluation):
        return obj.is_unit_editable
    return _assessment(obj).is_unit_editable


@rules.predicate
def is_verifiable(user: Any, obj: Any) -> bool:
    """On an item: verifiable now (not returned, its unit awaits verification; ``SelfEvaluation.is_verifiable``)."""
    if isinstance(obj, SelfEvaluation):
        return obj.is_verifiable
    return _assessment(obj).is_verifiable


@rules.predicate
def is_verified(user: Any, obj: Any) -> bool:
    return _assessment(obj).state == State.VERIFIED


@rules.predicate
def leads_indicator(user: Any, item: SelfEvaluation) -> bool:
    """The user verifies for the item's lead unit; items no lead unit claims are the office's (OFFICE_LEAD)."""
    if item.lead_unit == OFFICE_LEAD:
        return any(m.role == Role.OFFICE for m in memberships(user))
    return bool(item.lead_unit) and item.lead_unit in lead_units(user)


@rules.predicate
def is_published(user: Any, obj: Any) -> bool:
    if isinstance(obj, Cycle):
        return obj.is_published
    return _assessment(obj).state == State.PUBLISHED


@rules.predicate
def has_result(user: Any, obj: Any) -> bool:
    return _assessment(obj).state in (State.EVALUATED, State.APPROVED, State.PUBLISHED)


@rules.predicate
def is_publicised(user: Any, obj: Any) -> bool:
    """公示稿: the cycle is approved with a 公示 and not yet published (``Cycle.has_draft_results``)."""
    return _cycle(obj).has_draft_results


@rules.predicate
def is_in_publicity(user: Any, obj: Any) -> bool:
    """公示中: the 公示 period has not ended (``Cycle.in_publicity``)."""
    return _cycle(obj).in_publicity()


@rules.predicate
def has_unit_in_cycle(user: Any, cycle: Cycle) -> bool:
    return cycle.assessments.filter(unit_id__in=unit_ids(user)).exists()


can_see_assessment = is_office | is_approver | is_member_of_unit | (is_verifier & is_past_draft)

rules.add_perm("assessments.view_cycle", has_any_role)
rules.add_perm("assessments.view_dashboard", is_office | is_approver | is_verifier)
rules.add_perm("assessments.manage_cycle", is_office)
rules.add_perm("assessments.approve_cycle", is_approver)
rules.add_perm("assessments.verify_cycle", is_verifier | is_office)
rules.add_perm("assessments.view_public", is_published)
rules.add_perm("assessments.view_audit", is_office | is_approver)
# Scores, ranks and grades of a whole cycle (dashboard charts): like a unit's result page.
rules.add_perm("assessments.view_cycle_results", is_published | is_office | is_approver)

rules.add_perm("assessments.view_assessment", can_see_assessment)
rules.add_perm("assessments.edit_self_evaluation", is_member_of_unit & is_unit_editable)
rules.add_perm("assessments.submit_assessment", is_head_of_unit & is_unit_editable)
rules.add_perm("assessments.verify_item", leads_indicator & is_verifiable)
rules.add_perm("assessments.reopen_verification", is_office & is_verified)
rules.add_perm(
    "assessments.view_result",
    is_published | ((is_office | is_approver) & has_result) | (is_member_of_unit & is_publicised),
)
# 公示 and 申诉 (issue 10 §4, appeals.py): each unit sees its own draft result and the ranking list marked 公示稿
# (never the public); its head appeals during 公示; the office decides; the approver reads.
rules.add_perm("assessments.view_publicity", is_office | is_approver | (is_publicised & has_unit_in_cycle))
rules.add_perm("assessments.lodge_appeal", is_head_of_unit & is_publicised & is_in_publicity)
rules.add_perm("assessments.view_appeals", is_office | is_approver)
rules.add_perm("assessments.decide_appeal", is_office)
rules.add_perm("assessments.view_appeal", is_office | is_approver | is_member_of_unit)
rules.add_perm("assessments.view_evidence", can_see_assessment)
# An item's thread (issue 10 §2): the unit's people, the item's own verifiers once the unit has submitted (a draft
# is the unit's), the office. Whoever sees the item reads it (view_assessment); the approver reads, never writes.
rules.add_perm("assessments.comment_item", is_member_of_unit | (leads_indicator & is_past_draft) | is_office)


# ------------------------------------------------------------------------------------------------ accounts
# Who may administer whose account (the Django admin's user and role pages; kaohe/assessments/admin.py).
#
#   a superuser (the separate ``admin`` account)   every account and every role
#   an office member (考核办, not a superuser)        creates accounts; changes the name, e-mail, active flag and
#                                                   password of accounts that hold unit roles only (单位填报人,
#                                                   单位负责人) or no role yet; grants and removes only those unit
#                                                   roles. Never: superuser/staff flags, groups, model permissions, its
#                                                   own or another office member's account, approvers' (领导审定) and
#                                                   verifiers' (牵头单位核实人) accounts, nor their roles. Whoever
#                                                   could reset an approver's or a verifier's password could act as
#                                                   them; those accounts and roles are the superuser's to manage.
OFFICE_GRANTABLE_ROLES = frozenset(Membership.UNIT_ROLES)


def may_manage_account(user: Any, account: Any) -> bool:
    """May ``user`` change ``account`` (names, e-mail, active flag, password) and its roles? See the table above."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not any(m.role == Role.OFFICE for m in memberships(user)):
        return False
    if account is None:
        return True  # a new account
    if account.pk == user.pk or account.is_superuser or account.is_staff:
        return False
    roles = set(Membership.objects.filter(user=account).values_list("role", flat=True))
    return roles <= OFFICE_GRANTABLE_ROLES


def may_grant_role(user: Any, account: Any, role: str) -> bool:
    """May ``user`` give ``account`` the role ``role`` (or change or remove such a membership)?"""
    return may_manage_account(user, account) and (user.is_superuser or role in OFFICE_GRANTABLE_ROLES)
