"""seed_scale builds a county and a consistent season; bench_dashboard measures it."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from dashboard import selectors
from evaluations.models import Ballot, BallotMark, Candidate, Evaluation, Voter
from evaluations.policy import Quota, excellent_quota
from meetings.models import Forum, Meeting, Opinion, SelfReview, Talk
from organizations.models import Member, Organization
from rectification.models import RectificationItem


def test_it_builds_a_county_and_a_full_season(db):
    out = io.StringIO()
    call_command("seed_scale", "--branches", "40", "--members", "640", "--name", "小县", "--year", "2026", stdout=out)
    county = Organization.objects.get(name="小县")
    assert "40 branches" in out.getvalue()
    assert Member.objects.filter(branch__path__startswith=county.path).count() == 640
    meetings = Meeting.objects.filter(branch__path__startswith=county.path, year=2026)
    assert 30 <= meetings.count() <= 40
    assert meetings.filter(closed_at__isnull=False).exists() and meetings.filter(closed_at__isnull=True).exists()
    assert Opinion.objects.filter(meeting__in=meetings).exists() and Talk.objects.filter(meeting__in=meetings).exists()
    assert SelfReview.objects.filter(meeting__in=meetings, status="approved").exists()
    statuses = set(RectificationItem.objects.filter(meeting__in=meetings).values_list("status", flat=True))
    assert statuses == {"not_started", "in_progress", "pending", "closed"}


def test_its_forums_have_supervisors_participants_and_their_opinions(db):
    out = io.StringIO()
    call_command("seed_scale", "--branches", "40", "--members", "640", "--name", "小县", stdout=out)
    forums = Forum.objects.filter(meeting__branch__name__startswith="小县").select_related("meeting")
    assert forums.exists() and f"{forums.count()} forums" in out.getvalue()
    assert all(f.meeting.closed_at and f.held_on <= f.meeting.held_on and f.member_participants > 0 for f in forums)
    with_supervisor = forums.filter(supervisors__isnull=False).distinct()
    assert 0 < with_supervisor.count() <= forums.count()
    for forum in with_supervisor:
        assert set(forum.supervisors.all()) <= set(forum.meeting.supervisors.all())
    linked = Opinion.objects.filter(forum__in=forums)
    assert linked.exists() and not linked.exclude(channel="forum").exists()
    assert all(o.received_on == o.forum.held_on for o in linked.select_related("forum"))
    assert linked.filter(status="answered", answered_on=F("forum__held_on")).exists()


def test_its_ballots_are_consistent_and_anonymous(db):
    call_command("seed_scale", "--branches", "40", "--members", "640", "--name", "小县", stdout=io.StringIO())
    evaluations = Evaluation.objects.annotate(
        voted=Count("voters", filter=~Q(voters__channel=""), distinct=True),
        candidates_n=Count("candidates", distinct=True),
    )
    assert evaluations.exists()
    for e in evaluations:
        ballots = Ballot.objects.filter(evaluation=e).count()
        assert ballots == e.voted  # one ballot per voter who voted, online or on paper
        assert BallotMark.objects.filter(evaluation=e).count() == ballots * e.candidates_n
        excellent = Candidate.objects.filter(evaluation=e, final_grade="excellent").count()
        quota = excellent_quota(quota=Quota.of(e.excellent_quota_numerator, e.excellent_quota_denominator), candidates=e.candidates_n)
        assert quota is None or excellent <= quota
    # Nothing ties a ballot to a voter: no voter column, no time on ballots or marks.
    assert not {"voter", "member", "created_at"} & {f.name for f in Ballot._meta.get_fields()}
    assert Voter.objects.exclude(channel="").exists()


def test_the_dashboard_reads_it(db):
    call_command("seed_scale", "--branches", "20", "--members", "400", "--name", "小县", stdout=io.StringIO())
    county = Organization.objects.get(name="小县")
    data = selectors.compute_dashboard(node=county, season=selectors.Season(selectors.timezone.localdate().year))
    assert data.totals.branches == 20 and data.totals.meetings > 0 and data.totals.talks_done > 0


def test_it_refuses_a_county_that_exists(db):
    call_command("seed_scale", "--branches", "2", "--members", "20", "--name", "小县", stdout=io.StringIO())
    with pytest.raises(CommandError, match="已经存在"):
        call_command("seed_scale", "--branches", "2", "--members", "20", "--name", "小县", stdout=io.StringIO())
    assert Organization.objects.filter(name="小县").count() == 1


def test_bench_dashboard_prints_percentiles_and_the_ratio(db):
    call_command("seed_scale", "--branches", "10", "--members", "100", "--name", "小县", "--officer", "bench",
                 stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench_dashboard", "--officer", "bench", "--runs", "2", "--warmup", "0", stdout=out)
    text = out.getvalue()
    assert "cold p50" in text and "ratio" in text
    assert "小县" in text and "小县第1镇党委" in text


def test_it_builds_a_year_of_activities_with_gaps(db):
    """Issue 18: a year and more of 三会一课 and 主题党日 in every branch, each with its own diligence, so
    that some branches skip their 支委会 and the quarterly ranking has something to rank."""
    import datetime as dt

    from activities import rhythm
    from activities.models import Activity, Kind
    from tests.clock import TODAY

    out = io.StringIO()
    call_command("seed_scale", "--branches", "40", "--members", "640", "--name", "小县", stdout=out)
    county = Organization.objects.get(name="小县")
    branches = list(Organization.objects.filter(path__startswith=county.path, level=Organization.Level.BRANCH))
    assert Organization.objects.filter(path__startswith=county.path, level=Organization.Level.GROUP).count() == 10
    records = Activity.objects.filter(branch__in=branches)
    assert "三会一课 and 主题党日 records" in out.getvalue() and records.count() > 40 * 20
    assert set(records.values_list("kind", flat=True)) == set(Kind.values)
    assert not records.filter(held_on__gt=dt.date.today()).exists()
    year, quarter = rhythm.previous_quarter(*rhythm.quarter_of(TODAY))
    start, end = rhythm.quarter_bounds(year, quarter)
    kept = rhythm.branch_rhythms(branches=branches, start=start, end=end, today=end + dt.timedelta(days=1))
    missing = [r for r in kept.values() if r.missing]
    assert 0 < len(missing) < len(branches)  # gaps, and not everywhere
