import datetime as dt

from django.utils import timezone

from rectification import demo
from rectification.models import FollowUpReview, ItemHistory, Problem, RectificationItem


def _snapshot():
    return (
        sorted(Problem.objects.values_list("member__name", "source_kind", "text"), key=str),
        sorted(RectificationItem.objects.values_list("responsible__name", "title", "status", "deadline")),
        ItemHistory.objects.count(),
        FollowUpReview.objects.count(),
    )


def test_it_seeds_every_status_and_is_safe_to_run_twice(demo_orgs):
    demo.seed(demo_orgs)
    first = _snapshot()
    demo.seed(demo_orgs)
    assert _snapshot() == first
    items = RectificationItem.objects.filter(branch=demo_orgs.orgs["office"])
    assert set(items.values_list("status", flat=True)) == {"not_started", "in_progress", "pending", "closed"}
    assert items.filter(deadline__lt=timezone.localdate()).exclude(status="closed").count() >= 3
    assert FollowUpReview.objects.filter(result="consolidated").exists()
    assert FollowUpReview.objects.filter(result="rebound").exists()
    # every member of the branch gets a card with both sides filled
    members = demo_orgs.members["office"].values()
    assert all(Problem.objects.filter(member=m, source_kind="criticism").exists() for m in members)
    assert all(items.filter(responsible=m).exists() for m in members)
    yang = demo_orgs.members["office"]["杨丽"]
    assert items.filter(responsible=yang).exclude(status="closed").count() >= 2


def test_it_uses_the_shared_meeting_key(demo_orgs):
    from meetings.models import Meeting

    existing = Meeting.objects.create(branch=demo_orgs.orgs["office"], year=2026, kind="annual",
                                      held_on=timezone.localdate() - dt.timedelta(days=20))
    demo.seed(demo_orgs)
    assert Meeting.objects.filter(branch=demo_orgs.orgs["office"]).count() == 1
    assert Problem.objects.filter(meeting=existing).count() > 100
