import datetime as dt

from django.urls import reverse

from meetings.models import Meeting

from .factories import MeetingFactory, days


def plan(branch, **overrides):
    data = {
        "branch": branch.pk, "kind": "annual", "year": "2099", "held_on": days(30).isoformat(), "starts_at": "09:00",
        "place": "镇政府三楼会议室", "basis": "", "excellent_quota": "30%",
        "opinions_close_on": days(10).isoformat(), "talks_due_on": days(20).isoformat(),
        "self_reviews_due_on": days(25).isoformat(), "ballot_closes_at": f"{days(30).isoformat()}T17:00",
        "rectification_plans_due_on": days(45).isoformat(), "talk_rule_set": "three",
        "claim_target_member": "3", "claim_target_committee": "5", "review_aspects_text": "理想信念方面\n作风方面",
    }
    data.update(overrides)
    return data


def test_it_plans_a_meeting(office, login):
    response = login("secretary").post(reverse("meetings:meeting_create"), plan(office))
    meeting = Meeting.objects.get(branch=office, year=2099)
    assert response.status_code == 302
    assert response.url == reverse("meetings:timeline", args=[meeting.pk])
    assert (meeting.excellent_quota_numerator, meeting.excellent_quota_denominator) == (3, 10)
    assert meeting.review_aspects == ["理想信念方面", "作风方面"]
    assert meeting.opinions_close_on == days(10)
    assert len(meeting.public_token) >= 22


def test_it_lets_a_special_meeting_carry_a_theme_and_no_quota(office, login):
    data = plan(office, kind="special", theme="学党史、悟思想、办实事、开新局", excellent_quota="")
    response = login("secretary").post(reverse("meetings:meeting_create"), data)
    assert response.status_code == 302
    meeting = Meeting.objects.get(branch=office, kind="special")
    assert meeting.excellent_quota is None and meeting.excellent_quota_denominator is None
    assert str(meeting).endswith("（学党史、悟思想、办实事、开新局）")


def test_it_refuses_deadlines_after_the_meeting_and_keeps_the_input(office, login):
    data = plan(office, opinions_close_on=days(40).isoformat(), place="保留的地点")
    response = login("secretary").post(reverse("meetings:meeting_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "应不晚于召开日期" in page
    assert "保留的地点" in page
    assert not Meeting.objects.filter(branch=office, year=2099).exists()


def test_it_refuses_a_second_annual_meeting_for_the_same_year(office, login):
    MeetingFactory(branch=office, year=2099)
    response = login("secretary").post(reverse("meetings:meeting_create"), plan(office))
    assert response.status_code == 400
    assert "年度组织生活会已经安排" in response.content.decode()
    assert Meeting.objects.filter(branch=office, year=2099).count() == 1


def test_it_requires_custom_rules_when_the_rule_set_is_custom(office, login):
    response = login("secretary").post(reverse("meetings:meeting_create"), plan(office, talk_rule_set="custom"))
    assert response.status_code == 400
    assert "请至少选择一条必谈规则" in response.content.decode()
    response = login("secretary").post(
        reverse("meetings:meeting_create"),
        plan(office, talk_rule_set="custom", custom_talk_rules=["committee_each_other", "secretary_with_each"]),
    )
    assert response.status_code == 302
    assert Meeting.objects.get(branch=office, year=2099).custom_talk_rules == ["committee_each_other", "secretary_with_each"]


def test_a_secretary_cannot_plan_for_another_branch(demo_orgs, login):
    response = login("secretary").post(reverse("meetings:meeting_create"), plan(demo_orgs.orgs["palace"]))
    assert response.status_code == 400
    assert not Meeting.objects.filter(branch=demo_orgs.orgs["palace"]).exists()


def test_an_officer_plans_for_any_branch_below_them(demo_orgs, login):
    response = login("county").post(reverse("meetings:meeting_create"), plan(demo_orgs.orgs["yanerping"]))
    assert response.status_code == 302
    assert Meeting.objects.filter(branch=demo_orgs.orgs["yanerping"], year=2099).exists()


def test_it_edits_the_plan_supervisors_and_recorders(meeting, people, login):
    from organizations.models import Supervisor

    supervisor = Supervisor.objects.get()
    data = plan(meeting.branch, year=str(meeting.year), place="新地点", supervisors=[supervisor.pk], recorders=[people["刘芳"].pk])
    data.pop("branch")
    response = login("secretary").post(reverse("meetings:meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "新地点"
    assert list(meeting.recorders.all()) == [people["刘芳"]]
    assert list(meeting.supervisors.all()) == [supervisor]


def test_the_list_searches_filters_and_exports(meeting, palace_meeting, login):
    client = login("county")
    page = client.get(reverse("meetings:meeting_list"), {"q": "水阜"}).content.decode()
    assert "水阜镇机关党支部" in page and "安岳县青少年宫支部" not in page
    export = client.get(reverse("meetings:meeting_export"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


# Session, user, the officer's authenticator (django-otp), the roles (one query since issue 23, the unread
# badge from the cache), the manageable branches, the page count, the page of meetings and their
# supervisors: the same at 1 and at 20 rows.
LIST_QUERIES = 8


def test_the_list_query_count_does_not_grow_with_rows(office, login, django_assert_num_queries):
    client = login("county")
    MeetingFactory(branch=office)
    client.get(reverse("meetings:meeting_list"))  # warm the unread badge's cache (issue 23), as every later page
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("meetings:meeting_list"))
    assert len(response.context["page"]) == 1
    for i in range(19):
        MeetingFactory(branch=office, held_on=dt.date(2030, 1, 1) + dt.timedelta(days=i))
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("meetings:meeting_list"))
    assert len(response.context["page"]) == 20
