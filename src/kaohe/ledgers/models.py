"""The four registers (issue 12 §1) as models; their columns and words are :mod:`kaohe.registers.kinds`'.

    RectificationProblem (督察整改问题) ── RectificationReport (调度记录: 进展报告, 申请销号, 验收销号, 退回, 同意延期)
    Complaint            (信访/12369案件)
    Notice               (通报·督办·退办·追责·批示·曝光) ─ linked RectificationProblem (optional)
    Incident             (突发环境事件)

Every register column (``REGISTERS[kind].ids``) is a field of the same name (``unit_id`` is the unit's foreign key,
the file's unit code), so a row goes to and from a register file without a mapping table; the other fields (包保领导,
整改措施, 办理情况 …) are the web app's own and travel in export/import as ``_``-columns, which the pure reader
ignores. A closed vocabulary is stored as its Chinese word (the word is the value, in files and in the database);
the web app's own states are codes with Chinese labels. Writes go through ``actions.py`` only.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaohe.assessments.models import StoredFile, Unit
from kaohe.registers import kinds

# How many days before its deadline an open row is 临期 (due soon, 通报预警): a rectification task runs for months, a
# complaint for days (信访条例: 60 days; 12369 cases usually 15).
DUE_SOON_DAYS = {"rectification": 30, "complaints": 7}


def _words(words: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(w, w) for w in words]


class Flag(models.TextChoices):
    """通报预警 of a row that is not done: past its deadline, or within ``DUE_SOON_DAYS`` of it."""

    OVERDUE = "overdue", _("逾期")
    DUE_SOON = "due_soon", _("临期")


class LedgerRow(models.Model):
    """What every register row has: its unit (the register's ``unit_id``). ``KIND`` names the register."""

    KIND: ClassVar[str]
    # the register's date that says which year a row belongs to (issue 12 §2: "in year Y")
    YEAR_FIELD: ClassVar[str]
    # the web-only fields that export writes and import reads as ``_<field>`` columns
    EXTRA_FIELDS: ClassVar[tuple[str, ...]] = ()

    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    @classmethod
    def register(cls) -> kinds.RegisterKind:
        return kinds.register_kind(cls.KIND)

    @property
    def key(self) -> str:
        return str(getattr(self, self.register().key))

    def flag(self, today: dt.date | None = None) -> str:
        """``overdue``, ``due_soon`` or "" (rows without a deadline, and registers without one, are never flagged)."""
        deadline, done = self._deadline()
        if deadline is None or done:
            return ""
        today = today or timezone.localdate()
        if today > deadline:
            return Flag.OVERDUE
        if (deadline - today).days <= DUE_SOON_DAYS.get(self.KIND, 0):
            return Flag.DUE_SOON
        return ""

    def flag_text(self, today: dt.date | None = None) -> str:
        flag = self.flag(today)
        return str(Flag(flag).label) if flag else ""

    def _deadline(self) -> tuple[dt.date | None, bool]:
        return None, True


class RectificationProblem(LedgerRow):
    """督察整改台账 (issue 12 §1.1; seed 003 二(七) 领导包保、清单管理、定期调度、销号验收、通报预警、信息公开).

    The unit reports progress (定期调度) and applies for 销号 with its evidence; the office accepts (验收 → 销号) or
    sends it back, and agrees extensions (the deadline is the last agreed one; each extension is a report with its
    reason and the deadline it replaced)."""

    KIND = "rectification"
    YEAR_FIELD = "deadline"
    EXTRA_FIELDS = (
        "batch",
        "assignment_no",
        "lead_leader",
        "lead_department",
        "co_departments",
        "measures",
        "disclose",
    )

    class State(models.TextChoices):
        OPEN = "open", _("整改中")
        APPLIED = "applied", _("待验收")
        CLOSED = "closed", _("已销号")

    class Schedule(models.TextChoices):
        MONTHLY = "monthly", _("每月调度")
        QUARTERLY = "quarterly", _("每季度调度")

    problem_id = models.CharField(_("问题编号"), max_length=64, unique=True)
    source = models.CharField(_("问题来源"), max_length=32, choices=_words(kinds.SOURCES))
    batch = models.CharField(_("批次"), max_length=100, blank=True)
    assignment_no = models.CharField(_("交办编号"), max_length=100, blank=True)
    level = models.CharField(_("交办层级"), max_length=8, choices=_words(kinds.LEVELS), blank=True)
    listed_by_nation = models.BooleanField(_("国家挂号"), default=False)
    description = models.TextField(_("问题描述"), blank=True)
    lead_leader = models.CharField(_("包保领导"), max_length=100, blank=True)
    lead_department = models.CharField(_("牵头部门"), max_length=200, blank=True)
    co_departments = models.CharField(_("配合部门"), max_length=500, blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    schedule = models.CharField(_("调度频次"), max_length=16, choices=Schedule.choices, default=Schedule.MONTHLY)
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    completed_on = models.DateField(_("完成整改日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    disclose = models.BooleanField(_("信息公开"), default=False)

    class Meta:
        ordering = ["unit__code", "problem_id"]
        verbose_name = _("督察整改问题")
        verbose_name_plural = _("督察整改台账")

    def __str__(self) -> str:
        return self.problem_id

    def _deadline(self) -> tuple[dt.date | None, bool]:
        return self.deadline, self.state == self.State.CLOSED or self.completed_on is not None


class RectificationReport(models.Model):
    """One entry of a problem's 调度记录, never edited or deleted: the unit's 进展报告 and 销号申请, the office's
    验收销号, 退回 and 同意延期 (with the deadline it replaced)."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("进展报告")
        APPLY = "apply", _("申请销号")
        ACCEPT = "accept", _("验收销号")
        SEND_BACK = "send_back", _("退回")
        EXTEND = "extend", _("同意延期")

    problem = models.ForeignKey(
        RectificationProblem, verbose_name=_("整改问题"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    date = models.DateField(_("日期"))
    text = models.TextField(_("内容"))
    previous_deadline = models.DateField(_("原整改时限"), null=True, blank=True)
    new_deadline = models.DateField(_("延期后时限"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("填报时间"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("整改调度记录")
        verbose_name_plural = _("整改调度记录")

    def __str__(self) -> str:
        return f"{self.problem} · {self.get_kind_display()}"


class ReportEvidence(StoredFile):
    """A file attached to a 调度记录 entry (进展报告's 工作简报, 申请销号's 佐证材料), stored as the assessments'
    evidence is: under a generated name, its SHA-256 in the entry's audit record, which ``kaohe audit verify`` checks
    the stored file against. Never replaced or deleted, as the entry it belongs to."""

    report = models.ForeignKey(RectificationReport, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="ledgers/%Y/")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("调度记录附件")
        verbose_name_plural = _("调度记录附件")


class Complaint(LedgerRow):
    """信访/12369案件 (issue 12 §1.2; seed 003 四(十三) 分别受理、按类交办、跟踪督办、信息公开、考核问责)."""

    KIND = "complaints"
    YEAR_FIELD = "due_on"
    EXTRA_FIELDS = ("content", "handling", "reply", "follow_up", "disclose")

    class FollowUp(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    case_id = models.CharField(_("案件编号"), max_length=64, unique=True)
    channel = models.CharField(_("受理渠道"), max_length=16, choices=_words(kinds.CHANNELS))
    category = models.CharField(_("案件类别"), max_length=8, choices=_words(kinds.CATEGORIES), blank=True)
    assigned_by = models.CharField(_("交办单位"), max_length=32, choices=_words(kinds.ASSIGNERS), blank=True)
    received_on = models.DateField(_("受理日期"), null=True, blank=True)
    due_on = models.DateField(_("办结时限"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    content = models.TextField(_("反映问题"), blank=True)
    handling = models.TextField(_("办理情况"), blank=True)
    reply = models.TextField(_("答复情况"), blank=True)
    follow_up = models.CharField(_("回访"), max_length=16, choices=FollowUp.choices, blank=True)
    disclose = models.BooleanField(_("信息公开"), default=False)

    class Meta:
        ordering = ["unit__code", "case_id"]
        verbose_name = _("信访/12369案件")
        verbose_name_plural = _("信访/12369案件")

    def __str__(self) -> str:
        return self.case_id

    def _deadline(self) -> tuple[dt.date | None, bool]:
        return self.due_on, self.closed_on is not None


class Notice(LedgerRow):
    """通报·督办·退办·追责·批示·曝光台账 (issue 12 §1.3)."""

    KIND = "notices"
    YEAR_FIELD = "date"
    EXTRA_FIELDS = ("content", "linked_problem")

    notice_id = models.CharField(_("编号"), max_length=64, unique=True)
    date = models.DateField(_("日期"))
    level = models.CharField(_("层级"), max_length=8, choices=_words(kinds.LEVELS))
    kind = models.CharField(_("类型"), max_length=8, choices=_words(kinds.NOTICE_KINDS))
    cause = models.CharField(_("原因"), max_length=16, choices=_words(kinds.NOTICE_CAUSES), blank=True)
    rectified_in_time = models.BooleanField(_("按时整改落实"), default=False)
    content = models.TextField(_("内容"), blank=True)
    linked_problem = models.ForeignKey(
        RectificationProblem,
        verbose_name=_("关联整改问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
    )

    class Meta:
        ordering = ["-date", "notice_id"]
        verbose_name = _("通报督办批示")
        verbose_name_plural = _("通报·督办·批示台账")

    def __str__(self) -> str:
        return self.notice_id


class Incident(LedgerRow):
    """突发环境事件台账 (issue 12 §1.4; severity by the 国家突发环境事件应急预案)."""

    KIND = "incidents"
    YEAR_FIELD = "date"
    EXTRA_FIELDS = ("description", "finding")

    incident_id = models.CharField(_("事件编号"), max_length=64, unique=True)
    date = models.DateField(_("发生日期"))
    severity = models.CharField(_("事件等级"), max_length=8, choices=_words(kinds.SEVERITIES))
    supervision_failure = models.BooleanField(_("因监管不力"), default=False)
    finding = models.TextField(_("调查认定"), blank=True)
    group_incident = models.BooleanField(_("引发群体性事件"), default=False)
    description = models.TextField(_("事件概况"), blank=True)

    class Meta:
        ordering = ["-date", "incident_id"]
        verbose_name = _("突发环境事件")
        verbose_name_plural = _("突发环境事件台账")

    def __str__(self) -> str:
        return self.incident_id


MODELS: dict[str, type[LedgerRow]] = {m.KIND: m for m in (RectificationProblem, Complaint, Notice, Incident)}
