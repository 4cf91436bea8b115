"""Evidence files checked against the hashes the audit log recorded when they were uploaded.

The audit chain proves its own rows unchanged; a file swapped on disk (or an Evidence row whose hash was edited
to match) shows up here, because the ``evidence.add`` entry holds the SHA-256 taken at upload time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from kaohe.assessments.models import Evidence
from kaohe.audit.models import AuditLog


@dataclass(frozen=True)
class EvidenceProblem:
    evidence_id: int
    message: str


def _sha256(evidence: Evidence) -> str | None:
    digest = hashlib.sha256()
    try:
        with evidence.file.storage.open(evidence.file.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def verify_evidence() -> tuple[int, list[EvidenceProblem]]:
    """(files checked, problems) — every file must match the hash its upload entry recorded."""
    recorded: dict[str, str] = {}
    for entry in AuditLog.objects.filter(action="evidence.add").only("object_id", "new_value").iterator():
        recorded[entry.object_id] = (entry.decoded_new() or {}).get("sha256", "")
    problems = []
    count = 0
    for evidence in Evidence.objects.order_by("pk").iterator():
        count += 1
        expected = recorded.get(str(evidence.pk))
        name = f"evidence #{evidence.pk} ({evidence.original_name})"
        if expected is None:
            problems.append(EvidenceProblem(evidence.pk, f"{name} has no upload entry in the audit log"))
            continue
        if evidence.sha256 != expected:
            problems.append(EvidenceProblem(evidence.pk, f"{name}: its recorded hash was changed"))
        actual = _sha256(evidence)
        if actual is None:
            problems.append(EvidenceProblem(evidence.pk, f"{name}: the file is missing"))
        elif actual != expected:
            problems.append(EvidenceProblem(evidence.pk, f"{name}: the file was altered"))
    return count, problems
