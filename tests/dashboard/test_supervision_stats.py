"""Seed 001's figures for a period and subtree: page, chart data and .xlsx."""

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from dashboard import supervision
from meetings.models import Attendance, Meeting, Opinion
from organizations.models import Supervisor
from tests.organizations.factories import UserFactory

from .conftest import days


def more_supervision(known):
    """A second supervisor at 一支部 and at 二支部's meeting of last month (no attendance recorded there)."""
    second = Supervisor.objects.create(user=UserFactory(), name="督导乙", title="镇党委委员")
    known.meeting1.supervisors_present.add(second)
    earlier = Meeting.objects.create(branch=known.b3, year=2026, kind="special", theme="专题", held_on=days(-30))
    earlier.supervisors_present.add(second)
    Opinion.objects.create(meeting=earlier, received_on=days(-30), channel="forum", text="座谈会上的意见建议", status="resolved")
    return second, earlier


def test_it_counts_seed_001s_figures(known):
    more_supervision(known)
    stats = supervision.supervision_stats(node=known.county, start=days(-60), end=days(0))
    t = stats.totals
    # 2 supervisors; 2 meetings, 3 supervisor attendances; forums = distinct forum days per meeting (1 + 1);
    # members reached: 5 present at 一支部 + 5 on 三支部's roll (no attendance recorded); opinions 4 + 1.
    assert (t.supervisors_active, t.meetings_attended, t.attendances, t.forums) == (2, 2, 3, 2)
    assert (t.members_reached, t.opinions, t.opinions_done) == (10, 5, 4)
    by_child = {n.name: f for n, f in stats.children}
    assert (by_child["第一镇"].meetings_attended, by_child["第二镇"].meetings_attended) == (1, 1)
    assert [(name, f.meetings_attended) for name, _t, f in stats.by_supervisor] == [("督导乙", 2), ("督导甲", 1)]


def test_it_keeps_to_the_period_and_the_subtree(known):
    more_supervision(known)
    recent = supervision.supervision_stats(node=known.county, start=days(-20), end=days(0))
    assert recent.totals.meetings_attended == 1
    town = supervision.supervision_stats(node=known.towns[1], start=days(-60), end=days(0))
    assert (town.totals.meetings_attended, town.totals.opinions) == (1, 1)
    Attendance.objects.filter(meeting=known.meeting1).update(status="absent", reason="测试")
    assert supervision.supervision_stats(node=known.towns[0], start=days(-60), end=days(0)).totals.members_reached == 0


def test_the_page_shows_a_chart_and_exports(known, client):
    more_supervision(known)
    client.force_login(known.officer_user)
    start, end = days(-60).isoformat(), days(0).isoformat()
    response = client.get(reverse("dashboard:supervision_stats"), {"start": start, "end": end})
    assert response.status_code == 200
    assert response.context["chart"]["labels"] == ["第一镇", "第二镇"]
    assert 'id="supervision-chart"' in response.content.decode()
    rows = list(load_workbook(io.BytesIO(client.get(
        reverse("dashboard:supervision_stats_export"), {"start": start, "end": end}).content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("组织", "督导人数", "参加组织生活会(场)", "督导参会(人次)")
    assert rows[-1] == ("合计", 2, 2, 3, 2, 10, 5, 4)
    people = list(load_workbook(io.BytesIO(client.get(
        reverse("dashboard:supervision_stats_export"), {"start": start, "end": end, "table": "supervisors"}).content)
    ).active.iter_rows(values_only=True))
    assert [r[0] for r in people[1:]] == ["督导乙", "督导甲"]


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
