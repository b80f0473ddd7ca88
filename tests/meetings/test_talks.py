from django.urls import reverse

from meetings import selectors
from meetings.models import Talk
from organizations.models import Member
from tests.organizations.factories import MemberFactory

from .factories import MeetingFactory, TalkFactory, days


def small_branch(demo_orgs):
    """A branch of five: secretary, one committee member, three members."""
    branch = demo_orgs.orgs["shagang1"]
    Member.objects.filter(branch=branch).delete()
    s = MemberFactory(branch=branch, name="书记甲", committee_post="secretary")
    c = MemberFactory(branch=branch, name="委员乙", committee_post="organization")
    a, b, d = (MemberFactory(branch=branch, name=n) for n in ("党员丙", "党员丁", "党员戊"))
    return branch, s, c, a, b, d


def test_three_rules_require_committee_pairs_committee_with_each_member_and_members_with_each_other(demo_orgs):
    branch, s, c, a, b, d = small_branch(demo_orgs)
    meeting = MeetingFactory(branch=branch, talk_rule_set="three")
    cov = selectors.talk_coverage(meeting=meeting)
    by_rule = {}
    for p in cov.required:
        by_rule.setdefault(p.rule, []).append(p)
    assert [(p.a, p.b) for p in by_rule["committee_each_other"]] == [(s, c)]
    assert len(by_rule["committee_with_members"]) == 3 and len(by_rule["members_each_other"]) == 3
    assert not cov.complete and len(cov.missing) == 7


def test_coverage_counts_a_talk_with_any_committee_member(demo_orgs):
    branch, s, c, a, b, d = small_branch(demo_orgs)
    meeting = MeetingFactory(branch=branch, talk_rule_set="three")
    TalkFactory(meeting=meeting, member_a=c, member_b=a)  # the suggested partner of 党员丙 is 书记甲
    pair = next(p for p in selectors.talk_coverage(meeting=meeting).required if p.rule == "committee_with_members" and p.a == a)
    assert pair.done and pair.b == c


def test_four_rules_need_the_leader_and_service_recipients(demo_orgs):
    branch, s, c, a, b, d = small_branch(demo_orgs)
    meeting = MeetingFactory(branch=branch, talk_rule_set="four")
    for x, y in ((s, c), (a, b), (b, d)):
        TalkFactory(meeting=meeting, member_a=x, member_b=y)
    cov = selectors.talk_coverage(meeting=meeting)
    assert {(p.a.name, p.partner_label) for p in cov.missing} == {("书记甲", "分管领导"), ("书记甲", "服务对象")}
    TalkFactory(meeting=meeting, member_a=s, member_b=None, other_kind="leader", other_name="镇党委副书记")
    TalkFactory(meeting=meeting, member_a=s, member_b=None, other_kind="recipient", other_name="群众代表")
    cov = selectors.talk_coverage(meeting=meeting)
    assert cov.complete and len(cov.done) == len(cov.required) == 6


def test_custom_rules_are_used_as_chosen(demo_orgs):
    branch, s, c, a, b, d = small_branch(demo_orgs)
    meeting = MeetingFactory(branch=branch, talk_rule_set="custom", custom_talk_rules=["secretary_with_each"])
    cov = selectors.talk_coverage(meeting=meeting)
    assert sorted(p.b.name for p in cov.required) == sorted(["委员乙", "党员丙", "党员丁", "党员戊"])
    a_, b_, label = cov.required[0]  # pairs unpack as (a, b, label)
    assert a_ == s and label == "支部书记与每名党员之间"


def test_a_member_records_a_talk_they_took_part_in(meeting, people, login):
    client = login("member")
    response = client.post(
        reverse("meetings:talk_new", args=[meeting.pk]),
        {"member_b": people["李建国"].pk, "held_on": days(0).isoformat(), "topics": "谈工作和思想", "summary": "书记指出我下村少"},
    )
    assert response.status_code == 302
    talk = Talk.objects.get()
    assert talk.member_a == people["杨丽"] and talk.member_b == people["李建国"]


def test_a_member_cannot_record_a_talk_between_others(meeting, people, login):
    response = login("member").post(
        reverse("meetings:talk_new", args=[meeting.pk]),
        {"member_a": people["赵磊"].pk, "member_b": people["黄静"].pk, "held_on": days(0).isoformat(), "topics": "别人的谈话"},
    )
    # The first party is fixed to the member: a forged one is ignored.
    assert response.status_code == 302
    talk = Talk.objects.get()
    assert talk.member_a == people["杨丽"] and talk.member_b == people["黄静"]


def test_a_talk_needs_a_partner(meeting, login):
    response = login("member").post(
        reverse("meetings:talk_new", args=[meeting.pk]), {"held_on": days(0).isoformat(), "topics": "没有对象"}
    )
    assert response.status_code == 400
    assert "请选择谈话对象" in response.content.decode()


def test_the_summary_is_for_the_two_and_the_secretary_only(meeting, people, login):
    talk = TalkFactory(meeting=meeting, member_a=people["赵磊"], member_b=people["李建国"], summary="不公开的要点")
    url = reverse("meetings:talk_detail", args=[talk.pk])
    assert "不公开的要点" in login("secretary").get(url).content.decode()
    for role in ("member", "county", "supervisor"):
        page = login(role).get(url).content.decode()
        assert "不公开的要点" not in page and "只有谈话双方和支部书记能看到" in page
    mine = TalkFactory(meeting=meeting, member_a=people["杨丽"], member_b=people["赵磊"], summary="我参加的谈话要点")
    assert "我参加的谈话要点" in login("member").get(reverse("meetings:talk_detail", args=[mine.pk])).content.decode()


def test_the_page_shows_the_matrix_and_the_missing_pairs(meeting, people, login):
    TalkFactory(meeting=meeting, member_a=people["李建国"], member_b=people["王秀兰"])
    response = login("secretary").get(reverse("meetings:talk_list", args=[meeting.pk]))
    page = response.content.decode()
    assert "必谈 1/56 已完成" in page
    assert "刘芳 — 陈志强" in page
    matrix = response.context["matrix"]
    names = [m.name for m in matrix.members]
    row = dict(matrix.rows)[people["李建国"]]
    assert row[names.index("王秀兰")] == "done" and row[names.index("刘芳")] == "missing"


def test_it_exports_the_required_pairs(meeting, people, login):
    import io

    from openpyxl import load_workbook

    TalkFactory(meeting=meeting, member_a=people["李建国"], member_b=people["王秀兰"])
    response = login("secretary").get(reverse("meetings:talk_export", args=[meeting.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 57
    assert ("支委之间", "李建国", "王秀兰", "已谈") == rows[1][:4]
