"""Template filters for showing input values the way an office writes them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def value(v: Any) -> str:
    """是/否 for yes/no inputs, comma-joined lists, — for nothing entered."""
    if v is None or v == "" or v == []:
        return "—"
    if isinstance(v, bool):
        return _("是") if v else _("否")
    if isinstance(v, list):
        return "、".join(value(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) < 1e15 else str(v)
    return str(v)
