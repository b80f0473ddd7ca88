from lifecycle import demo as lifecycle_demo
from meetings import demo as meetings_demo
from meetings.models import Meeting
from rectification import demo
from rectification.models import FollowUpReview, ItemHistory, Problem, RectificationItem


def _snapshot():
    return (
        sorted(Problem.objects.values_list("member__name", "source_kind", "text"), key=str),
        sorted(RectificationItem.objects.values_list("responsible__name", "title", "status", "deadline")),
        ItemHistory.objects.count(),
        FollowUpReview.objects.count(),
    )


def _seeded(ctx):
    meetings_demo.seed(ctx)
    lifecycle_demo.seed(ctx)  # the closed meetings' problem lists, as seed_demo runs it
    demo.seed(ctx)


def test_it_seeds_every_status_and_is_safe_to_run_twice(demo_orgs):
    _seeded(demo_orgs)
    first = _snapshot()
    demo.seed(demo_orgs)
    assert _snapshot() == first
    items = RectificationItem.objects.filter(branch=demo_orgs.orgs["office"])
    assert set(items.values_list("status", flat=True)) == {"not_started", "in_progress", "pending", "closed"}
    assert items.filter(deadline__lt=demo_orgs.season.anchor).exclude(status="closed").count() >= 3
    assert FollowUpReview.objects.filter(result="consolidated").exists()
    assert FollowUpReview.objects.filter(result="rebound").exists()
    # every member of the branch gets a card with both sides filled
    members = demo_orgs.members["office"].values()
    assert all(Problem.objects.filter(member=m, source_kind="criticism").exists() for m in members)
    assert all(items.filter(responsible=m).exists() for m in members)
    yang = demo_orgs.members["office"]["杨丽"]
    open_items = items.filter(responsible=yang).exclude(status="closed")
    assert open_items.count() >= 2
    assert open_items.filter(deadline__lt=demo_orgs.season.anchor, status="in_progress").exists()


def test_the_ledger_is_last_years_and_each_item_answers_its_problem(demo_orgs):
    _seeded(demo_orgs)
    last_year = Meeting.objects.get(branch=demo_orgs.orgs["office"], year=demo_orgs.season.last_year)
    items = RectificationItem.objects.filter(branch=demo_orgs.orgs["office"]).prefetch_related("problems")
    # besides, the three items of two years ago (issue 20: problems that came back), all closed long since
    earlier = items.filter(meeting__year=demo_orgs.season.last_year - 1)
    assert set(earlier.values_list("status", flat=True)) == {"closed"} and earlier.count() == len(demo.EARLIER)
    items = items.exclude(pk__in=earlier)
    assert set(items.values_list("meeting_id", flat=True)) == {last_year.pk}
    for item in items:
        (problem,) = item.problems.all()
        assert demo.ANSWERS[problem.text] == (item.title, item.measures)
        assert problem.member_id in (item.responsible_id, None)
    # no problem without an item: the card's back answers its front
    assert not Problem.objects.filter(meeting=last_year, items__isnull=True).exists()
    current = Meeting.objects.get(branch=demo_orgs.orgs["office"], year=demo_orgs.season.year)
    assert not Problem.objects.filter(meeting=current).exists()
