"""Two-factor authentication (issue 15 item 5): officers must, secretaries may; recovery codes; the officers'
idle timeout; a password change ends the other sessions.

These tests log in through the login form and type the codes, as a person does (tests/conftest.py's
force_login shortcut, which starts as a verified officer, is used only where two-factor is not the point:
the idle timeout and the password change). The clock stands still at tests.clock.NOW and is moved by hand,
so each code is computed for a known 30-second step.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import demo as accounts_demo
from accounts.two_factor import services
from accounts.two_factor.middleware import is_exempt
from organizations.models import Member
from tests.clock import NOW
from tests.organizations.factories import MemberFactory, OfficerFactory, UserFactory, make_tree

PASSWORD = "pw-123456"
DASHBOARD = reverse("dashboard:index")
ENROL = reverse("accounts:two_factor_enrol")
VERIFY = reverse("accounts:two_factor_verify")
SECURITY = reverse("accounts:two_factor_security")


@pytest.fixture
def clock(time_machine):
    """clock.tick(seconds) moves the stopped clock on; clock.now is where it stands."""

    class Clock:
        now = NOW

        def tick(self, seconds: float):
            self.now += dt.timedelta(seconds=seconds)
            time_machine.move_to(self.now, tick=False)

    c = Clock()
    time_machine.move_to(NOW, tick=False)
    return c


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def officer(tree):
    root, _branches = tree
    return OfficerFactory(organization=root).user


@pytest.fixture
def secretary(tree):
    _root, branches = tree
    return MemberFactory(branch=branches[0], user=UserFactory(), committee_post=Member.Post.SECRETARY).user


@pytest.fixture
def member(tree):
    _root, branches = tree
    return MemberFactory(branch=branches[0], user=UserFactory()).user


def code_for(device: TOTPDevice, at: dt.datetime) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = at.timestamp()
    return f"{totp.token():06d}"


def password_login(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(user.pk)
    return client


def enrolled(user, clock) -> list[str]:
    """The user has set up an authenticator (as through the pages) and holds these recovery codes."""
    device = services.totp_device_start(user=user)
    codes = services.totp_device_confirm(device=device, token=code_for(device, clock.now))
    clock.tick(30)  # the next code the user can type is the next step's
    return codes


def test_it_sends_an_officer_to_enrol_before_the_dashboard(officer, clock):
    client = password_login(officer)
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response.url == f"{ENROL}?next=%2Fdashboard%2F"

    page = client.get(response.url)
    assert page.status_code == 200 and "须先设置两步验证" in page.content.decode()
    assert client.post(response.url, {"start": "1"}).status_code == 302
    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed is False

    page = client.get(response.url).content.decode()
    assert 'src="data:image/svg+xml' in page and " ".join(services.totp_key_groups(device)) in page
    assert 'inputmode="numeric"' in page and 'autocomplete="one-time-code"' in page

    codes_page = client.post(response.url, {"token": code_for(device, clock.now), "next": "/dashboard/"})
    assert codes_page.status_code == 200 and codes_page["Cache-Control"].startswith("max-age=0")
    device.refresh_from_db()
    assert device.confirmed is True
    tokens = list(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert len(tokens) == 10 and all(services.recovery_code_display(t) in codes_page.content.decode() for t in tokens)
    assert "打印恢复码" in codes_page.content.decode()
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(DASHBOARD).status_code == 200


def test_a_wrong_code_is_refused_in_chinese_and_keeps_the_form(officer, clock):
    client = password_login(officer)
    client.post(ENROL, {"start": "1"})
    device = TOTPDevice.objects.get(user=officer)
    wrong = f"{(int(code_for(device, clock.now)) + 1) % 1_000_000:06d}"

    response = client.post(ENROL, {"token": wrong})
    page = response.content.decode()
    assert response.status_code == 200
    assert "验证码不正确，请核对手机上验证器应用当前显示的 6 位数字后重新输入。" in page
    assert 'name="token"' in page and 'src="data:image/svg+xml' in page
    device.refresh_from_db()
    assert device.confirmed is False and device.throttling_failure_count == 1
    assert not StaticToken.objects.filter(device__user=officer).exists()
    assert client.get(DASHBOARD).status_code == 302


def test_guessing_is_slowed_down(officer, clock):
    enrolled(officer, clock)
    device = TOTPDevice.objects.get(user=officer)
    right = code_for(device, clock.now)
    client = password_login(officer)
    client.post(VERIFY, {"token": f"{(int(right) + 1) % 1_000_000:06d}"})
    refused = client.post(VERIFY, {"token": right})  # within the second django-otp makes a guesser wait
    until = (clock.now + dt.timedelta(seconds=1)).strftime("%H:%M:%S")
    assert refused.status_code == 200 and f"错误次数过多，请于 {until} 之后再试。" in refused.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session

    clock.tick(2)
    assert client.post(VERIFY, {"token": right}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0 and client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_code_that_is_not_six_digits_is_refused_before_it_is_tried(officer, clock):
    client = password_login(officer)
    client.post(ENROL, {"start": "1"})
    response = client.post(ENROL, {"token": "12ab"})
    assert response.status_code == 200 and "请输入验证器应用中显示的 6 位数字。" in response.content.decode()
    assert TOTPDevice.objects.get(user=officer).throttling_failure_count == 0


def test_the_next_login_asks_for_a_code(officer, clock):
    enrolled(officer, clock)
    device = TOTPDevice.objects.get(user=officer, confirmed=True)
    client = password_login(officer)
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response.url == f"{VERIFY}?next=%2Fdashboard%2F"
    assert client.get(response.url).status_code == 200

    code = code_for(device, clock.now)
    response = client.post(VERIFY, {"token": code, "next": "/dashboard/"})
    assert response.status_code == 302 and response.url == "/dashboard/"
    assert client.get(DASHBOARD).status_code == 200
    device.refresh_from_db()
    assert device.last_t == int(clock.now.timestamp()) // 30

    # A code is good once: someone who saw it over the officer's shoulder cannot reuse it.
    other = password_login(officer)
    refused = other.post(VERIFY, {"token": code, "next": "/dashboard/"})
    assert refused.status_code == 200 and "验证码不正确或已使用过" in refused.content.decode()
    assert DEVICE_ID_SESSION_KEY not in other.session
    assert other.get(DASHBOARD).status_code == 302


def test_a_recovery_code_works_exactly_once(officer, clock):
    code = enrolled(officer, clock)[0]
    first = password_login(officer)
    response = first.post(VERIFY, {"code": services.recovery_code_display(code).upper(), "next": "/dashboard/"})
    assert response.status_code == 302 and response.url == "/dashboard/"
    assert first.get(DASHBOARD).status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 9
    assert not StaticToken.objects.filter(token=code).exists()

    clock.tick(5)
    second = password_login(officer)
    refused = second.post(VERIFY, {"code": code, "next": "/dashboard/"})
    assert refused.status_code == 200 and "恢复码不正确或已使用过。" in refused.content.decode()
    assert second.get(DASHBOARD).status_code == 302
    assert StaticToken.objects.filter(device__user=officer).count() == 9


def test_an_unverified_session_cannot_set_up_a_new_authenticator(officer, clock):
    """Someone who knows only the password must not replace the officer's authenticator with their own."""
    enrolled(officer, clock)
    client = password_login(officer)
    response = client.post(ENROL, {"start": "1"})
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=officer).values_list("confirmed", flat=True)) == [True]
    assert client.get(reverse("accounts:two_factor_recovery")).status_code == 302
    assert client.post(reverse("accounts:two_factor_recovery")).status_code == 302
    assert StaticToken.objects.filter(device__user=officer).count() == 10


def test_a_verified_officer_can_replace_the_authenticator(officer, clock):
    enrolled(officer, clock)
    old = TOTPDevice.objects.get(user=officer)
    old_codes = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    client = password_login(officer)
    client.post(VERIFY, {"token": code_for(old, clock.now)})
    elsewhere = password_login(officer)
    clock.tick(30)
    elsewhere.post(VERIFY, {"token": code_for(old, clock.now)})
    assert elsewhere.get(DASHBOARD).status_code == 200

    client.post(ENROL, {"start": "1"})
    new = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(ENROL, {"token": code_for(new, clock.now)})
    assert response.status_code == 200
    assert list(TOTPDevice.objects.filter(user=officer).values_list("pk", flat=True)) == [new.pk]
    assert not old_codes & set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert client.get(DASHBOARD).status_code == 200
    # The session verified with the old phone has to verify again.
    assert elsewhere.get(DASHBOARD).url.startswith(VERIFY)


def test_a_secretary_is_not_forced_but_can_enrol_and_must_then_verify(secretary, clock):
    client = password_login(secretary)
    home = client.get(reverse("meetings:my_home"))
    assert home.status_code == 200
    security = client.get(SECURITY)
    assert security.status_code == 200 and "开启两步验证" in security.content.decode()
    assert not TOTPDevice.objects.filter(user=secretary).exists()

    client.post(ENROL, {"start": "1"})
    device = TOTPDevice.objects.get(user=secretary)
    assert client.post(ENROL, {"token": code_for(device, clock.now)}).status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True and StaticToken.objects.filter(device__user=secretary).count() == 10
    assert "已开启" in client.get(SECURITY).content.decode()

    clock.tick(30)
    later = password_login(secretary)
    response = later.get(reverse("meetings:my_home"))
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert later.post(VERIFY, {"token": code_for(device, clock.now)}).status_code == 302
    assert later.get(reverse("meetings:my_home")).status_code == 200


def test_a_secretary_can_turn_it_off_with_the_password(secretary, clock):
    enrolled(secretary, clock)
    device = TOTPDevice.objects.get(user=secretary)
    client = password_login(secretary)
    client.post(VERIFY, {"token": code_for(device, clock.now)})
    disable = reverse("accounts:two_factor_disable")

    wrong = client.post(disable, {"password": "not-it"})
    assert wrong.status_code == 200 and "密码不正确。" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=secretary).exists()

    response = client.post(disable, {"password": PASSWORD})
    assert response.status_code == 302 and response.url == SECURITY
    assert not TOTPDevice.objects.filter(user=secretary).exists()
    assert not StaticDevice.objects.filter(user=secretary).exists()
    assert password_login(secretary).get(reverse("meetings:my_home")).status_code == 200


def test_an_officer_cannot_turn_it_off(officer, clock):
    enrolled(officer, clock)
    client = password_login(officer)
    client.post(VERIFY, {"token": code_for(TOTPDevice.objects.get(user=officer), clock.now)})
    response = client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).count() == 1
    assert StaticToken.objects.filter(device__user=officer).count() == 10


def test_a_member_is_not_offered_two_factor(member, clock):
    client = password_login(member)
    assert client.get(reverse("meetings:my_home")).status_code == 200
    assert "两步验证目前面向组织部门干部和支部书记。" in client.get(SECURITY).content.decode()
    assert client.post(ENROL, {"start": "1"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=member).exists()


def test_new_recovery_codes_replace_the_old(officer, clock):
    old = set(enrolled(officer, clock))
    client = password_login(officer)
    client.post(VERIFY, {"token": code_for(TOTPDevice.objects.get(user=officer), clock.now)})
    recovery = reverse("accounts:two_factor_recovery")
    assert "剩余恢复码：10 个。" in client.get(recovery).content.decode()

    response = client.post(recovery)
    new = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert response.status_code == 200 and len(new) == 10 and not new & old
    assert all(services.recovery_code_display(code) in response.content.decode() for code in new)


def test_the_exempt_paths_are_the_enrol_and_verify_pages_only():
    assert is_exempt(ENROL) and is_exempt(VERIFY) and is_exempt(reverse("logout"))
    assert not is_exempt(SECURITY) and not is_exempt(reverse("accounts:two_factor_recovery"))
    assert not is_exempt(reverse("password_change")) and not is_exempt(DASHBOARD)


# ---------------------------------------------------------------- idle timeout


def test_an_idle_officer_is_logged_out(officer, clock, client, settings):
    settings.OFFICER_IDLE_MINUTES = 30
    client.force_login(officer)  # verified: two-factor is not the point here
    session_key = client.session.session_key
    assert client.get(DASHBOARD).status_code == 200
    clock.tick(29 * 60)
    assert client.get(DASHBOARD).status_code == 200  # still in use: the 30 minutes start again
    clock.tick(29 * 60)
    assert client.get(DASHBOARD).status_code == 200

    clock.tick(31 * 60)
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response.url == f"{reverse('login')}?next=/dashboard/"
    assert SESSION_KEY not in client.session
    assert not Session.objects.filter(session_key=session_key).exists()
    login_page = client.get(response.url)
    assert "长时间未操作，已自动退出，请重新登录。" in login_page.content.decode()


def test_the_idle_limit_comes_from_the_setting(officer, clock, client, settings):
    settings.OFFICER_IDLE_MINUTES = 5
    client.force_login(officer)
    assert client.get(DASHBOARD).status_code == 200
    clock.tick(6 * 60)
    assert client.get(DASHBOARD).status_code == 302
    assert SESSION_KEY not in client.session


def test_an_idle_member_is_not_held_to_the_officer_limit(member, clock, client, settings):
    """Members have the everyone limit (tests/accounts/test_idle_timeout.py), not the officers' shorter one."""
    settings.OFFICER_IDLE_MINUTES, settings.SESSION_IDLE_MINUTES = 30, 120
    client.force_login(member)
    assert client.get(reverse("meetings:my_home")).status_code == 200
    clock.tick(90 * 60)
    assert client.get(reverse("meetings:my_home")).status_code == 200
    assert client.session[SESSION_KEY] == str(member.pk)


# ---------------------------------------------------------------- password change


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(officer, clock):
    here, there = Client(), Client()
    here.force_login(officer)
    there.force_login(officer)
    assert here.get(DASHBOARD).status_code == 200 and there.get(DASHBOARD).status_code == 200

    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "红旗飘飘-2026", "new_password2": "红旗飘飘-2026"},
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    officer.refresh_from_db()
    assert officer.check_password("红旗飘飘-2026")
    assert here.get(DASHBOARD).status_code == 200  # still logged in, still verified
    ended = there.get(DASHBOARD)
    assert ended.status_code == 302 and ended.url.startswith(reverse("login"))
    assert SESSION_KEY not in there.session


# ---------------------------------------------------------------- the demo


def test_the_demo_officer_has_the_published_key_and_codes(demo_orgs, clock):
    accounts_demo.seed(demo_orgs)
    accounts_demo.seed(demo_orgs)  # seed_demo runs at every start
    county = demo_orgs.users["county"]
    device = TOTPDevice.objects.get(user=county)
    assert device.confirmed is True and "".join(services.totp_key_groups(device)) == accounts_demo.DEMO_TOTP_KEY
    assert sorted(StaticToken.objects.filter(device__user=county).values_list("token", flat=True)) == sorted(
        accounts_demo.DEMO_RECOVERY_CODES
    )

    client = Client()
    client.post(reverse("login"), {"username": "county", "password": "branchlife-demo"})
    response = client.post(VERIFY, {"token": code_for(device, clock.now), "next": "/dashboard/"})
    assert response.status_code == 302 and client.get(DASHBOARD).status_code == 200

    other = Client()
    other.post(reverse("login"), {"username": "county", "password": "branchlife-demo"})
    assert other.post(VERIFY, {"code": "gaolan01"}).status_code == 302
    accounts_demo.seed(demo_orgs)  # a used demo code comes back; the used TOTP step stays used
    device.refresh_from_db()
    assert StaticToken.objects.filter(device__user=county).count() == 10
    assert device.last_t == int(clock.now.timestamp()) // 30


@pytest.mark.parametrize("target", ["abc", "//evil.example/", "javascript:alert(1)"])
def test_a_verified_officer_is_never_sent_off_site_or_to_an_error_by_next(demo_orgs, login, target):
    response = login("county").get(reverse("accounts:two_factor_verify"), {"next": target})
    assert response.status_code == 302 and response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)
