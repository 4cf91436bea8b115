"""Snapshots of the audited rows: what each audit entry records about the rows its action left behind, and what
``kaohe audit verify`` compares the current rows with.

A snapshot is one row as plain JSON values, ``{field: value}``: every concrete field of the model (by attribute
name, so foreign keys are ids), except ``auto_now`` time stamps that any save refreshes. New fields are covered
without touching this module. Users are the exception: their snapshot is the fields that decide what a person may
do — ``username``, ``is_superuser``, ``is_staff``, ``is_active``, ``groups``, ``user_permissions`` — and
``password`` as a SHA-256 digest of the stored hash (a changed password shows, the hash itself is not copied).

Snapshots are always read back from the database inside the writing transaction, so the logged value is exactly
what a later read returns (a Decimal's scale, a JSON document's key order and a time stamp's precision are the
database's, on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models, router
from django.db.models.deletion import Collector

from kaohe.audit.models import canonical

# Every model whose rows the log must explain; the order is the order verify reports them in.
TRACKED = (
    "auth.user",
    "assessments.unit",
    "assessments.membership",
    "assessments.cycle",
    "assessments.responsibilityletter",
    "assessments.assessment",
    "assessments.selfevaluation",
    "assessments.verification",
    "assessments.evidence",
    "assessments.itemcomment",
    "assessments.appeal",
    "assessments.appealevidence",
    "assessments.importedvalue",
    "assessments.result",
    "notifications.notification",
    "reports.documentsettings",
    "maps.areamap",
    "ledgers.rectificationproblem",
    "ledgers.rectificationreport",
    "ledgers.reportevidence",
    "ledgers.complaint",
    "ledgers.notice",
    "ledgers.incident",
)
USER_FIELDS = ("username", "is_superuser", "is_staff", "is_active", "password")

Snapshot = dict[str, Any]
Rows = dict[str, dict[str, Snapshot | None]]  # model label -> pk -> snapshot (None: deleted)


def tracked_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in TRACKED]


def label_of(model: type[models.Model] | models.Model) -> str:
    return str(model._meta.label_lower)


def is_tracked(model: type[models.Model] | models.Model) -> bool:
    return label_of(model) in TRACKED


def _is_user(model: type[models.Model]) -> bool:
    return label_of(model) == "auth.user"


def fields_of(model: type[models.Model]) -> list[str]:
    """The snapshot's field names (attribute names) for ``model``."""
    if _is_user(model):
        return [*USER_FIELDS, "groups", "user_permissions"]
    return [f.attname for f in model._meta.concrete_fields if not getattr(f, "auto_now", False) and not f.primary_key]


def plain(value: Any) -> Any:
    """A database value as JSON: times and dates as ISO text, decimals as text (their scale kept)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return value  # a JSON field's document: JSON already
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return str(value)


def password_digest(encoded: str) -> str:
    return "sha256:" + hashlib.sha256(encoded.encode()).hexdigest()


def read(queryset: models.QuerySet[Any], *, stream: bool = True) -> Iterator[tuple[str, Snapshot]]:
    """(pk, snapshot) of every row of ``queryset``. ``stream`` reads the rows in chunks (a server-side cursor on
    PostgreSQL), for a whole table (the replay); without it the rows come in one query, one round trip instead of
    three, for the few rows of an audit entry, whose snapshots are all kept in memory anyway (``take``)."""
    model = queryset.model
    pk_name = model._meta.pk.attname
    if _is_user(model):
        yield from _read_users(queryset)
        return
    values = queryset.order_by().values(pk_name, *fields_of(model))
    for row in values.iterator(chunk_size=2000) if stream else list(values):
        pk = row.pop(pk_name)
        yield str(pk), {name: plain(value) for name, value in row.items()}


def _read_users(queryset: models.QuerySet[Any]) -> Iterator[tuple[str, Snapshot]]:
    model = queryset.model
    users = list(queryset.order_by().values("pk", *USER_FIELDS))
    ids = queryset.order_by().values("pk")  # a subquery: no parameter limit however many users
    groups: dict[int, list[str]] = {}
    perms: dict[int, list[str]] = {}
    group_through = model.groups.through
    for user_id, name in group_through.objects.filter(user_id__in=ids).values_list("user_id", "group__name"):
        groups.setdefault(user_id, []).append(name)
    perm_through = model.user_permissions.through
    for user_id, app_label, codename in perm_through.objects.filter(user_id__in=ids).values_list(
        "user_id", "permission__content_type__app_label", "permission__codename"
    ):
        perms.setdefault(user_id, []).append(f"{app_label}.{codename}")
    for u in users:
        pk = u.pop("pk")
        u["password"] = password_digest(u["password"])
        u["groups"] = sorted(groups.get(pk, []))
        u["user_permissions"] = sorted(perms.get(pk, []))
        yield str(pk), u


def take(
    rows: Iterable[models.Model | models.QuerySet[Any]] = (),
    deleted: Iterable[models.Model | tuple[str, Any]] = (),
) -> Rows:
    """The snapshots of ``rows`` (instances or querysets of tracked models, read back from the database) and a
    ``None`` for each of ``deleted`` (instances or (label, pk))."""
    out: Rows = {}
    for gone in deleted:
        if isinstance(gone, models.Model):
            out.setdefault(label_of(gone), {})[str(gone.pk)] = None
        else:
            out.setdefault(gone[0], {})[str(gone[1])] = None
    by_model: dict[type[models.Model], list[Any]] = {}
    querysets: list[models.QuerySet[Any]] = []
    for item in rows:
        if isinstance(item, models.QuerySet):
            querysets.append(item)
        else:
            by_model.setdefault(type(item)._meta.concrete_model or type(item), []).append(item.pk)
    for model, pks in by_model.items():
        querysets.append(model._default_manager.filter(pk__in=pks))
    for queryset in querysets:
        if not is_tracked(queryset.model):
            raise ValueError(f"{label_of(queryset.model)} is not an audited model (kaohe.audit.snapshots.TRACKED)")
        bucket = out.setdefault(label_of(queryset.model), {})
        for pk, snap in read(queryset, stream=False):
            bucket[pk] = snap
    return out


def merge(*parts: Rows) -> Rows:
    out: Rows = {}
    for part in parts:
        for label, objects in part.items():
            out.setdefault(label, {}).update(objects)
    return out


def deleted_with(obj: models.Model) -> list[tuple[str, Any]]:
    """(label, pk) of every tracked row that deleting ``obj`` removes: the row and what cascades with it."""
    collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
    collector.collect([obj])
    out: list[tuple[str, Any]] = []
    for model, instances in collector.data.items():
        if is_tracked(model):
            out.extend((label_of(model), i.pk) for i in instances)
    for queryset in collector.fast_deletes:
        if isinstance(queryset, models.QuerySet) and is_tracked(queryset.model):
            out.extend((label_of(queryset.model), pk) for pk in queryset.values_list("pk", flat=True))
    return out


def digest(snapshot: Snapshot | None) -> bytes:
    """A short digest of a snapshot, to compare many rows without keeping every logged snapshot in memory."""
    return hashlib.blake2b(canonical(snapshot).encode(), digest_size=16).digest()


# Actions that log a user's snapshot themselves switch off the user signals' own entries (kaohe.audit.signals).
_caller_audits_users: contextvars.ContextVar[bool] = contextvars.ContextVar("caller_audits_users", default=False)


@contextlib.contextmanager
def users_audited_by_caller() -> Iterator[None]:
    token = _caller_audits_users.set(True)
    try:
        yield
    finally:
        _caller_audits_users.reset(token)


def caller_audits_users() -> bool:
    return _caller_audits_users.get()
