import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rectification import services
from rectification.models import Evidence, RectificationItem

PDF = b"%PDF-1.7\n" + b"0" * 64


def test_it_shows_the_four_clears_and_the_history(login, item):
    response = login("member").get(reverse("rectification:item_detail", args=[item.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "学深悟透" in page and "每月写1篇心得" in page and "按期完成" in page
    assert page.count('data-testid="history"') == 1
    assert reverse("rectification:item_progress", args=[item.pk]) in page
    assert reverse("rectification:item_close", args=[item.pk]) not in page


def test_the_member_posts_progress_with_a_file_from_the_phone(login, item):
    client = login("member")
    response = client.post(
        reverse("rectification:item_progress", args=[item.pk]),
        {"note": "本周学习了3小时", "files": [SimpleUploadedFile("笔记.pdf", PDF)]},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "in_progress"
    assert item.progress.get().note == "本周学习了3小时"
    assert Evidence.objects.get().original_name == "笔记.pdf"


def test_a_bad_file_is_refused_and_the_note_kept(login, item):
    response = login("member").post(
        reverse("rectification:item_progress", args=[item.pk]),
        {"note": "我写了很长的说明", "files": [SimpleUploadedFile("x.exe", b"MZ...")]},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "我写了很长的说明" in page and "类型不支持" in page
    assert not item.progress.exists()


def test_the_member_submits_and_the_secretary_closes(login, item, member_user, client):
    services.item_progress_post(item=item, actor=member_user, note="完成")
    assert login("member").post(reverse("rectification:item_submit", args=[item.pk]), {"note": ""}).status_code == 302
    assert login("member").post(reverse("rectification:item_close", args=[item.pk]), {}).status_code == 403
    response = login("secretary").post(reverse("rectification:item_close", args=[item.pk]), {"note": "核验到位"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "closed"


def test_closing_an_item_not_pending_shows_the_reason(login, item):
    response = login("secretary").post(reverse("rectification:item_close", args=[item.pk]), {"note": ""})
    assert response.status_code == 400
    assert "只有待核验的事项可以核验销号" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "not_started"


def test_reopen_needs_a_reason(login, item, member_user, secretary_user):
    services.item_progress_post(item=item, actor=member_user, note="完成")
    services.item_submit(item=item, actor=member_user)
    client = login("secretary")
    response = client.post(reverse("rectification:item_reopen", args=[item.pk]), {"reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("rectification:item_reopen", args=[item.pk]), {"reason": "佐证不足"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "in_progress" and "佐证不足" in item.history.last().detail


def test_the_secretary_records_a_follow_up(login, item, member_user, secretary_user):
    services.item_progress_post(item=item, actor=member_user, note="完成")
    services.item_submit(item=item, actor=member_user)
    services.rectification_item_close(item=item, actor=secretary_user)
    response = login("secretary").post(
        reverse("rectification:item_follow_up", args=[item.pk]),
        {"reviewed_on": timezone.localdate().isoformat(), "result": "consolidated", "note": "保持良好"},
    )
    assert response.status_code == 302
    assert item.follow_ups.get().note == "保持良好"


def test_the_secretary_creates_an_item_from_a_problem(login, office, meeting, yang):
    from .factories import ProblemFactory

    problem = ProblemFactory(meeting=meeting, member=yang, text="走访群众不够")
    client = login("secretary")
    url = reverse("rectification:item_create", args=[office.pk]) + f"?meeting={meeting.pk}&problem={problem.pk}"
    page = client.get(url).content.decode()
    assert "走访群众不够" in page
    deadline = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client.post(url, {
        "problems": [problem.pk], "title": "走访群众", "goal": "每月走访", "measures": "每月4次",
        "responsible": yang.pk, "deadline": deadline, "commitment": "按期完成",
    })
    assert response.status_code == 302
    item = RectificationItem.objects.get()
    assert item.meeting == meeting and list(item.problems.all()) == [problem] and item.responsible == yang


def test_vague_measures_are_saved_with_the_self_reviews_hint(login, office, yang):
    """Issue 24 item 12: "尽量做好一次性告知" was accepted without a word, though the help text warns against 尽量."""
    client = login("secretary")
    deadline = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    data = {"title": "窗口服务", "goal": "群众办事少跑腿", "measures": "尽量做好一次性告知", "responsible": yang.pk,
            "deadline": deadline, "commitment": "按期完成"}
    page = client.post(reverse("rectification:item_create", args=[office.pk]), data, follow=True).content.decode()
    item = RectificationItem.objects.get()
    assert item.measures == "尽量做好一次性告知"  # a warning, not a refusal
    assert "措施用语含糊：“尽量”" in page
    data["measures"] = "每次办件确保一次性告知所需材料"
    page = client.post(reverse("rectification:item_edit", args=[item.pk]), data, follow=True).content.decode()
    assert "已保存修改" in page and "措施用语含糊" not in page


def test_a_past_deadline_is_refused_and_the_input_kept(login, office, yang):
    response = login("secretary").post(reverse("rectification:item_create", args=[office.pk]), {
        "title": "走访群众", "goal": "每月走访", "measures": "每月4次", "responsible": yang.pk,
        "deadline": "2020-01-01", "commitment": "按期完成",
    })
    page = response.content.decode()
    assert response.status_code == 400 and "完成时限不能早于今天" in page and "每月走访" in page
    assert not RectificationItem.objects.exists()


def test_the_secretary_edits_an_item_and_the_history_says_so(login, item):
    response = login("secretary").post(reverse("rectification:item_edit", args=[item.pk]), {
        "problems": [p.pk for p in item.problems.all()], "title": item.title, "goal": "更高的目标",
        "measures": item.measures, "responsible": item.responsible_id, "deadline": item.deadline.isoformat(),
        "commitment": item.commitment,
    })
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.goal == "更高的目标"
    assert "更高的目标" in item.history.get(action="edited").detail


def test_a_problem_id_too_large_for_the_database_is_an_invalid_choice_not_a_500(login, item):
    response = login("secretary").post(reverse("rectification:item_edit", args=[item.pk]), {
        "problems": ["99999999999999999999"], "title": item.title, "goal": item.goal,
        "measures": item.measures, "responsible": item.responsible_id, "deadline": item.deadline.isoformat(),
        "commitment": item.commitment,
    })
    assert response.status_code == 400
    assert response.context["form"].errors["problems"]
