from typing import Any

from django.http import HttpRequest

from kaohe.assessments.rules import memberships


def roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's roles, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_roles": []}
    return {"my_roles": memberships(user)}
