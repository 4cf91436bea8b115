"""Models of an assessment cycle.

    Unit ─┬─ Membership (person × role [× unit | × lead-unit name])
          └─ Assessment (unit × Cycle, the workflow state) ─┬─ SelfEvaluation (one per indicator that reads inputs)
                                                            │     ├─ Verification (verified values, side by side)
                                                            │     └─ Evidence (files)
                                                            ├─ Result (one row of kaohe.score's frame)
                                                            └─ Appeal (申诉 during 公示) ── AppealEvidence (files)
    Cycle ─┬─ ResponsibilityLetter (unit × cycle: the yearly targets)
           └─ ImportedValue (unit × input, from monitoring output files)

Self-reported values live on SelfEvaluation and verified values on Verification; neither overwrites the other,
which is what the falsification rule (seed 000 Art.10) needs. Writes go through ``actions.py`` only.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class Unit(models.Model):
    class Type(models.TextChoices):
        CITY = "city", _("市(州)")
        AREA = "area", _("管理区")
        COUNTY = "county", _("县(市、区)")
        TOWN = "town", _("乡镇(街道)")
        PARK = "park", _("园区")
        DEPARTMENT = "department", _("部门")

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    type = models.CharField(_("类型"), max_length=16, choices=Type.choices)
    # The ranking pool (序列) the unit belongs to; it must name a sequence id of the cycle's scheme.
    sequence = models.CharField(_("序列"), max_length=64)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("被考核单位")
        verbose_name_plural = _("被考核单位")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role. Unit roles name the unit; the verifier role names the lead unit (牵头单位) it speaks for."""

    class Role(models.TextChoices):
        OFFICE = "office", _("考核办")
        FILLER = "filler", _("单位填报人")
        HEAD = "head", _("单位负责人")
        VERIFIER = "verifier", _("牵头单位核实人")
        APPROVER = "approver", _("领导审定")

    UNIT_ROLES = (Role.FILLER, Role.HEAD)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships")
    lead_unit = models.CharField(_("牵头单位"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("人员角色")
        verbose_name_plural = _("人员角色")
        constraints = [
            models.CheckConstraint(
                name="unit_roles_name_a_unit",
                condition=~models.Q(role__in=["filler", "head"]) | models.Q(unit__isnull=False),
            ),
            models.CheckConstraint(
                name="verifiers_name_a_lead_unit",
                condition=~models.Q(role="verifier") | ~models.Q(lead_unit=""),
            ),
        ]

    def __str__(self) -> str:
        where = self.unit.name if self.unit else self.lead_unit
        return f"{self.user.get_username()} · {self.get_role_display()} {where}".strip()


class Cycle(models.Model):
    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveIntegerField(_("考核年度"))
    scheme_id = models.CharField(_("考核方案"), max_length=100, blank=True)
    # An uploaded scheme YAML, used instead of a built-in scheme id.
    scheme_file = models.FileField(_("上传的方案"), upload_to="schemes/", blank=True)
    self_evaluation_deadline = models.DateField(_("自评截止"), null=True, blank=True)
    verification_deadline = models.DateField(_("核实截止"), null=True, blank=True)
    evaluation_deadline = models.DateField(_("综合评价截止"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    # 领导审定: set by actions.do_approve_cycle (its cycle.approve audit entry records them), read by the 通报.
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # 公示 (issue 10 §4): for this many days after 审定 the units see their draft results and may appeal (申诉);
    # 通报 waits until it ends. 0 = no 公示 (通报 right after 审定).
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=0)
    # Set by the first 审定 when publicity_days > 0 (approved_at + publicity_days). A re-approval after an upheld
    # appeal keeps it: the 公示 is one period per cycle, and the leader's re-approval is final.
    publicity_ends_at = models.DateTimeField(_("公示截止"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("考核周期")
        verbose_name_plural = _("考核周期")

    def __str__(self) -> str:
        return self.name

    @property
    def scheme_ref(self) -> str:
        """What ``kaohe.load_scheme`` takes: the uploaded file's path, or the built-in id."""
        return self.scheme_file.path if self.scheme_file else self.scheme_id

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    MAX_PUBLICITY_DAYS = 60

    @property
    def has_draft_results(self) -> bool:
        """Approved with a 公示 and not yet published: the units see their draft results (公示稿)."""
        return self.publicity_ends_at is not None and self.approved_at is not None and self.published_at is None

    def in_publicity(self, now: dt.datetime | None = None) -> bool:
        """公示中: the draft results are shown to the units, who may appeal, until ``publicity_ends_at``."""
        ends = self.publicity_ends_at
        return self.has_draft_results and ends is not None and (now or timezone.now()) < ends

    # The steps in the order they happen; each deadline may be left open, and dates in the past are allowed (an
    # office may record a past cycle), but a step cannot be due before the step it waits for.
    DEADLINES = (
        ("self_evaluation_deadline", _("自评截止")),
        ("verification_deadline", _("核实截止")),
        ("evaluation_deadline", _("综合评价截止")),
    )

    def deadline_problems(self) -> dict[str, str]:
        """field → message for each deadline earlier than a deadline of an earlier step (自评 ≤ 核实 ≤ 综合评价)."""
        problems: dict[str, str] = {}
        for n, (field, label) in enumerate(self.DEADLINES):
            date = getattr(self, field)
            for earlier, earlier_label in self.DEADLINES[:n]:
                before = getattr(self, earlier)
                if date is not None and before is not None and date < before:
                    problems[field] = gettext(
                        "%(step)s（%(date)s）早于%(earlier)s（%(before)s），应在%(earlier)s当天或之后"
                    ) % {
                        "step": label,
                        "date": date,
                        "earlier": earlier_label,
                        "before": before,
                    }
                    break
        return problems


class ResponsibilityLetter(models.Model):
    """目标责任书: the yearly targets issued to one unit, as values of the scheme's target inputs."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="letters")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="letters")
    targets = models.JSONField(_("目标值"), default=dict)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "unit"], name="one_letter_per_unit_and_cycle")]
        verbose_name = _("目标责任书")
        verbose_name_plural = _("目标责任书")

    def __str__(self) -> str:
        return f"{self.cycle} · {self.unit}"


class State(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交")
    VERIFYING = "verifying", _("核实中")
    RETURNED = "returned", _("已退回")
    VERIFIED = "verified", _("已核实")
    EVALUATED = "evaluated", _("已评价")
    APPROVED = "approved", _("已审定")
    PUBLISHED = "published", _("已通报")


# 逾期 per step and party (issue 10 §1): each step with a deadline, the unit states in which it is still owed, and the
# cycle's field holding its deadline. The one statement of the rule: Assessment.overdue_step decides it for a unit,
# late_steps for a whole cycle (dashboard counts and filters).
OVERDUE_STEPS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("self_evaluation", (State.DRAFT, State.RETURNED), "self_evaluation_deadline"),  # the unit has not submitted
    ("verification", (State.SUBMITTED, State.VERIFYING), "verification_deadline"),  # the lead units' step
)


def late_steps(cycle: Cycle, today: dt.date) -> list[tuple[str, tuple[str, ...]]]:
    """(step, the states that owe it) of every step of ``cycle`` whose deadline has passed on ``today``."""
    out = []
    for step, states, field in OVERDUE_STEPS:
        deadline = getattr(cycle, field)
        if deadline is not None and today > deadline:
            out.append((step, states))
    return out


class Assessment(models.Model):
    """One unit in one cycle. The transitions below only move the state; ``actions.py`` checks who may call them
    and writes the audit entry (django-fsm's ``protected`` is off so that tests can build states via actions)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="assessments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assessments")
    sequence = models.CharField(_("序列"), max_length=64)
    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["cycle", "unit"], name="one_assessment_per_unit_and_cycle")]
        verbose_name = _("考核单元")
        verbose_name_plural = _("考核单元")

    def __str__(self) -> str:
        return f"{self.cycle} · {self.unit}"

    @transition(field=state, source=[State.DRAFT, State.RETURNED], target=State.SUBMITTED)
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(field=state, source=State.SUBMITTED, target=State.VERIFYING)
    def start_verification(self) -> None:
        pass

    @transition(field=state, source=[State.SUBMITTED, State.VERIFYING], target=State.RETURNED)
    def return_to_unit(self) -> None:
        pass

    @transition(field=state, source=[State.SUBMITTED, State.VERIFYING], target=State.VERIFIED)
    def complete_verification(self) -> None:
        self.verified_at = timezone.now()

    @transition(field=state, source=State.VERIFIED, target=State.VERIFYING)
    def reopen_verification(self) -> None:
        """The office reopens a verified unit (e.g. after the approver sent the evaluation back over a verification
        error); its verifiers can then change their values, and the unit is verified again when they save."""
        self.verified_at = None

    @transition(field=state, source=[State.VERIFIED, State.EVALUATED], target=State.EVALUATED)
    def evaluate(self) -> None:
        pass

    @transition(field=state, source=State.EVALUATED, target=State.VERIFIED)
    def send_back(self) -> None:
        pass

    @transition(field=state, source=State.EVALUATED, target=State.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=state, source=State.APPROVED, target=State.PUBLISHED)
    def publish(self) -> None:
        pass

    @transition(field=state, source=State.APPROVED, target=State.VERIFIED)
    def withdraw_approval(self) -> None:
        """An appeal (申诉) upheld during 公示: the approval no longer holds, every unit goes back to 已核实 (as after
        the leader's send-back) so that the appellant's verification can be reopened (重新核实) and the cycle
        evaluated and approved again."""

    @property
    def is_unit_editable(self) -> bool:
        return self.state in (State.DRAFT, State.RETURNED)

    @property
    def is_verifiable(self) -> bool:
        """Its items await verification. A returned unit (已退回) stays verifiable: only its returned items wait for
        the unit (``SelfEvaluation.is_verifiable``); the other items stay with their verifiers (issue 10 §1)."""
        return self.state in (State.SUBMITTED, State.VERIFYING, State.RETURNED)

    def overdue_step(self, today: dt.date | None = None) -> str:
        """The step of this unit that is past its deadline, "" when none is (逾期 per step and party, issue 10 §1):

            "self_evaluation"  填报中 / 已退回 after the self-evaluation deadline: the unit has not submitted
            "verification"     已提交 / 核实中 after the verification deadline: the lead units' step, not the unit's

        A 已核实 unit owes nothing: the comprehensive evaluation is the office's step for the whole cycle
        (``kaohe.assessments.todo.deadline_lines``); the later steps have no deadline."""
        late = late_steps(self.cycle, today or timezone.localdate())
        return next((step for step, states in late if self.state in states), "")

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """The unit's own step or its verification is past its deadline (:meth:`overdue_step`)."""
        return bool(self.overdue_step(today))

    def overdue_text(self, today: dt.date | None = None) -> str:
        """Who owes the overdue step, in words; "" when nothing of this unit is overdue."""
        step = self.overdue_step(today)
        if step == "self_evaluation":
            return gettext("单位逾期未提交自评（自评截止 %(date)s）") % {"date": self.cycle.self_evaluation_deadline}
        if step == "verification":
            return gettext("牵头单位核实逾期（核实截止 %(date)s，非单位原因）") % {
                "date": self.cycle.verification_deadline
            }
        return ""

    @property
    def next_step_text(self) -> str:
        """Who owes the next step of this unit, in words, with its deadline where the cycle sets one."""
        cycle = self.cycle
        if self.state in (State.DRAFT, State.RETURNED):
            text, deadline = gettext("待单位填报，由单位负责人提交"), cycle.self_evaluation_deadline
        elif self.state in (State.SUBMITTED, State.VERIFYING):
            text, deadline = gettext("待牵头单位核实"), cycle.verification_deadline
        elif self.state == State.VERIFIED:
            text, deadline = gettext("待考核办综合评价"), cycle.evaluation_deadline
        elif self.state == State.EVALUATED:
            text, deadline = gettext("待领导审定"), None
        elif self.state == State.APPROVED:
            text, deadline = gettext("待考核办通报"), None
        else:
            return gettext("已通报")
        return gettext("%(step)s（截止 %(date)s）") % {"step": text, "date": deadline} if deadline else text


class SelfEvaluation(models.Model):
    """自评: the unit's values for the inputs one indicator reads.

    ``version`` is the optimistic-lock counter of the whole item: every save (the unit's or a verifier's) must name
    the version it started from and bumps it, so a concurrent save is refused instead of silently lost."""

    class ItemStatus(models.TextChoices):
        OPEN = "open", _("待核实")
        ACCEPTED = "accepted", _("核实无误")
        CHANGED = "changed", _("核实调整")
        RETURNED = "returned", _("退回补正")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    indicator_id = models.CharField(_("指标"), max_length=64)
    indicator_name = models.CharField(_("指标名称"), max_length=300)
    lead_unit = models.CharField(_("牵头单位"), max_length=100, blank=True)
    kind = models.CharField(max_length=16, default="base")  # base | bonus | deduction (the scheme node's kind)
    values = models.JSONField(_("自评值"), default=dict)
    self_score = models.DecimalField(_("自评得分"), max_digits=8, decimal_places=2, null=True, blank=True)
    explanation = models.TextField(_("自评说明"), blank=True)
    status = models.CharField(_("核实状态"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator_id"], name="one_item_per_indicator"),
        ]
        # The 待办 page and the queues count a lead unit's open items; the office's (items no lead unit claims) are
        # few among a province's 40,000, and the index finds them without reading the rest.
        indexes = [models.Index(fields=["lead_unit", "status"], name="item_lead_status")]
        verbose_name = _("自评项")
        verbose_name_plural = _("自评项")

    def __str__(self) -> str:
        return f"{self.assessment.unit} · {self.indicator_id}"

    @property
    def is_verifiable(self) -> bool:
        """A verifier may verify (or return) it now: the unit awaits verification and this item is not one the unit
        is correcting after a return."""
        return self.assessment.is_verifiable and self.status != self.ItemStatus.RETURNED

    @property
    def is_unit_editable(self) -> bool:
        """The unit may change it now: every item of a draft; only the returned items of a returned unit (the other
        items keep their values, verified ones stay verified)."""
        state = self.assessment.state
        return state == State.DRAFT or (state == State.RETURNED and self.status == self.ItemStatus.RETURNED)

    def verification_refusal(self) -> str | None:
        """Why a verifier cannot verify it now, in words with what to do; None when it can."""
        if self.is_verifiable:
            return None
        if self.status == self.ItemStatus.RETURNED:
            return gettext("该项已退回单位修改，单位重新提交后可以核实")
        state = self.assessment.state
        if state == State.DRAFT:
            return gettext("该单位尚未提交自评，提交后可以核实")
        return gettext("该单位当前状态为「%(state)s」，不能再核实；如需修改，请考核办重新核实") % {
            "state": State(state).label
        }


class Verification(models.Model):
    """核实核证 of one item: the values the lead unit confirms, kept beside the self-reported ones forever."""

    item = models.OneToOneField(SelfEvaluation, on_delete=models.CASCADE, related_name="verification")
    values = models.JSONField(_("核实值"), default=dict)
    score = models.DecimalField(_("核实得分"), max_digits=8, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("调整理由"), blank=True)
    comment = models.TextField(_("退回意见"), blank=True)
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("核实记录")
        verbose_name_plural = _("核实记录")

    def __str__(self) -> str:
        return f"{self.item} 核实"


class StoredFile(models.Model):
    """The fields of a kept upload besides its ``file`` (``uploads.store_upload`` fills them): the person's file name
    as data, the checked content type, the size and the SHA-256 that ``kaohe audit verify`` checks the file against."""

    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class Evidence(StoredFile):
    item = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/")  # the stored name is generated, never the user's
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    # Shown in the page (an <img>, a PDF in an <iframe>: views.evidence_preview); anything else is download only,
    # since a browser could run a file of another type as a page of this site.
    PREVIEW_KINDS = {"image/png": "image", "image/jpeg": "image", "image/gif": "image", "application/pdf": "pdf"}

    @property
    def preview_kind(self) -> str:
        """``image``, ``pdf`` or an empty string (download only)."""
        return self.PREVIEW_KINDS.get(self.content_type, "")


class ItemComment(models.Model):
    """One entry of an item's thread (issue 10 §2): the unit, the item's verifiers and the office write beside the
    values. A verifier's return (退回意见) is an entry too, so the unit's answer follows it in one thread. Entries
    are written by ``comments.py`` only, audited, and never edited or deleted."""

    class Role(models.TextChoices):
        UNIT = "unit", _("单位")
        VERIFIER = "verifier", _("核实人")
        OFFICE = "office", _("考核办")

    class Kind(models.TextChoices):
        COMMENT = "comment", _("留言")
        RETURN = "return", _("退回意见")

    item = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("留言人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The author's role when writing, in words on the page (a person's roles may change later).
    role = models.CharField(_("身份"), max_length=16, choices=Role.choices)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.COMMENT)
    text = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("留言时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("指标留言")
        verbose_name_plural = _("指标留言")

    def __str__(self) -> str:
        return f"{self.item} · {self.get_role_display()}留言"


class Appeal(models.Model):
    """申诉: a unit's objection to its draft result during 公示 (issue 10 §4), lodged by its head and decided by the
    office: upheld reopens the unit's verification (重新核实), rejected keeps the result with the reason. Written by
    ``appeals.py`` only, audited."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉驳回")

    cycle = models.ForeignKey(Cycle, verbose_name=_("考核周期"), on_delete=models.CASCADE, related_name="appeals")
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("考核单元"), on_delete=models.CASCADE, related_name="appeals"
    )
    reasons = models.TextField(_("申诉理由"))
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申诉人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lodged_at = models.DateTimeField(_("申诉时间"), default=timezone.now)
    decision = models.CharField(_("处理结果"), max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.TextField(_("处理意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["lodged_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"], condition=models.Q(decision="pending"), name="one_pending_appeal_per_unit"
            )
        ]
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")

    def __str__(self) -> str:
        return f"{self.assessment} · 申诉 #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.decision == self.Decision.PENDING


class AppealEvidence(StoredFile):
    """A file attached to an appeal, stored like ``Evidence`` (generated name, SHA-256 checked by audit verify)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="appeals/%Y/")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("申诉材料")
        verbose_name_plural = _("申诉材料")


class ImportedValue(models.Model):
    """An input value derived from monitoring data (kaohe.monitoring output files)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="imported_values")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    input_id = models.CharField(max_length=100)
    value = models.JSONField(null=True)
    source = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "unit", "input_id"], name="one_import_per_input")]


class Result(models.Model):
    """One unit's row of ``kaohe.score`` for the cycle, as stored by the comprehensive evaluation."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="results")
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="result")
    sequence = models.CharField(max_length=64)
    final_score = models.FloatField(null=True)
    base_total = models.FloatField(null=True)
    bonus = models.FloatField(null=True)
    deduction = models.FloatField(null=True)
    grade = models.CharField(max_length=16, blank=True)
    rank = models.PositiveIntegerField(null=True)
    advanced = models.BooleanField(default=False)
    interview = models.BooleanField(default=False)
    accountability = models.BooleanField(default=False)
    blocked = models.BooleanField(default=False)
    # 数据造假 ⇒ 不合格 and 政务失信记录 (seed 000 第十条); which falsification rule fired is in ``flags``.
    dishonesty_record = models.BooleanField(_("政务失信记录"), default=False)
    # A veto, falsification or 一票否决 rule fired (seed 001 四(三)1, seed 000 第十条, seed 002 第九条(三)).
    vetoed = models.BooleanField(_("一票否决"), default=False)
    # Who else is affected, in the scheme's words, e.g. "……党政主要领导、分管领导年度考核不得评优（第九条（三））".
    consequences = models.JSONField(_("否决后果"), default=list)
    flags = models.JSONField(default=list)
    missing = models.JSONField(default=list)
    scores = models.JSONField(default=dict)  # indicator id -> score
    inputs = models.JSONField(default=dict)  # the input row the engine scored, for explain()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["cycle", "sequence", "rank"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")

    def __str__(self) -> str:
        return f"{self.assessment} {self.final_score}"
