"""One notification: a message to one person, shown in the inbox (and sent by e-mail when the person has an address).

Rows are written only by ``kaohe.notifications.actions`` (created with the step that caused them, marked read by their
recipient) and every write is in the audit log, so ``kaohe audit verify`` covers them like the assessment data.
Reminders carry the ``step`` they are about and the ``day`` they count for: one reminder per person, cycle, step and
day, whatever how often cron runs ``kaohe remind``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        ITEM_RETURNED = "item_returned", _("退回补正")
        UNIT_SUBMITTED = "unit_submitted", _("单位已提交")
        VERIFICATION_COMPLETE = "verification_complete", _("核实完成")
        EVALUATION_SENT_BACK = "evaluation_sent_back", _("综合评价被退回")
        CYCLE_APPROVED = "cycle_approved", _("已审定")
        RESULTS_PUBLISHED = "results_published", _("已通报")
        REMINDER = "reminder", _("截止提醒")
        COMMENT_ADDED = "comment_added", _("新留言")
        APPEAL_LODGED = "appeal_lodged", _("新申诉")
        APPEAL_DECIDED = "appeal_decided", _("申诉已处理")

    class Step(models.TextChoices):
        NONE = "", _("（无）")
        SELF_EVALUATION = "self_evaluation", _("自评")
        VERIFICATION = "verification", _("核实")
        EVALUATION = "evaluation", _("综合评价")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    cycle = models.ForeignKey(
        "assessments.Cycle",
        verbose_name=_("考核周期"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    step = models.CharField(_("提醒环节"), max_length=32, choices=Step.choices, blank=True)
    day = models.DateField(_("提醒日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("通知时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            # kaohe remind: at most one reminder per person, cycle, step and day (cron may run it twice).
            models.UniqueConstraint(
                fields=["recipient", "cycle", "step", "day"],
                condition=~models.Q(step=""),
                name="one_reminder_per_person_step_and_day",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
