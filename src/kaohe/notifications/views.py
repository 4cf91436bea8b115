"""The inbox: a person's notifications, newest first, 50 a page, each with 标为已读, and 全部标为已读."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kaohe.notifications import actions
from kaohe.notifications.models import Notification

PER_PAGE = 50


class ReadForm(forms.Form):
    id = forms.IntegerField(min_value=1, max_value=2**63 - 1)


def _back(request: HttpRequest) -> HttpResponse:
    """To the inbox page the person came from."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("notification_inbox")


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient_id=request.user.pk).order_by("-created_at", "-id")
    page = Paginator(mine, PER_PAGE).get_page(request.GET.get("page"))
    unread = mine.filter(read_at__isnull=True).count()
    return render(request, "notifications/inbox.html", {"page": page, "unread": unread})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    form = ReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("没有指明要标为已读的通知"))
        return _back(request)
    try:
        row = actions.check_mark_read(notification_id=form.cleaned_data["id"], acting_user=request.user)
    except actions.NotificationError as exc:
        messages.error(request, str(exc))
        return _back(request)
    messages.success(request, _("已标为已读：%(title)s") % {"title": row.title})
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = actions.check_mark_all_read(acting_user=request.user)
    if count:
        text = ngettext("已将 %(count)d 条通知标为已读", "已将 %(count)d 条通知标为已读", count) % {"count": count}
    else:
        text = _("没有未读通知")
    messages.success(request, text)
    return _back(request)
