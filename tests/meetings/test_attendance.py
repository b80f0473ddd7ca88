import pytest
from django.urls import reverse

from meetings import selectors, services
from meetings.models import AgendaItem, Attendance
from organizations.models import Supervisor

# The room's records open on the meeting's day (issue 17): these tests are on that day.
pytestmark = pytest.mark.usefixtures("meeting_day")


def post_attendance(client, meeting, people, absent=(), leave=(), reasons=None, supervisors=()):
    data = {}
    for name, m in people.items():
        status = "absent" if name in absent else "leave" if name in leave else "present"
        data[f"status_{m.pk}"] = status
        data[f"reason_{m.pk}"] = (reasons or {}).get(name, "")
    data["supervisors_present"] = [s.pk for s in supervisors]
    return client.post(reverse("meetings:attendance", args=[meeting.pk]), data)


def test_it_records_attendance_and_counts_it(meeting, people, login):
    supervisor = Supervisor.objects.get()
    response = post_attendance(
        login("secretary"), meeting, people, absent=["马超"], leave=["谢勇"],
        reasons={"马超": "在外务工", "谢勇": "住院"}, supervisors=[supervisor],
    )
    assert response.status_code == 302
    summary = selectors.record.attendance_summary(meeting=meeting)
    assert (summary.total, summary.present, summary.absent, summary.leave) == (28, 26, 1, 1)
    assert Attendance.objects.get(meeting=meeting, member=people["马超"]).reason == "在外务工"
    assert list(meeting.supervisors_present.all()) == [supervisor]
    present = selectors.members_present(meeting=meeting)
    assert len(present) == 26 and people["马超"] not in present and present[0] == people["李建国"]


def test_an_absence_needs_a_reason_and_the_input_is_kept(meeting, people, login):
    response = post_attendance(login("secretary"), meeting, people, absent=["马超"], reasons={"谢勇": "住院"})
    assert response.status_code == 400
    assert "请注明原因" in response.content.decode()
    assert not Attendance.objects.exists()


def test_it_warns_when_attendance_is_below_the_required_share(meeting, people, login):
    absent = list(people)[:6]  # 22/28 = 78 % < 80 %
    post_attendance(login("secretary"), meeting, people, absent=absent, reasons={n: "出差" for n in absent})
    page = login("secretary").get(reverse("meetings:attendance", args=[meeting.pk])).content.decode()
    assert "到会率 78%，低于本支部要求的 80%" in page
    summary = selectors.record.attendance_summary(meeting=meeting)
    assert summary.below_required
    Attendance.objects.filter(member__name=absent[0]).update(status="present", reason="")
    assert not selectors.record.attendance_summary(meeting=meeting).below_required  # 23/28 = 82 %


def test_the_agenda_defaults_to_seed_002s_five_items_and_can_be_edited(meeting, login):
    client = login("secretary")
    page = client.get(reverse("meetings:attendance", args=[meeting.pk])).content.decode()
    assert not AgendaItem.objects.filter(meeting=meeting).exists()  # shown, not stored: GET never writes (issue 21)
    items = services.record.agenda_default(meeting=meeting)
    assert [a.kind for a in items] == ["committee_review", "member_reviews", "secretary_comments", "supervisor_comment", "closing"]
    assert "对每名党员进行讲评" in page
    data = {"agenda-TOTAL_FORMS": "6", "agenda-INITIAL_FORMS": "5", "agenda-MIN_NUM_FORMS": "0", "agenda-MAX_NUM_FORMS": "20"}
    for i, a in enumerate(items):
        data.update({f"agenda-{i}-pk": a.pk or "", f"agenda-{i}-title": a.title, f"agenda-{i}-kind": a.kind, f"agenda-{i}-ORDER": i + 2})
    data.update({"agenda-5-title": "镇党委书记通报上年工作和承诺", "agenda-5-kind": "report", "agenda-5-ORDER": "1"})
    data["agenda-4-DELETE"] = "on"
    response = client.post(reverse("meetings:agenda", args=[meeting.pk]), data)
    assert response.status_code == 302
    kinds = list(AgendaItem.objects.filter(meeting=meeting).order_by("position").values_list("kind", flat=True))
    assert kinds == ["report", "committee_review", "member_reviews", "secretary_comments", "supervisor_comment"]


def test_an_id_too_large_for_the_database_is_an_invalid_choice_and_the_input_is_kept(meeting, people, login):
    response = post_attendance(login("secretary"), meeting, people, absent=["马超"], reasons={"马超": "在外务工"},
                               supervisors=[Supervisor(pk=123456789012345678901)])
    assert response.status_code == 400
    page = response.content.decode()
    assert "123456789012345678901" in page and "在外务工" in page
    assert not Attendance.objects.exists()
