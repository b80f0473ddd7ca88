"""Issue 23 item 5: the talk list's 党员 and the opinion list's 针对 / 认领人 filters are names typed, not
dropdowns of every member of the branch; the lists' query counts do not grow with the branch."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from organizations.models import Member, Organization
from organizations.selectors import member_ids_named
from tests.organizations.factories import MemberFactory, UserFactory

from .factories import MeetingFactory, OpinionFactory, TalkFactory, days

pytestmark = pytest.mark.django_db

NOBODY = "本支部没有姓名包含“没这个人”的党员。"


def talks_listed(response) -> set[tuple[str, str]]:
    return {(t.member_a.name, t.partner_name) for t in response.context["talks"]}


def opinions_listed(response) -> list[str]:
    return [o.text for o in response.context["page"]]


def options(page: str) -> list[str]:
    return re.findall(r"<option[^>]*>([^<]*)</option>", page)


# ---------------------------------------------------------------- the rule, in organizations


def test_the_rule_matches_part_of_a_name_or_an_id_within_the_branch_only(people, demo_orgs):
    yang, zhao = people["杨丽"], people["赵磊"]
    office = yang.branch
    assert member_ids_named(branch=office, text="丽") == (yang.pk,)
    assert member_ids_named(branch=office, text=str(zhao.pk)) == (zhao.pk,)
    assert set(member_ids_named(branch=office, text="李")) == {people["李建国"].pk}
    other = demo_orgs.members["palace"]["邓文华"]
    assert member_ids_named(branch=office, text=str(other.pk)) == ()
    assert member_ids_named(branch=office, text="没这个人") == ()
    Member.objects.filter(pk=yang.pk).update(is_active=False)  # a transferred member's talks still find them
    assert member_ids_named(branch=office, text="杨丽") == (yang.pk,)


def test_the_rule_is_written_once():
    import rectification.selectors
    from branchlife.forms import MemberNameField
    from meetings.forms.opinions import OpinionFilterForm
    from meetings.forms.talks import TalkFilterForm
    from rectification.forms import LedgerFilterForm

    assert not hasattr(rectification.selectors, "member_ids_named")
    fields = [
        *(OpinionFilterForm.base_fields[n] for n in ("target_name", "claimed_name")),
        TalkFilterForm.base_fields["member"], LedgerFilterForm.base_fields["person"],
    ]
    assert all(type(f) is MemberNameField for f in fields)


# ---------------------------------------------------------------- talks


@pytest.fixture
def talks(meeting, people):
    li, yang, zhao, zhang = people["李建国"], people["杨丽"], people["赵磊"], people["张伟"]
    TalkFactory(meeting=meeting, member_a=li, member_b=yang, topics="工作作风")
    TalkFactory(meeting=meeting, member_a=zhao, member_b=li, topics="学习计划")
    TalkFactory(meeting=meeting, member_a=zhang, member_b=zhao, topics="工作作风")
    return meeting


def test_the_talk_list_filters_by_part_of_a_name(talks, login):
    response = login("secretary").get(reverse("meetings:talk_list", args=[talks.pk]), {"member": "建"})
    assert talks_listed(response) == {("李建国", "杨丽"), ("赵磊", "李建国")}


def test_the_talk_list_filters_by_a_members_id(talks, login, people):
    url = reverse("meetings:talk_list", args=[talks.pk])
    response = login("secretary").get(url, {"member": str(people["杨丽"].pk)})
    assert talks_listed(response) == {("李建国", "杨丽")}


def test_the_talk_list_says_a_name_of_nobody_and_keeps_the_rest(talks, login):
    response = login("secretary").get(reverse("meetings:talk_list", args=[talks.pk]), {"member": "没这个人", "q": "作风"})
    page = response.content.decode()
    assert response.status_code == 200
    assert NOBODY in page and 'value="没这个人"' in page and 'value="作风"' in page
    assert talks_listed(response) == {("李建国", "杨丽"), ("张伟", "赵磊")}  # the search still applies


def test_the_talk_list_finds_nobody_of_another_branch(talks, login, demo_orgs):
    other = demo_orgs.members["palace"]["邓文华"]
    response = login("secretary").get(reverse("meetings:talk_list", args=[talks.pk]), {"member": str(other.pk)})
    assert "本支部没有姓名包含" in response.content.decode() and len(talks_listed(response)) == 3


# ---------------------------------------------------------------- opinions


@pytest.fixture
def opinions(meeting, people):
    li, yang, zhao, zhang = people["李建国"], people["杨丽"], people["赵磊"], people["张伟"]
    to_yang = OpinionFactory(meeting=meeting, text="对杨丽：窗口服务不够耐心", target_kind="member", target_member=yang)
    to_zhao = OpinionFactory(meeting=meeting, text="对赵磊：下村太少", target_kind="member", target_member=zhao,
                             channel="wechat")
    to_all = OpinionFactory(meeting=meeting, text="对班子：会议太多", target_kind="committee")
    OpinionFactory(meeting=meeting, text="对班子：无人认领的一条", target_kind="committee")
    to_yang.claims.create(member=yang, claimed_on=days(0))
    to_zhao.claims.create(member=zhao, claimed_on=days(0))
    to_all.claims.create(member=li, claimed_on=days(0))
    to_all.claims.create(member=zhang, claimed_on=days(0))
    return meeting


def test_the_opinion_list_filters_the_target_by_part_of_a_name(opinions, login):
    response = login("secretary").get(reverse("meetings:opinion_list", args=[opinions.pk]), {"target_name": "丽"})
    assert opinions_listed(response) == ["对杨丽：窗口服务不够耐心"]


def test_the_opinion_list_keeps_the_fixed_choices_as_a_select(opinions, login):
    url = reverse("meetings:opinion_list", args=[opinions.pk])
    client = login("secretary")
    assert sorted(opinions_listed(client.get(url, {"target": "committee"}))) == ["对班子：会议太多", "对班子：无人认领的一条"]
    assert opinions_listed(client.get(url, {"claimed": "no"})) == ["对班子：无人认领的一条"]
    assert len(opinions_listed(client.get(url, {"claimed": "yes"}))) == 3
    assert opinions_listed(client.get(url, {"claimed": "yes", "claimed_name": "赵"})) == ["对赵磊：下村太少"]


def test_the_opinion_list_filters_the_claimant_by_name_once_per_opinion(opinions, login, people):
    url = reverse("meetings:opinion_list", args=[opinions.pk])
    client = login("secretary")
    assert opinions_listed(client.get(url, {"claimed_name": "李建"})) == ["对班子：会议太多"]
    # 李建国 and 张伟 both claimed it: matched by "李建国" or "张伟" alike, listed once when both match.
    people["张伟"].name = "李张伟"
    people["张伟"].save()
    assert opinions_listed(client.get(url, {"claimed_name": "李"})) == ["对班子：会议太多"]


def test_the_old_links_with_a_members_id_still_work(opinions, login, people):
    url = reverse("meetings:opinion_list", args=[opinions.pk])
    client = login("secretary")
    yang, zhao = people["杨丽"], people["赵磊"]
    assert opinions_listed(client.get(url, {"target": str(yang.pk)})) == ["对杨丽：窗口服务不够耐心"]
    assert opinions_listed(client.get(url, {"claimed": str(zhao.pk)})) == ["对赵磊：下村太少"]
    assert opinions_listed(client.get(url, {"target_name": str(yang.pk)})) == ["对杨丽：窗口服务不够耐心"]
    response = client.get(url, {"claimed_name": str(zhao.pk)})
    assert opinions_listed(response) == ["对赵磊：下村太少"] and not response.context["filter_form"].errors


def test_the_pages_link_to_the_filter_by_id(opinions, login, people):
    """The statistics' claimants (and 我的待办's 查看全部) link to the list filtered by that member."""
    zhao = people["赵磊"]
    client = login("secretary")
    stats = client.get(reverse("meetings:opinion_stats", args=[opinions.pk])).content.decode()
    link = f'{reverse("meetings:opinion_list", args=[opinions.pk])}?claimed_name={zhao.pk}'
    assert f'href="{link}"' in stats
    assert opinions_listed(client.get(link)) == ["对赵磊：下村太少"]


def test_the_opinion_list_says_a_name_of_nobody_and_keeps_the_rest(opinions, login):
    response = login("secretary").get(
        reverse("meetings:opinion_list", args=[opinions.pk]), {"claimed_name": "没这个人", "channel": "wechat"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and NOBODY in page and 'value="没这个人"' in page
    assert opinions_listed(response) == ["对赵磊：下村太少"]  # the channel still applies


def test_the_export_takes_the_name_filters(opinions, login):
    response = login("secretary").get(
        reverse("meetings:opinion_export", args=[opinions.pk]), {"target": "committee", "claimed_name": "张"}
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == ["对班子：会议太多"]


# ---------------------------------------------------------------- bounded pages, flat query counts


def branch_meeting(size: int):
    """A branch of `size` members (a secretary with a login, the rest ordinary), each with a talk with the
    secretary and an opinion addressed to them and claimed by them."""
    county = Organization.add_root(name=f"测试县委{size}", level=Organization.Level.COUNTY)
    branch = county.add_child(name=f"测试支部{size}", level=Organization.Level.BRANCH)
    secretary = MemberFactory(branch=branch, name=f"书记{size}", committee_post="secretary", user=UserFactory())
    others = [MemberFactory(branch=branch, name=f"成员{size}-{i}") for i in range(size - 1)]
    meeting = MeetingFactory(branch=branch)
    for m in others:
        TalkFactory(meeting=meeting, member_a=secretary, member_b=m)
        OpinionFactory(meeting=meeting, target_kind="member", target_member=m).claims.create(member=m, claimed_on=days(0))
    return meeting, secretary, others


@pytest.mark.parametrize("name", ["meetings:talk_list", "meetings:opinion_list"])
def test_a_branch_of_forty_is_not_listed_as_options(client, name):
    meeting, secretary, others = branch_meeting(40)
    client.force_login(secretary.user)
    page = client.get(reverse(name, args=[meeting.pk])).content.decode()
    names = {m.name for m in [secretary, *others]}
    assert not names & set(options(page))
    assert len(options(page)) < 40  # the fixed choices (and the language menu) only


# The query counts of the two lists, the same at 5 and 25 members: unfiltered, and with a name typed (one
# more, organizations.selectors.member_ids_named; the talk list also reads its filtered rows apart from the
# matrix's). The talk list reads the members once, for its matrix; the opinion list reads none (it read
# them all for its two dropdowns).
PINS = {
    ("meetings:talk_list", ""): 7,
    ("meetings:talk_list", "member"): 9,
    ("meetings:opinion_list", ""): 10,
    ("meetings:opinion_list", "target_name"): 11,
    ("meetings:opinion_list", "claimed_name"): 11,
}


def counts(client, size: int) -> dict:
    meeting, secretary, others = branch_meeting(size)
    client.force_login(secretary.user)
    found = {}
    for name, field in PINS:
        url = reverse(name, args=[meeting.pk])
        params = {field: others[0].name} if field else {}
        assert client.get(url, params).status_code == 200  # the session and caches settle once
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200 and not response.context["filter_form"].errors
        found[(name, field)] = len(captured)
    return found


@pytest.mark.usefixtures("still_clock")
def test_the_list_counts_are_pinned_and_do_not_grow_with_the_branch(client):
    assert counts(client, 5) == PINS
    assert counts(client, 25) == PINS


def test_a_link_with_a_members_id_shows_their_name_in_the_box(opinions, talks, login, people):
    client = login("secretary")
    zhao, yang = people["赵磊"], people["杨丽"]
    response = client.get(reverse("meetings:opinion_list", args=[opinions.pk]), {"claimed_name": str(zhao.pk)})
    page = response.content.decode()
    assert 'name="claimed_name" value="赵磊"' in page and f'value="{zhao.pk}"' not in page
    assert opinions_listed(response) == ["对赵磊：下村太少"]
    talks_page = client.get(reverse("meetings:talk_list", args=[talks.pk]), {"member": str(yang.pk)}).content.decode()
    assert 'name="member" value="杨丽"' in talks_page


def test_the_id_stays_when_the_name_would_find_someone_else_too(opinions, login, people):
    zhao = people["赵磊"]
    MemberFactory(branch=zhao.branch, name="赵磊明")  # typing 赵磊 would find both
    response = login("secretary").get(reverse("meetings:opinion_list", args=[opinions.pk]), {"claimed_name": str(zhao.pk)})
    assert f'name="claimed_name" value="{zhao.pk}"' in response.content.decode()
    assert opinions_listed(response) == ["对赵磊：下村太少"]
