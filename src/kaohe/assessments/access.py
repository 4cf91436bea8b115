"""Access refusals in one place (issue 9 §1): the screens, the downloads, the JSON API and the actions all ask here.

Whether a person may see or change an object is the role rules' decision (``kaohe.assessments.rules.allowed``,
whatever Django's superuser flag says); every refusal carries the one message :data:`REFUSED`.

    require(user, perm, obj=None)                           raises Refused unless the rules allow ``perm``
    access_cycle(user, cycle_id, perm)            → Cycle
    access_cycle_results(user, cycle_id, perm)    → Cycle            404 too when it has no results yet (downloads)
    access_letter(user, letter_id, perm)          → ResponsibilityLetter
    access_assessment(user, assessment_id, perm)  → Assessment
    access_item(user, item_id, perm)              → SelfEvaluation
    access_evidence(user, evidence_id, perm)      → Evidence

Each ``access_*`` fetches the row (404 for an id that does not exist) and then checks ``perm`` on it. ``Refused``
is Django's PermissionDenied: a screen answers it with the 403 page (an anonymous visitor of a public page is sent
to the login page instead: ``views.public_view``), the API with 403, or 401 when nobody is signed in
(``api.refused``), and the actions' own checks raise ``ActionError(REFUSED)``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext, gettext_noop

from kaohe.assessments.models import Assessment, Cycle, Evidence, ResponsibilityLetter, Result, SelfEvaluation
from kaohe.assessments.rules import allowed

# The msgid (Chinese, as compared by callers); shown translated: gettext(REFUSED).
REFUSED = gettext_noop("没有权限执行此操作")


class Refused(PermissionDenied):
    """The rules do not allow it; ``str()`` is :data:`REFUSED` in the active language."""

    def __init__(self) -> None:
        super().__init__(gettext(REFUSED))


def require(user: Any, perm: str, obj: Any = None) -> None:
    if not allowed(user, perm, obj):  # the role rules, whatever the superuser flag says
        raise Refused


def access_cycle(user: Any, cycle_id: int, perm: str = "assessments.view_cycle") -> Cycle:
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    require(user, perm, cycle)
    return cycle


def access_cycle_results(user: Any, cycle_id: int, perm: str) -> Cycle:
    """The cycle, if ``user`` has ``perm`` on it and it has results (404 otherwise: nothing to download)."""
    cycle = access_cycle(user, cycle_id, perm)
    if not Result.objects.filter(cycle=cycle).exists():
        raise Http404(gettext("本周期尚无考核结果"))
    return cycle


def access_letter(user: Any, letter_id: int, perm: str = "assessments.manage_cycle") -> ResponsibilityLetter:
    """A 目标责任书; ``perm`` is checked on its cycle (the office manages a cycle's letters)."""
    letter = get_object_or_404(ResponsibilityLetter.objects.select_related("cycle", "unit"), pk=letter_id)
    require(user, perm, letter.cycle)
    return letter


def access_assessment(user: Any, assessment_id: int, perm: str = "assessments.view_assessment") -> Assessment:
    assessment = get_object_or_404(Assessment.objects.select_related("cycle", "unit"), pk=assessment_id)
    require(user, perm, assessment)
    return assessment


def access_item(user: Any, item_id: int, perm: str = "assessments.view_assessment") -> SelfEvaluation:
    item = get_object_or_404(
        SelfEvaluation.objects.select_related("assessment__cycle", "assessment__unit", "verification"), pk=item_id
    )
    require(user, perm, item)
    return item


def access_evidence(user: Any, evidence_id: int, perm: str = "assessments.view_evidence") -> Evidence:
    evidence = get_object_or_404(Evidence.objects.select_related("item__assessment"), pk=evidence_id)
    require(user, perm, evidence)
    return evidence
