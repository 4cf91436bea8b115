from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kaohe.notifications.models import Notification


def unread(request: HttpRequest) -> dict[str, Any]:
    """The bell's count in every page's header for a signed-in person. A callable, so a page that does not show
    the header (a download, an error page) runs no query; the template calls it once."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notifications": count}
