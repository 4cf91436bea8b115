"""Batch 核实无误 (issue 10 §1): a verifier accepts many items at once, each exactly as ``do_verify_item`` records an
item whose verified values are the unit's own and whose score is left alone.

    check_verify_items_unchanged(cycle, item_ids, acting_user)       permission per item (assessments.verify_item)
      └─► do_verify_items_unchanged(items, acting_user)                one transaction per assessment:
            actions._lock_verifiable_assessment   lock the assessment, then its items (the order of do_verify_item)
            one UPDATE                            status 核实无误, version + 1 (_versioned_update's compare-and-set)
            bulk create/update of Verification    values = the unit's, no score, no reason
            actions._advance_verification         submitted → verifying → verified once every item is verified;
                                                  one do_append_audit_many for the group: one "verification.save"
                                                  entry per item (the same fields and snapshots as one by one, the
                                                  snapshots read once per assessment, ``prepared``), then the
                                                  transitions' entries; the chain's head locked and moved once

Items that cannot be verified now (another lead unit's, returned to the unit, already verified, a unit not
submitted or already verified …) are skipped and listed with the reason; nothing of them is written. So is an item
whose unit figure differs from a value the cycle holds for the same input (a monitoring import, 台账数据, a finding
of the office): the comprehensive evaluation scores that value over the unit's figure until the item is verified,
and a verified value over both (``evaluation.input_rows``), so accepting the unit's figure unseen would replace the
measured or recorded value; such an item is verified one by one, where the form starts from that value. Accepting
the unit's values needs no coercion (they were coerced when the unit saved them); the scheme is read for the inputs'
names only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.assessments import schemes
from kaohe.assessments.actions import (
    FINDING_SOURCE,
    REGISTER_SOURCE,
    REMAINING_NO_SOURCE,
    ActionError,
    User,
    _actor,
    _advance_verification,
    _decimal,
    _lock_verifiable_assessment,
    _require,
)
from kaohe.assessments.models import Cycle, ImportedValue, SelfEvaluation, State, Verification
from kaohe.assessments.rules import allowed, leads_indicator
from kaohe.audit.actions import AuditEntry
from kaohe.audit.snapshots import take
from kaohe.web.templatetags.kaohe_tags import value as shown

# SQLite refuses statements with too many parameters; id lists are read in chunks of this size.
_CHUNK = 500


@dataclass(frozen=True)
class Skipped:
    """An item the batch left alone, and why (in words, for the message the verifier sees)."""

    item_id: int
    label: str  # 单位 · 指标
    reason: str

    def __str__(self) -> str:
        return f"{self.label}：{self.reason}"


@dataclass
class BatchOutcome:
    verified: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)  # units whose verification the batch completed (已核实)


def _label(item: SelfEvaluation) -> str:
    return f"{item.assessment.unit.name} · {item.indicator_id} {item.indicator_name}"


def _refusal(acting_user: Any, item: SelfEvaluation) -> str | None:
    """Why ``acting_user`` may not batch-accept ``item`` now; None when it may."""
    if not leads_indicator(acting_user, item):
        return _("不是本牵头单位负责核实的指标，没有权限核实")
    refusal = item.verification_refusal()
    if refusal is not None:
        return refusal
    if item.status != SelfEvaluation.ItemStatus.OPEN:
        # A verified item is changed one by one: a batch must never overwrite a verifier's adjusted values.
        return _("已%(status)s，批量核实只处理待核实的项") % {"status": item.get_status_display()}
    if not allowed(acting_user, "assessments.verify_item", item):  # the one rule, in case it grows
        return _("没有权限核实此项")
    return None


# where a value the cycle holds came from, in the words of the reason (a monitoring import's source is its file name)
def source_words(source: str) -> str:
    if source in (FINDING_SOURCE, REMAINING_NO_SOURCE):
        return _("考核办认定")
    if source == REGISTER_SOURCE:
        return _("台账数据")
    return _("导入的监测数据（%(file)s）") % {"file": source} if source else _("导入的监测数据")


def _held_values(cycle: Cycle, items: list[SelfEvaluation]) -> dict[tuple[int, str], tuple[Any, str]]:
    """(unit, input) → (value, source) of the values the cycle holds for the items' units (ImportedValue rows)."""
    unit_ids = sorted({item.assessment.unit_id for item in items})
    held: dict[tuple[int, str], tuple[Any, str]] = {}
    for start in range(0, len(unit_ids), _CHUNK):
        rows = ImportedValue.objects.filter(cycle=cycle, unit_id__in=unit_ids[start : start + _CHUNK])
        for unit_id, input_id, value, source in rows.values_list("unit_id", "input_id", "value", "source"):
            held[(unit_id, input_id)] = (value, source)
    return held


def held_for_item(item: SelfEvaluation) -> dict[str, tuple[Any, str]]:
    """input id → (value, source) of the non-empty values the cycle holds for ``item``'s inputs and unit: what the
    comprehensive evaluation scores over the unit's figure until the item is verified."""
    rows = ImportedValue.objects.filter(
        cycle_id=item.assessment.cycle_id, unit_id=item.assessment.unit_id, input_id__in=list(item.values)
    )
    return {i: (v, source) for i, v, source in rows.values_list("input_id", "value", "source") if v is not None}


def _differs_from_held(
    item: SelfEvaluation, held: dict[tuple[int, str], tuple[Any, str]], names: dict[str, str]
) -> str | None:
    """Why ``item`` is not accepted unseen: a figure of the unit that a value the cycle holds contradicts."""
    for input_id, figure in item.values.items():
        value, source = held.get((item.assessment.unit_id, input_id), (None, ""))
        # an empty figure never replaces a held value (input_rows), nor does an empty held value (未认定) count
        if figure is None or value is None or figure == value:
            continue
        return _("单位填报的「%(input)s」为 %(figure)s，%(source)s为 %(value)s，不一致，请逐项核实") % {
            "input": names.get(input_id, input_id),
            "figure": shown(figure),
            "source": source_words(source),
            "value": shown(value),
        }
    return None


def _read_items(cycle: Cycle, item_ids: Collection[int]) -> list[SelfEvaluation]:
    ids = sorted(set(item_ids))
    items: list[SelfEvaluation] = []
    for start in range(0, len(ids), _CHUNK):
        items.extend(
            SelfEvaluation.objects.filter(assessment__cycle=cycle, pk__in=ids[start : start + _CHUNK]).select_related(
                "assessment__unit"
            )
        )
    return items


def check_verify_items_unchanged(*, cycle: Cycle, item_ids: Collection[int], acting_user: Any) -> BatchOutcome:
    """Accept every item of ``item_ids`` (of ``cycle``) that ``acting_user`` may verify now; list the others."""
    _require(acting_user, "assessments.verify_cycle", cycle)
    if not item_ids:
        raise ActionError(_("请先选择要核实的项"))
    items = _read_items(cycle, item_ids)
    found = {item.pk for item in items}
    skipped = [Skipped(pk, f"#{pk}", _("不在本考核周期中")) for pk in sorted(set(item_ids) - found)]
    held = _held_values(cycle, items)
    names = {inp.id: inp.name for inp in schemes.load(cycle.scheme_ref).inputs} if held else {}
    accepted: list[SelfEvaluation] = []
    for item in items:
        reason = _refusal(acting_user, item) or _differs_from_held(item, held, names)
        if reason is None:
            accepted.append(item)
        else:
            skipped.append(Skipped(item.pk, _label(item), reason))
    outcome = do_verify_items_unchanged(items=accepted, acting_user=acting_user)
    outcome.skipped[:0] = skipped
    return outcome


def do_verify_items_unchanged(*, items: Iterable[SelfEvaluation], acting_user: User | None) -> BatchOutcome:
    """Record 核实无误 for ``items`` (verified values = the unit's values, no score), trusting the caller's
    permission check. Per assessment, under its lock, items that are no longer open (someone verified or returned
    them since) and assessments no longer awaiting verification are skipped, not written."""
    outcome = BatchOutcome()
    by_assessment: dict[int, list[SelfEvaluation]] = {}
    for item in items:
        by_assessment.setdefault(item.assessment_id, []).append(item)
    for assessment_id, group in by_assessment.items():
        labels = {item.pk: _label(item) for item in group}
        try:
            with transaction.atomic():
                _verify_group(assessment_id, labels, acting_user, outcome)
        except ActionError as exc:  # the unit moved on since the page was read: none of its items is written
            outcome.skipped.extend(Skipped(pk, label, str(exc)) for pk, label in labels.items())
    return outcome


def _verify_group(assessment_id: int, labels: dict[int, str], acting_user: User | None, outcome: BatchOutcome) -> None:
    assessment = _lock_verifiable_assessment(assessment_id)
    # The items' rows are locked after their assessment, the order one-by-one verification takes.
    locked = SelfEvaluation.objects.select_for_update().filter(pk__in=list(labels), assessment_id=assessment_id)
    items = []
    for item in locked.order_by("pk"):
        if item.status == SelfEvaluation.ItemStatus.OPEN:
            items.append(item)
        else:  # someone verified or returned it since the page was read
            returned = item.status == SelfEvaluation.ItemStatus.RETURNED
            reason = _("该项已退回单位修改") if returned else _("已被他人核实")
            outcome.skipped.append(Skipped(item.pk, labels[item.pk], reason))
    if not items:
        return
    ids = [item.pk for item in items]
    status = SelfEvaluation.ItemStatus.ACCEPTED
    # _versioned_update's compare-and-set for all of them in one statement: the rows are locked, so each is still at
    # the version just read, and every one of them must match.
    updated = SelfEvaluation.objects.filter(pk__in=ids, status=SelfEvaluation.ItemStatus.OPEN).update(
        status=status, version=F("version") + 1
    )
    if updated != len(items):
        raise ActionError(_("操作未执行：有项目已被他人修改，请刷新页面后重试"))
    existing = {v.item_id: v for v in Verification.objects.filter(item_id__in=ids)}
    verifier, now = _actor(acting_user), timezone.now()
    old: dict[int, dict[str, Any]] = {}
    created: list[Verification] = []
    for item in items:
        verification = existing.get(item.pk)
        if verification is None:
            verification = Verification(item=item)  # what get_or_create makes in do_verify_item
            created.append(verification)
        old[item.pk] = {"values": verification.values, "score": _decimal(verification.score), "status": item.status}
        verification.values, verification.score, verification.reason, verification.comment = item.values, None, "", ""
        verification.verifier, verification.updated_at = verifier, now
    Verification.objects.bulk_create(created)
    Verification.objects.bulk_update(
        list(existing.values()), ["values", "score", "reason", "comment", "verifier", "updated_at"]
    )
    # The rows as the database now holds them, read once for the group: each entry carries its item's and its
    # verification's snapshot, exactly what do_append_audit would read for one item (``prepared``).
    snaps = take([SelfEvaluation.objects.filter(pk__in=ids), Verification.objects.filter(item_id__in=ids)])
    item_snaps = snaps.get("assessments.selfevaluation", {})
    by_item = {snap["item_id"]: (pk, snap) for pk, snap in snaps.get("assessments.verification", {}).items() if snap}
    entries = []
    for item in items:
        verification_pk, verification_snap = by_item[item.pk]
        entries.append(
            AuditEntry(
                action="verification.save",
                object_type="assessments.selfevaluation",
                object_id=item.pk,
                what=item.indicator_id,
                old=old[item.pk],
                new={"values": item.values, "score": None, "status": status},
                reason="",
                prepared={
                    "assessments.selfevaluation": {str(item.pk): item_snaps[str(item.pk)]},
                    "assessments.verification": {verification_pk: verification_snap},
                },
            )
        )
    # With the transitions' entries: the chain's head locked and moved once for the group.
    _advance_verification(assessment, entries, acting_user=acting_user)
    outcome.verified += len(items)
    if assessment.state == State.VERIFIED:
        outcome.completed.append(assessment.unit.name)
