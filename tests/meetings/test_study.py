import io

from django.urls import reverse
from openpyxl import load_workbook

from meetings.models import StudySession

from .factories import days


def test_the_secretary_records_a_study_session_with_attendance(meeting, people, login):
    client = login("secretary")
    attendees = [people["杨丽"].pk, people["赵磊"].pk]
    response = client.post(
        reverse("meetings:study_new", args=[meeting.pk]),
        {"held_on": days(-3).isoformat(), "topic": "学习党章", "form": "书记领读", "materials": "《中国共产党章程》", "attendees": attendees},
    )
    assert response.status_code == 302
    session = StudySession.objects.get()
    assert sorted(session.attendees.values_list("pk", flat=True)) == sorted(attendees)
    page = client.get(reverse("meetings:study_list", args=[meeting.pk])).content.decode()
    assert "学习党章" in page and "2/28" in page
    rows = list(load_workbook(io.BytesIO(client.get(reverse("meetings:study_export", args=[meeting.pk])).content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "学习党章" and rows[1][4] == 2


def test_a_session_needs_a_topic_and_keeps_the_input(meeting, login):
    response = login("secretary").post(
        reverse("meetings:study_new", args=[meeting.pk]), {"held_on": days(0).isoformat(), "topic": "", "materials": "保留的材料"}
    )
    assert response.status_code == 400
    assert "保留的材料" in response.content.decode()
    assert not StudySession.objects.exists()


def test_a_session_is_edited_and_deleted(meeting, people, login):
    session = StudySession.objects.create(meeting=meeting, held_on=days(0), topic="旧主题")
    client = login("secretary")
    url = reverse("meetings:study_edit", args=[meeting.pk, session.pk])
    client.post(url, {"held_on": days(0).isoformat(), "topic": "新主题", "attendees": [people["杨丽"].pk]})
    session.refresh_from_db()
    assert session.topic == "新主题"
    client.post(url, {"delete": "1"})
    assert not StudySession.objects.exists()
