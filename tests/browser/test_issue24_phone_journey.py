"""Issue 24's phone layout, at 390×844: the secretary's ledger as cards (item 1), the live record with the entry
form before the roster (item 3) and the attendance roll, none wider than the screen; the supervisor's page with
the forum opinions as cards (item 2)."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Meeting
from organizations.models import Member, Organization

# The page is no wider than the screen (a table may scroll inside its own .table-responsive).
NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"
# The narrowest of the visible elements matching a selector, in CSS pixels.
NARROWEST = """(sel) => Math.min(...[...document.querySelectorAll(sel)].filter(e => e.offsetParent)
                                   .map(e => e.getBoundingClientRect().width))"""


def _fits(j):
    assert j.page.evaluate(NO_OVERFLOW), (j.page.url, j.page.evaluate("document.documentElement.scrollWidth"))


def test_the_secretarys_ledger_record_and_roll_fit_a_phone(journey):
    office = Organization.objects.get(name="水阜镇机关党支部")
    today = timezone.localdate()
    meeting = Meeting.objects.filter(branch=office, closed_at__isnull=True).order_by("-year").first()
    # Brought forward to today, as a secretary would after deciding to meet now: the room's records open.
    Meeting.objects.filter(pk=meeting.pk).update(
        held_on=today, opinions_close_on=today - dt.timedelta(days=1), talks_due_on=today - dt.timedelta(days=1),
        self_reviews_due_on=today - dt.timedelta(days=1),
    )
    j = journey("phone-layout", phone=True)
    j.login("secretary")
    page = j.page

    # ---- item 1: the ledger is a list of cards, not a table squeezed to five characters a line
    j.goto(f"/rectification/branch/{office.pk}/ledger/")
    cards = page.get_by_test_id("ledger-card")
    expect(cards.first).to_be_visible()
    expect(cards.first).not_to_contain_text("{#")  # a template comment over two lines printed as text
    expect(page.get_by_test_id("ledger-row").first).to_be_hidden()
    assert page.evaluate(NARROWEST, '[data-testid="ledger-card"]') >= 300  # the screen's width, less the margins
    status = cards.first.locator(".badge").first
    box = status.bounding_box()
    assert box and box["x"] + box["width"] <= 390, box  # 状态 is not cut off
    assert page.evaluate("document.documentElement.scrollHeight") < 12000  # was ~22,000 px for 30 rows
    _fits(j)
    j.screenshot("ledger")
    j.check_accessibility()

    # ---- item 3: the live record: the entry form first, the speaker chosen from one line
    j.goto(f"/meetings/{meeting.pk}/record/")
    speaker = page.get_by_role("combobox", name="发言人")
    expect(speaker).to_be_visible()
    expect(page.locator(".bl-speaker-nav")).to_be_hidden()  # the 28 buttons are for wide screens
    entry = page.locator("[data-speaker-panel]:not(.d-none) form[data-record-entry] textarea").first
    expect(entry).to_be_visible()
    assert entry.bounding_box()["y"] < 844, "the entry form is below the first screen"
    yang = Member.objects.get(branch=office, name="杨丽")
    speaker.select_option(str(yang.pk))
    expect(page.locator(f'[data-speaker-panel="{yang.pk}"]')).to_be_visible()
    expect(page.locator('[data-speaker-panel="committee"]')).to_be_hidden()
    _fits(j)  # was 2 px wider than the screen
    j.screenshot("record")
    j.check_accessibility()

    # ---- the attendance roll scrolls inside its card, the page does not
    j.goto(f"/meetings/{meeting.pk}/attendance/")
    expect(page.get_by_role("button", name="保存出席情况")).to_be_visible()
    _fits(j)
    j.screenshot("attendance")


def test_the_supervisors_page_fits_a_phone(journey):
    j = journey("phone-supervisor", phone=True)
    j.login("supervisor")
    page = j.page
    j.goto("/dashboard/supervisor/")
    # ---- item 2: the forum opinions as cards: the opinion's text has the screen's width
    opinions = page.get_by_test_id("forum-opinions-phone").locator("li")
    expect(opinions.first).to_be_visible()
    assert page.evaluate(NARROWEST, '[data-testid="forum-opinions-phone"] li') >= 300
    expect(page.locator(".bl-card").filter(has_text="座谈会收集的意见建议").locator("table")).to_be_hidden()
    _fits(j)
    j.screenshot("supervisor-home")
    j.check_accessibility()
