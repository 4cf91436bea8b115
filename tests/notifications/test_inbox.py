"""The bell in every page's header, the inbox, marking read as an audited action (kept in ``kaohe audit verify``),
and the e-mail each notification sends after its step commits."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.db import connection

from kaohe.assessments import actions
from kaohe.assessments.integrity import verify_all
from kaohe.audit.models import AuditLog
from kaohe.notifications import actions as notification_actions
from kaohe.notifications.actions import do_deliver
from kaohe.notifications.models import Notification
from kaohe.notifications.recipients import Message
from tests.world import World


def bell(html: str) -> int | None:
    found = re.search(r"data-unread>(\d+)<", html)
    return int(found.group(1)) if found else None


def returned(world: World, indicator: str = "2", comment: str = "请补充监测报告", who: str = "vera") -> None:
    item = world.item("A", indicator)
    actions.check_return_item(item=item, comment=comment, version=item.version, acting_user=world.people[who])


def submitted(world: World) -> None:
    world.fill("A")
    world.submit("A")


def corrected(world: World, indicator: str = "2") -> None:
    """fay corrects the returned item and hank submits again, so that the other items can be returned too."""
    item = world.item("A", indicator)
    actions.check_save_self_evaluation(
        item=item,
        raw_values=item.values,
        self_score=None,
        explanation="已补充",
        version=item.version,
        acting_user=world.people["fay"],
    )
    world.submit("A")


def test_the_bell_counts_the_unread_notifications_on_every_page(world: World) -> None:
    submitted(world)
    fay = world.client("fay")
    assert bell(fay.get("/cycles/").content.decode()) == 0
    returned(world)
    for page in ("/cycles/", f"/assessments/{world.assessment('A').pk}/", "/public/"):
        assert bell(fay.get(page).content.decode()) == 1, page
    assert bell(world.client("bob").get("/cycles/").content.decode()) == 0  # 乙市 was not told
    assert bell(world.client("anon").get("/public/").content.decode()) is None  # no bell for the public


def test_the_inbox_lists_newest_first_with_the_comment(world: World) -> None:
    submitted(world)
    returned(world, "2", "请补充空气监测报告", "vera")
    corrected(world)
    returned(world, "1", "断面月数与水利局台账不符", "walt")
    html = world.client("fay").get("/notifications/").content.decode()
    first = html.index("断面月数与水利局台账不符")
    second = html.index("请补充空气监测报告")
    assert first < second  # walt's return came later
    assert "退回补正：甲市 · 指标 1「水环境质量」" in html and "2 条未读" in html
    assert "断面月数" not in world.client("bob").get("/notifications/").content.decode()


def test_the_inbox_pages_by_fifty(world: World) -> None:
    fay = world.people["fay"]
    do_deliver(
        [Message("reminder", f"第{i}条", "", "", world.cycle.pk, (fay.pk,)) for i in range(55)],
        acting_user=None,
    )
    client = world.client("fay")
    page1 = client.get("/notifications/").content.decode()
    page2 = client.get("/notifications/?page=2").content.decode()
    assert page1.count('<tr id="notification-') == 50 and page2.count('<tr id="notification-') == 5
    assert "第 1 / 2 页" in page1


def test_marking_read_is_the_recipients_audited_action_and_verify_stays_clean(world: World) -> None:
    submitted(world)
    returned(world)
    note = Notification.objects.get(recipient=world.people["fay"])
    other = Notification.objects.get(recipient=world.people["hank"])
    fay = world.client("fay")

    response = fay.post("/notifications/read/", {"id": other.pk})  # hank's: refused, nothing written
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.read_at is None and not AuditLog.objects.filter(action__startswith="notification.read").exists()

    fay.post("/notifications/read/", {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is not None
    entry = AuditLog.objects.get(action="notification.read")
    assert entry.actor == world.people["fay"] and entry.object_id == str(note.pk)
    assert bell(fay.get("/notifications/").content.decode()) == 0
    fay.post("/notifications/read/", {"id": note.pk})  # already read: no second entry
    assert AuditLog.objects.filter(action="notification.read").count() == 1

    hank = world.client("hank")
    corrected(world)
    returned(world, "1", "请核对", "walt")
    assert bell(hank.get("/cycles/").content.decode()) == 2
    hank.post("/notifications/read-all/")
    assert bell(hank.get("/cycles/").content.decode()) == 0
    assert AuditLog.objects.get(action="notification.read_all").actor == world.people["hank"]
    report = verify_all()
    assert report.ok, report.problems


def test_verify_reports_a_notification_changed_behind_the_logs_back(world: World) -> None:
    submitted(world)
    returned(world)
    note = Notification.objects.get(recipient=world.people["fay"])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE notifications_notification SET body = %s WHERE id = %s", ["（无）", note.pk])
    report = verify_all()
    assert [p for p in report.problems if p.startswith(f"通知 #{note.pk}（用户 fay：「退回补正")], report.problems


def test_each_notification_is_mailed_to_its_recipient_once_the_step_commits(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    submitted(world)
    fay = world.people["fay"]
    fay.email = "fay@jiashi.example.cn"
    fay.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        returned(world)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["fay@jiashi.example.cn"]]  # hank has no address
    assert mail.outbox[0].subject == "【考核】退回补正：甲市 · 指标 2「空气质量」"
    assert "请补充监测报告" in mail.outbox[0].body


def test_a_refused_step_mails_nobody(world: World, django_capture_on_commit_callbacks: Any) -> None:
    submitted(world)
    world.people["fay"].email = "fay@jiashi.example.cn"
    world.people["fay"].save()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            returned(world, who="bob")
        except actions.ActionError:
            pass
    assert mail.outbox == []


def test_a_failing_mail_server_does_not_undo_the_step(world: World, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("connection refused")

    monkeypatch.setattr(notification_actions, "get_connection", broken)
    assert notification_actions.send_mails([("fay@jiashi.example.cn", "标题", "内容", "/notifications/")]) == 0


def test_the_bell_and_the_inbox_speak_english_when_chosen(world: World) -> None:
    submitted(world)
    returned(world)
    client = world.client("fay")
    client.cookies["django_language"] = "en"
    html = client.get("/notifications/").content.decode()
    assert "Mark all as read" in html and "1 unread" in html and "Mark as read" in html
    assert re.search(r">Notifications <span[^>]*data-unread>1<", html)
