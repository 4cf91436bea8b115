"""An item's thread and its evidence, the same on the unit's page (assessment.html) and the verifier's
(item_verify.html): ``{% load item_tags %}{% thread item "assessment" %}``, ``{% evidence_list item %}``; and
``{% item_values item %}``, the values beside the thread where a page shows no form (a returned item's page).

Both read ``item.comments`` / ``item.evidence`` (prefetched by the unit's page) and ask the role rules with the
request's user, so a page shows a form only to those whose post the action would accept."""

from __future__ import annotations

from typing import Any

from django import template

from kaohe.assessments import schemes
from kaohe.assessments.models import SelfEvaluation
from kaohe.assessments.rules import allowed

register = template.Library()


@register.inclusion_tag("assessments/_thread.html", takes_context=True)
def thread(context: Any, item: SelfEvaluation, back: str = "assessment") -> dict[str, Any]:
    """``back``: the page the form returns to after posting (``assessment`` or ``verify``)."""
    user = context["request"].user
    return {
        "item": item,
        "comments": list(item.comments.all()),
        "can_comment": allowed(user, "assessments.comment_item", item),
        "back": back,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("assessments/_evidence.html", takes_context=True)
def evidence_list(context: Any, item: SelfEvaluation) -> dict[str, Any]:
    user = context["request"].user
    return {
        "item": item,
        "evidence": list(item.evidence.all()),
        # replace and delete while the unit may change the item (actions refuse otherwise, under the lock)
        "can_change": allowed(user, "assessments.edit_self_evaluation", item),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("assessments/_values.html")
def item_values(item: SelfEvaluation) -> dict[str, Any]:
    """(input name, unit, self-reported, verified) per input, in the scheme's words."""
    scheme = schemes.load(item.assessment.cycle.scheme_ref)
    verification = getattr(item, "verification", None)
    verified = verification.values if verification is not None and verification.values else {}
    rows = []
    for input_id, reported in item.values.items():
        spec = schemes.input_def(scheme, input_id)
        rows.append((spec.name, spec.unit, reported, verified.get(input_id)))
    return {"rows": rows}
