import io
import os
import subprocess
import sys
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from organizations.models import Member
from organizations.roster import COLUMNS

HEADERS = [str(h) for h, _ in COLUMNS]
GOOD = ["新党员甲", "女", "本科", "预备党员", "在职", "否", "2020-07-01", "13911112222", "新建小组", ""]
BAD = ["新党员乙", "未知", "小学", "正式党员", "在职", "否", "昨天", "13911113333", "", ""]


def xlsx(*rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, branch, content: bytes, name="roster.xlsx"):
    return client.post(
        reverse("organizations:roster_import", args=[branch.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def test_it_imports_a_good_roster(demo_orgs, login):
    branch = demo_orgs.orgs["office"]
    response = upload(login("secretary"), branch, xlsx(GOOD))
    assert response.status_code == 302
    member = Member.objects.get(branch=branch, name="新党员甲")
    assert member.sex == "F" and member.category == "probationary" and member.party_group.name == "新建小组"


def test_it_writes_nothing_when_one_row_is_bad(demo_orgs, login):
    branch = demo_orgs.orgs["office"]
    before = Member.objects.count()
    response = upload(login("secretary"), branch, xlsx(GOOD, BAD))
    assert response.status_code == 400
    page = response.content.decode()
    assert "第 3 行" in page
    assert "性别“未知”无法识别" in page
    assert "学历“小学”无法识别" in page
    assert "入党日期“昨天”不是日期" in page
    assert "第 2 行" not in page
    assert Member.objects.count() == before


def test_it_reports_duplicate_rows(demo_orgs, login):
    response = upload(login("secretary"), demo_orgs.orgs["office"], xlsx(GOOD, GOOD))
    assert "与第 2 行姓名和电话重复" in response.content.decode()
    assert not Member.objects.filter(name="新党员甲").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"this is not a spreadsheet at all", "roster.xlsx", "无法读取该文件"),
        (b"name,sex\nx,y\n", "roster.csv", "只接受 .xlsx 格式"),
        (xlsx(GOOD, headers=["名字", "性别"]), "roster.xlsx", "表头与模板不一致"),
        (xlsx(), "roster.xlsx", "表格中没有党员数据"),
    ],
    ids=["garbage", "csv", "wrong-header", "empty"],
)
def test_it_explains_an_unreadable_file_in_chinese(demo_orgs, login, content, name, message):
    before = Member.objects.count()
    response = upload(login("secretary"), demo_orgs.orgs["office"], content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Member.objects.count() == before


def test_it_updates_a_member_with_the_same_name_and_phone(demo_orgs, login):
    branch = demo_orgs.orgs["office"]
    existing = demo_orgs.members["office"]["杨丽"]
    row = ["杨丽", "女", "研究生", "正式党员", "退休", "是", "", existing.phone, "", ""]
    upload(login("secretary"), branch, xlsx(row))
    existing.refresh_from_db()
    assert existing.education == "postgraduate" and not existing.in_service and existing.is_mobile
    assert Member.objects.filter(branch=branch, name="杨丽").count() == 1


def test_the_export_round_trips_through_the_import(demo_orgs, login):
    client = login("secretary")
    branch = demo_orgs.orgs["office"]
    exported = client.get(reverse("organizations:roster_export", args=[branch.pk]))
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(exported.content)).active
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.max_row == 1 + 28
    before = Member.objects.filter(branch=branch).count()
    assert upload(client, branch, exported.content).status_code == 302
    assert Member.objects.filter(branch=branch).count() == before


def test_the_command_imports_and_refuses_bad_files(demo_orgs, tmp_path):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx(GOOD))
    bad.write_bytes(xlsx(GOOD, BAD))
    call_command("import_roster", str(good), branch="燕儿坪村党支部", stdout=io.StringIO())
    assert Member.objects.filter(name="新党员甲", branch=demo_orgs.orgs["yanerping"]).exists()
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 行有误"):
        call_command("import_roster", str(bad), branch="水阜镇机关党支部", stderr=err)
    assert "第 3 行" in err.getvalue()
    assert not Member.objects.filter(name="新党员乙").exists()


def test_the_command_exits_non_zero_on_bad_input(tmp_path):
    env = {**os.environ, "DB": "sqlite", "DB_NAME": str(tmp_path / "cli.sqlite3")}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "seed_demo"], env=env, check=True, capture_output=True)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"garbage")
    proc = subprocess.run(
        [sys.executable, "manage.py", "import_roster", str(bad), "--branch", "燕儿坪村党支部"],
        capture_output=True, text=True, env=env,
    )
    assert proc.returncode != 0
    assert "无法读取该文件" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_it_explains_a_damaged_sheet_instead_of_failing(demo_orgs, login):
    # openpyxl's read-only mode parses the sheet only while the rows are read: broken XML there must
    # give the same message as a file that does not open at all, not a 500.
    src = zipfile.ZipFile(io.BytesIO(xlsx(GOOD)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for item in src.infolist():
            data = src.read(item.filename)
            damaged.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    before = Member.objects.count()
    response = upload(login("secretary"), demo_orgs.orgs["office"], out.getvalue())
    assert response.status_code == 400
    assert "无法读取该文件" in response.context["form"].errors["file"][0]
    assert Member.objects.count() == before
