"""``Cycle.approved_at`` and ``Cycle.approved_by``: when and by whom the cycle was approved (领导审定), as fields.

Before this migration the 通报 read them from the newest ``cycle.approve`` audit entry; here every cycle that has
such an entry gets that entry's time and actor. Every cycle's row now has two more fields than the snapshots the
log holds, so (when the log has entries) one entry ``cycle.migrate`` records the new snapshot of every cycle and
``kaohe audit verify`` stays clean. The snapshot and hash code is copied here on purpose: a migration must not
change when the model's code changes later (as in audit migration 0003).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

REASON = "数据库迁移：考核周期新增审定时间、审定人，取自审计日志中最新一条审定记录"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _payload(e: Any) -> bytes:
    return _canonical(
        [
            e.seq,
            e.created_at.isoformat(),
            e.actor_name,
            e.action,
            e.object_type,
            e.object_id,
            e.what,
            e.old_value,
            e.new_value,
            e.reason,
            e.rows,
            e.key_id,
            e.prev_hash,
        ]
    ).encode()


def fill(apps: Any, schema_editor: Any) -> None:
    Cycle = apps.get_model("assessments", "Cycle")
    AuditLog = apps.get_model("audit", "AuditLog")
    ChainHead = apps.get_model("audit", "ChainHead")
    for cycle in Cycle.objects.all():
        entry = (
            AuditLog.objects.filter(object_type="assessments.cycle", object_id=str(cycle.pk), action="cycle.approve")
            .order_by("-seq")
            .first()
        )
        if entry is not None:
            Cycle.objects.filter(pk=cycle.pk).update(approved_at=entry.created_at, approved_by_id=entry.actor_id)
    head = ChainHead.objects.filter(pk=1).first()
    if head is None or not head.last_seq or not Cycle.objects.exists():
        return
    from kaohe.audit import keys

    try:
        key = keys.load_key()
    except keys.AuditKeyError as exc:
        print(f"\n  no audit key ({exc}): the cycles' new fields are not logged, `kaohe audit verify` reports them")
        return
    # The snapshot of kaohe.audit.snapshots: every concrete field but the key and auto_now time stamps.
    names = [f.attname for f in Cycle._meta.concrete_fields if not getattr(f, "auto_now", False) and not f.primary_key]
    rows = {
        str(row.pop("pk")): {name: _plain(value) for name, value in row.items()}
        for row in Cycle.objects.order_by("pk").values("pk", *names)
    }
    entry = AuditLog(
        seq=head.last_seq + 1,
        created_at=timezone.now().replace(microsecond=0),
        actor=None,
        actor_name="system",
        action="cycle.migrate",
        object_type="assessments.cycle",
        object_id="",
        what="approved_at, approved_by",
        old_value="",
        new_value="",
        reason=REASON,
        rows=_canonical({"assessments.cycle": rows}),
        key_id=keys.key_id(key),
        prev_hash=head.last_hash,
    )
    entry.hash = hmac.new(key, _payload(entry), hashlib.sha256).hexdigest()
    entry.save()
    ChainHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_result_dishonesty_vetoed_consequences"),
        ("audit", "0003_keyed_chain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="审定时间"),
        ),
        migrations.AddField(
            model_name="cycle",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审定人",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
