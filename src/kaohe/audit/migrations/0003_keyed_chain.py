"""The keyed chain: each entry gets ``rows`` (snapshots of the rows it wrote) and ``key_id``, and its hash becomes
an HMAC-SHA256 with the audit key kept outside the database.

Entries written before this migration were hashed with plain SHA-256. When their chain is intact they are
re-signed here with the audit key (generated now if there is none), so that the whole log verifies under the key
from then on; a broken chain is left as it is (unsigned), and ``kaohe audit verify`` reports it. The payload
functions are copied here on purpose: a migration must not change when the model's code changes later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.db import migrations, models

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _old_payload(e: Any) -> bytes:
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
            e.prev_hash,
        ]
    ).encode()


def _new_payload(e: Any) -> bytes:
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


def resign(apps: Any, schema_editor: Any) -> None:
    AuditLog = apps.get_model("audit", "AuditLog")
    ChainHead = apps.get_model("audit", "ChainHead")
    entries = list(AuditLog.objects.order_by("seq"))
    if not entries:
        return
    from kaohe.audit import keys

    prev, seq = GENESIS, 1
    for e in entries:  # the plain SHA-256 chain as the earlier code verified it
        if e.seq != seq or e.prev_hash != prev or hashlib.sha256(_old_payload(e)).hexdigest() != e.hash:
            print(f"\n  audit chain already broken at entry #{seq}: left unsigned, `kaohe audit verify` reports it")
            return
        prev, seq = e.hash, seq + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq, head.last_hash) != (entries[-1].seq, entries[-1].hash):
        print("\n  audit chain head differs from the newest entry: left unsigned, `kaohe audit verify` reports it")
        return
    keys.ensure_key()
    key = keys.load_key()
    kid = keys.key_id(key)
    prev = GENESIS
    for e in entries:
        e.key_id, e.prev_hash = kid, prev
        e.hash = hmac.new(key, _new_payload(e), hashlib.sha256).hexdigest()
        AuditLog.objects.filter(pk=e.pk).update(key_id=e.key_id, prev_hash=e.prev_hash, hash=e.hash)
        prev = e.hash
    ChainHead.objects.filter(pk=1).update(last_seq=entries[-1].seq, last_hash=prev)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_create_chain_head")]
    operations = [
        migrations.AddField(model_name="auditlog", name="rows", field=models.TextField(blank=True)),
        migrations.AddField(model_name="auditlog", name="key_id", field=models.CharField(blank=True, max_length=16)),
        migrations.RunPython(resign, migrations.RunPython.noop),
    ]
