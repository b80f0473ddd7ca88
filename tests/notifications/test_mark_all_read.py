from django.urls import reverse

from notifications.models import Notification
from notifications.services import notification_create


def test_it_marks_all_my_notifications_read_and_no_one_elses(demo_orgs, login):
    for i in range(3):
        notification_create(recipient=demo_orgs.users["member"], title=f"n{i}")
    other = notification_create(recipient=demo_orgs.users["secretary"], title="书记的")
    response = login("member").post(reverse("notifications:mark_all_read"), follow=True)
    assert response.status_code == 200
    assert "已将 3 条通知标为已读" in response.content.decode()
    assert not Notification.objects.filter(recipient=demo_orgs.users["member"], read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_it_requires_post(demo_orgs, login):
    notification_create(recipient=demo_orgs.users["member"], title="x")
    assert login("member").get(reverse("notifications:mark_all_read")).status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
