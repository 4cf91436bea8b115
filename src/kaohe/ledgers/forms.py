"""The registers' small forms: each turns what a person typed into the values an action takes."""

from __future__ import annotations

from typing import Any

import polars as pl
from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.assessments.limits import MAX_REASON_CHARS
from kaohe.assessments.models import Unit
from kaohe.core.exceptions import Problem
from kaohe.ledgers.imports import field_label, row_cells
from kaohe.ledgers.models import MODELS, Complaint, LedgerRow
from kaohe.registers.kinds import Column, register_kind


class DateInput(forms.DateInput):
    input_type = "date"


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(format="%Y-%m-%d"))


def _text(label: Any, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("台账文件（.xlsx / .csv）"))


class ProgressForm(forms.Form):
    date = _date(_("调度日期"))
    text = _text(_("进展情况"))


class ApplyForm(forms.Form):
    completed_on = _date(_("完成整改日期"))
    text = _text(_("整改完成情况及佐证"))


class AcceptForm(forms.Form):
    closed_on = _date(_("销号日期"))
    text = _text(_("验收意见"))


class SendBackForm(forms.Form):
    reason = _text(_("退回理由"))


class ExtendForm(forms.Form):
    new_deadline = _date(_("延期后时限"))
    reason = _text(_("延期理由"))


class HandleForm(forms.Form):
    handling = _text(_("办理情况"))
    reply = _text(_("答复情况"), required=False)
    closed_on = _date(_("办结日期"), required=False)


# ------------------------------------------------------------------------------------------------ one row
def _row_field(model: type[LedgerRow], column: Column | None, name: str) -> forms.Field:
    """The form field of a register column (``column``) or of a web-only field (``name``, column None): text as a
    file would give it; the register's reader checks it (``imports.parse_ledger_frame``), as it checks a file."""
    label = field_label(model, name if name != "unit_id" else "unit")
    limit = None if name == "unit_id" else getattr(model._meta.get_field(name), "max_length", None)
    kind = column.kind if column is not None else "text"
    required = column is not None and column.required
    if name == "unit_id":
        units = [(u.code, f"{u.name}（{u.code}）") for u in Unit.objects.order_by("code")]
        return forms.ChoiceField(label=label, choices=[("", "—"), *units])
    if kind == "boolean" or name == "disclose":
        return forms.ChoiceField(label=label, choices=[("否", _("否")), ("是", _("是"))], initial="否")
    if kind == "choice" and column is not None:
        empty = [] if required else [("", "—")]
        return forms.ChoiceField(label=label, required=required, choices=[*empty, *((c, c) for c in column.choices)])
    if name == "follow_up":
        words = [str(label_) for _code, label_ in Complaint.FollowUp.choices]
        return forms.ChoiceField(label=label, required=False, choices=[("", "—"), *((w, w) for w in words)])
    if kind == "date":
        return forms.CharField(label=label, required=required, widget=DateInput(format="%Y-%m-%d"))
    long_text = limit is None or limit > 200
    widget = forms.Textarea(attrs={"rows": 3}) if long_text else forms.TextInput()
    return forms.CharField(label=label, required=required, max_length=limit, widget=widget, strip=True)


class RowForm(forms.Form):
    """新增 or 修改 one register row: a field per column of the register (and per web-only field), the reason."""

    def __init__(self, *args: Any, kind: str, row: LedgerRow | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        register, model = register_kind(kind), MODELS[kind]
        self.kind, self.row = kind, row
        self.headers: dict[str, str] = {}  # field name → the header its text goes under (the reader's column)
        for column in register.columns:
            self.fields[column.id] = _row_field(model, column, column.id)
            self.headers[column.id] = column.header
        for name in model.EXTRA_FIELDS:
            self.fields[name] = _row_field(model, None, name)
            self.headers[name] = f"_{name}"
        if row is not None:
            self.initial.update(row_cells(row))
            self.fields[register.key].disabled = True  # the key names the row: a new key is a new row
            if kind == "rectification":  # an extension is a step of its own, kept in the row's 调度记录
                self.fields["deadline"].help_text = _("延期请用详情页的“同意延期”（记入调度记录）；此处只更正录入错误")
        self.fields["reason"] = forms.CharField(
            label=_("修改原因") if row is not None else _("说明（可不填）"),
            required=row is not None,
            max_length=MAX_REASON_CHARS,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def frame(self) -> pl.DataFrame:
        """The cleaned row as a one-row table of text, headed as the register's template (and export) head it."""
        # a browser sends a text box's line breaks as CRLF: kept as the "\n" a file and the stored row have, so that
        # a form saved as it was shown changes nothing (and a line break is one character of the field's length)
        text = {n: str(self.cleaned_data.get(n) or "").replace("\r\n", "\n").replace("\r", "\n") for n in self.headers}
        cells = {self.headers[n]: [text[n]] for n in self.headers}
        return pl.DataFrame(cells, schema=dict.fromkeys(cells, pl.String))

    def place(self, problems: list[Problem]) -> None:
        """Each mistake the reader found, on the field of its column (the form's top for the others)."""
        by_header = {header: name for name, header in self.headers.items()}
        for problem in problems:
            name = by_header.get(problem.column or "")
            message = problem.message if not problem.expected else f"{problem.message}（{problem.expected}）"
            self.add_error(name if name in self.fields else None, message)
