from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kaohe.audit.models import AuditLog


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shown in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Read-only: the log is append-only, even for superusers."""

    list_display = ["seq", "created_at", "actor_name", "action", "object_type", "object_id", "what"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_id", "what", "reason"]
