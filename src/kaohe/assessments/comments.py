"""The comment thread of every item (issue 10 §2): the unit, the item's verifiers and the office, beside the values.

    check_add_comment ─► do_add_comment    a comment (``comment.add``), by whoever ``assessments.comment_item`` allows;
                                           the item's other parties are told (``notifications.recipients``)
    record_return                          the verifier's 退回意见 as an entry, inside ``actions.do_return_item`` (its
                                           ``verification.return`` entry snapshots the row)
    role_of(user, item)                    单位 / 核实人 / 考核办: who the author writes as

Entries are never edited or deleted: a thread is part of the audit chain (``kaohe audit verify`` replays the rows).
Whoever may see the item reads its thread (``assessments.view_assessment``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kaohe.assessments.actions import ActionError, User, _actor, _require
from kaohe.assessments.limits import MAX_REASON_CHARS
from kaohe.assessments.models import ItemComment, SelfEvaluation
from kaohe.assessments.rules import lead_units, unit_ids
from kaohe.audit.actions import do_append_audit
from kaohe.notifications import notify

Role = ItemComment.Role


def role_of(user: Any, item: SelfEvaluation) -> str:
    """The role ``user`` writes in on ``item``: its unit's people, then its lead unit's verifiers, else the office
    (the only other role the rules let write)."""
    if item.assessment.unit_id in unit_ids(user):
        return Role.UNIT
    if item.lead_unit and item.lead_unit in lead_units(user):
        return Role.VERIFIER
    return Role.OFFICE


def clean_text(text: str) -> str:
    """The comment as stored; a refusal in words for an empty or an overlong one (bounded like every free text that
    goes into the append-only log: ``limits.py``)."""
    text = text.strip()
    if not text:
        raise ActionError(_("留言不能为空"))
    if len(text) > MAX_REASON_CHARS:
        raise ActionError(
            _("留言过长：最多 %(limit)d 字，现有 %(length)d 字") % {"limit": MAX_REASON_CHARS, "length": len(text)}
        )
    return text


def do_add_comment(*, item: SelfEvaluation, text: str, acting_user: User | None) -> ItemComment:
    with transaction.atomic():
        comment = ItemComment.objects.create(
            item=item, author=_actor(acting_user), role=role_of(acting_user, item), text=text
        )
        do_append_audit(
            acting_user=acting_user,
            action="comment.add",
            obj=comment,
            what=item.indicator_id,
            new={"item": item.pk, "role": comment.role, "text": text},
        )
        notify.comment_added(comment, acting_user=acting_user)
    return comment


def check_add_comment(*, item: SelfEvaluation, text: str, acting_user: Any) -> ItemComment:
    _require(acting_user, "assessments.comment_item", item)
    return do_add_comment(item=item, text=clean_text(text), acting_user=acting_user)


def record_return(item: SelfEvaluation, comment: str, *, acting_user: User | None) -> ItemComment:
    """The return's comment as an entry of the thread. Precondition: inside the return's transaction, whose audit
    entry must list the row (``rows=[…]``)."""
    return ItemComment.objects.create(
        item=item,
        author=_actor(acting_user),
        role=role_of(acting_user, item),
        kind=ItemComment.Kind.RETURN,
        text=comment,
    )
