from django.urls import reverse

from notifications.models import Notification
from notifications.services import notification_create


def test_it_marks_my_notification_read_and_goes_back_to_the_list(demo_orgs, login):
    note = notification_create(recipient=demo_orgs.users["member"], title="请投票", url="/rectification/my/")
    response = login("member").post(reverse("notifications:mark_read", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    note.refresh_from_db()
    assert note.read_at is not None


def test_it_opens_the_thing_to_do(demo_orgs, login):
    note = notification_create(recipient=demo_orgs.users["member"], title="请投票", url="/rectification/my/")
    response = login("member").post(reverse("notifications:mark_read", args=[note.pk]), {"go": "1"})
    assert response.status_code == 302 and response["Location"] == "/rectification/my/"
    note.refresh_from_db()
    assert note.is_read


def test_it_never_redirects_off_site(demo_orgs, login):
    note = notification_create(recipient=demo_orgs.users["member"], title="x", url="https://evil.example/")
    response = login("member").post(
        reverse("notifications:mark_read", args=[note.pk]), {"go": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notifications:list")


def test_it_refuses_someone_elses_notification(demo_orgs, login):
    note = notification_create(recipient=demo_orgs.users["secretary"], title="书记的")
    response = login("member").post(reverse("notifications:mark_read", args=[note.pk]))
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.read_at is None


def test_it_requires_post(demo_orgs, login):
    note = notification_create(recipient=demo_orgs.users["member"], title="x")
    assert login("member").get(reverse("notifications:mark_read", args=[note.pk])).status_code == 405
    assert Notification.objects.get(pk=note.pk).read_at is None
