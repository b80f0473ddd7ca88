"""The navigation bar: what each role sees, decided from the permission module's view of the user."""

from django.utils.functional import SimpleLazyObject

from .navigation import menu_and_frame
from .permissions import actor_of


def navigation(request):
    items, frame = menu_and_frame()
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"frame_urls": frame}
    actor = actor_of(user)
    roles = set()
    if actor.member:
        roles.add("member")
    if actor.officer_org or actor.is_superuser:
        roles.add("officer")
    if actor.supervised_branch_ids or hasattr(user, "supervisor"):
        roles.add("supervisor")
    return {
        "nav_items": [{"label": label, "url": url} for label, url, who in items if roles & who],
        "frame_urls": frame,
        "actor": actor,
        "notification_unread": _unread_count(user),
    }


def _unread_count(user):
    """The badge in the navigation: one indexed COUNT, run only when a page actually renders it."""
    from notifications.selectors import notification_unread_count

    return SimpleLazyObject(lambda: notification_unread_count(user=user))
