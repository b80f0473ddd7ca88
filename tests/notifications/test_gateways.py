"""The outside gateways, over real HTTP, against fake providers on 127.0.0.1 that check what the real ones
check: Alibaba Cloud recomputes the request signature, DingTalk the 加签 and its timestamp, WeCom the
webhook key, the generic gateway its bearer key. The fakes compute signatures their own way (as the
providers' documentation and SDKs do), not by calling the code under test."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.gateways import (
    AliyunSms,
    GatewayError,
    GenericHttpSms,
    aliyun_signature,
    dingtalk_robot_send,
    mainland_mobile,
    sms_gateway_from_settings,
    wecom_robot_send,
)

GENERIC_KEY = "generic-key-7Qm2"
ALIYUN_KEY_ID = "LTAI5tFakeKeyId0001"
ALIYUN_SECRET = "aliyun-secret-Xw83pL"
WECOM_KEY = "633a31f6-7f9c-4bc4-97a0-0ec1eefa5898"
DING_TOKEN = "ding-token-4f1c9e"
DING_SECRET = "SECa3b8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0"
MOBILE = "13800138000"
VACANT = "17000000000"  # passes our check; the fake platforms refuse it, as a real one refuses a bad number
TEXT = "【组织生活会】请于 5 月 20 日前提交对照检查材料。"
PARAMS = {"meeting": "2024年度组织生活会", "date": "5月20日"}


# ---------------------------------------------------------------- fake providers


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode(), keep_blank_values=True))


@pytest.fixture
def serve():
    """serve(answer) starts an HTTP server on 127.0.0.1 (a free port) that answers each POST with
    answer(received) -> (status, dict or bytes) and returns its base URL; serve.received lists the requests.
    An answer may wait on serve.released (set at teardown) to play a provider that never replies."""
    servers: list[ThreadingHTTPServer] = []
    received: list[Received] = []
    released = threading.Event()

    def start(answer) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                split = urllib.parse.urlsplit(self.path)
                request = Received(
                    path=split.path,
                    query=dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True)),
                    headers=dict(self.headers),
                    body=self.rfile.read(int(self.headers.get("Content-Length") or 0)),
                )
                received.append(request)
                status, body = answer(request)
                raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except OSError:  # the client stopped waiting (the timeout tests)
                    pass

            def log_message(self, format, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll: shutdown() waits up to one poll interval, paid by every test at teardown.
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    start.received = received
    start.released = released
    yield start
    released.set()
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port() -> str:
    """A local address nothing listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def never_answers(serve):
    def answer(request):
        serve.released.wait(5)
        return 200, {}

    return answer


def fixed(status: int, body) -> callable:
    return lambda request: (status, body)


def generic_platform(*, key: str = GENERIC_KEY):
    def answer(request: Received):
        if request.headers.get("Authorization") != f"Bearer {key}":
            return 401, {"ok": False, "error": "invalid key"}
        body = request.json()
        if set(body) != {"phone", "template_id", "params", "text"}:
            return 400, {"ok": False, "error": "缺少参数"}
        if body["phone"] == VACANT:
            return 400, {"ok": False, "error": "号码格式不正确"}
        return 200, {"ok": True, "id": "msg-0001"}

    return answer


def aliyun_percent(value: str) -> str:
    # aliyun-python-sdk-core's way: form-encode, then turn the form spellings into RFC 3986 ones.
    return value.replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def aliyun_expected_signature(form: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = aliyun_percent(urllib.parse.urlencode(sorted(form.items())))
    string_to_sign = f"{method}&%2F&{aliyun_percent(urllib.parse.quote(canonical, safe=''))}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


ALIYUN_PARAMETERS = {
    "AccessKeyId",
    "Action",
    "Format",
    "PhoneNumbers",
    "RegionId",
    "SignName",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "TemplateCode",
    "TemplateParam",
    "Timestamp",
    "Version",
}


def aliyun_platform(*, code: str = "OK"):
    """Dysmsapi's SendSms: known AccessKey, a fresh nonce, a Timestamp within 15 minutes, the signature
    recomputed from the received form; then the phone number; then `code`."""
    nonces: set[str] = set()

    def answer(request: Received):
        form = request.form()
        signature = form.pop("Signature", "")
        if set(form) != ALIYUN_PARAMETERS:
            return 400, {"Code": "MissingParameter", "Message": f"got {sorted(form)}"}
        if form["AccessKeyId"] != ALIYUN_KEY_ID:
            return 404, {
                "Code": "InvalidAccessKeyId.NotFound",
                "Message": "Specified access key is not found.",
            }
        expected = aliyun_expected_signature(form, ALIYUN_SECRET)
        if not hmac.compare_digest(signature, expected):
            # The real message quotes the server's string to sign, AccessKeyId and all.
            return 400, {
                "Code": "SignatureDoesNotMatch",
                "Message": f"Specified signature is not matched with our calculation. AccessKeyId={ALIYUN_KEY_ID}",
            }
        if form["SignatureNonce"] in nonces:
            return 400, {
                "Code": "SignatureNonceUsed",
                "Message": "Specified signature nonce was used already.",
            }
        nonces.add(form["SignatureNonce"])
        sent = dt.datetime.strptime(form["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        if abs(dt.datetime.now(dt.UTC) - sent) > dt.timedelta(minutes=15):
            return 400, {
                "Code": "InvalidTimeStamp.Expired",
                "Message": "Specified time stamp or date has expired.",
            }
        if (form["Action"], form["Version"]) != ("SendSms", "2017-05-25"):
            return 400, {"Code": "InvalidAction.NotFound", "Message": "Specified api is not found."}
        if form["PhoneNumbers"] == VACANT:
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "r1"}
        if code != "OK":
            return 200, {"Code": code, "Message": "触发流控", "RequestId": "r2"}
        return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r3"}

    return answer


def wecom_robot(*, key: str = WECOM_KEY, per_minute: int = 20):
    sent: list[float] = []

    def answer(request: Received):
        if request.path != "/cgi-bin/webhook/send" or request.query.get("key") != key:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1700000000_1_abc]"}
        body = request.json()
        if body.get("msgtype") != "text" or not body.get("text", {}).get("content"):
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        if len([t for t in sent if t > time.time() - 60]) >= per_minute:
            return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
        sent.append(time.time())
        return 200, {"errcode": 0, "errmsg": "ok"}

    return answer


def dingtalk_robot(*, secret: str | None = DING_SECRET, keyword: str | None = None, per_minute: int = 20):
    """A custom robot as DingTalk documents it: with 加签, timestamp (ms) within an hour of its clock and
    sign = urlEncode(base64(HmacSHA256(secret, timestamp + "\\n" + secret))); with keywords, the text must
    contain one."""
    sent: list[float] = []

    def answer(request: Received):
        if request.path != "/robot/send" or request.query.get("access_token") != DING_TOKEN:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        if secret:
            timestamp = request.query.get("timestamp", "")
            if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000:
                return 200, {
                    "errcode": 310000,
                    "errmsg": "invalid timestamp, more: [https://open.dingtalk.com]",
                }
            mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
            # parse_qsl has already undone the URL encoding: a + sent unencoded would arrive as a space.
            if request.query.get("sign") != base64.b64encode(mac.digest()).decode():
                return 200, {"errcode": 310000, "errmsg": "sign not match, more: [https://open.dingtalk.com]"}
        body = request.json()
        content = body.get("text", {}).get("content", "")
        if body.get("msgtype") != "text" or not content:
            return 200, {"errcode": 40035, "errmsg": "缺少参数 json"}
        if keyword and keyword not in content:
            return 200, {
                "errcode": 310000,
                "errmsg": "keywords not in content, more: [https://open.dingtalk.com]",
            }
        if len([t for t in sent if t > time.time() - 60]) >= per_minute:
            return 200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
        sent.append(time.time())
        return 200, {"errcode": 0, "errmsg": "ok"}

    return answer


def assert_told_in_chinese(error: GatewayError, *, permanent: bool, secrets: tuple[str, ...] = ()) -> None:
    assert error.permanent is permanent
    assert str(error) == error.reason
    assert re.search(r"[\u4e00-\u9fff]", error.reason) and error.reason.endswith("。"), error.reason
    # Our sentences use full-width punctuation: no ASCII comma, colon or bracket beside a Chinese character.
    assert not re.search(r"[\u4e00-\u9fff][,:;()]|[,:;()][\u4e00-\u9fff]", error.reason), error.reason
    for secret in secrets:
        assert secret not in error.reason


def generic(url: str, **kwargs) -> GenericHttpSms:
    return GenericHttpSms(url=url, key=kwargs.pop("key", GENERIC_KEY), template_id="TPL_1", **kwargs)


def aliyun(url: str, **kwargs) -> AliyunSms:
    return AliyunSms(
        access_key_id=kwargs.pop("access_key_id", ALIYUN_KEY_ID),
        access_key_secret=kwargs.pop("access_key_secret", ALIYUN_SECRET),
        sign_name="水阜镇党委",
        template_code="SMS_468510123",
        endpoint=url,
        **kwargs,
    )


def wecom_webhook(base: str, key: str = WECOM_KEY) -> str:
    return f"{base}/cgi-bin/webhook/send?key={key}"


def ding_webhook(base: str) -> str:
    return f"{base}/robot/send?access_token={DING_TOKEN}"


# ---------------------------------------------------------------- phone numbers


@pytest.mark.parametrize(
    "phone",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "0086-13800138000",
        "１３８００１３８０００",
        " 13800138000 ",
    ],
)
def test_it_reads_a_mainland_mobile(phone):
    assert mainland_mobile(phone) == "13800138000"


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "010-62345678",
        "0371-6234567",
        "12800138000",
        "1380013800",
        "138001380001",
        "+852 9123 4567",
        "+1 415 555 0100",
        "1380013800a",
        "86 138 0013 8000 0",
    ],
)
def test_it_refuses_what_is_not_a_mainland_mobile(phone):
    assert mainland_mobile(phone) is None


# ---------------------------------------------------------------- generic HTTP SMS


def test_it_sends_through_the_generic_gateway(serve):
    url = serve(generic_platform())

    assert generic(url).send(phone="+86 138-0013-8000", text=TEXT, params=PARAMS) == "msg-0001"
    assert serve.received[0].json() == {
        "phone": MOBILE,
        "template_id": "TPL_1",
        "params": PARAMS,
        "text": TEXT,
    }


def test_it_gives_up_when_the_generic_gateway_refuses_the_key(serve, caplog):
    url = serve(generic_platform(key="the-right-key"))

    with pytest.raises(GatewayError) as caught:
        generic(url).send(phone=MOBILE, text=TEXT, params=PARAMS)

    assert_told_in_chinese(caught.value, permanent=True, secrets=(GENERIC_KEY,))
    assert "SMS_KEY" in caught.value.reason
    assert GENERIC_KEY not in caplog.text


def test_it_gives_up_on_a_number_the_generic_gateway_rejects(serve):
    url = serve(generic_platform())

    with pytest.raises(GatewayError) as caught:
        generic(url).send(phone=VACANT, text=TEXT, params=PARAMS)

    assert_told_in_chinese(caught.value, permanent=True)
    assert caught.value.reason == "短信平台拒绝了这条短信：号码格式不正确。"


def test_it_never_sends_to_a_landline(serve):
    url = serve(generic_platform())

    with pytest.raises(GatewayError) as caught:
        generic(url).send(phone="0371-62345678", text=TEXT, params=PARAMS)

    assert_told_in_chinese(caught.value, permanent=True)
    assert serve.received == []


@pytest.mark.parametrize(
    "status, body",
    [
        (500, b"<html>Internal Server Error</html>"),
        (503, {"ok": False, "error": "maintenance"}),
        (429, {"ok": False, "error": "too many requests"}),
        (200, b"<html>portal login</html>"),  # a captive proxy's page: not JSON
        (200, {"ok": "maybe"}),
    ],
)
def test_it_retries_when_the_generic_gateway_is_down_busy_or_unreadable(serve, status, body):
    url = serve(fixed(status, body))

    with pytest.raises(GatewayError) as caught:
        generic(url).send(phone=MOBILE, text=TEXT, params=PARAMS)

    assert_told_in_chinese(caught.value, permanent=False)


def test_it_retries_when_the_gateway_does_not_answer_in_time(serve, settings):
    settings.SMS_BACKEND = "generic"
    settings.SMS_URL = serve(never_answers(serve))
    settings.SMS_KEY = GENERIC_KEY
    settings.CHANNEL_TIMEOUT_SECONDS = 0.2
    started = time.monotonic()

    with pytest.raises(GatewayError) as caught:
        sms_gateway_from_settings().send(phone=MOBILE, text=TEXT, params=PARAMS)

    assert time.monotonic() - started < 2
    assert_told_in_chinese(caught.value, permanent=False)
    assert "0.2 秒" in caught.value.reason


def test_it_retries_when_the_gateway_refuses_the_connection(closed_port):
    with pytest.raises(GatewayError) as caught:
        generic(closed_port).send(phone=MOBILE, text=TEXT, params=PARAMS)

    assert_told_in_chinese(caught.value, permanent=False)
    assert caught.value.reason == "短信平台无法连接（连接被拒绝或网络不通）。"


# ---------------------------------------------------------------- Alibaba Cloud SMS


def test_the_signature_matches_alibaba_clouds_documented_example():
    # The worked example of Alibaba Cloud's RPC signature document (DescribeRegions, testid / testsecret).
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert aliyun_signature(params, "testsecret", method="GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_it_sends_through_alibaba_cloud(serve):
    url = serve(aliyun_platform())

    assert aliyun(url).send(phone="+86 13800138000", text=TEXT, params=PARAMS) == "900619746936498440^0"
    form = serve.received[0].form()
    assert form["PhoneNumbers"] == MOBILE
    assert form["SignName"] == "水阜镇党委"
    assert form["TemplateCode"] == "SMS_468510123"
    assert form["RegionId"] == "cn-hangzhou"
    assert form["Format"] == "JSON"
    assert (form["SignatureMethod"], form["SignatureVersion"]) == ("HMAC-SHA1", "1.0")
    assert json.loads(form["TemplateParam"]) == PARAMS
    assert "2024年度组织生活会" in form["TemplateParam"]  # ensure_ascii=False: the platform fills in Chinese
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", form["Timestamp"])
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", form["SignatureNonce"]
    )


def test_it_signs_spaces_stars_and_tildes_the_way_alibaba_cloud_does(serve):
    url = serve(aliyun_platform())

    # Where form encoding and RFC 3986 differ: the fake rejects the message if either side gets one wrong.
    params = {"title": "a b*c~d/e+f&g=h", "name": "张三（党员）"}
    assert aliyun(url).send(phone=MOBILE, text=TEXT, params=params)
    assert json.loads(serve.received[0].form()["TemplateParam"]) == params


def test_it_uses_a_fresh_nonce_for_each_message(serve):
    url = serve(aliyun_platform())
    gateway = aliyun(url)

    gateway.send(phone=MOBILE, text=TEXT, params=PARAMS)
    gateway.send(phone=MOBILE, text=TEXT, params=PARAMS)

    first, second = (r.form()["SignatureNonce"] for r in serve.received)
    assert first != second


def test_it_gives_up_when_alibaba_cloud_rejects_the_signature(serve, caplog):
    url = serve(aliyun_platform())

    with pytest.raises(GatewayError) as caught:
        aliyun(url, access_key_secret="aliyun-secret-tampered").send(phone=MOBILE, text=TEXT, params=PARAMS)

    assert_told_in_chinese(caught.value, permanent=True, secrets=("aliyun-secret-tampered", ALIYUN_KEY_ID))
    assert caught.value.reason == "阿里云短信平台签名校验失败，请检查 SMS_ALIYUN_ACCESS_KEY_SECRET。"
    assert "aliyun-secret-tampered" not in caplog.text
    assert ALIYUN_KEY_ID not in caplog.text


def test_it_gives_up_when_alibaba_cloud_does_not_know_the_access_key(serve):
    url = serve(aliyun_platform())

    with pytest.raises(GatewayError) as caught:
        aliyun(url, access_key_id="LTAI5tSomebodyElse").send(phone=MOBILE, text=TEXT, params=PARAMS)

    assert_told_in_chinese(caught.value, permanent=True, secrets=("LTAI5tSomebodyElse", ALIYUN_SECRET))


def test_it_gives_up_on_a_number_alibaba_cloud_rejects(serve):
    url = serve(aliyun_platform())

    with pytest.raises(GatewayError) as caught:
        aliyun(url).send(phone=VACANT, text=TEXT, params=PARAMS)

    assert_told_in_chinese(caught.value, permanent=True)
    assert caught.value.reason == "手机号码被短信平台拒绝：号码格式不正确。"


@pytest.mark.parametrize(
    "code, permanent",
    [
        ("isv.INVALID_PARAMETERS", True),
        ("isv.SMS_TEMPLATE_ILLEGAL", True),
        ("isv.SMS_SIGNATURE_ILLEGAL", True),
        ("isv.AMOUNT_NOT_ENOUGH", True),  # arrears wait for a person
        ("isv.BUSINESS_LIMIT_CONTROL", False),
        ("Throttling.User", False),
        ("isp.SYSTEM_ERROR", False),
    ],
)
def test_it_tells_alibaba_cloud_refusals_from_passing_trouble(serve, code, permanent):
    url = serve(aliyun_platform(code=code))

    with pytest.raises(GatewayError) as caught:
        aliyun(url).send(phone=MOBILE, text=TEXT, params=PARAMS)

    assert_told_in_chinese(caught.value, permanent=permanent, secrets=(ALIYUN_SECRET, ALIYUN_KEY_ID))


@pytest.mark.parametrize(
    "status, body", [(500, {"Code": "InternalError"}), (502, b"Bad Gateway"), (200, b"")]
)
def test_it_retries_when_alibaba_cloud_is_down_or_unreadable(serve, status, body):
    url = serve(fixed(status, body))

    with pytest.raises(GatewayError) as caught:
        aliyun(url).send(phone=MOBILE, text=TEXT, params=PARAMS)

    assert_told_in_chinese(caught.value, permanent=False)


def test_it_retries_when_alibaba_cloud_does_not_answer_in_time(serve, settings):
    settings.CHANNEL_TIMEOUT_SECONDS = 0.2
    url = serve(never_answers(serve))

    with pytest.raises(GatewayError) as caught:
        aliyun(url).send(phone=MOBILE, text=TEXT, params=PARAMS)

    assert_told_in_chinese(caught.value, permanent=False)


# ---------------------------------------------------------------- settings


def test_sms_is_off_without_a_backend(settings):
    settings.SMS_BACKEND = ""

    assert sms_gateway_from_settings() is None


def test_sms_is_off_before_the_settings_exist(settings):
    del settings.SMS_BACKEND

    assert sms_gateway_from_settings() is None


def test_the_generic_gateway_comes_from_the_settings(settings):
    settings.SMS_BACKEND = "generic"
    settings.SMS_URL = "https://sms.example.org/send"
    settings.SMS_KEY = GENERIC_KEY
    settings.SMS_TEMPLATE_ID = "TPL_9"
    settings.CHANNEL_TIMEOUT_SECONDS = 3

    gateway = sms_gateway_from_settings()

    assert isinstance(gateway, GenericHttpSms)
    assert (gateway.url, gateway.key, gateway.template_id, gateway.timeout) == (
        "https://sms.example.org/send",
        GENERIC_KEY,
        "TPL_9",
        3,
    )


def test_alibaba_cloud_comes_from_the_settings(settings):
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = ALIYUN_KEY_ID
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = ALIYUN_SECRET
    settings.SMS_ALIYUN_SIGN_NAME = "水阜镇党委"
    settings.SMS_ALIYUN_TEMPLATE_CODE = "SMS_468510123"
    del settings.SMS_ALIYUN_ENDPOINT
    del settings.CHANNEL_TIMEOUT_SECONDS

    gateway = sms_gateway_from_settings()

    assert isinstance(gateway, AliyunSms)
    assert gateway.endpoint == "https://dysmsapi.aliyuncs.com/"
    assert gateway.timeout == 5


def test_a_half_configured_backend_names_what_is_missing(settings):
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = ALIYUN_KEY_ID
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = ""
    settings.SMS_ALIYUN_SIGN_NAME = "水阜镇党委"
    settings.SMS_ALIYUN_TEMPLATE_CODE = ""

    with pytest.raises(ImproperlyConfigured, match="SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_ALIYUN_TEMPLATE_CODE"):
        sms_gateway_from_settings()


def test_an_unknown_backend_is_refused(settings):
    settings.SMS_BACKEND = "tencent"

    with pytest.raises(ImproperlyConfigured, match="tencent"):
        sms_gateway_from_settings()


# ---------------------------------------------------------------- WeCom group robot


def test_it_posts_to_a_wecom_group(serve):
    base = serve(wecom_robot())

    wecom_robot_send(webhook=wecom_webhook(base), text=TEXT)

    assert serve.received[0].json() == {"msgtype": "text", "text": {"content": TEXT}}


def test_it_gives_up_on_an_invalid_wecom_webhook(serve, caplog):
    base = serve(wecom_robot(key="the-robot-of-another-group"))

    with pytest.raises(GatewayError) as caught:
        wecom_robot_send(webhook=wecom_webhook(base), text=TEXT)

    assert_told_in_chinese(caught.value, permanent=True, secrets=(WECOM_KEY,))
    assert caught.value.reason.startswith("企业微信机器人返回错误 93000：webhook 地址无效")
    assert WECOM_KEY not in caplog.text


def test_it_retries_when_a_wecom_robot_is_rate_limited(serve):
    base = serve(wecom_robot(per_minute=20))
    for _ in range(20):
        wecom_robot_send(webhook=wecom_webhook(base), text=TEXT)

    with pytest.raises(GatewayError) as caught:
        wecom_robot_send(webhook=wecom_webhook(base), text=TEXT)

    assert_told_in_chinese(caught.value, permanent=False)
    assert "45009" in caught.value.reason


@pytest.mark.parametrize("status, body", [(502, b"<html>Bad Gateway</html>"), (200, b"{not json")])
def test_it_retries_when_wecom_is_down_or_unreadable(serve, status, body):
    base = serve(fixed(status, body))

    with pytest.raises(GatewayError) as caught:
        wecom_robot_send(webhook=wecom_webhook(base), text=TEXT)

    assert_told_in_chinese(caught.value, permanent=False, secrets=(WECOM_KEY,))


def test_it_retries_when_wecom_does_not_answer_in_time(serve, settings):
    settings.CHANNEL_TIMEOUT_SECONDS = 0.2
    base = serve(never_answers(serve))

    with pytest.raises(GatewayError) as caught:
        wecom_robot_send(webhook=wecom_webhook(base), text=TEXT)

    assert_told_in_chinese(caught.value, permanent=False, secrets=(WECOM_KEY,))


def test_it_retries_when_wecom_refuses_the_connection(closed_port, caplog):
    webhook = f"{closed_port}cgi-bin/webhook/send?key={WECOM_KEY}"

    with pytest.raises(GatewayError) as caught:
        wecom_robot_send(webhook=webhook, text=TEXT, timeout=1)

    assert_told_in_chinese(caught.value, permanent=False, secrets=(WECOM_KEY,))
    assert caught.value.__suppress_context__  # requests' exception, URL and key in its text, is not chained
    assert WECOM_KEY not in caplog.text


# ---------------------------------------------------------------- DingTalk custom robot


def test_it_signs_and_posts_to_a_dingtalk_group(serve):
    base = serve(dingtalk_robot())

    dingtalk_robot_send(webhook=ding_webhook(base), secret=DING_SECRET, text=TEXT)

    request = serve.received[0]
    assert request.query["access_token"] == DING_TOKEN
    assert request.json() == {"msgtype": "text", "text": {"content": TEXT}}


def test_it_url_encodes_a_sign_that_holds_a_plus(serve):
    base = serve(dingtalk_robot())
    # About half of all signs hold a "+", which arrives as a space unless URL-encoded; pick one that does.
    now_ms = next(
        ms
        for ms in range(int(time.time() * 1000), int(time.time() * 1000) - 60_000, -1)
        if b"+"
        in base64.b64encode(
            hmac.new(DING_SECRET.encode(), f"{ms}\n{DING_SECRET}".encode(), "sha256").digest()
        )
    )

    dingtalk_robot_send(webhook=ding_webhook(base), secret=DING_SECRET, text=TEXT, now_ms=now_ms)

    assert "+" in serve.received[0].query["sign"]


def test_it_gives_up_when_dingtalk_rejects_the_signature(serve, caplog):
    base = serve(dingtalk_robot(secret=DING_SECRET))

    with pytest.raises(GatewayError) as caught:
        dingtalk_robot_send(webhook=ding_webhook(base), secret="SECwrong0000", text=TEXT)

    assert_told_in_chinese(caught.value, permanent=True, secrets=("SECwrong0000", DING_TOKEN))
    assert caught.value.reason.startswith("钉钉机器人返回错误 310000：加签校验未通过")
    assert "SECwrong0000" not in caplog.text


def test_it_gives_up_when_the_signing_clock_is_over_an_hour_off(serve):
    base = serve(dingtalk_robot())
    two_hours_ago = int(time.time() * 1000) - 2 * 3600 * 1000

    with pytest.raises(GatewayError) as caught:
        dingtalk_robot_send(webhook=ding_webhook(base), secret=DING_SECRET, text=TEXT, now_ms=two_hours_ago)

    assert_told_in_chinese(caught.value, permanent=True)
    assert "时间戳" in caught.value.reason


def test_it_posts_unsigned_to_a_robot_secured_by_keyword(serve):
    base = serve(dingtalk_robot(secret=None, keyword="组织生活会"))

    dingtalk_robot_send(webhook=ding_webhook(base), secret="", text=TEXT)

    assert set(serve.received[0].query) == {"access_token"}


def test_it_gives_up_when_the_text_lacks_the_robots_keyword(serve):
    base = serve(dingtalk_robot(secret=None, keyword="党建提醒"))

    with pytest.raises(GatewayError) as caught:
        dingtalk_robot_send(webhook=ding_webhook(base), secret="", text=TEXT)

    assert_told_in_chinese(caught.value, permanent=True)
    assert "关键词" in caught.value.reason


def test_it_gives_up_on_an_invalid_dingtalk_token(serve):
    base = serve(dingtalk_robot())

    with pytest.raises(GatewayError) as caught:
        dingtalk_robot_send(webhook=f"{base}/robot/send?access_token=gone", secret=DING_SECRET, text=TEXT)

    assert_told_in_chinese(caught.value, permanent=True, secrets=(DING_SECRET,))
    assert "300001" in caught.value.reason


def test_it_retries_when_a_dingtalk_robot_is_rate_limited(serve):
    base = serve(dingtalk_robot(per_minute=20))
    for _ in range(20):
        dingtalk_robot_send(webhook=ding_webhook(base), secret=DING_SECRET, text=TEXT)

    with pytest.raises(GatewayError) as caught:
        dingtalk_robot_send(webhook=ding_webhook(base), secret=DING_SECRET, text=TEXT)

    assert_told_in_chinese(caught.value, permanent=False)
    assert "130101" in caught.value.reason


@pytest.mark.parametrize("status, body", [(500, b""), (200, b"<html>ok</html>"), (200, {"errmsg": "ok"})])
def test_it_retries_when_dingtalk_is_down_or_unreadable(serve, status, body):
    base = serve(fixed(status, body))

    with pytest.raises(GatewayError) as caught:
        dingtalk_robot_send(webhook=ding_webhook(base), secret=DING_SECRET, text=TEXT)

    assert_told_in_chinese(caught.value, permanent=False, secrets=(DING_SECRET, DING_TOKEN))


def test_it_retries_when_dingtalk_does_not_answer_in_time(serve, settings):
    settings.CHANNEL_TIMEOUT_SECONDS = 0.2
    base = serve(never_answers(serve))

    with pytest.raises(GatewayError) as caught:
        dingtalk_robot_send(webhook=ding_webhook(base), secret=DING_SECRET, text=TEXT)

    assert_told_in_chinese(caught.value, permanent=False, secrets=(DING_SECRET, DING_TOKEN))


def test_it_retries_when_dingtalk_refuses_the_connection(closed_port):
    with pytest.raises(GatewayError) as caught:
        dingtalk_robot_send(
            webhook=f"{closed_port}robot/send?access_token={DING_TOKEN}", secret=DING_SECRET, text=TEXT
        )

    assert_told_in_chinese(caught.value, permanent=False, secrets=(DING_SECRET, DING_TOKEN))
