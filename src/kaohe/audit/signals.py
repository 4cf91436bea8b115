"""Users changed outside kaohe's actions are audited too.

Django itself writes users: ``createsuperuser`` and ``changepassword``, the admin's own password form, a password
hash upgraded at login. Those writes do not pass through ``kaohe.assessments.actions``, so these receivers append
a ``user.create`` / ``user.change`` / ``user.groups`` / ``user.delete`` entry with the user's snapshot
(``kaohe.audit.snapshots``) whenever a save changes what the snapshot holds (a login's ``last_login`` alone does
not). Without them a changed password would look like tampering to ``kaohe audit verify`` — and a direct SQL change
still does, because it fires no signal. Actions that log the user's snapshot themselves run inside
``users_audited_by_caller()``.

``migrate`` creates the audit key file when the log is empty and no key exists yet (``kaohe.audit.keys``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete, pre_save

from kaohe.audit import keys, snapshots


def _snapshot(user_pk: Any) -> snapshots.Snapshot | None:
    model = get_user_model()
    for _, snap in snapshots.read(model._default_manager.filter(pk=user_pk)):
        return snap
    return None


def _skipped(update_fields: Any) -> bool:
    return update_fields is not None and set(update_fields) <= {"last_login"}


def before_user_save(sender: Any, instance: Any, update_fields: Any = None, raw: bool = False, **kwargs: Any) -> None:
    if raw or _skipped(update_fields) or snapshots.caller_audits_users():
        return
    instance._kaohe_audit_before = _snapshot(instance.pk) if instance.pk else None


def after_user_save(
    sender: Any, instance: Any, created: bool, update_fields: Any = None, raw: bool = False, **kwargs: Any
) -> None:
    if raw or _skipped(update_fields) or snapshots.caller_audits_users():
        return
    from kaohe.audit.actions import do_append_audit

    before = getattr(instance, "_kaohe_audit_before", None)
    after = _snapshot(instance.pk)
    if after is None or (not created and before == after):
        return
    changed = sorted(k for k in after if before is None or before.get(k) != after.get(k))
    shown = {k: ("（已更改）" if k == "password" else after[k]) for k in changed}
    do_append_audit(
        acting_user=None,
        action="user.create" if created else "user.change",
        obj=instance,
        what=instance.get_username(),
        old=None if before is None else {k: before.get(k) for k in shown if k != "password"},
        new=shown,
    )


def after_user_m2m(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if action not in ("post_add", "post_remove", "post_clear") or snapshots.caller_audits_users():
        return
    from kaohe.audit.actions import do_append_audit

    model = get_user_model()
    users = list(model._default_manager.filter(pk__in=pk_set or [])) if reverse else [instance]
    for user in users:
        do_append_audit(acting_user=None, action="user.groups", obj=user, what=user.get_username())


def before_user_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not snapshots.caller_audits_users():
        instance._kaohe_audit_deleted = snapshots.deleted_with(instance)  # the user and its cascading roles


def after_user_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if snapshots.caller_audits_users():
        return
    from kaohe.audit.actions import do_append_audit

    do_append_audit(
        acting_user=None,
        action="user.delete",
        object_type="auth.user",
        object_id=instance.pk,
        what=instance.get_username(),
        deleted=getattr(instance, "_kaohe_audit_deleted", [("auth.user", instance.pk)]),
    )


def create_key(sender: Any, **kwargs: Any) -> None:
    from django.db import DEFAULT_DB_ALIAS, connections

    from kaohe.audit.models import AuditLog

    using = kwargs.get("using", DEFAULT_DB_ALIAS)
    if AuditLog._meta.db_table not in connections[using].introspection.table_names():
        return
    if not AuditLog.objects.using(using).exists():
        keys.ensure_key()


def connect(app_config: Any) -> None:
    user_model = get_user_model()
    pre_save.connect(before_user_save, sender=user_model, dispatch_uid="kaohe_audit_user_pre_save")
    post_save.connect(after_user_save, sender=user_model, dispatch_uid="kaohe_audit_user_post_save")
    pre_delete.connect(before_user_delete, sender=user_model, dispatch_uid="kaohe_audit_user_pre_delete")
    post_delete.connect(after_user_delete, sender=user_model, dispatch_uid="kaohe_audit_user_post_delete")
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(after_user_m2m, sender=through, dispatch_uid=f"kaohe_audit_{through.__name__}")
    post_migrate.connect(create_key, sender=app_config, dispatch_uid="kaohe_audit_create_key")
