"""Helpers the meetings views share."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from branchlife.permissions import actor_of
from branchlife.views import get_for_user

from ..models import Meeting


def error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def error_text(messages_: list[str]) -> str:
    """Several refusals in one Chinese sentence, parted by a full-width semicolon."""
    return "；".join(messages_)


def request_member(request):
    return actor_of(request.user).member


def public_url(meeting: Meeting) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("meetings:public_opinion", args=[meeting.public_token])


def perm_flags(user, meeting) -> dict:
    return {
        "can_manage": user.has_perm("meetings.change_meeting", meeting),
        "can_see_notices": user.has_perm("notifications.view_delivery_status", meeting),
        "can_oversee": user.has_perm("meetings.view_timeline", meeting),
        "can_review": user.has_perm("meetings.review_self_reviews", meeting),
        "can_record": user.has_perm("meetings.record_meeting", meeting),
        "can_close": user.has_perm("meetings.close_meeting", meeting),
        "is_member": user.has_perm("meetings.write_self_review", meeting),
        "can_see_authors": user.has_perm("meetings.view_opinion_authors", meeting),
    }


def record_meeting(request, pk, perm="meetings.record_meeting"):
    return get_for_user(request.user, perm, Meeting.objects.select_related("branch"), pk=pk)
