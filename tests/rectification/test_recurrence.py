"""Problems that come back (issue 20 item 3): the link made when a list is built, "this came back" with the
earlier item's outcome on the problem list, "my items" and the card — and on the demo's data."""

import csv
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from meetings import quality
from meetings.models import Meeting
from rectification import pdfs, recurrence, selectors, services
from rectification.models import Problem
from rectification.services import ProblemEntry

from .factories import MeetingFactory

PAIRS = Path(quality.__file__).parent / "data" / "problem_pairs.tsv"


def test_the_memoized_comparison_is_the_matchers():
    with PAIRS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) >= 200
    for row in rows:
        assert recurrence.same_problem(row["text_a"], row["text_b"]) == quality.is_same_problem(row["text_a"], row["text_b"])


def _list(meeting, member, texts):
    entries = [ProblemEntry(member_id=member.pk, text=t, source_kind="self_review", source_id=n)
               for n, t in enumerate(texts, start=1)]
    services.problem_list_build(meeting=meeting, entries=entries)
    return list(Problem.objects.filter(meeting=meeting).order_by("id"))


def _closed_item(problem, secretary_user, *, rebound=False):
    item = services.item_create(
        branch=problem.meeting.branch, meeting=problem.meeting, problems=[problem], title="系统学习党的创新理论",
        goal="学深悟透", measures="每周学习2小时", responsible=problem.member, deadline=timezone.localdate(),
        commitment="按期完成", actor=secretary_user,
    )
    services.item_submit(item=item, actor=secretary_user, note="已完成")
    services.rectification_item_close(item=item, actor=secretary_user)
    if rebound:
        services.follow_up_record(item=item, actor=secretary_user, reviewed_on=timezone.localdate(), result="rebound",
                                  note="学习计划没有坚持")
    return item


def test_a_reworded_problem_of_the_year_before_is_linked(office, yang, zhang):
    before = MeetingFactory(branch=office, year=2025)
    (old, other) = _list(before, yang, ["理论学习不够深入，满足于读文件、记笔记", "对群众来电答复不够耐心"])
    _list(before, zhang, ["学习浅尝辄止，学用脱节"])  # someone else's: never linked to 杨丽's
    now = MeetingFactory(branch=office, year=2026)
    new, fresh = _list(now, yang, ["政治理论学习系统性不强，停留在读原文", "廉洁自律意识不够强"])
    assert (new.recurs_of_id, new.streak) == (old.pk, 2)
    assert (fresh.recurs_of_id, fresh.streak) == (None, 1)
    later = MeetingFactory(branch=office, year=2027)
    (third,) = _list(later, yang, ["学用脱节，学习停留在表面"])
    assert (third.recurs_of_id, third.streak) == (new.pk, 3)


def test_it_tells_the_earlier_items_outcome_in_a_fixed_number_of_queries(office, yang, secretary_user,
                                                                         django_assert_num_queries):
    before = MeetingFactory(branch=office, year=2025)
    (old,) = _list(before, yang, ["理论学习不够深入，满足于读文件、记笔记"])
    item = _closed_item(old, secretary_user, rebound=True)
    now = MeetingFactory(branch=office, year=2026)
    (new,) = _list(now, yang, ["政治理论学习系统性不强，停留在读原文"])
    with django_assert_num_queries(4):
        found = recurrence.recurrences_of([new])
    r = found[new.pk]
    assert (r.earlier_id, r.earlier_year, r.item_id, r.item_title) == (old.pk, 2025, item.pk, "系统学习党的创新理论")
    assert r.closed_at is not None and r.rebound is True and r.not_fixed  # reopened by the rebound, closed before
    with django_assert_num_queries(0):
        assert recurrence.recurrences_of([old]) == {}


def test_the_problem_list_and_my_items_say_it_came_back(login, office, yang, secretary_user):
    before = MeetingFactory(branch=office, year=2025)
    (old,) = _list(before, yang, ["理论学习不够深入，满足于读文件、记笔记"])
    _closed_item(old, secretary_user)
    now = MeetingFactory(branch=office, year=2026)
    (new,) = _list(now, yang, ["政治理论学习系统性不强，停留在读原文"])
    page = login("secretary").get(reverse("rectification:problem_list", args=[now.pk])).content.decode()
    assert 'data-testid="came-back"' in page and "2025 年：“理论学习不够深入" in page and "未做回头看" in page
    services.item_create(branch=office, meeting=now, problems=[new], title="今年再学", goal="学深", measures="每周学",
                         responsible=yang, deadline=timezone.localdate(), commitment="按期", actor=secretary_user)
    mine = login("member").get(reverse("rectification:my_items")).content.decode()
    assert mine.count('data-testid="came-back"') == 1 and "销号" in mine


# ---------------------------------------------------------------- the demo (issue 20: tested on demo data)
def test_the_demo_members_card_shows_the_problem_that_came_back(demo):
    from organizations.models import Member

    yang = Member.objects.get(name="杨丽", branch__name="水阜镇机关党支部")
    meeting = selectors.card_meeting(branch=yang.branch)
    (card,) = selectors.cards_for_meeting(meeting=meeting, member_ids=[yang.pk])
    assert len(card.came_back) == 1
    came_back = Problem.objects.filter(meeting=meeting, recurs_of__isnull=False)
    assert set(came_back.values_list("member__name", flat=True)) == {"杨丽", "张伟", "刘芳"}
    line = card.came_back[0].text
    earlier_year = Meeting.objects.filter(branch=yang.branch).order_by("year").first().year
    assert f"{earlier_year}年“政治理论学习系统性不强" in line and "销号" in line and "回头看发现反弹" in line
    html = pdfs.cards_html(cards=[card], branch_name=yang.branch.name)
    assert "往年查摆过、今年又出现的问题" in html and "回头看发现反弹" in html
    pdf = pdfs.render_cards(meeting=meeting, member_ids=[yang.pk])
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2  # still one page a side
    assert "回头看发现反弹" in reader.pages[0].extract_text().replace("\n", "")


def test_the_demo_members_items_show_it_too(demo, login):
    page = login("member").get(reverse("rectification:my_items")).content.decode()
    assert 'data-testid="came-back"' in page and "回头看发现反弹" in page and "理论学习列入周计划" in page
