from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchlife import xlsx
from branchlife.views import apply_validation_error, get_for_user, local_path, paginate
from meetings.models import Meeting
from organizations.models import Member, Organization

from . import selectors, services
from .forms import BranchChannelsForm, NotificationFilterForm, PreferenceForm
from .models import Notification, RobotPost


def _require_centre(user) -> None:
    if not user.has_perm("notifications.use_centre"):
        raise PermissionDenied


def _filtered(request):
    """The filter form and the user's notifications it selects (the list page and its export)."""
    _require_centre(request.user)
    form = NotificationFilterForm(request.GET or None)
    return form, selectors.notification_list(user=request.user, **form.filters())


@login_required
def notification_list(request):
    form, notifications = _filtered(request)
    return render(
        request,
        "notifications/notification_list.html",
        {"form": form, "page": paginate(request, notifications), "query": request.GET.urlencode()},
    )


@login_required
def notification_export(request):
    _form, notifications = _filtered(request)
    rows = (
        [
            n.created_at,
            n.get_kind_display(),
            n.title,
            n.body,
            _("已读") if n.read_at else _("未读"),
            request.build_absolute_uri(n.url) if n.url else "",
        ]
        for n in notifications
    )
    return xlsx.xlsx_response(
        filename="通知.xlsx",
        title=_("通知"),
        headers=[_("时间"), _("类型"), _("标题"), _("内容"), _("状态"), _("链接")],
        rows=rows,
    )


@login_required
@require_POST
def notification_mark_read(request, pk):
    notification = get_for_user(request.user, "notifications.change_notification", Notification, pk=pk)
    services.notification_mark_read(notification=notification)
    if request.POST.get("go") and local_path(request, notification.url):
        return redirect(notification.url)
    return redirect(_back(request))


@login_required
@require_POST
def notification_mark_all_read(request):
    _require_centre(request.user)
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect(_back(request))


@login_required
def preferences(request):
    _require_centre(request.user)
    pref = selectors.notification_preference_get(user=request.user)
    initial = {"email": request.user.email, "email_enabled": pref.email_enabled, "sms_enabled": pref.sms_enabled}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preference_update(
                user=request.user,
                email_enabled=form.cleaned_data["email_enabled"],
                email=form.cleaned_data["email"],
                sms_enabled=form.cleaned_data["sms_enabled"],
            )
        except ValidationError as exc:  # e.g. an address longer than the user model's 254 characters
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    member = Member.objects.filter(user=request.user, is_active=True).first()
    return render(request, "notifications/preferences.html", {"form": form, "member": member})


# ---------------------------------------------------------------- issue 16: who has been told, channels
@login_required
def meeting_told(request, pk):
    """通知送达情况: every notice about the meeting, and for each member how it reached them."""
    meeting = get_for_user(request.user, "notifications.view_delivery_status", Meeting, pk=pk)
    notices = selectors.meeting_notices(meeting=meeting)
    return render(request, "notifications/meeting_told.html", {"meeting": meeting, "notices": notices})


@login_required
def meeting_to_call(request, pk):
    """需电话或当面通知: the printable list for one notice (?kind=…&date=…), or for the newest one."""
    meeting = get_for_user(request.user, "notifications.view_delivery_status", Meeting, pk=pk)
    try:
        day = parse_date(request.GET.get("date", ""))
    except ValueError:  # well-formed but not a day (2026-02-30)
        day = None
    notice = selectors.notice_to_call(meeting=meeting, kind=request.GET.get("kind", ""), due_date=day)
    return render(request, "notifications/to_call.html", {"meeting": meeting, "notice": notice})


@login_required
def branch_channels(request, pk):
    """The branch's work-chat robots and SMS budget."""
    branch = get_for_user(request.user, "notifications.manage_branch_channels", Organization, pk=pk)
    channels = selectors.branch_channels_get(branch=branch)
    can_set_budget = request.user.has_perm("notifications.set_sms_budget", branch)
    form = BranchChannelsForm(request.POST or None, instance=channels, can_set_budget=can_set_budget)
    if request.method == "POST" and "test" in request.POST:
        for name, error in services.robots_test(branch=branch):
            label = RobotPost.Channel(name).label
            if error:
                messages.error(request, _("%(robot)s：测试消息发送失败。%(reason)s") % {"robot": label, "reason": error})
            else:
                messages.success(request, _("%(robot)s：测试消息已发送，请到群里查看。") % {"robot": label})
        return redirect("notifications:branch_channels", pk=branch.pk)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知渠道已保存。"))
        return redirect("notifications:branch_channels", pk=branch.pk)
    context = {
        "branch": branch,
        "form": form,
        "channels": channels,
        "sms_used": services.sms_month_used(branch=branch),
        "sms_on": bool(settings.SMS_BACKEND),
    }
    return render(request, "notifications/branch_channels.html", context)


def _back(request) -> str:
    return local_path(request, request.POST.get("next")) or reverse("notifications:list")
