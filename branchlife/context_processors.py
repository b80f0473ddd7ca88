"""The navigation bar: what each role sees, decided from the permission module's view of the user."""

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .permissions import actor_of

# (label, url name, who sees it). Apps add their entries here as they land; a url name that does not
# resolve (yet) is skipped.
NAV_ITEMS = [
    (_("我的待办"), "meetings:my_home", "member"),
    (_("组织生活会"), "meetings:meeting_list", "member|officer|supervisor"),
    (_("民主评议"), "evaluations:evaluation_list", "member|officer"),
    (_("我的整改"), "rectification:my_items", "member"),
    (_("三会一课"), "activities:mine", "member"),
    (_("看板"), "dashboard:index", "officer"),
    (_("督导工作"), "dashboard:supervisor_home", "supervisor"),
    (_("本支部"), "organizations:my_branch", "member"),
    (_("组织"), "organizations:my_organization", "officer"),
    (_("支部"), "organizations:branch_list", "officer|supervisor"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = actor_of(user)
    roles = set()
    if actor.member:
        roles.add("member")
    if actor.officer_org or actor.is_superuser:
        roles.add("officer")
    if actor.supervised_branch_ids or hasattr(user, "supervisor"):
        roles.add("supervisor")
    items = []
    for label, url_name, who in NAV_ITEMS:
        if not roles & set(who.split("|")):
            continue
        try:
            items.append({"label": label, "url": reverse(url_name)})
        except NoReverseMatch:
            continue
    return {"nav_items": items, "actor": actor, "notification_unread": _unread_count(user)}


def _unread_count(user):
    """The badge in the navigation: one indexed COUNT, run only when a page actually renders it."""
    from notifications.selectors import notification_unread_count

    return SimpleLazyObject(lambda: notification_unread_count(user=user))
