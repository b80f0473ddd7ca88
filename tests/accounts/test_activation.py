"""Accounts from the roster (issue 15 items 1-3): opening accounts, codes, slips, activation, login by
phone, resets and leaving the roster — through the real pages, with the database state checked."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader

from organizations.models import ActivationCode, Member
from tests.clock import NOW

CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")
GOOD_PASSWORD = "红旗渠-精神-1960"


def _without_account(branch, n=None):
    members = list(Member.objects.filter(branch=branch, user=None, is_active=True).order_by("name", "pk"))
    return members[:n] if n else members


def open_accounts(client, branch, members=None, everyone=False):
    data = {"everyone": "1"} if everyone else {"members": [m.pk for m in members]}
    response = client.post(reverse("organizations:accounts_open", args=[branch.pk]), data)
    assert response.status_code == 200, response.content.decode()[:500]
    page = response.content.decode()
    return response, dict(re.findall(r'name="user" value="(\d+)"><input type="hidden" name="code" value="([^"]+)"', page))


def activate(client, code, password=GOOD_PASSWORD, password2=None):
    return client.post(
        reverse("accounts:activate"), {"code": code, "password1": password, "password2": password2 or password}
    )


def test_the_secretary_opens_accounts_for_chosen_members_with_hashed_single_codes(office, login):
    client = login("secretary")
    chosen = _without_account(office, 3)
    response, codes = open_accounts(client, office, chosen)
    page = response.content.decode()
    assert len(codes) == 3 and all(CODE.fullmatch(c) for c in codes.values())
    assert "激活码只在本页显示这一次" in page
    assert "no-store" in response["Cache-Control"]
    for member in chosen:
        member.refresh_from_db()
        assert member.user is not None and not member.user.has_usable_password()
        assert member.name in page
    stored = list(ActivationCode.objects.filter(user__member__in=chosen).values_list("code_hash", flat=True))
    assert len(stored) == 3
    # Only a keyed hash is kept: no plain code in any column of the table.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ActivationCode._meta.db_table}")
        dump = repr(cursor.fetchall())
    for code in codes.values():
        assert code not in dump and code.replace("-", "") not in dump


def test_everyone_opens_every_member_not_yet_activated(office, login):
    client = login("secretary")
    waiting = len(_without_account(office))
    response, codes = open_accounts(client, office, everyone=True)
    assert len(codes) == waiting
    # The secretary's and 杨丽's accounts are already active: they get no new code.
    assert not ActivationCode.objects.filter(user__username__in=["secretary", "member"]).exists()
    page = client.get(reverse("organizations:branch_accounts", args=[office.pk])).content.decode()
    assert page.count("待激活") >= waiting


def test_the_slip_pdf_holds_names_codes_and_ten_slips_a_page(office, login):
    client = login("secretary")
    chosen = _without_account(office, 12)
    _response, codes = open_accounts(client, office, chosen)
    # Posted back as the page sends them: the n-th user with the n-th code.
    data = {"user": list(codes), "code": list(codes.values())}
    response = client.post(reverse("organizations:account_slips"), data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2
    text = "".join(page.extract_text() for page in reader.pages)
    for member in chosen:
        assert member.name in text
    for code in codes.values():
        assert code in text
    assert "/accounts/activate/" in text.replace("\n", "")


def test_a_slip_is_not_printed_for_a_forged_or_used_code(office, login):
    client = login("secretary")
    member = _without_account(office, 1)[0]
    _response, codes = open_accounts(client, office, [member])
    (user_id, code), = codes.items()
    forged = client.post(reverse("organizations:account_slips"), {"user": user_id, "code": "ABCD-EFGH"})
    assert forged.status_code == 302
    activate(Client(), code)
    used = client.post(reverse("organizations:account_slips"), {"user": user_id, "code": code})
    assert used.status_code == 302


@pytest.mark.parametrize("back", ["abc", "//evil.example/", "/organizations/"])
def test_the_way_back_from_an_unprintable_sheet_stays_on_this_site(office, login, back):
    response = login("secretary").post(reverse("organizations:account_slips"), {"user": 1, "code": "ABCD-EFGH", "back": back})
    assert response.status_code == 302
    assert response["Location"] == (back if back.startswith("/o") else reverse("home"))


def test_a_member_activates_with_the_code_and_lands_on_my_todo(office, login):
    member = _without_account(office, 1)[0]
    _response, codes = open_accounts(login("secretary"), office, [member])
    code = next(iter(codes.values()))
    phone = Client()
    page = phone.get(reverse("accounts:activate"), {"code": code.lower().replace("-", " ")})
    assert page.status_code == 200
    assert member.name in page.content.decode() and office.name in page.content.decode()
    assert page["Referrer-Policy"] == "origin"
    response = activate(phone, code)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert phone.get(reverse("home")).url == reverse("meetings:my_home")
    assert phone.get(reverse("meetings:my_home")).status_code == 200
    member.refresh_from_db()
    assert member.user.check_password(GOOD_PASSWORD)
    assert ActivationCode.objects.get(user=member.user).used_at is not None
    again = Client().get(reverse("accounts:activate"), {"code": code})
    assert again.status_code == 400
    assert "这个激活码已经用过" in again.content.decode()


def test_bad_passwords_are_refused_in_chinese_and_the_code_is_kept(office, login):
    member = _without_account(office, 1)[0]
    _response, codes = open_accounts(login("secretary"), office, [member])
    code = next(iter(codes.values()))
    phone = Client()
    mismatch = activate(phone, code, GOOD_PASSWORD, GOOD_PASSWORD + "x")
    assert mismatch.status_code == 400
    assert "两次输入的密码不一致" in mismatch.content.decode()
    assert f'value="{code}"' in mismatch.content.decode()
    weak = activate(phone, code, "12345678")
    assert weak.status_code == 400
    assert "这个密码太常见了" in weak.content.decode()
    member.refresh_from_db()
    assert not member.user.has_usable_password()
    assert ActivationCode.objects.get(user=member.user).used_at is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [("ABCD", "激活码是 8 位字母和数字"), ("ABCD-EFGH", "激活码不正确")],
)
def test_a_mistyped_code_is_explained(db, client, typed, message):
    response = client.get(reverse("accounts:activate"), {"code": typed})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_expired_or_replaced_code_is_refused(office, login):
    member = _without_account(office, 1)[0]
    with time_machine.travel(NOW, tick=False):
        _response, codes = open_accounts(login("secretary"), office, [member])
        old = next(iter(codes.values()))
        _response, codes = open_accounts(login("secretary"), office, [member])
        new = next(iter(codes.values()))
        replaced = Client().get(reverse("accounts:activate"), {"code": old})
        assert "已作废" in replaced.content.decode()
    with time_machine.travel(NOW + dt.timedelta(days=15), tick=False):
        expired = Client().get(reverse("accounts:activate"), {"code": new})
        assert expired.status_code == 400
        assert "已过期" in expired.content.decode()
    member.refresh_from_db()
    assert not member.user.has_usable_password()


def test_members_log_in_by_phone_number(office, login):
    member = _without_account(office, 1)[0]
    _response, codes = open_accounts(login("secretary"), office, [member])
    activate(Client(), next(iter(codes.values())))
    phone = Client()
    response = phone.post(reverse("login"), {"username": member.phone, "password": GOOD_PASSWORD})
    assert response.status_code == 302
    member.refresh_from_db()
    assert phone.session["_auth_user_id"] == str(member.user_id)


def test_a_phone_shared_by_two_members_logs_in_the_one_whose_password_it_is(office, login):
    first, second = _without_account(office, 2)
    # A number without an account says no more than a wrong password: nobody learns it is on a roster.
    no_account = Client().post(reverse("login"), {"username": second.phone, "password": "whatever-1"})
    assert "用户名（或手机号）或密码不正确" in no_account.content.decode()
    assert "开通" not in no_account.content.decode()
    Member.objects.filter(pk=second.pk).update(phone=first.phone)
    _response, codes = open_accounts(login("secretary"), office, [first, second])
    by_user = {int(u): c for u, c in codes.items()}
    first.refresh_from_db()
    second.refresh_from_db()
    activate(Client(), by_user[first.user_id], GOOD_PASSWORD)
    activate(Client(), by_user[second.user_id], GOOD_PASSWORD + "-2")
    for member, password in ((first, GOOD_PASSWORD), (second, GOOD_PASSWORD + "-2")):
        couple = Client()
        assert couple.post(reverse("login"), {"username": first.phone, "password": password}).status_code == 302
        assert couple.session["_auth_user_id"] == str(member.user_id)
    # The same password on both accounts: the number cannot tell them apart.
    second.user.set_password(GOOD_PASSWORD)
    second.user.save()
    shared = Client().post(reverse("login"), {"username": first.phone, "password": GOOD_PASSWORD})
    assert shared.status_code == 200
    assert "登记在多名党员名下" in shared.content.decode()
    assert "_auth_user_id" not in shared.wsgi_request.session


def test_a_reset_ends_the_members_sessions_and_a_new_slip_lets_them_in(demo_orgs, office, login):
    member_client = Client()
    assert member_client.post(reverse("login"), {"username": "member", "password": "branchlife-demo"}).status_code == 302
    assert member_client.get(reverse("meetings:my_home")).status_code == 200
    yangli = demo_orgs.users["member"].member
    secretary = login("secretary")
    response = secretary.post(reverse("organizations:account_reset", args=[office.pk, yangli.pk]))
    assert response.status_code == 200
    code = CODE.search(response.content.decode()).group(0)
    # The old session is gone at its next request, and the old password no longer works.
    assert member_client.get(reverse("meetings:my_home")).status_code == 302
    assert Client().post(reverse("login"), {"username": "member", "password": "branchlife-demo"}).status_code == 200
    page = Client().get(reverse("accounts:activate"), {"code": code}).content.decode()
    assert "重设密码" in page and "杨丽" in page
    assert activate(Client(), code).status_code == 302
    assert ActivationCode.objects.get(user=yangli.user).purpose == ActivationCode.Purpose.RESET


def test_a_member_taken_off_the_roster_loses_access_at_once(demo_orgs, office, login):
    member_client = Client()
    member_client.post(reverse("login"), {"username": "member", "password": "branchlife-demo"})
    yangli = demo_orgs.users["member"].member
    response = login("secretary").post(reverse("organizations:account_remove", args=[office.pk, yangli.pk]))
    assert response.status_code == 302
    yangli.refresh_from_db()
    assert not yangli.is_active and not yangli.user.is_active
    assert member_client.get(reverse("meetings:my_home")).status_code == 302
    refused = Client().post(reverse("login"), {"username": "member", "password": "branchlife-demo"})
    assert "该账号已停用" in refused.content.decode()
    wrong = Client().post(reverse("login"), {"username": "member", "password": "not-her-password"})
    assert "该账号已停用" not in wrong.content.decode()


def test_a_roster_import_can_open_the_new_members_accounts(office, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.organizations.test_roster_import import GOOD, xlsx

    client = login("secretary")
    response = client.post(
        reverse("organizations:roster_import", args=[office.pk]),
        {"file": SimpleUploadedFile("roster.xlsx", xlsx(GOOD)), "open_accounts": "on"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "新党员甲" in page and CODE.search(page)
    member = Member.objects.get(branch=office, name="新党员甲")
    assert member.user is not None and ActivationCode.objects.filter(user=member.user).count() == 1


def test_forgot_password_emails_those_with_an_address_and_tells_the_rest_to_ask(demo_orgs, client):
    User = get_user_model()
    User.objects.filter(username="member").update(email="yangli@example.cn")
    response = client.post(reverse("accounts:forgot_password"), {"identifier": "member"})
    assert "向支部书记领取新的激活码" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["yangli@example.cn"]
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(form.redirect_chain[-1][0], {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert done.status_code == 302
    assert User.objects.get(username="member").check_password(GOOD_PASSWORD)
    # No email: the same answer, and nothing is sent.
    other = client.post(reverse("accounts:forgot_password"), {"identifier": "secretary"})
    assert "向支部书记领取新的激活码" in other.content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("secretary", True), ("county", True), ("member", False), ("anyue", False), ("supervisor", False)],
)
def test_only_those_who_manage_the_branch_open_or_reset_accounts(office, login, role, allowed):
    client = login(role)
    member = _without_account(office, 1)[0]
    urls = [
        (reverse("organizations:accounts_open", args=[office.pk]), {"members": [member.pk]}),
        (reverse("organizations:account_reset", args=[office.pk, member.pk]), {}),
        (reverse("organizations:account_remove", args=[office.pk, member.pk]), {}),
    ]
    for url, data in urls:
        status = client.post(url, data).status_code
        assert (status != 403) == allowed, (url, status)
    member.refresh_from_db()
    assert member.is_active is not allowed


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_login_lockout_counts_the_client_behind_the_proxy(demo_orgs):
    for _ in range(5):
        Client().post(reverse("login"), {"username": "secretary", "password": "wrong"}, HTTP_X_FORWARDED_FOR="1.1.1.1")
    locked = Client().post(
        reverse("login"), {"username": "secretary", "password": "branchlife-demo"}, HTTP_X_FORWARDED_FOR="1.1.1.1"
    )
    assert locked.status_code == 429
    # Another client behind the same proxy (same REMOTE_ADDR) is not locked out; a forged left-hand entry
    # does not move the lockout either.
    other = Client().post(
        reverse("login"),
        {"username": "secretary", "password": "branchlife-demo"},
        HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2",
    )
    assert other.status_code == 302


def test_guessing_codes_is_throttled_per_client_address(db, client):
    from django.core.cache import cache

    cache.clear()
    url = reverse("accounts:activate")
    for _ in range(300):
        client.get(url, {"code": "ABCD-EFGH"}, REMOTE_ADDR="10.1.1.1")
    blocked = client.get(url, {"code": "ABCD-EFGH"}, REMOTE_ADDR="10.1.1.1")
    assert "尝试次数过多" in blocked.content.decode() and "激活码不正确" not in blocked.content.decode()
    other = client.get(url, {"code": "ABCD-EFGH"}, REMOTE_ADDR="10.1.1.2")
    assert "激活码不正确" in other.content.decode()


def test_an_officer_who_leaves_a_roster_keeps_the_officer_post(demo_orgs, office, login):
    from organizations.models import Officer

    yangli = demo_orgs.users["member"].member
    Officer.objects.create(user=yangli.user, organization=demo_orgs.orgs["shuifu"], name="杨丽")
    login("secretary").post(reverse("organizations:account_remove", args=[office.pk, yangli.pk]))
    yangli.refresh_from_db()
    assert not yangli.is_active and yangli.user.is_active


def test_the_slip_pdf_costs_the_same_queries_for_2_or_12_codes(office, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("secretary")
    counts = []
    for n in (2, 12):
        _response, codes = open_accounts(client, office, _without_account(office, n))
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("organizations:account_slips"), {"user": list(codes), "code": list(codes.values())})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
