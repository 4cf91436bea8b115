"""The registers' small forms: each turns what a person typed into the values an action takes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.assessments.limits import MAX_REASON_CHARS


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
