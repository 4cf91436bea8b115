"""Replay the audit log against the current rows.

Each entry's ``rows`` holds snapshots of the rows its action left behind (``kaohe.audit.snapshots``). Replaying the
log in order leaves, per (model, pk), the newest logged snapshot; every current row of an audited model must equal
it. Three kinds of discrepancy, each reported once per row:

- ``changed``: the row differs from its newest snapshot (the differing fields with logged and current value);
- ``deleted``: the log's newest word on the row is a snapshot, but the row is gone;
- ``unlogged``: the row exists but the log never recorded it, or recorded its deletion.

Only a 16-byte digest per row is kept while the log is read; the full snapshot of a differing row is read back
from its entry when it is reported, so memory stays small for a national cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kaohe.audit import snapshots
from kaohe.audit.models import AuditLog, canonical


@dataclass(frozen=True)
class FieldChange:
    name: str
    logged: Any
    current: Any


@dataclass(frozen=True)
class Discrepancy:
    label: str  # app.model
    pk: str
    kind: Literal["changed", "deleted", "unlogged"]
    seq: int | None  # the entry holding the newest snapshot (None: no entry)
    logged: snapshots.Snapshot | None = None
    current: snapshots.Snapshot | None = None
    changes: tuple[FieldChange, ...] = ()


@dataclass
class Replay:
    """Feed it every entry in order (``feed``), then ``compare`` with the database."""

    latest: dict[tuple[str, str], tuple[int, bytes | None]] = field(default_factory=dict)
    _entries: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def feed(self, entry: AuditLog) -> None:
        if not entry.rows:
            return
        for label, objects in entry.decoded_rows().items():
            for pk, snap in objects.items():
                self.latest[(label, pk)] = (entry.seq, None if snap is None else snapshots.digest(snap))

    def _logged(self, seq: int, label: str, pk: str) -> snapshots.Snapshot | None:
        rows = self._entries.get(seq)
        if rows is None:
            entry = AuditLog.objects.filter(seq=seq).only("rows").first()
            rows = entry.decoded_rows() if entry is not None else {}
            if len(self._entries) > 64:
                self._entries.clear()
            self._entries[seq] = rows
        snap = rows.get(label, {}).get(pk)
        return snap if isinstance(snap, dict) else None

    def compare(self) -> tuple[int, list[Discrepancy]]:
        """(rows checked, discrepancies) over every audited model."""
        found: list[Discrepancy] = []
        count = 0
        for model in snapshots.tracked_models():
            label = snapshots.label_of(model)
            for pk, current in snapshots.read(model._default_manager.all()):
                count += 1
                logged = self.latest.pop((label, pk), None)
                if logged is None or logged[1] is None:
                    found.append(Discrepancy(label, pk, "unlogged", logged[0] if logged else None, current=current))
                elif snapshots.digest(current) != logged[1]:
                    before = self._logged(logged[0], label, pk) or {}
                    changes = tuple(
                        FieldChange(name, before.get(name), current.get(name))
                        for name in sorted(set(before) | set(current))
                        if canonical(before.get(name)) != canonical(current.get(name))
                    )
                    found.append(Discrepancy(label, pk, "changed", logged[0], before, current, changes))
        order = {label: n for n, label in enumerate(snapshots.TRACKED)}
        for (label, pk), (seq, dig) in sorted(self.latest.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[1][0])):
            if dig is not None:
                found.append(Discrepancy(label, pk, "deleted", seq, logged=self._logged(seq, label, pk)))
        return count, found
