"""三会一课 and 主题党日 records (issue 18 items 1–2): entering one with its roll, what is due and held,
the rules a county sets, the township's monthly work tips, and who may see and change what.

The tree (tests/activities/conftest.py): 一支部 has 书记, 支委 and 党员 in 一组, and the clock is at
tests.clock.NOW (Wednesday 2026-11-25, the fourth quarter)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from activities import rhythm, services
from activities.models import Activity, ActivityAttendance, ActivityPhoto, Kind, Period, RhythmRule, WorkTip
from organizations.models import Member, Organization
from tests.activities.conftest import _child
from tests.clock import TODAY
from tests.organizations.factories import MemberFactory

pytestmark = pytest.mark.django_db


def roll_post(members, **overrides):
    """The form as a secretary leaves it: everyone present unless told otherwise."""
    data = {}
    for m in members:
        status, reason = overrides.get(m.name, ("present", ""))
        data[f"status_{m.pk}"], data[f"reason_{m.pk}"] = status, reason
    return data


def members_of(branch):
    return list(Member.objects.filter(branch=branch, is_active=True).order_by("id"))


def test_the_secretary_records_a_theme_day_with_its_roll_and_service(tree, as_):
    client = as_(tree, "secretary")
    people = members_of(tree.branch)
    data = {
        "kind": "theme_day", "held_on": "2026-11-20", "topic": "党员义务耕种", "service": "义务耕种 31 亩",
        **roll_post(people, member=("leave", "在外务工")),
    }
    response = client.post(reverse("activities:create", args=[tree.branch.pk]), data)
    activity = Activity.objects.get(topic="党员义务耕种")
    assert response.status_code == 302 and response["Location"] == reverse("activities:detail", args=[activity.pk])
    assert (activity.kind, activity.held_on, activity.service, activity.branch) == (
        Kind.THEME_DAY, dt.date(2026, 11, 20), "义务耕种 31 亩", tree.branch
    )
    assert activity.recorded_by == tree.users["secretary"] and activity.party_group is None
    statuses = dict(activity.attendance.values_list("member__name", "status"))
    assert statuses == {"secretary": "present", "committee": "present", "member": "leave"}
    page = client.get(response["Location"]).content.decode()
    assert "应到 3 人，实到 2 人" in page and "member：请假（在外务工）" in page and "义务耕种 31 亩" in page


def test_an_absence_without_a_reason_is_refused_and_nothing_typed_is_lost(tree, as_):
    client = as_(tree, "secretary")
    people = members_of(tree.branch)
    data = {"kind": "committee", "held_on": "2026-11-20", "topic": "研究冬季征兵工作", **roll_post(people, committee=("absent", ""))}
    response = client.post(reverse("activities:create", args=[tree.branch.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "缺席或请假须注明原因：committee。" in page
    assert 'value="研究冬季征兵工作"' in page and not Activity.objects.exists()


def test_a_record_is_of_something_already_held(tree, as_):
    client = as_(tree, "secretary")
    data = {"kind": "lecture", "held_on": "2026-11-26", "topic": "专题党课", **roll_post(members_of(tree.branch))}
    response = client.post(reverse("activities:create", args=[tree.branch.pk]), data)
    assert response.status_code == 400
    assert "日期不能晚于今天（2026年11月25日）" in response.content.decode()
    assert not Activity.objects.exists()


def test_a_group_meeting_names_its_group_and_its_roll_is_the_group(tree, as_):
    client = as_(tree, "secretary")
    people = members_of(tree.branch)
    outsider = MemberFactory(branch=tree.branch, party_group=tree.groups[1], name="二组党员")
    people.append(outsider)
    base = {"kind": "group", "held_on": "2026-11-18", "topic": "学习党章", **roll_post(people, 二组党员=("absent", ""))}
    response = client.post(reverse("activities:create", args=[tree.branch.pk]), base)
    assert response.status_code == 400 and "党小组会请选择党小组" in response.content.decode()
    # With its group, the other group's member is not on the roll: no reason is asked of them.
    response = client.post(reverse("activities:create", args=[tree.branch.pk]), {**base, "party_group": tree.groups[0].pk})
    assert response.status_code == 302
    activity = Activity.objects.get(topic="学习党章")
    assert activity.party_group == tree.groups[0]
    assert set(activity.attendance.values_list("member__name", flat=True)) == {"secretary", "committee", "member"}


def test_another_branchs_group_is_refused(tree):
    with pytest.raises(Exception) as exc:
        services.activity_save(
            branch=tree.branch, user=None, attendance=[], today=TODAY,
            data={"kind": "group", "party_group": tree.group3, "held_on": TODAY, "topic": "x"},
        )
    assert "请选择本支部的党小组" in str(exc.value)


def test_editing_keeps_one_roll_row_per_member_and_drops_those_no_longer_on_it(tree, as_):
    people = members_of(tree.branch)
    rows = [(m, "present", "") for m in people]
    activity = services.activity_save(
        branch=tree.branch, user=None, attendance=rows, today=TODAY,
        data={"kind": "group", "party_group": tree.groups[0], "held_on": TODAY, "topic": "组会"},
    )
    late = MemberFactory(branch=tree.branch, party_group=tree.groups[1], name="后来者")
    client = as_(tree, "secretary")
    data = {"kind": "theme_day", "held_on": "2026-11-25", "topic": "组会改为主题党日", **roll_post([*people, late], 后来者=("late", ""))}
    response = client.post(reverse("activities:edit", args=[activity.pk]), data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.kind == Kind.THEME_DAY and activity.party_group is None
    assert ActivityAttendance.objects.filter(activity=activity).count() == 4
    assert ActivityAttendance.objects.get(activity=activity, member=late).status == "late"


def test_photos_are_optional_private_and_checked(tree, as_, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_(tree, "secretary")
    image = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(image, "PNG")
    png = image.getvalue()
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "kind": "theme_day", "held_on": "2026-11-20", "topic": "清理河道", **roll_post(members_of(tree.branch)),
        "photos": [SimpleUploadedFile("a.png", png, "image/png"), SimpleUploadedFile("b.txt", b"hello", "text/plain")],
    }
    response = client.post(reverse("activities:create", args=[tree.branch.pk]), data, follow=True)
    assert "只能上传照片" in response.content.decode()  # the text file is refused, the record and the photo kept
    photo = ActivityPhoto.objects.get()
    assert photo.activity.topic == "清理河道"
    url = reverse("activities:photo", args=[photo.pk])
    assert b"".join(client.get(url).streaming_content) == png
    as_(tree, "other")
    assert client.get(url).status_code == 404  # another branch's member: not even that it exists
    as_(tree, "member")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [(None, 302, 302), ("secretary", 200, 200), ("committee", 200, 200), ("member", 200, 403), ("other", 403, 403),
     ("town", 200, 200), ("county", 200, 200), ("town2", 403, 403)],
)
def test_who_may_read_and_record(tree, as_, role, read, write):
    activity = services.activity_save(
        branch=tree.branch, user=None, attendance=[], today=TODAY, data={"kind": "lecture", "held_on": TODAY, "topic": "党课"}
    )
    client = as_(tree, role)
    assert client.get(reverse("activities:list", args=[tree.branch.pk])).status_code == read
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == read
    assert client.get(reverse("activities:create", args=[tree.branch.pk])).status_code == write
    assert client.get(reverse("activities:edit", args=[activity.pk])).status_code == write


# ---------------------------------------------------------------- the rhythm
def add(branch, kind, day, group=None):
    return Activity.objects.create(branch=branch, kind=kind, held_on=day, topic=f"{kind} {day}", party_group=group)


def test_the_fourth_quarter_on_known_data(tree):
    add(tree.branch, Kind.COMMITTEE, dt.date(2026, 10, 9))
    add(tree.branch, Kind.THEME_DAY, dt.date(2026, 10, 1))
    add(tree.branch, Kind.THEME_DAY, dt.date(2026, 11, 1))
    add(tree.branch, Kind.GROUP, dt.date(2026, 10, 12), tree.groups[0])
    add(tree.branch, Kind.COMMITTEE, dt.date(2026, 9, 30))  # the third quarter's: not counted here
    start, end = rhythm.quarter_bounds(2026, 4)
    r = rhythm.branch_rhythms(branches=[tree.branch], start=start, end=end, today=TODAY)[tree.branch.pk]
    k = r.kinds
    # 支委会 monthly: October met, November running, December to come
    assert (k[Kind.COMMITTEE].held, k[Kind.COMMITTEE].due, k[Kind.COMMITTEE].met, k[Kind.COMMITTEE].missing, k[Kind.COMMITTEE].pending) == (1, 3, 1, 0, 2)
    assert (k[Kind.THEME_DAY].met, k[Kind.THEME_DAY].pending) == (2, 1)
    # 党小组会 per group: 一组 met October, 二组 missed it; both pending for November and December
    assert (k[Kind.GROUP].due, k[Kind.GROUP].met, k[Kind.GROUP].missing, k[Kind.GROUP].pending) == (6, 1, 1, 4)
    # 党员大会 and 党课 quarterly: the quarter has not ended
    assert (k[Kind.ASSEMBLY].due, k[Kind.ASSEMBLY].pending, k[Kind.LECTURE].pending) == (1, 1, 1)
    assert r.missing_kinds == [Kind.GROUP] and r.missing == 1
    # In the third quarter, everything without a record is missing.
    start, end = rhythm.quarter_bounds(2026, 3)
    q3 = rhythm.branch_rhythms(branches=[tree.branch], start=start, end=end, today=TODAY)[tree.branch.pk]
    assert (q3.kinds[Kind.COMMITTEE].met, q3.kinds[Kind.COMMITTEE].missing) == (1, 2)
    assert q3.kinds[Kind.ASSEMBLY].missing == 1 and q3.kept_percent == round(100 * 1 / (3 + 6 + 1 + 1 + 3))


def test_the_nearest_rule_wins_and_zero_means_not_required(tree):
    RhythmRule.objects.create(organization=tree.county, kind=Kind.COMMITTEE, period=Period.QUARTER, times=2)
    RhythmRule.objects.create(organization=tree.town, kind=Kind.COMMITTEE, period=Period.QUARTER, times=1)
    RhythmRule.objects.create(organization=tree.county, kind=Kind.LECTURE, period=Period.YEAR, times=0)
    rules = rhythm.rules_for([tree.branch, tree.branch3])
    assert rules[tree.branch.pk][Kind.COMMITTEE] == rhythm.Rule(Kind.COMMITTEE, Period.QUARTER, 1, "第一镇")
    assert rules[tree.branch3.pk][Kind.COMMITTEE].times == 2  # 第二镇 has no rule of its own
    assert rules[tree.branch.pk][Kind.THEME_DAY] == rhythm.Rule(Kind.THEME_DAY, Period.MONTH, 1)  # the default
    start, end = rhythm.quarter_bounds(2026, 3)
    r = rhythm.branch_rhythms(branches=[tree.branch], start=start, end=end, today=TODAY)[tree.branch.pk]
    assert r.kinds[Kind.COMMITTEE].due == 1 and r.kinds[Kind.LECTURE].due == 0


def test_the_rhythm_of_many_branches_takes_the_same_queries_as_of_a_few(tree):
    def queries(n):
        town = _child(tree.county, f"镇{n}", Organization.Level.TOWNSHIP)
        branches = [_child(town, f"镇{n}支部{i}", Organization.Level.BRANCH) for i in range(n)]
        for b in branches:
            _child(b, f"{b.name}组", Organization.Level.GROUP)
            add(b, Kind.COMMITTEE, dt.date(2026, 10, 3))
        branches = list(Organization.objects.filter(pk__in=[b.pk for b in branches]))
        start, end = rhythm.quarter_bounds(2026, 4)
        with CaptureQueriesContext(connection) as ctx:
            result = rhythm.branch_rhythms(branches=branches, start=start, end=end, today=TODAY)
        assert all(r.kinds[Kind.COMMITTEE].met == 1 and r.kinds[Kind.GROUP].due == 3 for r in result.values())
        return len(ctx)

    assert queries(3) == queries(12) == 3


def test_the_county_sets_the_rules_on_its_page(tree, as_):
    client = as_(tree, "county")
    url = reverse("activities:rhythm_rules", args=[tree.county.pk])
    data = {f"period_{k}": "month" for k in Kind.values} | {f"times_{k}": "1" for k in Kind.values}
    data |= {"own_lecture": "on", "period_lecture": "half_year", "times_lecture": "1"}
    assert client.post(url, data).status_code == 302
    assert list(RhythmRule.objects.values_list("organization__name", "kind", "period", "times")) == [("测试县委", "lecture", "half_year", 1)]
    bad = client.post(url, data | {"times_lecture": "-1"})
    assert bad.status_code == 400 and RhythmRule.objects.get().times == 1
    assert as_(tree, "town2").get(url).status_code == 403  # below, not above
    assert as_(tree, "secretary").get(url).status_code == 403


def test_the_branch_page_shows_the_years_calendar(tree, as_):
    add(tree.branch, Kind.COMMITTEE, dt.date(2026, 10, 9))
    page = as_(tree, "member").get(reverse("activities:list", args=[tree.branch.pk])).content.decode()
    assert page.count('data-state="met"') == 1
    # January–October ended: 10 支委会, 10 主题党日, 3 党员大会, 3 党课, and 2 groups × 10 党小组会, less the one met
    assert page.count('data-state="missing"') == 10 + 10 + 3 + 3 + 20 - 1
    assert "今年已有 45 项应开展而未开展" in page


def test_the_townships_work_tip_shows_on_its_branches_pages_only(tree, as_):
    client = as_(tree, "town")
    response = client.post(reverse("activities:work_tips", args=[tree.town.pk]), {"month": "2026-11", "text": "开展冬季送温暖活动"})
    assert response.status_code == 302
    assert WorkTip.objects.get().month == dt.date(2026, 11, 1)
    assert "开展冬季送温暖活动" in as_(tree, "member").get(reverse("activities:list", args=[tree.branch.pk])).content.decode()
    assert "开展冬季送温暖活动" not in as_(tree, "county").get(reverse("activities:list", args=[tree.branch3.pk])).content.decode()
    empty = as_(tree, "town").post(reverse("activities:work_tips", args=[tree.town.pk]), {"month": "2026-12", "text": "  "})
    assert empty.status_code == 400
    assert as_(tree, "town2").get(reverse("activities:work_tips", args=[tree.town.pk])).status_code == 403


def test_the_list_filters_and_searches(tree, as_):
    Activity.objects.create(branch=tree.branch, kind=Kind.THEME_DAY, held_on=dt.date(2026, 6, 10), topic="六月主题党日", service="义务耕种 31 亩")
    add(tree.branch, Kind.COMMITTEE, dt.date(2026, 6, 11))
    add(tree.branch, Kind.COMMITTEE, dt.date(2025, 6, 11))
    client = as_(tree, "member")
    url = reverse("activities:list", args=[tree.branch.pk])
    assert client.get(url, {"year": 2026}).content.decode().count('data-testid="activity-row"') == 2
    assert client.get(url, {"year": 2026, "kind": "committee"}).content.decode().count('data-testid="activity-row"') == 1
    assert client.get(url, {"year": 2026, "q": "耕种"}).content.decode().count('data-testid="activity-row"') == 1
    assert client.get(url, {"year": 2025}).content.decode().count('data-testid="activity-row"') == 1
