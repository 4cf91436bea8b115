"""Forms: raw input → domain values. The self-evaluation and verification forms are built from the scheme's
input definitions, one field per input the indicator reads."""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kaohe.assessments import schemes
from kaohe.assessments.dashboard import ProgressFilters
from kaohe.assessments.limits import MAX_APPEAL_CHARS, MAX_EXPLANATION_CHARS, MAX_REASON_CHARS
from kaohe.assessments.models import SelfEvaluation, State
from kaohe.core import InputDef, Scheme

# Allowed evidence types: extension → (content type, accepted leading bytes). Office files are ZIP (OOXML) or
# OLE2 (legacy); checking the leading bytes stops an executable renamed to .pdf.
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
}


def validate_evidence(upload: UploadedFile) -> str:
    """Return the content type of an acceptable evidence file; raise ValueError (in the active language) otherwise."""
    limit = settings.EVIDENCE_MAX_MB * 1024 * 1024
    if (upload.size or 0) > limit:
        raise ValueError(gettext("文件过大：最大 %(mb)d MB") % {"mb": settings.EVIDENCE_MAX_MB})
    if not upload.size:
        raise ValueError(gettext("文件为空"))
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ValueError(gettext("只接受 PDF、图片（PNG/JPG/GIF/WebP）和 Office 文件（Word/Excel/PowerPoint）"))
    content_type, magics = EVIDENCE_TYPES[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    # RIFF is also WAV and AVI: a WebP image names itself at bytes 8–12.
    if not any(head.startswith(m) for m in magics) or (suffix == ".webp" and head[8:12] != b"WEBP"):
        raise ValueError(gettext("文件内容与扩展名不符"))
    return content_type


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("佐证材料"))


class EvidenceChangeForm(forms.Form):
    """Replace (with ``file``) or delete one evidence file; ``sha256`` names the file the page showed."""

    sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    file = forms.FileField(label=_("新文件"), required=False)


class ItemCommentForm(forms.Form):
    # Empty and overlong comments are refused by comments.clean_text, in the same words for every caller.
    text = forms.CharField(label=_("留言"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    back = forms.ChoiceField(choices=[("assessment", _("单位页面")), ("verify", _("核实页面"))], required=False)


def _field_for(inp: InputDef, initial: Any) -> forms.Field:
    label = f"{inp.name}（{inp.unit}）" if inp.unit else inp.name
    help_text = inp.note if getattr(inp, "note", "") else ""
    if inp.kind == "boolean":
        return forms.TypedChoiceField(
            label=label,
            choices=[("", "—"), ("true", _("是")), ("false", _("否"))],
            required=False,
            initial="" if initial is None else ("true" if initial else "false"),
            help_text=help_text,
        )
    if inp.kind == "category":
        return forms.ChoiceField(
            label=label,
            choices=[("", "—"), *[(c, c) for c in inp.choices or []]],
            required=False,
            initial=initial,
            help_text=help_text,
        )
    if inp.kind == "list":
        # the format of input files and the Excel sheet (kaohe.core.tables.parse_cell): 2;0;1
        text = (
            ""
            if initial is None
            else ";".join(
                "是" if v is True else "否" if v is False else f"{v:g}" if isinstance(v, float) else str(v)
                for v in initial
            )
        )
        return forms.CharField(
            label=label, required=False, initial=text, help_text=help_text or _("每个断面一个值，用分号分隔，如 2;0;1")
        )
    return forms.CharField(label=label, required=False, initial="" if initial is None else initial, help_text=help_text)


class ItemValuesForm(forms.Form):
    """The values of one item, one field per input; type checks happen in ``actions.clean_values`` so that the
    API and Excel uploads share them. ``version`` carries the optimistic lock."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, item: SelfEvaluation, scheme: Scheme, initial_values: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.input_ids = list(item.values)
        for input_id in self.input_ids:
            self.fields[f"v_{input_id}"] = _field_for(schemes.input_def(scheme, input_id), initial_values.get(input_id))
        self.fields["version"].initial = item.version

    def raw_values(self) -> dict[str, Any]:
        return {input_id: self.cleaned_data.get(f"v_{input_id}") for input_id in self.input_ids}

    def value_fields(self) -> list[forms.BoundField]:
        return [self[f"v_{i}"] for i in self.input_ids]


class SelfEvaluationForm(ItemValuesForm):
    self_score = forms.DecimalField(label=_("自评得分"), required=False, max_digits=8, decimal_places=2)
    explanation = forms.CharField(
        label=_("自评说明"), required=False, max_length=MAX_EXPLANATION_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )


class VerificationForm(ItemValuesForm):
    score = forms.DecimalField(label=_("核实得分"), required=False, max_digits=8, decimal_places=2)
    reason = forms.CharField(
        label=_("调整理由（核实值与自评值不同时必填）"),
        required=False,
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("退回意见"), max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )


# The verifier's queue (views.cycle_verification): filters and sort orders, all GET parameters.
QUEUE_STATES = [
    ("", _("待核实")),  # the default: open items of units awaiting verification
    ("all", pgettext_lazy("filter choice", "全部")),
    *SelfEvaluation.ItemStatus.choices,
]
QUEUE_SORTS = [
    ("unit", _("单位")),
    ("indicator", _("指标")),
    ("state", _("核实状态")),
    ("submitted", _("提交时间")),
]


class LongSelect(forms.Select):
    """A <select> of thousands of options (the queue's 单位 of a 3,000-unit cycle), written in one pass: Django's
    Select renders a template per option, three quarters of the queue page's CPU there (benchmarks/web_load.py).
    Plain (value, label) choices only, as Select writes them: the same HTML."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = self.format_value(value)[:1]  # a single select marks its first match only
        options = format_html_join(
            "\n",
            '  <option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if [str(v)] == chosen else "", label) for v, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class QueueFilterForm(forms.Form):
    """The queue's filters. A value that is not one of the choices (an old bookmark, a hand-edited URL) is simply
    not applied: ``filters()`` returns only the valid ones."""

    # A province has thousands of units: a text field (a unit's code, or part of its name), not a select.
    unit = forms.CharField(
        label=_("单位（名称或代码）"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("全部单位")}),
    )
    indicator = forms.ChoiceField(label=_("指标"), required=False, widget=LongSelect)
    state = forms.ChoiceField(label=_("核实状态"), required=False, choices=QUEUE_STATES)
    lead = forms.ChoiceField(label=_("牵头单位"), required=False)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=QUEUE_SORTS)

    def __init__(
        self,
        data: Any,
        *,
        indicators: list[tuple[str, str]],
        leads: list[str],
    ) -> None:
        super().__init__(data)
        for name, choices in (
            ("indicator", [("", _("全部指标")), *indicators]),
            ("lead", [("", pgettext_lazy("filter choice", "全部")), *[(lead, lead) for lead in leads]]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices

    def filters(self) -> dict[str, str]:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class ProgressFilterForm(forms.Form):
    """The dashboard's progress table filters (GET). An invalid value is simply not applied."""

    state = forms.ChoiceField(label=_("状态"), required=False)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)
    unit = forms.CharField(label=_("单位名称或代码"), required=False, max_length=100)

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        field = self.fields["state"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("全部状态")), *State.choices]

    def progress_filters(self) -> ProgressFilters:
        self.is_valid()
        data = self.cleaned_data
        return ProgressFilters(
            state=data.get("state") or "", overdue=bool(data.get("overdue")), unit=(data.get("unit") or "").strip()
        )

    def query(self) -> dict[str, str]:
        """The filters as URL parameters, for the page links."""
        f = self.progress_filters()
        return {k: v for k, v in {"state": f.state, "overdue": "on" if f.overdue else "", "unit": f.unit}.items() if v}


class BatchVerifyForm(forms.Form):
    """批量核实无误: the rows ticked (``scope=selected``, ``items``) or every row the filter shows
    (``scope=filtered``, with the queue's GET filters posted back as they were)."""

    scope = forms.ChoiceField(choices=[("selected", _("所选")), ("filtered", _("当前筛选的全部"))])

    def item_ids(self) -> list[int]:
        ids = []
        for raw in self.data.getlist("items") if hasattr(self.data, "getlist") else self.data.get("items", []):
            try:
                ids.append(int(raw))
            except ValueError:
                continue  # not an id this page wrote; nothing to verify
        return ids


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("意见"), required=False, max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )


class PublicityDaysForm(forms.Form):
    publicity_days = forms.IntegerField(label=_("公示天数（0 表示不公示）"), min_value=0, max_value=60)


class AppealForm(forms.Form):
    """申诉: the reasons; the files (at most MAX_APPEAL_FILES, checked like evidence) come from ``files``."""

    reasons = forms.CharField(
        label=_("申诉理由"), max_length=MAX_APPEAL_CHARS, widget=forms.Textarea(attrs={"rows": 4})
    )


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("upheld", _("申诉成立（重新核实）")), ("rejected", _("申诉驳回"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("处理意见"), max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs={"rows": 2}))


class MonitoringImportForm(forms.Form):
    file = forms.FileField(label=_("监测结果文件（CSV、Excel 或 Parquet，含 unit_id 列）"))


class LetterTargetsImportForm(forms.Form):
    file = forms.FileField(label=_("目标值文件（下载的模板，.xlsx）"))
    issue = forms.BooleanField(label=_("导入后直接下达"), required=False)


def decimal_or_none(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


class CycleForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
    scheme_id = forms.ChoiceField(label=_("内置考核方案"), required=False)
    scheme_file = forms.FileField(label=_("或上传考核方案 YAML"), required=False)
    # ISO dates: an <input type="date"> shows nothing for the locale's 2025/02/28 (a pre-filled form would look empty)
    self_evaluation_deadline = forms.DateField(
        label=_("自评截止"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    verification_deadline = forms.DateField(
        label=_("核实截止"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    evaluation_deadline = forms.DateField(
        label=_("综合评价截止"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    publicity_days = forms.IntegerField(
        label=_("公示天数（审定后、通报前，0 表示不公示）"), min_value=0, max_value=60, initial=0, required=False
    )
    units: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("被考核单位"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    # 以此为基础新建: the cycle whose targets are copied as drafts (and whose uploaded scheme is reused when the
    # office picks no scheme); kaohe.assessments.letter_targets.check_open_cycle_from
    base = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from kaohe.assessments.models import Unit

        super().__init__(*args, **kwargs)
        scheme_field = self.fields["scheme_id"]
        assert isinstance(scheme_field, forms.ChoiceField)
        scheme_field.choices = [("", "—"), *schemes.builtin_choices()]
        self.fields["units"].queryset = Unit.objects.all()  # type: ignore[attr-defined]

    def clean_scheme_file(self) -> Any:
        upload = self.cleaned_data.get("scheme_file")
        if upload and PurePath(upload.name).suffix.lower() not in {".yaml", ".yml"}:
            raise forms.ValidationError(_("方案文件必须是 .yaml"))
        if upload and upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("方案文件过大"))
        return upload

    def clean(self) -> dict[str, Any]:
        from kaohe.assessments.models import Cycle

        data = super().clean() or {}
        # an order of deadlines that cannot work, next to the later field (actions.do_open_cycle refuses it too)
        dates = {field: data.get(field) for field, _ in Cycle.DEADLINES}
        for field, message in Cycle(**dates).deadline_problems().items():
            self.add_error(field, message)
        if not data.get("scheme_id") and not data.get("scheme_file") and not data.get("base"):
            raise forms.ValidationError(_("请选择内置方案或上传方案文件"))
        return data

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "year": data["year"],
            "scheme_id": data["scheme_id"] or "",
            "scheme_file": data["scheme_file"],
            "units": data["units"],
            "self_evaluation_deadline": data["self_evaluation_deadline"],
            "verification_deadline": data["verification_deadline"],
            "evaluation_deadline": data["evaluation_deadline"],
            "publicity_days": data.get("publicity_days") or 0,
        }
