"""``{% ledger_warnings as ledger %}``: the 通报预警 of the registers for the 待办 page (``queries.warnings``)."""

from __future__ import annotations

from typing import Any

from django import template

from kaohe.ledgers.queries import warnings

register = template.Library()


@register.simple_tag(takes_context=True)
def ledger_warnings(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"own": [], "counts": []}
    own, counts = warnings(user)
    return {"own": own, "counts": counts}
