"""党小组长责任清单 (issue 18 item 3): templates, the groups' lists, records, the quarterly assessment, the
pages and who may open them.

Known data (built here, the clock at tests.clock.NOW, 2026-11-25, the fourth quarter):

    测试县委 ─┬─ 第一镇 ─┬─ 一支部 (groups 一组, 二组; 书记, 支委, 党员)
              │          └─ 二支部 (group 三组; 党员乙)
              └─ 第二镇 ─── 三支部
    officers: 镇干部 (第一镇), 县干部 (测试县委), 外镇干部 (第二镇)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import duties
from activities.duties_demo import seed_duties
from activities.models import DutyRecord, DutyTemplate, GroupAssessment, GroupDuty
from activities.rhythm import Quarter
from organizations.models import Organization
from tests.activities.conftest import Tree, _child, build
from tests.clock import TODAY
from tests.organizations.factories import MemberFactory

Q4 = Quarter(2026, 4)
Q3 = Quarter(2026, 3)


@pytest.fixture
def template(tree) -> DutyTemplate:
    return duties.duty_template_create(organization=tree.town, title="河道养护", detail="巡查责任河段", order=1)


@pytest.fixture
def duty(tree, template) -> GroupDuty:
    return GroupDuty.objects.get(party_group=tree.groups[0], template=template)


# ---------------------------------------------------------------- who may open what
READ = {"secretary": 200, "committee": 200, "member": 200, "town": 200, "county": 200}
RECORD = {"secretary": 200, "committee": 200, "town": 200, "county": 200}
ASSESS = {"secretary": 200, "town": 200, "county": 200}
OFFICERS = {"town": 200, "county": 200}
ROLES = [None, "secretary", "committee", "member", "other", "town", "county", "town2"]
PAGES = [
    ("activities:duties", "branch", READ),
    ("activities:duty_group", "group", READ),
    ("activities:duty_record", "group", RECORD),
    ("activities:duty_add", "group", RECORD),
    ("activities:duty_edit", "duty", RECORD),
    ("activities:duty_assess", "group", ASSESS),
    ("activities:duty_templates", "town", OFFICERS),
    ("activities:duty_template_edit", "template", OFFICERS),
]
TABLE = [(name, target, role, expected.get(role, 302 if role is None else 403)) for name, target, expected in PAGES for role in ROLES]


@pytest.mark.parametrize(("url_name", "target", "role", "status"), TABLE)
def test_it_allows_only_the_right_roles(tree, duty, template, as_, url_name, target, role, status):
    targets = {"branch": tree.branch, "group": tree.groups[0], "duty": duty, "town": tree.town, "template": template}
    response = as_(tree, role).get(reverse(url_name, args=[targets[target].pk]))
    assert response.status_code == status, (url_name, role)


def test_a_branch_is_not_a_group_nor_a_group_a_branch(tree, as_):
    client = as_(tree, "county")
    assert client.get(reverse("activities:duty_group", args=[tree.branch.pk])).status_code == 404
    assert client.get(reverse("activities:duties", args=[tree.groups[0].pk])).status_code == 404
    assert client.get(reverse("activities:duty_group", args=[999999])).status_code == 404


def test_a_member_of_another_branch_cannot_record(tree, duty, as_):
    response = as_(tree, "other").post(
        reverse("activities:duty_record", args=[tree.groups[0].pk]), {"duty": duty.pk, "done_on": "2026-11-20", "note": "巡河"}
    )
    assert response.status_code == 403
    assert not DutyRecord.objects.exists()


def test_a_plain_member_reads_but_cannot_record(tree, duty, as_):
    DutyRecord.objects.create(duty=duty, done_on=dt.date(2026, 11, 2), note="清理漂浮物")
    client = as_(tree, "member")
    page = client.get(reverse("activities:duty_group", args=[tree.groups[0].pk]))
    assert page.status_code == 200
    assert "清理漂浮物" in page.content.decode()
    assert "保存记录" not in page.content.decode()
    response = client.post(
        reverse("activities:duty_record", args=[tree.groups[0].pk]), {"duty": duty.pk, "done_on": "2026-11-20", "note": "巡河"}
    )
    assert response.status_code == 403
    assert DutyRecord.objects.count() == 1


def test_an_officer_above_sees_the_branch_page(tree, duty, as_):
    DutyRecord.objects.create(duty=duty, done_on=dt.date(2026, 10, 9), note="巡查河段一次")
    response = as_(tree, "county").get(reverse("activities:duties", args=[tree.branch.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "巡查河段一次" in body and tree.groups[1].name in body


def test_the_committee_records_but_does_not_assess(tree, as_):
    response = as_(tree, "committee").post(reverse("activities:duty_assess", args=[tree.groups[0].pk]), {"grade": "good"})
    assert response.status_code == 403
    assert not GroupAssessment.objects.exists()


# ---------------------------------------------------------------- templates and their copies
def test_a_new_template_is_copied_into_every_group_under_its_node(tree, template):
    copies = GroupDuty.objects.filter(template=template)
    assert {d.party_group_id for d in copies} == {tree.groups[0].pk, tree.groups[1].pk, tree.group3.pk}
    assert all(d.title == "河道养护" and d.detail == "巡查责任河段" and d.is_active for d in copies)


def test_the_officer_adds_a_template_through_the_page(tree, as_):
    response = as_(tree, "town").post(
        reverse("activities:duty_templates", args=[tree.town.pk]), {"title": "卫生保洁", "detail": "", "order": "2"}
    )
    assert response.status_code == 302
    assert GroupDuty.objects.filter(title="卫生保洁").count() == 3


def test_a_template_needs_a_title_and_keeps_what_was_typed(tree, as_):
    response = as_(tree, "town").post(
        reverse("activities:duty_templates", args=[tree.town.pk]), {"title": " ", "detail": "每月两次", "order": "x"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写职责名称。" in body and "顺序请填写整数。" in body and "每月两次" in body
    assert not DutyTemplate.objects.exists()


def test_duties_ensure_fills_in_what_groups_lack_nearest_node_first_without_duplicates(tree, template):
    county_template = duties.duty_template_create(organization=tree.county, title="党员日常教育培训", order=1)
    late = _child(tree.branch, "后建组", Organization.Level.GROUP)
    assert duties.duties_missing_count(branch=tree.branch) == 2
    assert duties.duties_ensure(branch=tree.branch) == 2
    assert list(GroupDuty.objects.filter(party_group=late).order_by("id").values_list("template_id", flat=True)) == [
        template.pk, county_template.pk
    ]
    assert duties.duties_ensure(branch=tree.branch) == 0
    assert GroupDuty.objects.filter(party_group=tree.groups[0]).count() == 2


def test_duties_ensure_does_not_bring_back_a_duty_the_branch_switched_off(tree, duty):
    duties.group_duty_set_active(duty=duty, active=False)
    assert duties.duties_ensure(branch=tree.branch) == 0
    assert GroupDuty.objects.filter(party_group=tree.groups[0]).count() == 1


def test_the_branch_page_offers_missing_templates_and_the_button_adds_them(tree, as_):
    DutyTemplate.objects.create(organization=tree.town, title="卫生保洁")  # made before the copying existed
    client = as_(tree, "secretary")
    assert "列入清单" in client.get(reverse("activities:duties", args=[tree.branch.pk])).content.decode()
    response = client.post(reverse("activities:duties_ensure", args=[tree.branch.pk]))
    assert response.status_code == 302
    assert GroupDuty.objects.filter(title="卫生保洁", party_group__in=tree.groups).count() == 2
    assert not GroupDuty.objects.filter(title="卫生保洁", party_group=tree.group3).exists()  # another branch's


def test_editing_a_template_rewrites_only_the_copies_left_as_they_were(tree, template, duty):
    other = GroupDuty.objects.get(party_group=tree.groups[1], template=template)
    duties.group_duty_update(duty=other, title="河道巡查", area="河口段")
    duties.duty_template_update(template=template, title="河道养护与巡查", detail="每周一次", order=1)
    duty.refresh_from_db()
    other.refresh_from_db()
    assert (duty.title, duty.detail) == ("河道养护与巡查", "每周一次")
    assert (other.title, other.area) == ("河道巡查", "河口段")


def test_deleting_a_template_keeps_the_groups_duties_and_records(tree, template, duty, as_):
    DutyRecord.objects.create(duty=duty, done_on=dt.date(2026, 11, 1), note="巡河")
    response = as_(tree, "town").post(reverse("activities:duty_template_delete", args=[template.pk]))
    assert response.status_code == 302
    assert not DutyTemplate.objects.exists()
    duty.refresh_from_db()
    assert duty.template_id is None and duty.records.count() == 1


def test_an_officer_of_another_township_cannot_delete_the_template(tree, template, as_):
    response = as_(tree, "town2").post(reverse("activities:duty_template_delete", args=[template.pk]))
    assert response.status_code == 403
    assert DutyTemplate.objects.filter(pk=template.pk).exists()


# ---------------------------------------------------------------- the branch edits a group's list
def test_the_branch_adds_a_duty_and_sets_its_area(tree, as_):
    client = as_(tree, "secretary")
    response = client.post(
        reverse("activities:duty_add", args=[tree.groups[0].pk]), {"title": "矛盾调解", "area": "第三村民组", "detail": "", "order": "5"}
    )
    assert response.status_code == 302
    added = GroupDuty.objects.get(title="矛盾调解")
    assert (added.party_group_id, added.area, added.template_id, added.is_active) == (tree.groups[0].pk, "第三村民组", None, True)


def test_switching_a_duty_off_keeps_its_records_and_closes_it_to_new_ones(tree, duty, as_):
    DutyRecord.objects.create(duty=duty, done_on=dt.date(2026, 7, 3), note="巡河")
    client = as_(tree, "secretary")
    assert client.post(reverse("activities:duty_toggle", args=[duty.pk])).status_code == 302
    duty.refresh_from_db()
    assert not duty.is_active and duty.records.count() == 1
    response = client.post(
        reverse("activities:duty_record", args=[tree.groups[0].pk]), {"duty": duty.pk, "done_on": "2026-11-20", "note": "巡河"}
    )
    assert response.status_code == 400
    assert "请选择本党小组在用的职责。" in response.content.decode()
    page = client.get(reverse("activities:duty_group", args=[tree.groups[0].pk]))
    assert [d.pk for d in page.context["entry"].inactive] == [duty.pk]


# ---------------------------------------------------------------- recording what was done
def test_it_records_what_was_done_and_shows_it_in_its_quarter(tree, duty, as_):
    client = as_(tree, "committee")
    response = client.post(
        reverse("activities:duty_record", args=[tree.groups[0].pk]),
        {"duty": duty.pk, "done_on": "2026-09-30", "note": "清理河道垃圾三袋"},
    )
    assert response.status_code == 302
    assert response.url.endswith("?quarter=2026Q3")
    record = DutyRecord.objects.get()
    assert (record.duty_id, record.done_on, record.note, record.recorded_by) == (
        duty.pk, dt.date(2026, 9, 30), "清理河道垃圾三袋", tree.users["committee"]
    )
    assert "清理河道垃圾三袋" in client.get(response.url).content.decode()
    assert "清理河道垃圾三袋" not in client.get(reverse("activities:duty_group", args=[tree.groups[0].pk])).content.decode()


def test_a_record_in_the_future_is_refused_with_what_was_typed_kept(tree, duty, as_):
    response = as_(tree, "secretary").post(
        reverse("activities:duty_record", args=[tree.groups[0].pk]), {"duty": duty.pk, "done_on": "2026-11-26", "note": "明天巡河"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "日期不能晚于今天（2026年11月25日）。" in body and "明天巡河" in body
    assert not DutyRecord.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "巡河", "done_on": ""}, "请填写日期。"),
        ({"note": "巡河", "done_on": "25/11/2026"}, "请按“年-月-日”填写日期"),
        ({"note": "  ", "done_on": "2026-11-20"}, "请填写完成情况。"),
        ({"note": "字" * 501, "done_on": "2026-11-20"}, "最多 500 个字（现在 501 个字）"),
    ],
)
def test_bad_records_get_a_clear_message(tree, duty, as_, data, message):
    response = as_(tree, "secretary").post(reverse("activities:duty_record", args=[tree.groups[0].pk]), {"duty": duty.pk, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DutyRecord.objects.exists()


def test_the_service_refuses_a_future_day_and_a_long_note(tree, duty):
    with pytest.raises(ValidationError) as exc:
        duties.duty_record_add(duty=duty, done_on=TODAY + dt.timedelta(days=1), note="字" * 501)
    assert set(exc.value.message_dict) == {"done_on", "note"}
    assert duties.duty_record_add(duty=duty, done_on=TODAY, note="字" * 500).note == "字" * 500


def test_a_duty_of_another_branch_cannot_be_recorded_through_this_group(tree, template, as_):
    foreign = GroupDuty.objects.get(party_group=tree.group3, template=template)
    response = as_(tree, "secretary").post(
        reverse("activities:duty_record", args=[tree.groups[0].pk]), {"duty": foreign.pk, "done_on": "2026-11-20", "note": "巡河"}
    )
    assert response.status_code == 400
    assert not DutyRecord.objects.exists()


def test_a_record_entered_by_mistake_is_deleted(tree, duty, as_):
    record = DutyRecord.objects.create(duty=duty, done_on=dt.date(2026, 11, 2), note="记错了")
    assert as_(tree, "member").post(reverse("activities:duty_record_delete", args=[record.pk])).status_code == 403
    assert as_(tree, "secretary").post(reverse("activities:duty_record_delete", args=[record.pk])).status_code == 302
    assert not DutyRecord.objects.exists()


# ---------------------------------------------------------------- the quarter
def test_the_pages_default_to_the_current_quarter_and_ignore_a_bad_or_future_one(tree, duty, as_):
    client = as_(tree, "secretary")
    url = reverse("activities:duties", args=[tree.branch.pk])
    assert client.get(url).context["quarter"] == Q4
    assert client.get(url, {"quarter": "2026Q3"}).context["quarter"] == Q3
    assert client.get(url, {"quarter": "2027Q1"}).context["quarter"] == Q4
    assert client.get(url, {"quarter": "abc"}).context["quarter"] == Q4


def test_quarter_choices_run_back_from_the_current_quarter():
    assert duties.quarter_choices(today=TODAY, count=3) == [Q4, Q3, Quarter(2026, 2)]
    assert Quarter(2026, 1).previous == Quarter(2025, 4)
    assert (Q3.start, Q3.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


# ---------------------------------------------------------------- the quarterly assessment
def test_one_assessment_per_group_and_quarter_which_can_be_changed(tree, as_):
    client = as_(tree, "secretary")
    url = reverse("activities:duty_assess", args=[tree.groups[0].pk]) + "?quarter=2026Q3"
    assert client.post(url, {"grade": "fair", "comment": "河道养护记录不全"}).status_code == 302
    assert client.post(url, {"grade": "good", "comment": "已补齐"}).status_code == 302
    assessment = GroupAssessment.objects.get()
    assert (assessment.year, assessment.quarter, assessment.grade, assessment.comment) == (2026, 3, "good", "已补齐")
    assert assessment.assessed_by == tree.users["secretary"]
    assert client.get(url).context["form"].initial == {"grade": "good", "comment": "已补齐"}


def test_an_assessment_needs_a_grade(tree, as_):
    response = as_(tree, "secretary").post(
        reverse("activities:duty_assess", args=[tree.groups[0].pk]), {"grade": "", "comment": "还不错"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "请选择评定等次。" in body and "还不错" in body
    assert not GroupAssessment.objects.exists()


def test_a_quarter_not_begun_cannot_be_assessed(tree):
    with pytest.raises(ValidationError):
        duties.group_assess(party_group=tree.groups[0], quarter=Quarter(2027, 1), grade="good")
    assert not GroupAssessment.objects.exists()


def test_the_branch_page_shows_each_groups_assessment(tree, as_):
    duties.group_assess(party_group=tree.groups[1], quarter=Q4, grade="poor", comment="记录缺失")
    groups = as_(tree, "member").get(reverse("activities:duties", args=[tree.branch.pk])).context["groups"]
    assert [(g.group, g.assessment.grade if g.assessment else None) for g in groups] == [
        (tree.groups[0], None), (tree.groups[1], "poor")
    ]


# ---------------------------------------------------------------- query count
def _busy_branch(groups: int, prefix: str) -> Tree:
    t = build(groups=groups, prefix=prefix)
    for title in ("固定党日活动", "卫生保洁", "河道养护"):
        duties.duty_template_create(organization=t.town, title=f"{prefix}{title}")
    for g in t.groups:
        MemberFactory(branch=t.branch, party_group=g)
        for d in GroupDuty.objects.filter(party_group=g):
            DutyRecord.objects.create(duty=d, done_on=dt.date(2026, 10, 8), note="完成")
            DutyRecord.objects.create(duty=d, done_on=dt.date(2026, 11, 8), note="完成")
        duties.group_assess(party_group=g, quarter=Q4, grade="good")
    return t


def test_the_branch_page_takes_as_many_queries_for_5_groups_as_for_2(db, client, still_clock):
    counts = []
    for n, prefix in ((2, "甲"), (5, "乙")):
        t = _busy_branch(n, prefix)
        client.force_login(t.users["secretary"])
        url = reverse("activities:duties", args=[t.branch.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["groups"]) == n
        assert sum(g.record_count for g in response.context["groups"]) == n * 3 * 2
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_selector_takes_five_queries(tree, template, django_assert_num_queries):
    for g in tree.groups:
        DutyRecord.objects.create(duty=GroupDuty.objects.get(party_group=g), done_on=dt.date(2026, 10, 1), note="完成")
    with django_assert_num_queries(5):
        groups = duties.branch_duties(branch=tree.branch, quarter=Q4)
        assert [len(g.rows[0].records) for g in groups] == [1, 1]


# ---------------------------------------------------------------- demo data
def test_seed_duties_is_idempotent_and_records_nothing_in_the_future(tree):
    seed_duties(branch=tree.branch, today=TODAY)
    counts = (DutyTemplate.objects.count(), GroupDuty.objects.count(), DutyRecord.objects.count(), GroupAssessment.objects.count())
    seed_duties(branch=tree.branch, today=TODAY)
    assert counts == (
        DutyTemplate.objects.count(), GroupDuty.objects.count(), DutyRecord.objects.count(), GroupAssessment.objects.count()
    )
    assert set(DutyTemplate.objects.values_list("title", flat=True)) == {"固定党日活动", "卫生保洁", "河道养护", "党员日常教育培训"}
    assert DutyTemplate.objects.filter(organization=tree.town).count() == 4
    assert DutyRecord.objects.filter(done_on__lt=Q3.start).count() == 0
    assert DutyRecord.objects.filter(done_on__gt=TODAY).count() == 0
    assert DutyRecord.objects.filter(done_on__gte=Q3.start, done_on__lte=Q3.end).exists()
    assert DutyRecord.objects.filter(done_on__gte=Q4.start).exists()
    assert set(GroupAssessment.objects.values_list("party_group_id", "year", "quarter")) == {(g.pk, 2026, 3) for g in tree.groups}
