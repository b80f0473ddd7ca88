"""Server errors (branchlife/errors.py, branchlife/logs.py): the Chinese 500 page shows the request's id, which
is also the X-Request-ID header and on the logged record; the admins get one mail per error; and on the
anonymous routes that mail says nothing of who sent the request."""

import re

import pytest
from django.test import Client
from django.urls import path

from branchlife.logs import MailThrottleFilter, RequestIdFilter
from branchlife.urls import handler400, handler500  # noqa: F401  (the project's, used by this test urlconf)

ADDRESS = "203.0.113.77"  # documentation range: only ever a header value here
BROWSER = "Mozilla/5.0 (Linux; Android 14; TestPhone-7Q) Mobile"


def boom(request, pk=None):
    choice = "不称职-秘密选择"  # noqa: F841  a local an error report must not show on an anonymous route
    raise RuntimeError("故意的错误")


def database_gone(request):
    from django.db import OperationalError

    raise OperationalError("server closed the connection unexpectedly")


def session_gone_meanwhile(request):
    """The session's row disappears while the request runs (a database restart lost it, a logout in another
    tab deleted it): saving it at the end fails, which Django reports as SessionInterrupted, a 400."""
    from django.contrib.sessions.models import Session
    from django.http import HttpResponse

    Session.objects.filter(session_key=request.session.session_key).delete()
    request.session["touched"] = True
    return HttpResponse("ok")


def bad(request):
    from django.core.exceptions import BadRequest

    raise BadRequest("malformed")


urlpatterns = [
    path("boom/", boom),
    path("evaluations/<int:pk>/vote/", boom),
    path("gone/", database_gone),
    path("session-gone/", session_gone_meanwhile),
    path("bad/", bad),
]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def _fresh_mail_throttle():
    MailThrottleFilter.forget()
    yield
    MailThrottleFilter.forget()


@pytest.fixture
def browser_client(db):
    """A client that gets the 500 page instead of the exception, as a browser would."""
    return Client(raise_request_exception=False, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=ADDRESS)


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("张三", "zhang@example.org")]


def test_it_shows_the_chinese_500_page_with_the_request_id(browser_client, caplog, db):
    caplog.handler.addFilter(RequestIdFilter())
    response = browser_client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert "抱歉，服务器出错了" in page and f'data-testid="request-id">{request_id}<' in page
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "ERROR" and record.request_id == request_id
    assert record.getMessage() == "Internal Server Error: /boom/"


def test_a_database_that_is_briefly_gone_asks_to_try_again_with_503(browser_client, db):
    response = browser_client.post("/gone/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "请稍等片刻后重试" in page and "服务器出错了" not in page
    assert f'data-testid="request-id">{response["X-Request-ID"]}<' in page


def test_a_session_that_could_not_be_saved_asks_to_try_again_not_bad_request(browser_client, django_user_model):
    browser_client.force_login(django_user_model.objects.create_user("someone"))
    response = browser_client.post("/session-gone/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "请稍等片刻后重试" in response.content.decode()


def test_a_really_bad_request_is_still_400(browser_client):
    assert browser_client.get("/bad/").status_code == 400


def test_the_500_page_escapes_the_request_id(browser_client, settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    response = browser_client.get("/boom/", HTTP_X_REQUEST_ID="<b>id</b>-1234567")
    assert response.status_code == 500 and "<b>" not in response.content.decode()
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])  # not a plain token: replaced


def test_it_mails_the_admins_when_admins_is_set(db, browser_client, admins, mailoutbox):
    response = browser_client.get("/boom/")
    (mail,) = mailoutbox
    assert mail.to == ["zhang@example.org"]
    assert mail.subject.startswith("[Branchlife] ERROR") and "/boom/" in mail.subject
    assert response["X-Request-ID"] in mail.body and "RuntimeError" in mail.body
    assert ADDRESS in mail.body  # an ordinary route's report keeps the request's details


def test_it_mails_nobody_without_admins(db, browser_client, mailoutbox, settings):
    settings.ADMINS = []
    assert browser_client.get("/boom/").status_code == 500
    assert mailoutbox == []


def test_the_same_error_is_mailed_once_per_interval(db, browser_client, admins, mailoutbox):
    browser_client.get("/boom/")
    browser_client.get("/boom/")
    assert len(mailoutbox) == 1
    MailThrottleFilter.forget()  # the interval has passed
    browser_client.get("/boom/")
    assert len(mailoutbox) == 2


def test_the_error_mail_of_an_anonymous_route_says_nothing_of_the_sender(db, browser_client, admins, mailoutbox):
    from tests.organizations.factories import UserFactory

    user = UserFactory(username="voter-zhang")
    browser_client.force_login(user)
    response = browser_client.post("/evaluations/5/vote/?from=qr", {"grade": "不称职"}, HTTP_X_FORWARDED_FOR=ADDRESS)
    assert response.status_code == 500
    (mail,) = mailoutbox
    session_key = browser_client.cookies["sessionid"].value
    for secret in (ADDRESS, "TestPhone", "voter-zhang", "from=qr", "不称职", session_key):
        assert secret not in mail.body, secret
    assert "/evaluations/5/vote/" in mail.body and "RuntimeError" in mail.body
    assert response["X-Request-ID"] in mail.body
