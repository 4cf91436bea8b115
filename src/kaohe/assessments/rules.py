"""Who may do what, as ``rules`` predicates (loaded by rules' autodiscovery).

    role                 sees                                           may change
    ───────────────────  ─────────────────────────────────────────────  ─────────────────────────────────────────
    考核办 office          everything                                     cycles, letters, evaluation, publication
    单位填报人 filler       its own unit's assessment and results          its unit's items while draft/returned
    单位负责人 head         as filler                                      as filler, and submits
    牵头单位核实人 verifier  every unit's assessment once submitted         only items of indicators its unit leads
                                                                        (the office verifies items no unit leads)
    领导 approver          everything                                     approves or sends back an evaluation
    public (anonymous)    published results                              nothing

Predicates take (user, obj) where obj is a Cycle, Assessment, SelfEvaluation or Evidence, as the permission says.
"""

from __future__ import annotations

from typing import Any

import rules

from kaohe.assessments.models import Assessment, Cycle, Evidence, Membership, SelfEvaluation, State
from kaohe.assessments.schemes import OFFICE_LEAD

Role = Membership.Role


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
    return _assessment(obj).is_unit_editable


@rules.predicate
def is_verifiable(user: Any, obj: Any) -> bool:
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
rules.add_perm("assessments.view_result", is_published | ((is_office | is_approver) & has_result))
rules.add_perm("assessments.view_evidence", can_see_assessment)
