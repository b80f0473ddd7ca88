import pytest
from django.urls import reverse

from notifications.models import Kind, Notification
from notifications.services import notification_create


def make(user, n, **kw):
    return [notification_create(recipient=user, title=f"通知{i}", body="内容", url="/", **kw) for i in range(n)]


def test_it_lists_only_my_notifications_newest_first(demo_orgs, login):
    make(demo_orgs.users["member"], 2)
    notification_create(recipient=demo_orgs.users["secretary"], title="书记的通知")
    response = login("member").get(reverse("notifications:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "通知1" in page and "通知0" in page and "书记的通知" not in page
    assert page.index("通知1") < page.index("通知0")


def test_it_shows_the_unread_count_in_the_navigation(demo_orgs, login):
    make(demo_orgs.users["member"], 3)
    Notification.objects.filter(title="通知0").update(read_at="2026-11-25T10:00:00+08:00")
    page = login("member").get(reverse("notifications:list")).content.decode()
    assert '<span class="badge bg-light text-danger" id="unread-count">2</span>' in page
    # The phone's bell is the project's own drawing, not an emoji (an empty box where no emoji font is
    # installed; issue 24 item 5).
    assert 'aria-label="2 条未读通知"><svg class="bl-bell"' in page and "🔔" not in page


def test_it_filters_by_state_kind_and_search(demo_orgs, login):
    user = demo_orgs.users["member"]
    notification_create(recipient=user, title="请投票", kind=Kind.BALLOT_CLOSING)
    read = notification_create(recipient=user, title="整改事项到期", kind=Kind.ITEM_DUE_TODAY)
    read.read_at = read.created_at
    read.save()
    client = login("member")
    url = reverse("notifications:list")
    assert "整改事项到期" not in client.get(url, {"state": "unread"}).content.decode()
    assert "请投票" not in client.get(url, {"kind": Kind.ITEM_DUE_TODAY}).content.decode()
    page = client.get(url, {"q": "投票"}).content.decode()
    assert "请投票" in page and "整改事项到期" not in page


def test_it_exports_the_filtered_list_to_xlsx(demo_orgs, login):
    from io import BytesIO

    from openpyxl import load_workbook

    make(demo_orgs.users["member"], 2)
    response = login("member").get(reverse("notifications:export"), {"q": "通知1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("时间", "类型", "标题") and len(rows) == 2 and rows[1][2] == "通知1"


@pytest.mark.parametrize("count", [1, 20])
def test_it_lists_in_a_fixed_number_of_queries(demo_orgs, login, django_assert_num_queries, count):
    make(demo_orgs.users["member"], count)
    client = login("member")
    client.get(reverse("notifications:list"))  # warm the session and content-type caches
    # session, user, actor (member, officer, supervisor in one query), page count, page rows; the unread
    # badge comes from the cache (issue 23)
    with django_assert_num_queries(5):
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 200 and len(response.context["page"].object_list) == count
