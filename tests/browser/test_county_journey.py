"""A county officer opens the organization tree, drills down to a branch and exports its roster."""

import io

from openpyxl import load_workbook


def test_county_officer_drills_down_and_exports(journey):
    j = journey("county")
    j.login("county")
    page = j.page
    assert "中共皋兰县委" in page.content()
    j.screenshot("county-home")
    j.check_accessibility()

    page.get_by_role("link", name="中共水阜镇委员会").click()
    page.get_by_role("link", name="水阜镇机关党支部").click()
    assert "现有党员 28 人" in page.content()
    j.screenshot("branch-facts")
    j.check_accessibility()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出花名册 (.xlsx)").click()
    ws = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read())).active
    assert ws.max_row == 29

    assert "安岳县" not in page.content()
    assert j.tab_to("导入花名册"), "the import button is not reachable by keyboard"
