"""Seed 001's figures for a period and subtree: page, chart data and .xlsx."""

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from dashboard import supervision
from meetings.models import Attendance, Forum, Meeting, Opinion
from organizations.models import Supervisor
from tests.organizations.factories import UserFactory

from .conftest import days


def more_supervision(known):
    """A second supervisor present at 一支部's meeting and at 三支部's meeting of last month (no attendance
    recorded there), where both supervisors held a forum; a forum without a supervisor, one before the
    period and one in the future are never counted.

    Forums counted: F1 (一支部, 督导甲, 5 members + 3 others, 2 opinions, 1 answered on the spot) and F2
    (三支部, 督导甲 and 督导乙, 7 + 2, 2 live opinions: 1 resolved, 1 answered two days later; + 1 merged).
    """
    second = Supervisor.objects.create(user=UserFactory(), name="督导乙", title="镇党委委员")
    known.meeting1.supervisors_present.add(second)
    earlier = Meeting.objects.create(branch=known.b3, year=2026, kind="special", theme="专题", held_on=days(-30))
    earlier.supervisors_present.add(second)
    f2 = Forum.objects.create(meeting=earlier, held_on=days(-32), topic="座谈", member_participants=7, other_participants=2)
    f2.supervisors.add(second, known.supervisor)
    done = Opinion.objects.create(meeting=earlier, received_on=days(-32), channel="forum", text="座谈会上的意见建议",
                                  status="resolved", answered_on=days(-20), forum=f2)
    Opinion.objects.create(meeting=earlier, received_on=days(-32), channel="forum", text="会后才答复的意见", forum=f2,
                           status="answered", answered_on=days(-30))
    Opinion.objects.create(meeting=earlier, received_on=days(-32), channel="forum", text="重复", forum=f2, merged_into=done)
    no_supervisor = Forum.objects.create(meeting=known.meeting1, held_on=days(-22), topic="无督导", member_participants=9)
    Opinion.objects.create(meeting=known.meeting1, received_on=days(-22), channel="forum", text="无督导座谈会的意见",
                           forum=no_supervisor, status="resolved")
    for day in (-70, 5):
        Forum.objects.create(meeting=earlier, held_on=days(day), topic="期外", member_participants=50).supervisors.add(second)
    return second, earlier


def test_it_counts_seed_001s_figures(known):
    more_supervision(known)
    stats = supervision.supervision_stats(node=known.county, start=days(-60), end=days(10))
    t = stats.totals
    # 2 supervisors; 2 meetings attended, 3 supervisor attendances, 5 members recorded present (一支部 only);
    # forums F1 and F2 once each; 5 + 7 members and 3 + 2 others; opinions 2 + 2, answered there or resolved 1 + 1.
    assert (t.supervisors_active, t.meetings_attended, t.attendances, t.members_present) == (2, 2, 3, 5)
    assert (t.forums, t.members_reached, t.others_reached) == (2, 12, 5)
    assert (t.opinions, t.opinions_done) == (4, 2)
    by_child = {n.name: f for n, f in stats.children}
    one, two = by_child["第一镇"], by_child["第二镇"]
    assert (one.meetings_attended, one.forums, one.members_reached, one.opinions, one.opinions_done) == (1, 1, 5, 2, 1)
    assert (two.meetings_attended, two.forums, two.members_reached, two.opinions, two.opinions_done) == (1, 1, 7, 2, 1)
    people = {name: f for name, _t, f in stats.by_supervisor}
    assert [name for name, _t, _f in stats.by_supervisor] == ["督导乙", "督导甲"]
    assert (people["督导乙"].meetings_attended, people["督导乙"].forums, people["督导乙"].members_reached) == (2, 1, 7)
    assert (people["督导甲"].meetings_attended, people["督导甲"].forums, people["督导甲"].members_reached) == (1, 2, 12)
    assert (people["督导甲"].opinions, people["督导甲"].opinions_done, people["督导甲"].members_present) == (4, 2, 5)


def test_a_supervisor_with_forums_only_is_active(known):
    """A forum held before the period's meetings: the supervisor is active with no meeting attended."""
    known.meeting1.supervisors_present.clear()
    stats = supervision.supervision_stats(node=known.county, start=days(-30), end=days(-20))
    t = stats.totals
    assert (t.supervisors_active, t.meetings_attended, t.forums, t.members_reached, t.opinions, t.opinions_done) == (
        1, 0, 1, 5, 2, 1
    )


def test_an_answer_given_later_is_not_on_the_spot(known):
    Opinion.objects.filter(forum=known.forum1, status="answered").update(answered_on=days(-24))
    assert supervision.supervision_stats(node=known.county, start=days(-60), end=days(0)).totals.opinions_done == 0
    Opinion.objects.filter(forum=known.forum1, status="answered").update(status="resolved")
    assert supervision.supervision_stats(node=known.county, start=days(-60), end=days(0)).totals.opinions_done == 1


def test_it_keeps_to_the_period_and_the_subtree(known):
    more_supervision(known)
    recent = supervision.supervision_stats(node=known.county, start=days(-20), end=days(0))
    assert (recent.totals.meetings_attended, recent.totals.forums, recent.totals.opinions) == (1, 0, 0)
    town = supervision.supervision_stats(node=known.towns[1], start=days(-60), end=days(0))
    assert (town.totals.meetings_attended, town.totals.forums, town.totals.opinions) == (1, 1, 2)
    Attendance.objects.filter(meeting=known.meeting1).update(status="absent", reason="测试")
    first = supervision.supervision_stats(node=known.towns[0], start=days(-60), end=days(0)).totals
    assert (first.members_present, first.members_reached) == (0, 5)


def test_the_page_shows_a_chart_and_exports(known, client):
    more_supervision(known)
    client.force_login(known.officer_user)
    start, end = days(-60).isoformat(), days(0).isoformat()
    response = client.get(reverse("dashboard:supervision_stats"), {"start": start, "end": end})
    assert response.status_code == 200
    assert response.context["chart"]["labels"] == ["第一镇", "第二镇"]
    assert response.context["chart"]["series"]["座谈会（场）"] == [1, 1]
    assert response.context["chart"]["series"]["当场答复或已解决"] == [1, 1]
    assert 'id="supervision-chart"' in response.content.decode()
    # the date boxes show the period in the format a date input reads (not the locale's 2026/01/01)
    assert f'value="{start}"' in response.content.decode() and f'value="{end}"' in response.content.decode()
    default = client.get(reverse("dashboard:supervision_stats")).content.decode()
    assert f'value="{timezone_year()}-01-01"' in default
    rows = list(load_workbook(io.BytesIO(client.get(
        reverse("dashboard:supervision_stats_export"), {"start": start, "end": end}).content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("组织", "督导人数", "参加组织生活会（场）", "督导参会（人次）")
    assert rows[0][5:7] == ("座谈会（场）", "党员参加座谈会（人次）")
    assert rows[-1] == ("合计", 2, 2, 3, 5, 2, 12, 5, 4, 2)
    people = list(load_workbook(io.BytesIO(client.get(
        reverse("dashboard:supervision_stats_export"), {"start": start, "end": end, "table": "supervisors"}).content)
    ).active.iter_rows(values_only=True))
    assert [r[0] for r in people[1:]] == ["督导乙", "督导甲"]
    assert people[2][2:] == (1, 5, 2, 12, 5, 4, 2)


def test_a_bad_period_is_refused_with_a_message(known, client):
    client.force_login(known.officer_user)
    response = client.get(reverse("dashboard:supervision_stats"), {"start": "2026-12-01", "end": "2026-01-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "起始日期不能晚于截止日期" in page and 'value="2026-12-01"' in page
    assert response.context["stats"].start == dt.date(timezone_year(), 1, 1)


def timezone_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def test_it_reads_in_five_queries_with_or_without_data(known, django_assert_num_queries):
    with django_assert_num_queries(5):
        empty = supervision.supervision_stats(node=known.county, start=days(-400), end=days(-300))
    assert empty.totals.forums == 0 and empty.by_supervisor == []
    more_supervision(known)
    with django_assert_num_queries(5):
        assert supervision.supervision_stats(node=known.county, start=days(-60), end=days(0)).totals.forums == 2
