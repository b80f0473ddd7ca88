"""Whoever may see a page may download its Word file and 公文 PDF; nobody else (another branch's member, an ordinary
member for the whole record or the ledger)."""

import pytest
from django.urls import reverse

from meetings.models import SelfReview
from tests.organizations.factories import UserFactory


def user_for(member):
    if member.user_id is None:
        member.user = UserFactory()
        member.save(update_fields=["user"])
    return member.user


def _url(request, name):
    """The download `name`, building only the data it needs (the demo's 安岳 meeting or 水阜镇's list);
    a name ending in _pdf is the 公文 PDF of the same document."""
    base, fmt = (name[:-4], "pdf") if name.endswith("_pdf") else (name, "docx")
    if base in ("problems", "ledger"):
        meeting = request.getfixturevalue("office_meeting")
        return reverse(f"documents:{fmt}", args=[base, meeting.pk if base == "problems" else meeting.branch_id])
    palace = request.getfixturevalue("palace")
    if base == "self_review":
        review = SelfReview.objects.get(meeting=palace, kind=SelfReview.Kind.COMMITTEE)
        return reverse(f"documents:{fmt}", args=["self-review", review.pk])
    if base == "options":
        return reverse("documents:options", args=["report", palace.pk])
    return reverse(f"documents:{fmt}", args=[base, palace.pk])


# url → (user, status): anyue is 安岳县青少年宫支部's secretary, secretary and member (杨丽) are 水阜镇机关党支部's,
# county the officer over 皋兰县 (not 安岳县), supervisor 水阜镇's 督导. One test per URL (the demo is built once
# for all its users): every role is asked in turn.
TABLE = {
    "report": [("anyue", 200), ("member", 403), ("county", 403), ("supervisor", 403)],
    "report_pdf": [("anyue", 200), ("secretary", 403)],
    "record": [("anyue", 200), ("member", 403), ("county", 403)],
    "record_pdf": [("anyue", 200), ("member", 403), ("county", 403)],
    "self_review": [("anyue", 200), ("secretary", 403)],
    "self_review_pdf": [("anyue", 200), ("secretary", 403), ("member", 403)],
    "options": [("anyue", 200), ("member", 403)],
    "problems": [("secretary", 200), ("county", 200), ("supervisor", 200), ("member", 403), ("anyue", 403)],
    "problems_pdf": [("secretary", 200), ("county", 200), ("supervisor", 200), ("member", 403), ("anyue", 403)],
    "ledger": [("secretary", 200), ("county", 200), ("member", 403), ("anyue", 403)],
    "ledger_pdf": [("secretary", 200), ("county", 200), ("member", 403), ("anyue", 403)],
}


@pytest.mark.parametrize("name", TABLE)
def test_it_asks_the_pages_permission(request, login, name):
    url = _url(request, name)
    assert [(user, login(user).get(url).status_code) for user, _status in TABLE[name]] == TABLE[name]


def test_an_ordinary_member_gets_the_report_but_not_the_whole_record(request, palace, demo_orgs, client):
    client.force_login(user_for(demo_orgs.members["palace"]["程刚"]))
    assert client.get(_url(request, "report")).status_code == 200
    assert client.get(_url(request, "record")).status_code == 403
    assert client.get(_url(request, "record_pdf")).status_code == 403


def test_a_member_gets_their_own_self_review_and_not_anothers(palace, demo_orgs, client):
    cheng, dong = demo_orgs.members["palace"]["程刚"], demo_orgs.members["palace"]["董明"]
    client.force_login(user_for(cheng))
    own = SelfReview.objects.get(meeting=palace, member=cheng)
    other = SelfReview.objects.get(meeting=palace, member=dong)
    assert client.get(reverse("documents:docx", args=["self-review", own.pk])).status_code == 200
    assert client.get(reverse("documents:docx", args=["self-review", other.pk])).status_code == 403
    assert client.get(reverse("documents:pdf", args=["self-review", own.pk])).status_code == 200
    assert client.get(reverse("documents:pdf", args=["self-review", other.pk])).status_code == 403


def test_an_unknown_kind_or_object_is_404(palace, login):
    client = login("anyue")
    assert client.get(reverse("documents:docx", args=["minutes", palace.pk])).status_code == 404
    assert client.get(reverse("documents:docx", args=["report", 999999])).status_code == 404
    assert client.get(reverse("documents:pdf", args=["minutes", palace.pk])).status_code == 404
    assert client.get(reverse("documents:pdf", args=["record", 999999])).status_code == 404


def test_it_needs_a_login(office_meeting, client):
    response = client.get(reverse("documents:docx", args=["problems", office_meeting.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
