"""Test helpers that move the demo's season along, as a secretary would."""


def office_vote_opens_today():
    """水阜镇机关党支部's current annual meeting is held today and its vote opens: the demo's season has it
    in preparation, so a journey that votes brings it forward. 12 members have voted online and 2 on
    paper; the `member` and `secretary` accounts have not. Returns (season, evaluation)."""
    import datetime as dt
    import random

    from django.utils import timezone

    from evaluations import services
    from evaluations.demo import _random_content
    from evaluations.models import Candidate
    from meetings.models import Meeting
    from organizations.demo import Season
    from organizations.models import Member, Organization

    season = Season(anchor=timezone.localdate())
    # The meetings demo builds it; a test with only the demo's organizations gets a bare one.
    meeting, _created = Meeting.objects.get_or_create(
        branch=Organization.objects.get(name="水阜镇机关党支部"), year=season.year, kind=Meeting.Kind.ANNUAL,
        defaults={"held_on": season.anchor, "excellent_quota_numerator": 3, "excellent_quota_denominator": 10},
    )
    yesterday = season.day(-1)
    Meeting.objects.filter(pk=meeting.pk).update(
        held_on=season.anchor, opinions_close_on=yesterday, talks_due_on=yesterday, self_reviews_due_on=yesterday,
    )
    meeting.refresh_from_db()
    members = {m.name: m for m in Member.objects.filter(branch=meeting.branch, is_active=True).order_by("id")}
    now = timezone.now()
    # An hour ago, but not before the meeting's day began (voting follows the meeting, issue 17).
    opens_at = max(now - dt.timedelta(hours=1), timezone.make_aware(dt.datetime.combine(season.anchor, dt.time.min)))
    evaluation = services.evaluation_create(
        meeting=meeting, opens_at=opens_at, closes_at=now + dt.timedelta(days=2),
        with_qualifications=True,
        # All 28 are evaluated here (the default would be the 25 in service): 30% of 28 → 8 优秀 a ballot.
        candidates=list(members.values()), voters=list(members.values()),
    )
    candidates = {c.member.name: c.pk for c in Candidate.objects.filter(evaluation=evaluation).select_related("member")}
    rng = random.Random(2026)
    others = [n for n in members if n not in ("李建国", "杨丽")]
    for name in others[:12]:
        services.ballot_cast(evaluation=evaluation, member=members[name], content=_random_content(rng, candidates, 5))
    secretary = members["李建国"].user
    services.paper_voters_set(evaluation=evaluation, members=[members[n] for n in others[12:14]], by=secretary)
    for _name in others[12:14]:
        services.paper_ballot_enter(evaluation=evaluation, content=_random_content(rng, candidates, 5), spoiled=False, by=secretary)
    return season, evaluation
