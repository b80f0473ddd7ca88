"""Issue 16 item 5: the other side confirms a talk one side recorded, or says it did not take place."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lifecycle import selectors as lifecycle_selectors
from meetings import selectors, services
from meetings.models import Meeting, Talk, talk_awaiting_confirmation_q, talk_confirmer_q, talk_counts_q
from organizations.models import Supervisor
from tests.organizations.factories import UserFactory

from .factories import MeetingFactory, TalkFactory, days


@pytest.fixture
def zhao(people):
    """赵磊, an ordinary member of 水阜镇机关党支部 like 杨丽 (`member`), with an account of his own."""
    member = people["赵磊"]
    member.user = UserFactory(username="zhaolei")
    member.save()
    return member


@pytest.fixture
def as_zhao(client, zhao):
    client.force_login(zhao.user)
    return client


@pytest.fixture
def yang(people):
    return people["杨丽"]


def recorded_by_yang(meeting, yang, zhao, **fields) -> Talk:
    """杨丽 recorded a talk with 赵磊: 赵磊 must confirm it."""
    return TalkFactory(meeting=meeting, member_a=yang, member_b=zhao, recorded_by=yang.user, **fields)


def member_pair(meeting, a, b):
    """The members_each_other pair of `a` (with any other ordinary member)."""
    return next(p for p in selectors.talk_coverage(meeting=meeting).required if p.rule == "members_each_other" and p.a == a)


# ---------------------------------------------------------------- who must confirm
def _talk(meeting, people, a, b, recorder, other_kind=""):
    member_a, member_b = people[a], people[b] if b else None
    user = {"a": member_a.user, "b": member_b.user if member_b else None, "secretary": people["李建国"].user,
            None: None}.get(recorder, recorder)
    return TalkFactory(meeting=meeting, member_a=member_a, member_b=member_b, other_kind=other_kind,
                       other_name="镇党委副书记" if other_kind else "", recorded_by=user)


@pytest.mark.parametrize(
    ("a", "b", "recorder", "other_kind", "confirmer"),
    [
        ("杨丽", "赵磊", "a", "", "赵磊"),  # recorded by member_a: member_b confirms
        ("赵磊", "杨丽", "b", "", "赵磊"),  # recorded by member_b: member_a confirms
        ("李建国", "杨丽", "a", "", "杨丽"),  # the secretary recorded a talk they took part in: the other confirms
        ("赵磊", "杨丽", "secretary", "", None),  # the secretary recorded someone else's talk
        ("赵磊", "杨丽", None, "", None),  # imported or demo rows
        ("李建国", None, "a", "leader", None),  # with someone outside the branch
    ],
)
def test_it_knows_who_must_confirm(meeting, people, zhao, a, b, recorder, other_kind, confirmer):
    talk = _talk(meeting, people, a, b, recorder, other_kind)
    talk = Talk.objects.select_related("member_a", "member_b").get(pk=talk.pk)
    assert talk.confirmer_id == (people[confirmer].pk if confirmer else None)
    assert talk.confirmation_state == ("pending" if confirmer else "not_needed")
    assert talk.counts is (confirmer is None)


def test_a_recorder_or_a_supervisor_outside_the_talk_needs_no_confirmation(meeting, people, zhao):
    recorder = people["刘芳"]
    recorder.user = UserFactory()
    recorder.save()
    meeting.recorders.set([recorder])
    by_recorder = TalkFactory(meeting=meeting, member_a=people["杨丽"], member_b=zhao, recorded_by=recorder.user)
    supervisor = Supervisor.objects.get(user__username="supervisor")
    by_supervisor = TalkFactory(meeting=meeting, member_a=people["黄静"], member_b=zhao, recorded_by=supervisor.user)
    assert by_recorder.confirmer_id is None and by_supervisor.confirmer_id is None
    assert by_recorder.counts and by_supervisor.counts


def test_the_sql_twins_agree_with_the_model_in_every_state(meeting, people, zhao):
    """models.talk_counts_q / talk_awaiting_confirmation_q / talk_confirmer_q say what Talk.counts,
    Talk.awaiting_confirmation and Talk.confirmer_id say (the dashboard's SQL copy uses them)."""
    now = timezone.now()
    people["马超"].user = None  # a member without an account
    people["马超"].save()
    cases = [("杨丽", "赵磊", "a"), ("赵磊", "杨丽", "b"), ("李建国", "杨丽", "a"), ("赵磊", "杨丽", "secretary"),
             ("赵磊", "杨丽", None), ("马超", "杨丽", "b"), ("杨丽", "马超", "a")]
    for a, b, recorder in cases:
        for state in ("pending", "confirmed", "disputed"):
            talk = _talk(meeting, people, a, b, recorder)
            if talk.confirmer_id and state == "confirmed":
                Talk.objects.filter(pk=talk.pk).update(confirmed_at=now)
            elif talk.confirmer_id and state == "disputed":
                Talk.objects.filter(pk=talk.pk).update(disputed_at=now, dispute_note="没有谈过")
    _talk(meeting, people, "李建国", None, "a", other_kind="recipient")
    rows = list(Talk.objects.select_related("member_a", "member_b"))
    assert {"not_needed", "pending", "confirmed", "disputed"} == {t.confirmation_state for t in rows}
    assert set(Talk.objects.filter(talk_counts_q()).values_list("pk", flat=True)) == {t.pk for t in rows if t.counts}
    assert set(Talk.objects.filter(talk_awaiting_confirmation_q()).values_list("pk", flat=True)) == {
        t.pk for t in rows if t.awaiting_confirmation
    }
    for member in people.values():
        assert set(Talk.objects.filter(talk_confirmer_q(member.pk)).values_list("pk", flat=True)) == {
            t.pk for t in rows if t.confirmer_id == member.pk
        }, member.name
    # From another model, with a prefix.
    counted = Meeting.objects.filter(talk_counts_q("talks__")).values_list("talks__pk", flat=True)
    assert set(counted) == {t.pk for t in rows if t.counts}


# ---------------------------------------------------------------- recording, confirming, disputing through the pages
def test_a_talk_recorded_by_one_side_waits_for_the_other(meeting, people, yang, zhao, login):
    response = login("member").post(
        reverse("meetings:talk_new", args=[meeting.pk]),
        {"member_b": zhao.pk, "held_on": days(0).isoformat(), "topics": "交流窗口服务", "summary": "相互提醒"},
    )
    assert response.status_code == 302
    talk = Talk.objects.select_related("member_a", "member_b").get()
    assert talk.recorded_by == yang.user and talk.confirmer_id == zhao.pk and talk.awaiting_confirmation
    pair = member_pair(meeting, yang, zhao)
    assert pair.state == "pending" and pair.pending_talk == talk and pair.b == zhao
    coverage = selectors.talk_coverage(meeting=meeting)
    assert pair.rule == "members_each_other"
    assert all(p.talk != talk for p in coverage.done)
    assert any(p.pending_talk == talk for p in coverage.pending)
    assert all(p.pending_talk != talk for p in coverage.missing)


def test_the_other_side_confirms_from_their_to_dos(meeting, yang, zhao, as_zhao):
    talk = recorded_by_yang(meeting, yang, zhao, topics="交流窗口服务中的问题")
    response = as_zhao.get(reverse("meetings:my_home"))
    page = response.content.decode()
    [group] = response.context["home"].groups
    assert group.talks_to_confirm == [talk]
    assert "谈心谈话待确认" in page and "交流窗口服务中的问题" in page and "与 杨丽 谈心谈话" in page
    assert reverse("meetings:talk_confirm", args=[talk.pk]) in page
    assert reverse("meetings:talk_dispute", args=[talk.pk]) in page
    count_before = group.count

    response = as_zhao.post(reverse("meetings:talk_confirm", args=[talk.pk]), {"next": reverse("meetings:my_home")})
    assert response.status_code == 302 and response.url == reverse("meetings:my_home")
    talk.refresh_from_db()
    assert talk.confirmed_at is not None and talk.disputed_at is None
    assert member_pair(meeting, yang, zhao).state == "done"

    response = as_zhao.get(reverse("meetings:my_home"))
    [group] = response.context["home"].groups
    assert group.talks_to_confirm == [] and group.count == count_before - 1
    assert reverse("meetings:talk_confirm", args=[talk.pk]) not in response.content.decode()


def test_the_recorder_sees_it_waiting_for_the_other_side(meeting, yang, zhao, login):
    recorded_by_yang(meeting, yang, zhao)
    response = login("member").get(reverse("meetings:my_home"))
    [group] = response.context["home"].groups
    assert [p.rule for p in group.talks_pending if p.a == yang] == ["members_each_other"]
    assert group.talks_to_confirm == []
    assert "待对方确认" in response.content.decode()


@pytest.mark.parametrize("who", ["member", "secretary", "anyue", "county", "supervisor"])
def test_nobody_else_confirms_or_disputes(meeting, yang, zhao, login, who):
    """杨丽 recorded it, the secretary reads everything, 邓文华 is in another branch: 赵磊 alone answers."""
    talk = recorded_by_yang(meeting, yang, zhao)
    client = login(who)
    assert client.post(reverse("meetings:talk_confirm", args=[talk.pk])).status_code == 403
    assert client.post(reverse("meetings:talk_dispute", args=[talk.pk]), {"note": "没谈"}).status_code == 403
    talk.refresh_from_db()
    assert talk.confirmed_at is None and talk.disputed_at is None


def test_another_branch_s_member_sees_nothing_of_it(meeting, yang, zhao, login):
    talk = recorded_by_yang(meeting, yang, zhao, topics="只属于本支部的谈话")
    client = login("anyue")
    assert client.get(reverse("meetings:talk_detail", args=[talk.pk])).status_code == 403
    home = client.get(reverse("meetings:my_home"))
    assert "只属于本支部的谈话" not in home.content.decode() and home.context["home"].groups == []
    assert client.post(reverse("meetings:talk_confirm", args=[talk.pk + 1000])).status_code == 404


def test_confirming_is_post_only(meeting, yang, zhao, as_zhao):
    talk = recorded_by_yang(meeting, yang, zhao)
    assert as_zhao.get(reverse("meetings:talk_confirm", args=[talk.pk])).status_code == 405
    assert as_zhao.get(reverse("meetings:talk_dispute", args=[talk.pk])).status_code == 405
    talk.refresh_from_db()
    assert talk.confirmed_at is None


def test_a_talk_recorded_by_the_secretary_for_others_asks_nobody(meeting, people, yang, zhao, as_zhao):
    talk = TalkFactory(meeting=meeting, member_a=yang, member_b=zhao, recorded_by=people["李建国"].user)
    assert member_pair(meeting, yang, zhao).state == "done"
    [group] = as_zhao.get(reverse("meetings:my_home")).context["home"].groups
    assert group.talks_to_confirm == []
    assert as_zhao.post(reverse("meetings:talk_confirm", args=[talk.pk])).status_code == 403


def test_a_second_confirmation_changes_nothing_and_says_so(meeting, yang, zhao, as_zhao):
    talk = recorded_by_yang(meeting, yang, zhao)
    as_zhao.post(reverse("meetings:talk_confirm", args=[talk.pk]))
    talk.refresh_from_db()
    first = talk.confirmed_at
    response = as_zhao.post(reverse("meetings:talk_confirm", args=[talk.pk]), follow=True)
    assert response.status_code == 200
    assert "这次谈话已经确认过了" in response.content.decode()
    talk.refresh_from_db()
    assert talk.confirmed_at == first
    with pytest.raises(ValidationError, match="已经确认过了"):
        services.talks.talk_dispute(talk=talk, member=zhao, note="其实没谈")


def test_the_service_refuses_anyone_but_the_other_side(meeting, people, yang, zhao):
    talk = recorded_by_yang(meeting, yang, zhao)
    for member in (yang, people["李建国"]):
        with pytest.raises(ValidationError, match="只有谈话的另一方"):
            services.talks.talk_confirm(talk=talk, member=member, now=timezone.now())
    unrecorded = TalkFactory(meeting=meeting, member_a=yang, member_b=people["黄静"])
    with pytest.raises(ValidationError, match="只有谈话的另一方"):
        services.talks.talk_confirm(talk=unrecorded, member=people["黄静"], now=timezone.now())
    talk.refresh_from_db()
    assert talk.confirmed_at is None


# ---------------------------------------------------------------- disputed
def test_a_disputed_talk_does_not_count_and_the_secretary_and_the_recorder_see_why(meeting, people, yang, zhao, as_zhao, login):
    talk = recorded_by_yang(meeting, yang, zhao, topics="窗口服务")
    response = as_zhao.post(reverse("meetings:talk_dispute", args=[talk.pk]), {"note": "那天我在外地出差"})
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.disputed_at is not None and talk.dispute_note == "那天我在外地出差" and talk.confirmed_at is None
    pair = member_pair(meeting, yang, zhao)
    assert pair.state == "missing" and pair.talk is None and pair.pending_talk is None
    [group] = as_zhao.get(reverse("meetings:my_home")).context["home"].groups
    assert group.talks_to_confirm == []

    page = login("secretary").get(reverse("meetings:talk_list", args=[meeting.pk])).content.decode()
    assert "对方表示未进行" in page and "那天我在外地出差" in page
    cells = login("secretary").get(reverse("meetings:talk_list", args=[meeting.pk])).context["matrix"]
    row = dict(cells.rows)[yang]
    assert row[cells.members.index(zhao)] in ("", "missing")

    response = login("member").get(reverse("meetings:my_home"))
    [group] = response.context["home"].groups
    assert group.talks_disputed == [talk]
    page = response.content.decode()
    assert "对方表示未进行" in page and "那天我在外地出差" in page
    assert reverse("meetings:talk_edit", args=[talk.pk]) in page
    detail = login("member").get(reverse("meetings:talk_detail", args=[talk.pk])).content.decode()
    assert "对方表示这次谈话未进行" in detail


def test_others_who_read_the_talks_see_only_that_it_is_not_counted(meeting, people, yang, zhao, login):
    talk = recorded_by_yang(meeting, yang, zhao)
    services.talks.talk_dispute(talk=talk, member=zhao, note="私下的说明", now=timezone.now())
    for who in ("county", "supervisor"):
        page = login(who).get(reverse("meetings:talk_list", args=[meeting.pk])).content.decode()
        assert "未计入" in page and "对方表示未进行" not in page and "私下的说明" not in page


def test_editing_clears_the_answer_and_the_other_side_confirms_again(meeting, yang, zhao, as_zhao, login):
    talk = recorded_by_yang(meeting, yang, zhao)
    services.talks.talk_dispute(talk=talk, member=zhao, note="日期不对", now=timezone.now())
    response = login("member").post(
        reverse("meetings:talk_edit", args=[talk.pk]),
        {"member_b": zhao.pk, "held_on": days(-1).isoformat(), "topics": "交流窗口服务", "summary": "改了日期"},
    )
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.disputed_at is None and talk.dispute_note == "" and talk.held_on == days(-1)
    assert member_pair(meeting, yang, zhao).state == "pending"
    as_zhao.force_login(zhao.user)  # login() above logged the same client in as 杨丽
    [group] = as_zhao.get(reverse("meetings:my_home")).context["home"].groups
    assert group.talks_to_confirm == [talk]

    services.talks.talk_confirm(talk=talk, member=zhao, now=timezone.now())
    services.talks.talk_save(meeting=meeting, talk=talk, member_a=yang, member_b=zhao, held_on=days(-2), topics="再改")
    talk.refresh_from_db()
    assert talk.confirmed_at is None and member_pair(meeting, yang, zhao).state == "pending"


def test_the_recorder_may_delete_a_disputed_talk(meeting, yang, zhao, login):
    talk = recorded_by_yang(meeting, yang, zhao)
    services.talks.talk_dispute(talk=talk, member=zhao, now=timezone.now())
    assert login("member").post(reverse("meetings:talk_edit", args=[talk.pk]), {"delete": "1"}).status_code == 302
    assert not Talk.objects.filter(pk=talk.pk).exists()


# ---------------------------------------------------------------- a closed meeting
def test_a_closed_meeting_s_talks_are_no_longer_confirmed(meeting, yang, zhao, as_zhao):
    talk = recorded_by_yang(meeting, yang, zhao)
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now())
    assert as_zhao.post(reverse("meetings:talk_confirm", args=[talk.pk])).status_code == 403
    assert as_zhao.post(reverse("meetings:talk_dispute", args=[talk.pk])).status_code == 403
    talk.refresh_from_db()
    with pytest.raises(ValidationError, match="会议已结束"):
        services.talks.talk_confirm(talk=talk, member=zhao, now=timezone.now())
    with pytest.raises(ValidationError, match="会议已结束"):
        services.talks.talk_dispute(talk=talk, member=zhao, note="", now=timezone.now())
    talk.refresh_from_db()
    assert talk.confirmed_at is None and talk.disputed_at is None
    assert list(selectors.talks.talks_to_confirm(member=zhao)) == []


# ---------------------------------------------------------------- where coverage is shown
def test_the_talk_page_shows_pending_pairs_apart(meeting, yang, zhao, login):
    recorded_by_yang(meeting, yang, zhao)
    response = login("secretary").get(reverse("meetings:talk_list", args=[meeting.pk]))
    page = response.content.decode()
    # One talk, two requirements (each of them with another member): both wait for 赵磊.
    assert "必谈 0/56 已完成" in page and "2 对待对方确认" in page
    assert "已谈、待对方确认的必谈" in page and "杨丽 — 赵磊" in page
    matrix = response.context["matrix"]
    assert dict(matrix.rows)[yang][matrix.members.index(zhao)] == "pending"
    assert [t.state_label for t in response.context["talks"]] == ["待对方确认"]


def test_the_timeline_and_readiness_count_a_pending_talk_as_not_done(meeting, yang, zhao, people):
    Meeting.objects.filter(pk=meeting.pk).update(talk_rule_set="custom", custom_talk_rules=["committee_each_other"])
    meeting.refresh_from_db()
    secretary, committee = people["李建国"], [m for m in people.values() if m.is_committee and m != people["李建国"]]
    for other in committee:
        TalkFactory(meeting=meeting, member_a=secretary, member_b=other)
    required = selectors.talk_coverage(meeting=meeting).required
    for p in required:
        if not p.done:
            TalkFactory(meeting=meeting, member_a=p.a, member_b=p.b)
    assert selectors.talk_coverage(meeting=meeting).complete
    # One of them was recorded by the secretary, who took part: the other side has not confirmed yet.
    talk = Talk.objects.filter(meeting=meeting, member_a=secretary).first()
    Talk.objects.filter(pk=talk.pk).update(recorded_by=secretary.user)
    cov = selectors.talk_coverage(meeting=meeting)
    assert not cov.complete and not cov.missing and len(cov.pending) == 1
    phase = next(p for p in lifecycle_selectors.timeline(meeting=meeting) if p.key == "talks")
    assert phase.status != "done" and any("待对方确认" in e for e in phase.extra)
    with pytest.raises(ValidationError, match="待对方确认"):
        services.plan.meeting_mark_ready(meeting=meeting)
    services.talks.talk_confirm(talk=talk, member=talk.member_b, now=timezone.now())
    assert selectors.talk_coverage(meeting=meeting).complete
    services.plan.meeting_mark_ready(meeting=meeting)
    assert Meeting.objects.get(pk=meeting.pk).ready_at is not None


def test_the_export_names_the_pending_state(meeting, yang, zhao, login):
    import io

    from openpyxl import load_workbook

    recorded_by_yang(meeting, yang, zhao)
    response = login("secretary").get(reverse("meetings:talk_export", args=[meeting.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert ("党员与党员之间", "杨丽", "赵磊", "待对方确认") in [r[:4] for r in rows]


# ---------------------------------------------------------------- the selector for other apps
def test_talks_to_confirm_lists_what_the_member_still_has_to_answer(meeting, people, yang, zhao):
    waiting = recorded_by_yang(meeting, yang, zhao, held_on=days(-2))
    confirmed = recorded_by_yang(meeting, yang, zhao, held_on=days(-3), confirmed_at=timezone.now())
    disputed = recorded_by_yang(meeting, yang, zhao, held_on=days(-4), disputed_at=timezone.now())
    by_him = TalkFactory(meeting=meeting, member_a=zhao, member_b=yang, recorded_by=zhao.user)
    closed = MeetingFactory(branch=meeting.branch, closed_at=timezone.now())
    recorded_by_yang(closed, yang, zhao)
    rows = list(selectors.talks.talks_to_confirm(member=zhao))
    assert rows == [waiting]
    assert list(selectors.talks.talks_to_confirm(member=yang)) == [by_him]
    assert confirmed not in rows and disputed not in rows
    todos = lifecycle_selectors.my_todos(member=zhao, meeting=meeting)
    assert todos.talks_to_confirm == rows
    every = {t.pk: t.confirmer_id for t in selectors.talks_awaiting_confirmation()}
    assert every == {waiting.pk: zhao.pk, by_him.pk: yang.pk}


# ---------------------------------------------------------------- demo rows keep counting
def test_talks_without_a_recorder_keep_counting(meeting, people):
    TalkFactory(meeting=meeting, member_a=people["李建国"], member_b=people["王秀兰"])
    pair = next(p for p in selectors.talk_coverage(meeting=meeting).required if {p.a, p.b} == {people["李建国"], people["王秀兰"]})
    assert pair.done and not Talk.objects.filter(talk_awaiting_confirmation_q()).exists()


# ---------------------------------------------------------------- queries
def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_my_home_costs_the_same_with_one_or_many_talks_to_confirm(meeting, people, zhao, as_zhao):
    url = reverse("meetings:my_home")
    as_zhao.get(url)  # the session is set up once
    others = [m for n, m in people.items() if n not in ("赵磊",)][:8]
    for m in others:
        m.user = m.user or UserFactory()
        m.save()
    TalkFactory(meeting=meeting, member_a=others[0], member_b=zhao, recorded_by=others[0].user)
    one = _count(as_zhao, url)
    for i, m in enumerate(others[1:], start=1):
        TalkFactory(meeting=meeting, member_a=m, member_b=zhao, recorded_by=m.user, held_on=days(-i))
        TalkFactory(meeting=meeting, member_a=zhao, member_b=m, recorded_by=m.user, held_on=days(-i),
                    disputed_at=timezone.now())
    response = as_zhao.get(url)
    assert len(response.context["home"].groups[0].talks_to_confirm) == 8
    assert _count(as_zhao, url) == one


def test_the_talk_list_costs_the_same_with_one_or_many_pending_talks(meeting, people, zhao, login):
    client = login("secretary")
    url = reverse("meetings:talk_list", args=[meeting.pk])
    client.get(url)
    others = [m for n, m in people.items() if n not in ("赵磊",)][:8]
    for m in others:
        m.user = m.user or UserFactory()
        m.save()
    TalkFactory(meeting=meeting, member_a=others[0], member_b=zhao, recorded_by=others[0].user)
    one = _count(client, url)
    for i, m in enumerate(others[1:], start=1):
        TalkFactory(meeting=meeting, member_a=m, member_b=zhao, recorded_by=m.user, held_on=days(-i),
                    disputed_at=timezone.now() if i % 2 else None)
    assert _count(client, url) == one


def test_confirmed_at_is_the_moment_given(meeting, yang, zhao):
    talk = recorded_by_yang(meeting, yang, zhao)
    moment = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    services.talks.talk_confirm(talk=talk, member=zhao, now=moment)
    talk.refresh_from_db()
    assert talk.confirmed_at == moment and talk.counts
