"""Demo data for the reminders: only email addresses, so the console shows the email channel too.

Nothing is sent here on purpose: the reminders the demo calls for are found by `scan_reminders` (or by
Celery beat within 15 minutes of `scripts/run.sh` starting), which is what the demo is meant to show.
"""

DEMO_EMAILS = {
    "secretary": "lijianguo@example.org",
    "member": "yangli@example.org",
    "county": "gaolan-zzb@example.org",
}


def seed(ctx) -> None:
    for username, address in DEMO_EMAILS.items():
        user = ctx.users.get(username)
        if user is not None and user.email != address:
            user.email = address
            user.save(update_fields=["email"])


def reset(ctx) -> None:
    """The demo accounts' reminders and notices belong to the season being rebuilt."""
    from .models import Notification, ReminderDelivery

    users = list(ctx.users.values())
    ReminderDelivery.objects.filter(recipient__in=users).delete()
    Notification.objects.filter(recipient__in=users).delete()
    from .services import notification_unread_forget

    for user in users:  # their badges count what is gone (issue 23's cached count)
        notification_unread_forget(user_id=user.pk)
