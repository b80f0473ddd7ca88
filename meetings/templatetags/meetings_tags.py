from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (key, label, url name, permission) — the meeting's tabs, each shown only to who may open it.
TABS = [
    ("detail", _("概况"), "meetings:meeting_detail", "meetings.view_meeting"),
    ("timeline", _("进度"), "meetings:timeline", "meetings.view_timeline"),
    ("study", _("会前学习"), "meetings:study_list", "meetings.view_study"),
    ("opinions", _("征求意见"), "meetings:opinion_list", "meetings.view_opinions"),
    ("forums", _("座谈会"), "meetings:forum_list", "meetings.view_forums"),
    ("talks", _("谈心谈话"), "meetings:talk_list", "meetings.view_talks"),
    ("selfreviews", _("对照检查材料"), "meetings:selfreview_list", "meetings.list_self_reviews"),
    ("myreview", _("我的对照检查"), "meetings:selfreview_mine", "meetings.write_self_review"),
    ("attendance", _("议程与出席"), "meetings:attendance", "meetings.view_record"),
    ("record", _("会议记录"), "meetings:record", "meetings.record_meeting"),
    ("report", _("情况报告"), "meetings:report", "meetings.view_report"),
]


@register.inclusion_tag("meetings/_nav.html", takes_context=True)
def meeting_nav(context, meeting, active=""):
    user = context["request"].user
    tabs = []
    for key, label, url_name, perm in TABS:
        if not user.has_perm(perm, meeting):
            continue
        try:
            url = reverse(url_name, args=[meeting.pk])
        except NoReverseMatch:
            continue
        tabs.append({"key": key, "label": label, "url": url, "active": key == active})
    return {"meeting": meeting, "tabs": tabs}


@register.filter
def hints_at(hints, index):
    """The hints for the problem at `index` of a ReviewHints."""
    return hints.problems.get(index, []) if hints else []


@register.filter
def dict_get(mapping, key):
    return (mapping or {}).get(key)


CN_NUMERALS = "一二三四五六七八九十"


@register.filter
def cn_ordinal(n):
    """1 → 一, 12 → 十二: for "一是 …;二是 …" in the report (other languages keep the digits)."""
    n = int(n)
    if not (get_language() or "zh").startswith("zh"):
        return str(n)
    if n <= 10:
        return CN_NUMERALS[n - 1]
    if n < 20:
        return "十" + CN_NUMERALS[n - 11]
    return str(n)
