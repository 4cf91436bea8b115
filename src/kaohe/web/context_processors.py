from typing import Any

from django.http import HttpRequest

from kaohe.assessments.rules import RolePerms, memberships


def roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's roles, for the navigation bar, and ``perms`` answered by those roles (it replaces
    the auth context processor's, which would show a superuser every workflow button)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"my_roles": []}
    if not user.is_authenticated:
        return {"my_roles": [], "perms": RolePerms(user)}
    return {"my_roles": memberships(user), "perms": RolePerms(user)}
