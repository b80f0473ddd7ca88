from django.urls import reverse

from meetings.models import SelfReview, SelfReviewProblem

from .factories import MeetingFactory, ProblemFactory, SelfReviewFactory

ASPECT = "坚定理想信念方面"


def form_data(version=0, problems=(), **fields):
    data = {
        "version": str(version), "problems-TOTAL_FORMS": str(len(problems)), "problems-INITIAL_FORMS": "0",
        "problems-MIN_NUM_FORMS": "0", "problems-MAX_NUM_FORMS": "1000",
        "root_causes": "", "measures": "", "direction": "",
    }
    for i, (aspect, text, measure) in enumerate(problems):
        data.update({f"problems-{i}-aspect": aspect, f"problems-{i}-text": text, f"problems-{i}-measure": measure})
    data.update(fields)
    return data


def my_review(client, meeting):
    response = client.get(reverse("meetings:selfreview_mine", args=[meeting.pk]))
    review = SelfReview.objects.get(meeting=meeting)
    assert response.url == reverse("meetings:selfreview_edit", args=[review.pk])
    return review


def test_autosave_keeps_an_unfinished_draft(meeting, login):
    client = login("member")
    review = my_review(client, meeting)
    response = client.post(
        reverse("meetings:selfreview_autosave", args=[review.pk]),
        form_data(0, [(ASPECT, "下村入户少", ""), ("", "", "")], root_causes="半句话"),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and body["version"] == 1
    review.refresh_from_db()
    assert review.status == "draft" and review.root_causes == "半句话"
    assert [p.text for p in review.problems.all()] == ["下村入户少"]


def test_autosave_keeps_problem_ids_stable(meeting, login):
    client = login("member")
    review = my_review(client, meeting)
    url = reverse("meetings:selfreview_autosave", args=[review.pk])
    client.post(url, form_data(0, [(ASPECT, "问题一", ""), (ASPECT, "问题二", "")]))
    ids = list(review.problems.values_list("pk", flat=True))
    client.post(url, form_data(1, [(ASPECT, "问题一（改）", ""), (ASPECT, "问题二", ""), (ASPECT, "问题三", "")]))
    rows = list(review.problems.order_by("position"))
    assert [r.pk for r in rows[:2]] == ids
    assert [r.text for r in rows] == ["问题一（改）", "问题二", "问题三"]
    client.post(url, form_data(2, [(ASPECT, "问题一（改）", "")]))
    assert list(review.problems.values_list("pk", flat=True)) == ids[:1]


def test_a_stale_autosave_from_another_device_is_refused(meeting, login):
    client = login("member")
    review = my_review(client, meeting)
    url = reverse("meetings:selfreview_autosave", args=[review.pk])
    client.post(url, form_data(0, [(ASPECT, "手机上写的", "")]))
    response = client.post(url, form_data(0, [(ASPECT, "电脑上旧版本", "")]))
    assert response.status_code == 409 and response.json()["stale"]
    assert list(review.problems.values_list("text", flat=True)) == ["手机上写的"]


def test_autosave_refuses_an_aspect_not_on_the_meeting(meeting, login):
    client = login("member")
    review = my_review(client, meeting)
    response = client.post(reverse("meetings:selfreview_autosave", args=[review.pk]), form_data(0, [("随便的方面", "问题", "")]))
    assert response.status_code == 400
    assert not review.problems.exists()


def test_the_edit_page_saves_without_javascript_and_keeps_text_on_error(meeting, login):
    client = login("member")
    review = my_review(client, meeting)
    url = reverse("meetings:selfreview_edit", args=[review.pk])
    page = client.get(url).content.decode()
    assert "data-autosave-url" in page and "meetings_autosave.js" in page
    response = client.post(url, form_data(0, [(ASPECT, "只写了问题", "")], action="submit"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写原因剖析" in page and "只写了问题" in page
    review.refresh_from_db()
    assert review.status == "draft" and review.problems.count() == 1


def test_a_member_submits_the_secretary_returns_it_and_the_member_resubmits(meeting, people, login):
    member = login("member")
    review = my_review(member, meeting)
    good = form_data(0, [(ASPECT, "下村入户少", "每周到联系村走访一次")], root_causes="宗旨意识淡化", measures="12 月底前完成")
    response = member.post(reverse("meetings:selfreview_edit", args=[review.pk]), {**good, "action": "submit"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "submitted" and review.submitted_at is not None

    secretary = login("secretary")
    detail = reverse("meetings:selfreview_detail", args=[review.pk])
    response = secretary.post(detail, {"decision": "return", "comment": ""})
    assert response.status_code == 400 and "退回时请写明修改意见" in response.content.decode()
    response = secretary.post(detail, {"decision": "return", "comment": "请举出具体事例"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "returned" and review.secretary_comment == "请举出具体事例"

    member = login("member")
    home = member.get(reverse("meetings:my_home")).content.decode()
    assert "请举出具体事例" in home
    good["version"] = str(review.version)
    response = member.post(reverse("meetings:selfreview_edit", args=[review.pk]), {**good, "action": "submit"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "submitted"
    response = login("secretary").post(detail, {"decision": "approve", "comment": ""})
    review.refresh_from_db()
    assert review.status == "approved"


def test_a_submitted_review_cannot_be_edited_by_its_author(meeting, people, login):
    review = SelfReviewFactory(meeting=meeting, member=people["杨丽"], status="submitted")
    client = login("member")
    assert client.get(reverse("meetings:selfreview_edit", args=[review.pk])).status_code == 403
    response = client.post(reverse("meetings:selfreview_autosave", args=[review.pk]), form_data(review.version, [(ASPECT, "改", "")]))
    assert response.status_code == 403
    assert client.get(reverse("meetings:selfreview_mine", args=[meeting.pk])).url == reverse("meetings:selfreview_detail", args=[review.pk])


def test_the_secretary_writes_the_committee_review(meeting, login):
    client = login("secretary")
    response = client.get(reverse("meetings:selfreview_committee", args=[meeting.pk]))
    review = SelfReview.objects.get(meeting=meeting, kind="committee")
    assert review.member is None
    data = form_data(0, [(ASPECT, "班子下村调研少", "每周至少下村一次")], root_causes="重视不够", measures="按清单整改")
    response = client.post(reverse("meetings:selfreview_edit", args=[review.pk]), {**data, "action": "submit"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "approved"


def test_the_list_shows_who_has_not_submitted_and_exports(meeting, people, login):
    SelfReviewFactory(meeting=meeting, member=people["李建国"], status="approved")
    SelfReviewFactory(meeting=meeting, member=people["赵磊"], status="returned")
    client = login("secretary")
    response = client.get(reverse("meetings:selfreview_list", args=[meeting.pk]), {"status": "missing"})
    page = response.content.decode()
    assert "对照检查材料 1/28 已提交" in page
    names = [m.name for m, _r in response.context["rows"]]
    assert "赵磊" in names and "李建国" not in names and len(names) == 27
    export = client.get(reverse("meetings:selfreview_export", args=[meeting.pk]))
    assert export.status_code == 200


def test_a_problem_from_an_earlier_year_is_flagged(demo_orgs, people, login):
    office = demo_orgs.orgs["office"]
    last = MeetingFactory(branch=office, year=2025)
    old = SelfReviewFactory(meeting=last, member=people["杨丽"], status="approved")
    ProblemFactory(review=old, text="理论学习不够深入，满足于读文件")
    now = MeetingFactory(branch=office, year=2026)
    client = login("member")
    review = my_review(client, now)
    response = client.post(
        reverse("meetings:selfreview_autosave", args=[review.pk]),
        form_data(0, [(ASPECT, "理论学习不够深入，满足于读文件。", "尽量多学"), (ASPECT, "窗口服务不耐心", "每天复盘")], measures="争取改正"),
    )
    hints = response.json()["hints"]
    assert [h["kind"] for h in hints["problems"]["0"]] == ["repeat", "vague"]
    assert "2025" in hints["problems"]["0"][0]["message"]
    assert "1" not in hints["problems"]
    assert hints["measures"][0]["kind"] == "vague" and "争取" in hints["measures"][0]["message"]
    review.refresh_from_db()
    review.status = "submitted"
    review.save()
    page = login("secretary").get(reverse("meetings:selfreview_detail", args=[review.pk])).content.decode()
    assert "与 2025 年查摆的问题几乎相同" in page
    assert SelfReviewProblem.objects.filter(review=review).count() == 2


def test_a_late_save_from_the_same_browser_is_not_stale(meeting, login):
    client = login("member")
    review = my_review(client, meeting)
    url = reverse("meetings:selfreview_autosave", args=[review.pk])
    # The page closes: its beacon saves version 0 → 1; the reloaded page (still showing 0) restores and saves.
    client.post(url, form_data(0, [(ASPECT, "关页面时发出", "")], device="browser-a"))
    response = client.post(url, form_data(0, [(ASPECT, "重新打开后恢复", "")], device="browser-a"))
    assert response.status_code == 200
    response = client.post(url, form_data(0, [(ASPECT, "另一台设备的旧稿", "")], device="browser-b"))
    assert response.status_code == 409
    assert list(review.problems.values_list("text", flat=True)) == ["重新打开后恢复"]


def test_the_secretary_goes_from_one_review_to_the_next_without_the_list(meeting, people, login):
    """Issue 24 item 15: 28 reviews to read; after a decision the next submitted one opens, and each page
    links to the one before and after it in the list's order."""
    from meetings.selectors.self_reviews import self_review_rows

    order = [m for m, _r in self_review_rows(meeting=meeting)]
    first, second, third = (SelfReviewFactory(meeting=meeting, member=m, status="submitted") for m in order[:3])
    SelfReview.objects.filter(pk=second.pk).update(status="approved")
    secretary = login("secretary")
    page = secretary.get(reverse("meetings:selfreview_detail", args=[second.pk])).content.decode()
    assert f'href="{reverse("meetings:selfreview_detail", args=[first.pk])}" rel="prev"' in page
    assert f'href="{reverse("meetings:selfreview_detail", args=[third.pk])}" rel="next"' in page
    # Approving the first skips the already approved second and opens the third.
    response = secretary.post(reverse("meetings:selfreview_detail", args=[first.pk]), {"decision": "approve", "comment": ""})
    assert response.url == reverse("meetings:selfreview_detail", args=[third.pk])
    response = secretary.post(reverse("meetings:selfreview_detail", args=[third.pk]), {"decision": "approve", "comment": ""})
    assert response.url == reverse("meetings:selfreview_list", args=[meeting.pk])  # none left waiting
    # A member reading their own review gets no links to the others'.
    yang = people["杨丽"]
    mine = SelfReview.objects.filter(meeting=meeting, member=yang).first() or SelfReviewFactory(meeting=meeting, member=yang, status="submitted")
    page = login("member").get(reverse("meetings:selfreview_detail", args=[mine.pk]))
    assert page.status_code == 200 and 'data-testid="review-neighbours"' not in page.content.decode()
