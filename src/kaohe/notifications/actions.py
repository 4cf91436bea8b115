"""Every write to notifications.

    do_deliver(messages, acting_user, action)     the rows, one audit entry, the e-mails once the transaction commits
    check_mark_read / do_mark_read               the recipient marks one notification read (audited)
    check_mark_all_read / do_mark_all_read       … or all of them (one audited entry)

``do_deliver`` runs inside the caller's transaction (the step that caused the notifications), so a notification
exists exactly when its step happened; the e-mails go out only after that transaction commits
(``transaction.on_commit``), and a mail server that fails is logged, never undoes the step.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from kaohe.assessments.access import REFUSED
from kaohe.audit.actions import do_append_audit
from kaohe.notifications.models import Notification
from kaohe.notifications.recipients import Message, site_language, users

log = logging.getLogger(__name__)


class NotificationError(Exception):
    """A refused notification action; the message is shown as it is."""


def do_deliver(
    messages: Iterable[Message],
    *,
    acting_user: Any,
    action: str = "notification.send",
    step: str = "",
    day: Any = None,
) -> list[Notification]:
    """Store one notification per message and recipient, log them in one audit entry and e-mail them after the
    commit. Call it inside the transaction of the step it reports."""
    messages = [m for m in messages if m.recipient_ids]
    if not messages:
        return []
    now = timezone.now()
    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=recipient,
                    kind=m.kind,
                    title=m.title[:300],
                    body=m.body,
                    link=m.link[:300],
                    cycle_id=m.cycle_id,
                    step=step,
                    day=day,
                    created_at=now,
                )
                for m in messages
                for recipient in m.recipient_ids
            ]
        )
        ids = [n.pk for n in rows]  # SQLite ≥ 3.35 and PostgreSQL return the new ids
        people = users(n.recipient_id for n in rows)
        do_append_audit(
            acting_user=acting_user,
            action=action,
            # Listed in the cycle's history on the 审计日志 page, beside the step that caused them.
            object_type="assessments.cycle" if messages[0].cycle_id else "",
            object_id=messages[0].cycle_id or "",
            what=messages[0].kind,
            new={
                "kind": messages[0].kind,
                "titles": sorted({m.title for m in messages}),
                "recipients": sorted(people[n.recipient_id].get_username() for n in rows),
            },
            rows=[Notification.objects.filter(pk__in=ids)],
        )
        mails = [(people[n.recipient_id].email, n.title, n.body, n.link) for n in rows if people[n.recipient_id].email]
        if mails:
            transaction.on_commit(lambda: send_mails(mails))
    return rows


def send_mails(mails: list[tuple[str, str, str, str]]) -> int:
    """Send (address, title, body, link) mails over one connection; a failing server is logged, not raised (the
    notifications are in the app whatever happens to the mail). In the site's language, as the notifications."""
    site = settings.KAOHE_SITE_URL
    with site_language():
        out = [
            EmailMessage(
                subject=_("【考核】%(title)s") % {"title": title},
                body=_("%(body)s\n\n%(url)s\n\n（本邮件由考核系统自动发送，请勿回复。）")
                % {"body": body, "url": f"{site}{link}"}
                if link
                else body,
                to=[address],
            )
            for address, title, body, link in mails
        ]
    try:
        with get_connection() as connection:
            return int(connection.send_messages(out) or 0)
    except Exception:  # SMTP down, refused, timed out: the step is done and the inbox holds the message
        log.exception("notification e-mail failed (%d messages)", len(out))
        return 0


# ------------------------------------------------------------------------------------------------ read
def do_mark_read(*, notification: Notification, acting_user: User) -> Notification:
    with transaction.atomic():
        row = Notification.objects.select_for_update().get(pk=notification.pk)
        if row.read_at is None:
            row.read_at = timezone.now()
            row.save(update_fields=["read_at"])
            do_append_audit(acting_user=acting_user, action="notification.read", obj=row, what=row.kind)
    return row


def check_mark_read(*, notification_id: int, acting_user: Any) -> Notification:
    row = Notification.objects.filter(pk=notification_id).first()
    if row is None or row.recipient_id != getattr(acting_user, "pk", None):
        raise NotificationError(gettext(REFUSED))  # the same answer for someone else's notification and none at all
    return do_mark_read(notification=row, acting_user=acting_user)


def do_mark_all_read(*, acting_user: User) -> int:
    with transaction.atomic():
        unread = list(
            Notification.objects.select_for_update()
            .filter(recipient=acting_user, read_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if not unread:
            return 0
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
        do_append_audit(
            acting_user=acting_user,
            action="notification.read_all",
            object_type="notifications.notification",
            object_id="",
            new={"count": len(unread)},
            rows=[Notification.objects.filter(pk__in=unread)],
        )
    return len(unread)


def check_mark_all_read(*, acting_user: Any) -> int:
    if not getattr(acting_user, "is_authenticated", False):
        raise NotificationError(gettext(REFUSED))
    return do_mark_all_read(acting_user=acting_user)
