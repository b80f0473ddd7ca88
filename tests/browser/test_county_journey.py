"""The county officer (`county`, 中共皋兰县委组织部):

- opens the dashboard over every branch below the county, drills down to a branch that is late (overdue
  rectification items), sees why it is late on its own dashboard, and exports the late branches
  (.xlsx, read back with openpyxl);
- walks the organization tree to the same branch and exports its roster (.xlsx).
"""

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import expect

# In the demo season 燕儿坪村党支部 met three weeks ago and one of its rectification items is late.
LATE = "燕儿坪村党支部"

# How many lines an element's text takes: its line boxes, counted by their tops (8 px apart at least: a
# smaller inline box on the same line starts a pixel or two lower).
_LINES = """const lines = (el) => { const r = document.createRange(); r.selectNodeContents(el);
  const tops = [...r.getClientRects()].filter(b => b.width > 0).map(b => b.top).sort((a, b) => a - b);
  return tops.filter((t, i) => i === 0 || t - tops[i - 1] > 8).length; };"""
# Table headers on the page taking more than their own lines (a <br> in a header is one line more).
WRAPPED_HEADERS = f"""() => {{ {_LINES}
  return [...document.querySelectorAll('main thead th')].filter(th => th.offsetParent)
    .filter(th => lines(th) > 1 + th.querySelectorAll('br').length).map(th => th.textContent.trim()); }}"""
WRAPPED_DATES = rf"""() => {{ {_LINES}
  return [...document.querySelectorAll('main tbody td, main tbody td *')]
    .filter(el => el.offsetParent && /^\d{{4}}(年\d{{1,2}}月\d{{1,2}}日|-\d{{2}}-\d{{2}})$/.test(el.textContent.trim()))
    .filter(el => lines(el) > 1).map(el => el.textContent.trim()); }}"""


def _workbook(download):
    with open(download.value.path(), "rb") as fh:
        return load_workbook(io.BytesIO(fh.read()))


def test_county_officer_drills_down_and_exports(journey):
    j = journey("county")
    j.login("county")
    page = j.page

    # ---- the dashboard
    j.nav("看板")
    expect(page.get_by_role("heading", level=1)).to_contain_text("中共皋兰县委")
    expect(page.locator("#chart-phases svg")).to_be_visible()
    j.screenshot("dashboard")
    j.check_accessibility()
    assert "安岳县" not in page.content(), "another county's branches leaked into the dashboard"
    assert page.evaluate(WRAPPED_HEADERS) == []  # issue 24 item 4: "排/名", "得/分" one character a line

    # ---- drill down: the branches with overdue rectification items, then one of them
    page.locator(".bl-card").filter(has_text="整改事项（销号率）").get_by_role("link", name=re.compile(r"\d+ 个支部")).click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("的支部")
    late = page.get_by_role("row", name=re.compile(LATE))
    expect(late).to_be_visible()
    expect(late.locator(".bl-missing")).to_be_visible()  # its overdue count
    assert page.evaluate(WRAPPED_HEADERS) == []  # "意见(答/复)" was three lines on a laptop
    assert page.evaluate(WRAPPED_DATES) == []  # a meeting's date does not break inside the date
    j.screenshot("late-branches")
    j.check_accessibility()

    # ---- export the table of late branches
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 (.xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    ws = _workbook(download).active
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and "党支部" in [str(c) for c in r if c])
    names = [str(c) for r in rows[header + 1 :] for c in r if c]
    assert LATE in names, rows[:5]
    assert not any("安岳" in n for n in names)

    late.get_by_role("link", name=LATE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(LATE)
    pending = page.locator(".bl-card").filter(has=page.get_by_role("heading", name="待督促事项"))
    expect(pending.locator("li.bl-missing").first).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile(r"逾期 [1-9]\d* 项"))).to_be_visible()
    j.screenshot("late-branch-dashboard")
    j.check_accessibility()

    # ---- the organization tree down to the same branch, and its roster
    j.nav("组织")
    expect(page.locator("main")).to_contain_text("中共皋兰县委")
    j.screenshot("county-home")
    j.check_accessibility()

    page.get_by_role("link", name="中共水阜镇委员会").click()
    page.get_by_role("link", name=LATE).click()
    # expect waits for the branch page; page.content() read mid-navigation came back empty on a busy CI machine
    expect(page.locator("main")).to_contain_text("现有党员 5 人")
    j.screenshot("branch-facts")
    j.check_accessibility()

    with page.expect_download() as download:
        page.get_by_role("link", name="导出花名册 (.xlsx)").click()
    assert _workbook(download).active.max_row == 6

    assert "安岳县" not in page.content()
    assert j.tab_to("导入花名册"), "the import button is not reachable by keyboard"


def test_county_officer_recounts_in_the_background_and_watches_it_finish(journey, settings, monkeypatch):
    """重新统计 of a node too big for one request (the threshold lowered so that the demo county is one): the
    button queues the job, the page shows its progress, and reloads itself with the new figures once the
    worker (run here by the test) is done."""
    from dashboard import recount, tasks

    settings.DASHBOARD_RECOUNT_IN_REQUEST_BRANCHES = 1
    queued = []
    monkeypatch.setattr(tasks.dashboard_recount, "apply_async", lambda args, **kw: queued.append(args))
    j = journey("county-recount")
    j.login("county")
    page = j.page
    j.nav("看板")
    page.get_by_role("button", name="重新统计").click()
    page.wait_for_load_state()
    expect(page.locator("#dashboard-recount")).to_contain_text("正在后台重新统计")
    expect(page.locator("#recount-count")).to_contain_text("0 /")
    j.screenshot("recount-running")
    assert len(queued) == 1
    node_id, year, kind = queued[0]
    recount.recount_run(node_id=node_id, year=year, kind=kind)  # the worker
    expect(page.locator("#dashboard-recount")).to_contain_text("后台重新统计已完成", timeout=30000)
    assert "refresh=1" not in page.url
    j.screenshot("recount-done")
