"""Themes of problems (issue 20 item 2): the keyword rule, tagging when the list is built, and the
secretary's correction on the problem list, which a rebuild keeps."""

import pytest
from django.urls import reverse

from meetings.demo import CRITICISMS, PROBLEMS
from rectification import services
from rectification.models import Problem
from rectification.services import ProblemEntry
from rectification.themes import Theme, theme_of


@pytest.mark.parametrize(
    "text, theme",
    [
        ("理论学习不够深入，满足于读文件、记笔记，联系实际思考不多", Theme.STUDY),
        ("政治理论学习系统性不强，停留在读原文", Theme.STUDY),
        ("对错误言论听之任之，政治敏锐性不强", Theme.DISCIPLINE),
        ("执行组织生活制度不够严格，有时以工作忙为由请假", Theme.ORG_LIFE),
        ("批评与自我批评不够大胆，存在“老好人”思想", Theme.ORG_LIFE),
        ("工作标准不高，材料报送多次出现差错", Theme.STYLE),
        ("对群众来电答复不够耐心，语气生硬", Theme.SERVICE),
        ("廉洁自律意识不够强，对身边小节问题警惕不够", Theme.INTEGRITY),
        ("收受服务对象的土特产", Theme.INTEGRITY),
        ("工作中求稳怕乱，遇到矛盾问题有畏难情绪", Theme.INITIATIVE),
        ("今年没有写", Theme.OTHER),
    ],
)
def test_the_rule_tags_by_the_words(text, theme):
    assert theme_of(text) == theme


def test_the_demos_problems_fall_into_several_themes():
    themes = {theme_of(p[1]) for p in PROBLEMS} | {theme_of(c[0]) for c in CRITICISMS}
    assert len(themes - {Theme.OTHER}) >= 6


def _build(meeting, member, texts):
    entries = [ProblemEntry(member_id=member.pk, text=t, source_kind="self_review", source_id=n)
               for n, t in enumerate(texts, start=1)]
    return services.problem_list_build(meeting=meeting, entries=entries)


def test_building_the_list_tags_each_problem(meeting, yang):
    _build(meeting, yang, ["理论学习不够深入，满足于读文件", "对群众来电答复不够耐心"])
    assert dict(Problem.objects.values_list("text", "theme")) == {
        "理论学习不够深入，满足于读文件": "study", "对群众来电答复不够耐心": "service"}
    assert not Problem.objects.filter(theme_manual=True).exists()


def test_the_secretarys_correction_is_kept_through_a_rebuild(login, meeting, yang):
    _build(meeting, yang, ["理论学习不够深入，满足于读文件"])
    problem = Problem.objects.get()
    response = login("secretary").post(reverse("rectification:problem_theme", args=[problem.pk]), {"theme": "discipline"})
    assert response.status_code == 302 and response["Location"].endswith(f"#problem-{problem.pk}")
    problem.refresh_from_db()
    assert (problem.theme, problem.theme_manual) == ("discipline", True)
    _build(meeting, yang, ["理论学习不够深入，满足于读文件", "对群众来电答复不够耐心"])  # the list is built again
    services.problem_themes_refresh(meeting=meeting)
    problem.refresh_from_db()
    assert (problem.theme, problem.theme_manual) == ("discipline", True)
    page = login("secretary").get(reverse("rectification:problem_list", args=[meeting.pk]))
    assert "书记已修正" in page.content.decode()


def test_an_empty_choice_hands_the_line_back_to_the_rule(login, meeting, yang):
    _build(meeting, yang, ["理论学习不够深入，满足于读文件"])
    problem = Problem.objects.get()
    services.problem_theme_set(problem=problem, theme="other")
    login("secretary").post(reverse("rectification:problem_theme", args=[problem.pk]), {"theme": ""})
    problem.refresh_from_db()
    assert (problem.theme, problem.theme_manual) == ("study", False)


def test_a_theme_not_on_the_list_is_refused_with_a_message(login, meeting, yang):
    _build(meeting, yang, ["理论学习不够深入，满足于读文件"])
    problem = Problem.objects.get()
    response = login("secretary").post(reverse("rectification:problem_theme", args=[problem.pk]), {"theme": "nope"},
                                       follow=True)
    assert "请选择列表中的主题" in response.content.decode()
    problem.refresh_from_db()
    assert (problem.theme, problem.theme_manual) == ("study", False)


def test_only_the_secretary_corrects_a_theme(login, meeting, yang):
    _build(meeting, yang, ["理论学习不够深入，满足于读文件"])
    problem = Problem.objects.get()
    url = reverse("rectification:problem_theme", args=[problem.pk])
    assert login("member").post(url, {"theme": "other"}).status_code == 403
    assert login("county").post(url, {"theme": "other"}).status_code == 403
    assert login("secretary").get(url).status_code == 405
    problem.refresh_from_db()
    assert problem.theme == "study"


def test_the_list_filters_by_theme(login, meeting, yang):
    _build(meeting, yang, ["理论学习不够深入，满足于读文件", "对群众来电答复不够耐心"])
    page = login("secretary").get(reverse("rectification:problem_list", args=[meeting.pk]), {"theme": "service"})
    assert [p.text for p in page.context["problems"]] == ["对群众来电答复不够耐心"]
