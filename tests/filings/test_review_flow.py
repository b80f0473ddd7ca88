"""Upward review through the pages: the branch's secretary submits, the township returns with a reason, the
branch sees it and resubmits, the township approves; who may do what."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from filings.models import Filing, FilingEvent, ReviewRule
from filings.selectors import reviewer_for


def detail(meeting, kind="plan"):
    return reverse("filings:detail", args=[meeting.pk, kind])


def submit(client, meeting, kind="plan", **data):
    return client.post(reverse("filings:submit", args=[meeting.pk, kind]), data)


def review(client, filing, decision, reason=""):
    return client.post(reverse("filings:review", args=[filing.pk]), {"decision": decision, "reason": reason})


def test_it_goes_from_submission_through_return_to_approval(tree, as_user):
    meeting = tree.meeting
    assert submit(as_user("sec1"), meeting).status_code == 302
    filing = Filing.objects.get(meeting=meeting, kind="plan")
    assert (filing.state, filing.reviewer, filing.submissions) == ("pending", tree.town1, 1)
    assert ["地点", "会议室"] in filing.content

    town = as_user("town1")
    response = review(town, filing, "return")  # a return needs its reason
    assert response.status_code == 400
    assert "退回时请填写驳回原因。" in response.content.decode()
    filing.refresh_from_db()
    assert filing.state == "pending"
    assert review(town, filing, "return", "议程缺少书记讲评环节，请补充。").status_code == 302
    filing.refresh_from_db()
    assert (filing.state, filing.return_reason) == ("returned", "议程缺少书记讲评环节，请补充。")

    secretary = as_user("sec1")
    page = secretary.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert 'data-testid="filing-card"' in page and "议程缺少书记讲评环节，请补充。" in page
    assert "修改后重新报送" in page
    assert "议程缺少书记讲评环节" in secretary.get(detail(meeting)).content.decode()

    meeting.place = "党员活动室"
    meeting.save(update_fields=["place"])
    assert submit(secretary, meeting, note="已补充讲评环节。").status_code == 302
    filing.refresh_from_db()
    assert (filing.state, filing.submissions) == ("pending", 2)
    assert ["地点", "党员活动室"] in filing.content  # what is reviewed is what was sent the second time

    assert review(as_user("town1"), filing, "approve").status_code == 302
    filing.refresh_from_db()
    assert filing.state == "approved"
    history = list(FilingEvent.objects.filter(filing=filing).values_list("action", "actor_name", "reason"))
    assert history == [
        ("submit", "书记甲", ""),
        ("return", "第一镇干部", "议程缺少书记讲评环节，请补充。"),
        ("resubmit", "书记甲", "已补充讲评环节。"),
        ("approve", "第一镇干部", ""),
    ]
    # Approved is final: no second review, no resubmission.
    assert review(as_user("town1"), filing, "return", "再看看").status_code == 400
    assert submit(as_user("sec1"), meeting).status_code == 400
    assert FilingEvent.objects.filter(filing=filing).count() == 4


def test_an_officer_of_another_township_can_neither_see_nor_review(tree, as_user):
    submit(as_user("sec1"), tree.meeting)
    filing = Filing.objects.get()
    other = as_user("town2")
    assert other.get(detail(tree.meeting)).status_code == 403
    assert review(other, filing, "approve").status_code == 403
    assert other.get(reverse("filings:detail", args=[999999, "plan"])).status_code == 404
    assert "一支部" not in other.get(reverse("filings:inbox")).content.decode()
    filing.refresh_from_db()
    assert filing.state == "pending"


def test_the_county_above_may_review_and_its_inbox_lists_the_filing(tree, as_user):
    submit(as_user("sec1"), tree.meeting)
    filing = Filing.objects.get()
    county = as_user("county_officer")
    assert "一支部" in county.get(reverse("filings:inbox")).content.decode()
    assert review(county, filing, "approve", "方案完整。").status_code == 302
    filing.refresh_from_db()
    assert filing.state == "approved"


def test_a_member_cannot_submit_and_does_not_see_the_card(tree, as_user):
    member = as_user("mem1")
    assert submit(member, tree.meeting).status_code == 403
    assert not Filing.objects.exists()
    assert member.get(detail(tree.meeting)).status_code == 403
    page = member.get(reverse("meetings:meeting_detail", args=[tree.meeting.pk])).content.decode()
    assert 'data-testid="filing-card"' not in page


def test_the_township_officer_cannot_submit_for_the_branch(tree, as_user):
    assert submit(as_user("town1"), tree.meeting).status_code == 403
    assert not Filing.objects.exists()


def test_the_report_waits_for_the_meeting_and_travels_with_its_attachments(tree, as_user):
    meeting, secretary = tree.meeting, as_user("sec1")
    response = submit(secretary, meeting, "report", note="请审阅")
    assert response.status_code == 400
    assert "会议结束后才能报送情况报告。" in response.content.decode()
    meeting.held_on = timezone.localdate() - dt.timedelta(days=1)
    meeting.closed_at = timezone.now()
    meeting.save()

    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload")
    response = submit(secretary, meeting, "report", note="附签字版", attachments=[bad])
    assert response.status_code == 400
    body = response.content.decode()
    assert "附件只能是 PDF、图片、Word 或 Excel 文件：run.exe。" in body and "附签字版" in body  # the note is kept
    assert not Filing.objects.exists()

    pdf = SimpleUploadedFile("情况报告签字版.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert submit(secretary, meeting, "report", note="附签字版", attachments=[pdf]).status_code == 302
    filing = Filing.objects.get(kind="report")
    attachment = filing.attachments.get()
    assert attachment.name == "情况报告签字版.pdf"
    url = reverse("filings:attachment", args=[attachment.pk])
    download = as_user("town1").get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert as_user("town2").get(url).status_code == 404
    assert as_user("mem1").get(url).status_code == 404


def test_the_county_names_the_reviewing_level(tree, as_user):
    ReviewRule.objects.create(organization=tree.county, level="county")
    assert reviewer_for(branch=tree.b1) == tree.county
    submit(as_user("sec1"), tree.meeting)
    filing = Filing.objects.get()
    assert filing.reviewer == tree.county
    assert review(as_user("town1"), filing, "approve").status_code == 403  # below the reviewing node
    assert review(as_user("county_officer"), filing, "approve").status_code == 302


def test_the_review_level_page_saves_the_rule(tree, as_user):
    url = reverse("filings:review_level", args=[tree.county.pk])
    assert as_user("town1").get(url).status_code == 403
    assert as_user("county_officer").post(url, {"level": "county"}).status_code == 302
    assert ReviewRule.objects.get(organization=tree.county).level == "county"


def test_a_visitor_is_sent_to_log_in(tree, client):
    response = client.get(detail(tree.meeting))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("filings:submit", args=[tree.meeting.pk, "plan"])).status_code == 302
    assert not Filing.objects.exists()
