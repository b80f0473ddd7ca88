"""Issue 24, the ledger and an item's page: the ledger's phone cards (item 1, the layout itself in
tests/browser/test_issue24_phone_journey.py), the item's breadcrumb and a closed item's forms, 新建整改事项's
meeting (item 9)."""

from django.urls import reverse

from rectification import services
from rectification.models import RectificationItem

from .factories import ItemFactory, MeetingFactory, ProblemFactory


def test_the_ledger_lists_each_item_once_as_a_card_and_once_as_a_row(login, office, yang):
    ItemFactory(responsible=yang, title="杨丽的事项")
    page = login("secretary").get(reverse("rectification:ledger", args=[office.pk])).content.decode()
    # Cards for a phone, the table for wider screens (Bootstrap's d-md-none / d-none d-md-block).
    cards = page.index('data-testid="ledger-cards"')
    assert 'class="d-md-none" data-testid="ledger-cards"' in page
    assert page.count('data-testid="ledger-card"') == 1 and page.count('data-testid="ledger-row"') == 1
    assert 'class="table-responsive d-none d-md-block"' in page
    card = page[cards : page.index("table-responsive d-none d-md-block")]
    assert "杨丽的事项" in card and "责任人：杨丽" in card
    assert "{#" not in page and "{% comment" not in page  # the card's own comment is not shown


def test_new_item_starts_from_the_meeting_whose_problems_are_rectified(login, office, meeting, yang):
    ProblemFactory(meeting=meeting, member=yang)
    newer = MeetingFactory(branch=office, year=meeting.year + 1)  # in preparation: no problem list yet
    page = login("secretary").get(reverse("rectification:ledger", args=[office.pk])).content.decode()
    create = reverse("rectification:item_create", args=[office.pk])
    assert f'href="{create}?meeting={meeting.pk}"' in page
    assert f"?meeting={newer.pk}" not in page


def test_a_secretary_reading_a_members_item_sees_the_ledger_not_my_items(login, item, member_user):
    page = login("secretary").get(reverse("rectification:item_detail", args=[item.pk])).content.decode()
    crumbs = page[page.index('<ol class="breadcrumb">') : page.index("</ol>")]
    assert "整改台账" in crumbs and "我的整改事项" not in crumbs
    page = login("member").get(reverse("rectification:item_detail", args=[item.pk])).content.decode()
    crumbs = page[page.index('<ol class="breadcrumb">') : page.index("</ol>")]
    assert "我的整改事项" in crumbs  # 杨丽's own item


def test_a_closed_item_offers_the_follow_up_not_verification(login, item, member_user, secretary_user):
    services.item_submit(item=item, actor=member_user, note="已完成")
    client = login("secretary")
    pending = client.get(reverse("rectification:item_detail", args=[item.pk])).content.decode()
    assert reverse("rectification:item_reopen", args=[item.pk]) in pending  # pending: verify or send back
    services.rectification_item_close(item=item, actor=secretary_user, note="核验通过")
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.CLOSED
    page = client.get(reverse("rectification:item_detail", args=[item.pk])).content.decode()
    verify = page[page.index('id="verify"') :]
    assert '<h2 class="h6">回头看</h2>' in verify and '<h2 class="h6">核验</h2>' not in verify
    assert reverse("rectification:item_reopen", args=[item.pk]) not in page and "退回原因" not in page
    assert reverse("rectification:item_follow_up", args=[item.pk]) in page
