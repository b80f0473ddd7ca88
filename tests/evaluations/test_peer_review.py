"""个人自评和党小组互评 (issue 17 item 5): each member grades themself, then only the members of their party
group; the determination page shows self-grade, group review and the branch ballot side by side; nothing
stored names the rater, and the seal rewrites the rows like the ballots."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from evaluations import services
from evaluations.models import Grade, PeerMark, SelfGrade, Voter
from organizations.models import Member, Organization
from tests.evaluations.test_anonymity import columns, physical, spearman


def _groups(ev, sizes):
    """Put the evaluation's members into party groups of the given sizes, in order."""
    branch = ev.meeting.branch
    members, start, groups = list(ev.members), 0, []
    for i, size in enumerate(sizes):
        group = branch.add_child(name=f"第{i + 1}党小组", level=Organization.Level.GROUP)
        Member.objects.filter(pk__in=[m.pk for m in members[start:start + size]]).update(party_group=group)
        groups.append(members[start:start + size])
        start += size
    for m in members:
        m.refresh_from_db()
    return groups


@pytest.fixture
def peer_ev(build):
    ev = build.evaluation(n=8, with_users=True, with_peer_review=True)
    ev.groups = _groups(ev, [5, 3])
    ev.members[0].committee_post = Member.Post.SECRETARY
    ev.members[0].save(update_fields=["committee_post"])
    return ev


def _grades(ev, member, grade=Grade.QUALIFIED):
    return {c.pk: grade for c in services.peer_candidates(evaluation=ev, member=member)}


def test_a_member_rates_themself_and_only_their_group(peer_ev, client):
    first, second = peer_ev.groups
    me = first[1]
    assert {c.member_id for c in services.peer_candidates(evaluation=peer_ev, member=me)} == {m.pk for m in first if m != me}
    client.force_login(me.user)
    url = reverse("evaluations:peer_review", args=[peer_ev.pk])
    page = client.get(url).content.decode()
    assert "第1党小组" in page and all(m.name in page for m in first) and not any(m.name in page for m in second)
    # a missing grade comes back with what was chosen kept
    peers = services.peer_candidates(evaluation=peer_ev, member=me)
    data = {"self_grade": "qualified", **{f"g_{c.pk}": "excellent" for c in peers[:-1]}}
    response = client.post(url, data)
    assert response.status_code == 400 and "请选择等次" in response.content.decode()
    assert 'value="excellent" autocomplete="off" checked' in response.content.decode()
    assert not PeerMark.objects.exists() and not Voter.objects.filter(peer_done=True).exists()
    data[f"g_{peers[-1].pk}"] = "qualified"
    assert client.post(url, data).status_code == 302
    assert PeerMark.objects.filter(evaluation=peer_ev).count() == 4
    assert SelfGrade.objects.get(candidate__member=me).grade == "qualified"
    assert Voter.objects.get(evaluation=peer_ev, member=me).peer_done
    # once only
    with pytest.raises(ValidationError, match="已经提交过"):
        services.peer_review_cast(evaluation=peer_ev, member=me, self_grade="qualified", grades=_grades(peer_ev, me))
    assert PeerMark.objects.filter(evaluation=peer_ev).count() == 4


def test_rating_someone_outside_the_group_is_refused(peer_ev):
    first, second = peer_ev.groups
    me = first[0]
    grades = _grades(peer_ev, me)
    outsider = next(c for c in peer_ev.candidates.all() if c.member_id == second[0].pk)
    with pytest.raises(ValidationError, match="只能评价本党小组的党员"):
        services.peer_review_cast(evaluation=peer_ev, member=me, self_grade="qualified", grades={**grades, outsider.pk: "basic"})
    assert not PeerMark.objects.exists()


def test_not_asked_for_not_offered(build, client):
    ev = build.evaluation(n=3, with_users=True)
    client.force_login(ev.members[0].user)
    assert client.get(reverse("evaluations:peer_review", args=[ev.pk])).status_code == 404
    with pytest.raises(ValidationError, match="不进行个人自评"):
        services.peer_review_cast(evaluation=ev, member=ev.members[0], self_grade="qualified", grades={})


def test_the_determination_shows_them_side_by_side_hiding_small_counts(peer_ev, build, client):
    first, second = peer_ev.groups
    for m in first:
        services.peer_review_cast(evaluation=peer_ev, member=m, self_grade="excellent" if m == first[2] else "qualified",
                                  grades=_grades(peer_ev, m, Grade.EXCELLENT if m != first[0] else Grade.QUALIFIED))
    for m in second:
        services.peer_review_cast(evaluation=peer_ev, member=m, self_grade="qualified", grades=_grades(peer_ev, m))
    for m in peer_ev.members:
        services.ballot_cast(evaluation=peer_ev, member=m, content=build.content(peer_ev))
    build.close(peer_ev)
    client.force_login(peer_ev.members[0].user)
    page = client.get(reverse("evaluations:determination", args=[peer_ev.pk])).content.decode()
    summaries = page.split('data-testid="peer-summary"')[1:]
    assert len(summaries) == 8
    third = page[page.index(f"<strong>{first[2].name}</strong>"):]
    assert "个人自评：<strong>优秀</strong>" in third.split('data-testid="peer-summary"')[1].split("</div>")[0]
    # group of five: four raters each, shown; group of three: two raters, hidden
    assert "（4 人评价）" in page and "2 人评价，不足 3 人不显示明细" in page


def test_nothing_stored_names_the_rater_and_the_seal_reshuffles(build):
    assert set(columns(PeerMark._meta.db_table)) == {"id", "evaluation_id", "candidate_id", "grade"}
    assert set(columns(SelfGrade._meta.db_table)) == {"id", "evaluation_id", "candidate_id", "grade"}
    ev = build.evaluation(n=40, with_peer_review=True)
    _groups(ev, [40])
    order = list(ev.members)
    random.Random(5).shuffle(order)
    candidate_of = {c.member_id: c.pk for c in ev.candidates.all()}
    for m in order:  # each rates 优秀 only the next member in voting order: a mark's content names its rater
        nxt = order[(order.index(m) + 1) % len(order)]
        grades = {c.pk: Grade.EXCELLENT if c.member_id == nxt.pk else Grade.QUALIFIED
                  for c in services.peer_candidates(evaluation=ev, member=m)}
        services.peer_review_cast(evaluation=ev, member=m, self_grade="qualified", grades=grades)
    rater_of = {candidate_of[order[(i + 1) % len(order)].pk]: m.pk for i, m in enumerate(order)}
    voting = [m.pk for m in order]
    order_sql = "ctid" if connection.vendor == "postgresql" else "rowid"
    where = "evaluation_id = %s AND grade = %s"

    def marks_order():
        return [rater_of[c] for c in physical(order_sql, PeerMark._meta.db_table, "candidate_id", where, [ev.pk, "excellent"])]

    assert spearman(marks_order(), voting) > 0.99  # before the seal the pages follow the voting order
    build.close(ev)
    assert services.evaluation_seal(evaluation=ev)
    after = marks_order()
    assert sorted(after) == sorted(voting)
    assert abs(spearman(after, voting)) < 0.7
