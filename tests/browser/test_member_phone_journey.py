"""杨丽 (`member`) on a phone (390 × 844): an opinion, a talk, her self-review (autosaved: she leaves the
page and comes back, nothing is lost), her ballot (an over-quota attempt is refused with every choice
kept, then a valid one), and progress on one of her rectification items."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from evaluations.models import Voter
from meetings.models import Opinion, SelfReview, Talk
from organizations.demo import Season
from rectification.models import RectificationItem
from tests.season import office_vote_opens_today

OPINION = "建议支部每月公布一次群众来信来访的办理进度。"
CAUSE = "对群众利益的事关心不够，满足于按程序办事。"
PROBLEM = "下村入户时对低保政策解释不够细致，群众多次来问。"
MEASURE = "12 月 20 日前把低保政策做成一页纸明白卡，入户时逐户讲解。"


def test_member_works_through_the_meeting_on_a_phone(journey):
    j = journey("member", phone=True)
    year = Season(anchor=timezone.localdate()).year
    j.login("member")
    page = j.page
    expect(page.get_by_role("heading", name=re.compile("我的待办"))).to_be_visible()
    j.screenshot("my-todos")
    j.check_accessibility()
    assert j.tab_to("继续写"), "the self-review link is not reachable by keyboard"

    # ---- an opinion to the committee, signed
    page.get_by_role("link", name="我也提一条意见").click()
    page.get_by_label("意见建议").fill(OPINION)
    j.screenshot("opinion-form")
    j.check_accessibility()
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("意见建议已提交")
    opinion = Opinion.objects.get(text=OPINION)
    assert opinion.author_member.name == "杨丽" and opinion.channel == Opinion.Channel.MEMBER_ONLINE

    # ---- a talk still missing, recorded from the to-do list
    j.nav("我的待办")
    talks = page.locator("[id^=todo-talks-]")  # the one open meeting's talks
    first = talks.get_by_role("listitem").first
    partner = re.search(r"与 ?(\S+?) ?谈", first.inner_text()).group(1)
    before = Talk.objects.filter(meeting__year=year, member_b__name="杨丽").count() + Talk.objects.filter(
        meeting__year=year, member_a__name="杨丽"
    ).count()
    first.get_by_role("link", name="记录").click()
    expect(page.get_by_label("谈话人")).to_be_disabled()
    page.get_by_label("谈话主题").fill("交流窗口服务中的问题")
    page.get_by_label("谈话要点").fill("相互指出了解释政策不耐心的问题，约定互相提醒。")
    j.screenshot("talk-form")
    j.check_accessibility()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").filter(has_text="已记录谈心谈话")).to_be_visible()
    after = Talk.objects.filter(meeting__year=year, member_b__name="杨丽").count() + Talk.objects.filter(
        meeting__year=year, member_a__name="杨丽"
    ).count()
    assert after == before + 1
    assert Talk.objects.filter(meeting__year=year, topics="交流窗口服务中的问题").filter(
        member_a__name__in=["杨丽", partner], member_b__name__in=["杨丽", partner]
    ).exists()
    j.screenshot("talks")

    # ---- the self-review: type, leave at once, come back
    j.nav("我的待办")
    page.get_by_role("link", name="继续写").click()
    expect(page.get_by_role("heading", name=re.compile("杨丽的对照检查材料"))).to_be_visible()
    page.get_by_label("原因剖析").fill(CAUSE)
    page.get_by_role("button", name="+ 再加一个问题").click()
    rows = page.locator("[data-formset-row]")
    new_row = rows.last
    new_row.get_by_label("方面").select_option(index=3)
    new_row.get_by_label("存在问题").fill(PROBLEM)
    new_row.get_by_label("整改措施").fill(MEASURE)
    j.screenshot("self-review-typed")
    j.check_accessibility()
    j.nav("我的待办")  # straight away, without saving
    expect(page.get_by_role("heading", name=re.compile("我的待办"))).to_be_visible()
    page.get_by_role("link", name="继续写").click()
    expect(page.get_by_label("原因剖析")).to_have_value(CAUSE)
    expect(rows).to_have_count(3)
    expect(rows.last.get_by_label("存在问题")).to_have_value(PROBLEM)
    expect(rows.last.get_by_label("整改措施")).to_have_value(MEASURE)
    j.screenshot("self-review-back")

    # and it reached the server, not only this phone's storage
    review = SelfReview.objects.get(meeting__year=year, member__name="杨丽")
    j.wait_until(
        lambda: SelfReview.objects.get(pk=review.pk).root_causes == CAUSE
        and SelfReview.objects.get(pk=review.pk).problems.filter(text=PROBLEM, measure=MEASURE).exists(),
        "the autosaved self-review never reached the server",
    )
    other_device = journey("member-laptop")
    other_device.login("member")
    other_device.goto(f"/meetings/self-reviews/{review.pk}/edit/")
    expect(other_device.page.get_by_label("原因剖析")).to_have_value(CAUSE)
    other_device.close()

    page.get_by_role("button", name="提交给书记审核").click()
    expect(page.get_by_role("alert").filter(has_text="已提交")).to_be_visible()
    assert SelfReview.objects.get(pk=review.pk).status == SelfReview.Status.SUBMITTED
    j.screenshot("self-review-submitted")

    # ---- the ballot: the meeting is held today and the vote opens; 30 % of 28 candidates → at most 8 优秀
    office_vote_opens_today()
    j.goto("/evaluations/")
    j.screenshot("evaluations")
    j.check_accessibility()
    page.get_by_role("link", name="水阜镇机关党支部").click()
    page.get_by_role("link", name="去投票").click()
    expect(page.get_by_text("“优秀”最多选 8 名")).to_be_visible()
    groups = page.get_by_role("radiogroup", name=re.compile("的等次$"))
    j.check_accessibility()
    for i in range(9):
        groups.nth(i).get_by_text("优秀", exact=True).click()
    expect(page.locator("#excellent-count")).to_have_text("9")
    expect(page.locator("#over-text")).to_contain_text("超过优秀名额")
    expect(page.get_by_role("button", name="提交投票")).to_be_disabled()
    page.get_by_role("button", name="其余设为合格").click()
    page.get_by_role("radiogroup", name="班子测评").get_by_text("好", exact=True).click()
    j.screenshot("ballot-over-quota")
    # The server is the judge: a ballot forced past the disabled button is refused, every choice kept.
    j.accept_dialogs()
    page.evaluate("document.getElementById('vote-submit').disabled = false")
    page.get_by_role("button", name="提交投票").click()
    expect(page.get_by_role("alert")).to_contain_text("优秀")
    expect(page.locator("input[type=radio][value=excellent]:checked")).to_have_count(9)
    expect(page.locator("input[type=radio][value=qualified]:checked")).to_have_count(groups.count() - 9)
    expect(page.locator("#committee_good")).to_be_checked()
    expect(page.locator("#excellent-count")).to_have_text("9")
    j.screenshot("ballot-refused")
    assert Voter.objects.get(evaluation__meeting__year=year, member__name="杨丽").channel == ""

    groups.nth(8).get_by_text("合格", exact=True).click()
    expect(page.locator("#excellent-count")).to_have_text("8")
    expect(page.get_by_role("button", name="提交投票")).to_be_enabled()
    page.get_by_role("button", name="提交投票").click()
    expect(page.get_by_role("heading", name=re.compile("投票成功"))).to_be_visible()
    assert len(page.locator("#receipt-code").inner_text().strip()) >= 10
    j.screenshot("ballot-receipt")
    j.check_accessibility()
    assert Voter.objects.get(evaluation__meeting__year=year, member__name="杨丽").channel == Voter.Channel.ONLINE
    # The receipt is a slim page without the navigation (issue 23): back to the evaluation, which has it.
    expect(page.locator("#nav")).to_have_count(0)
    page.get_by_role("link", name="返回", exact=True).click()
    page.wait_for_load_state()

    # ---- an overdue rectification item from last year's meeting: report progress
    j.nav("我的整改")
    j.screenshot("my-items")
    j.check_accessibility()
    item = RectificationItem.objects.get(responsible__name="杨丽", status="in_progress", deadline__lt=timezone.localdate())
    page.get_by_role("link", name=re.compile(item.title)).click()
    progress_before = item.progress.count()
    form = page.locator("#progress-form form").first
    form.get_by_label("进展说明").fill("本月已走访联系村 5 次，建立了走访台账。")
    form.get_by_role("button", name="提交进展").click()
    expect(page.get_by_role("alert").filter(has_text="已填报进展")).to_be_visible()
    expect(page.get_by_test_id("progress").first).to_contain_text("建立了走访台账")
    assert item.progress.count() == progress_before + 1
    j.screenshot("item-progress")
    j.check_accessibility()
