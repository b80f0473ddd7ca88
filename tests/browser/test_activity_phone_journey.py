"""Issue 18 on a phone: right after the 主题党日 the secretary records it — the topic, the service done and the
two members who did not come — with a few words of typing; the branch's calendar marks the month's 主题党日
held, and the county's quarter view counts it."""

import re
import time

from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity, ActivityAttendance, Kind
from activities.rhythm import Quarter
from organizations.models import Member

TOPIC = "冬季防火安全巡查"
SERVICE = "巡查农户 46 户"


def test_secretary_records_a_theme_day_on_a_phone(journey):
    today = timezone.localdate()
    office = Member.objects.get(user__username="secretary").branch
    Activity.objects.filter(branch=office, kind=Kind.THEME_DAY, held_on__month=today.month, held_on__year=today.year).delete()
    members = list(Member.objects.filter(branch=office, is_active=True).order_by("id"))

    # The county officer's quarter view of the township, before.
    county = journey("activity-county")
    county.login("county")
    q = Quarter.of(today)
    board = f"/dashboard/rhythm/?org={office.get_parent().pk}&year={q.year}&quarter={q.quarter}"
    county.goto(board)
    cell = county.page.get_by_role("row").filter(has=county.page.get_by_role("link", name=office.name)).locator('[data-kind="theme_day"]')
    expect(cell).to_be_visible()
    held_before = int(cell.inner_text().split("/")[0])

    j = journey("activity-phone", phone=True)
    j.login("secretary")
    page = j.page
    j.nav("三会一课")
    this_month = page.get_by_test_id("calendar").locator(f'[data-month="{today:%Y-%m}"]')
    expect(this_month.locator('[data-kind="theme_day"]')).not_to_have_attribute("data-state", "met")
    j.screenshot("calendar-before")

    started = time.monotonic()
    page.get_by_role("link", name="记录一次活动").click()
    page.get_by_label("类型").select_option(label="主题党日")
    expect(page.get_by_label("日期")).to_have_value(today.isoformat())  # today, already filled in
    page.get_by_role("textbox", name=re.compile("^主题")).fill(TOPIC)
    page.get_by_label("开展的活动或服务").fill(SERVICE)
    for m, reason in ((members[3], "在外务工"), (members[5], "身体原因")):
        row = page.get_by_role("row", name=re.compile(m.name))
        row.get_by_label("请假").check()
        row.get_by_role("textbox").fill(reason)
    j.screenshot("form")
    j.check_accessibility()
    page.get_by_role("button", name="保存记录").click()
    expect(page.get_by_role("alert").filter(has_text=f"已记录主题党日：{TOPIC}")).to_be_visible()
    elapsed = time.monotonic() - started
    typed = len(TOPIC) + len(SERVICE) + len("在外务工") + len("身体原因")
    assert typed < 30 and elapsed < 60, (typed, elapsed)  # a few words, well under a minute
    expect(page.get_by_test_id("roll")).to_contain_text(f"应到 {len(members)} 人，实到 {len(members) - 2} 人")
    expect(page.get_by_test_id("service")).to_have_text(SERVICE)
    j.screenshot("recorded")

    activity = Activity.objects.get(branch=office, topic=TOPIC, held_on=today)
    assert (activity.kind, activity.held_on, activity.service) == (Kind.THEME_DAY, today, SERVICE)
    leave = ActivityAttendance.objects.filter(activity=activity, status="leave")
    assert sorted(leave.values_list("member__name", flat=True)) == sorted([members[3].name, members[5].name])

    page.get_by_role("link", name=re.compile("三会一课与主题党日")).click()
    expect(this_month.locator('[data-kind="theme_day"]')).to_have_attribute("data-state", "met")

    # The county officer's quarter view now counts it for the branch.
    county.goto(board + "&refresh=1")
    expect(cell).to_contain_text(f"{held_before + 1}/")
    county.screenshot("rhythm")
    county.check_accessibility()
