"""The calls the workflow makes (``kaohe.assessments.actions``, ``comments``, ``appeals``), one per step, after the
step's audited write and inside its transaction: who is told what is ``recipients``; storing, logging and e-mailing
is ``actions.do_deliver``. The words are written in the site's language (``recipients.site_language``), not in the
language of the person who did the step."""

from __future__ import annotations

from typing import Any

from kaohe.assessments.models import Appeal, Assessment, Cycle, ItemComment, SelfEvaluation
from kaohe.notifications import recipients
from kaohe.notifications.actions import do_deliver


def item_returned(item: SelfEvaluation, comment: str, *, acting_user: Any) -> None:
    with recipients.site_language():
        do_deliver(recipients.item_returned(item, comment, acting_user), acting_user=acting_user)


def unit_submitted(assessment: Assessment, *, acting_user: Any) -> None:
    with recipients.site_language():
        do_deliver(recipients.unit_submitted(assessment, acting_user), acting_user=acting_user)


def verification_complete(assessment: Assessment, *, acting_user: Any) -> None:
    with recipients.site_language():
        do_deliver(recipients.verification_complete(assessment, acting_user), acting_user=acting_user)


def evaluation_sent_back(cycle: Cycle, comment: str, *, acting_user: Any) -> None:
    with recipients.site_language():
        do_deliver(recipients.evaluation_sent_back(cycle, comment, acting_user), acting_user=acting_user)


def cycle_approved(cycle: Cycle, *, acting_user: Any) -> None:
    with recipients.site_language():
        do_deliver(recipients.cycle_approved(cycle, acting_user), acting_user=acting_user)


def results_published(cycle: Cycle, *, acting_user: Any) -> None:
    with recipients.site_language():
        do_deliver(recipients.results_published(cycle, acting_user), acting_user=acting_user)


def comment_added(comment: ItemComment, *, acting_user: Any) -> None:
    with recipients.site_language():
        do_deliver(recipients.comment_added(comment, acting_user), acting_user=acting_user)


def appeal_lodged(appeal: Appeal, *, acting_user: Any) -> None:
    with recipients.site_language():
        do_deliver(recipients.appeal_lodged(appeal, acting_user), acting_user=acting_user)


def appeal_decided(appeal: Appeal, *, acting_user: Any) -> None:
    with recipients.site_language():
        do_deliver(recipients.appeal_decided(appeal, acting_user), acting_user=acting_user)
