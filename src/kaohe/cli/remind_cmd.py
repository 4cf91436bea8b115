"""``kaohe remind``: reminders before and after each deadline of every open cycle (``kaohe.notifications.reminders``).

    kaohe remind                      # today (the local date of TIME_ZONE), 3 days before each deadline
    kaohe remind --days-before 5
    kaohe remind --today 2026-12-06   # as if it were that day (a missed cron run, a test)

Cron or a systemd timer runs it once a day (docs/deploy.md); running it twice a day sends nothing twice.
"""

from __future__ import annotations

import argparse
import datetime as dt

from kaohe.cli.web_cmd import _setup
from kaohe.core.exceptions import UserInputError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    remind = sub.add_parser("remind", help="send the reminders due today for every open cycle (cron, once a day)")
    remind.add_argument(
        "--days-before", type=int, default=3, help="remind this many days before each deadline (default 3)"
    )
    remind.add_argument("--today", help="the day to act for, YYYY-MM-DD (default: today)")
    remind.set_defaults(func=cmd_remind)


def cmd_remind(args: argparse.Namespace) -> int:
    today = None
    if args.today is not None:
        try:
            today = dt.date.fromisoformat(args.today)
        except ValueError:
            raise UserInputError(f"--today: expected a date as YYYY-MM-DD, got {args.today!r}") from None
    if not 0 <= args.days_before <= 365:
        raise UserInputError(f"--days-before: expected 0 to 365 days, got {args.days_before}")
    _setup()
    from kaohe.notifications.models import Notification
    from kaohe.notifications.reminders import do_send_reminders

    sent = do_send_reminders(today=today, days_before=args.days_before)
    for s in sent:
        print(f"{s.cycle.name}：{Notification.Step(s.step).label}截止 {s.deadline.isoformat()}，提醒 {s.count} 人")
    print(f"已发送提醒 {sum(s.count for s in sent)} 条" if sent else "今天没有需要发送的提醒")
    return 0
