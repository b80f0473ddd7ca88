"""Outside delivery: SMS platforms and work-chat group robots, as plain HTTP adapters.

Nothing here knows a model. The SMS and robot channels (channels.py) hand in strings; a gateway returns the
provider's message id or raises `GatewayError`, whose `reason` is shown to the branch secretary ("who has
been told") and whose `permanent` tells the task that retrying cannot help (a landline, a revoked webhook).

Secrets (the SMS key, the Aliyun AccessKey pair, a robot's webhook key or signing secret) never reach a
reason or a log line: reasons are our own sentences, a provider's own message is quoted only after every
secret has been cut out of it, and requests' exceptions (whose text holds the URL, key and all) are
dropped with `from None` so a task's traceback cannot carry them either.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import time
import unicodedata
import uuid
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

ALIYUN_SMS_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
# A provider's message is quoted to the secretary; beyond this it is noise on a status page.
QUOTE_LIMIT = 120


class GatewayError(Exception):
    """The message did not go out. `reason`: one Chinese sentence for the secretary; `permanent`: True when
    sending the same thing again cannot succeed, so the task gives up at once instead of retrying."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent

    def __str__(self) -> str:
        return self.reason


def default_timeout() -> float:
    return getattr(settings, "CHANNEL_TIMEOUT_SECONDS", 5)


def mainland_mobile(phone: str) -> str | None:
    """The 11-digit mainland mobile number in a roster phone ("+86 138-0013-8000", "0086 13800138000"),
    or None: a landline or a foreign number cannot be reached through a mainland SMS template."""
    # NFKC: numbers typed with a Chinese input method arrive as full-width digits, plus and spaces.
    digits = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", phone or ""))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    return digits if re.fullmatch(r"1[3-9][0-9]{9}", digits) else None


# ---------------------------------------------------------------- HTTP, shared


def _redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _quote(message: object, secrets: tuple[str, ...] = ()) -> str:
    """A provider's own words, safe to show: secrets cut out, trimmed, without its closing full stop (we add ours)."""
    text = _redact(" ".join(str(message or "").split()), secrets)
    if len(text) > QUOTE_LIMIT:
        text = text[:QUOTE_LIMIT] + "…"
    return text.rstrip("。.") or _("未说明原因")


def _post(url: str, *, service: str, timeout: float | None, **kwargs) -> requests.Response:
    """POSTs, turning every failure to get an answer into a transient GatewayError. `from None` keeps the
    requests exception (its text holds the URL with the webhook key) out of the traceback."""
    timeout = default_timeout() if timeout is None else timeout
    host = urlsplit(url).hostname or "?"
    try:
        # No redirects: requests would follow a POST's 302 as a GET and drop the body, a silent non-delivery.
        return requests.post(url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.ConnectTimeout:
        # Before ReadTimeout and ConnectionError: a connect timeout is both.
        logger.warning("%s: connect timeout after %ss", host, timeout)
        raise GatewayError(_("%(service)s无法连接（连接超时）。") % {"service": service}) from None
    except requests.Timeout:
        # The provider may have accepted the message before going quiet; the task's retry is still right
        # for a reminder (a rare duplicate beats a member who was never told).
        logger.warning("%s: no answer within %ss", host, timeout)
        raise GatewayError(
            _("%(service)s没有在 %(seconds)s 秒内答复，稍后重试。") % {"service": service, "seconds": timeout}
        ) from None
    except (
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
        requests.exceptions.InvalidURL,
    ):
        logger.warning("%s: invalid URL", host)
        raise GatewayError(
            _("%(service)s的地址无效，请检查配置。") % {"service": service}, permanent=True
        ) from None
    except requests.ConnectionError:
        logger.warning("%s: connection failed", host)
        raise GatewayError(
            _("%(service)s无法连接（连接被拒绝或网络不通）。") % {"service": service}
        ) from None
    except requests.RequestException as exc:
        logger.warning("%s: %s", host, type(exc).__name__)
        raise GatewayError(_("%(service)s请求失败，稍后重试。") % {"service": service}) from None


def _json_or_none(response: requests.Response) -> dict | None:
    try:
        data = response.json()
    except ValueError:  # requests' JSONDecodeError, and a body that is not even text
        return None
    return data if isinstance(data, dict) else None


def _unavailable(response: requests.Response, *, service: str) -> GatewayError | None:
    """429 and 5xx: the provider is busy or down, whatever the body says; worth another try later."""
    status = response.status_code
    if status == 429:
        logger.warning("%s: HTTP 429", urlsplit(response.url).hostname)
        return GatewayError(_("%(service)s限流：请求过于频繁，稍后重试。") % {"service": service})
    if status >= 500:
        logger.warning("%s: HTTP %s", urlsplit(response.url).hostname, status)
        return GatewayError(
            _("%(service)s暂时不可用（HTTP %(status)s），稍后重试。") % {"service": service, "status": status}
        )
    return None


def _not_understood(response: requests.Response, *, service: str) -> GatewayError:
    """No answer in the provider's format: a 4xx means the address or credentials are wrong (permanent);
    anything else is a proxy's error page or a hiccup (transient)."""
    if response.status_code >= 400:
        return _http_rejected(response, service=service)
    return _unreadable(response, service=service)


def _unreadable(response: requests.Response, *, service: str) -> GatewayError:
    logger.warning("%s: unreadable answer, HTTP %s", urlsplit(response.url).hostname, response.status_code)
    return GatewayError(
        _("%(service)s的答复无法识别（HTTP %(status)s），稍后重试。")
        % {"service": service, "status": response.status_code}
    )


def _http_rejected(response: requests.Response, *, service: str) -> GatewayError:
    """A 4xx without a body we understand: the address or the credentials are wrong; retrying repeats it."""
    logger.warning("%s: HTTP %s", urlsplit(response.url).hostname, response.status_code)
    return GatewayError(
        _("%(service)s拒绝了请求（HTTP %(status)s），请检查地址和密钥配置。")
        % {"service": service, "status": response.status_code},
        permanent=True,
    )


# ---------------------------------------------------------------- SMS


class SmsGateway:
    """One SMS platform. `send` checks the number, then the subclass delivers; returns the platform's
    message id ("" when it gives none)."""

    def send(self, *, phone: str, text: str, params: dict[str, str]) -> str:
        mobile = mainland_mobile(phone)
        if mobile is None:
            raise GatewayError(
                _("手机号码“%(phone)s”不是大陆手机号码，无法接收短信。") % {"phone": phone}, permanent=True
            )
        return self._deliver(phone=mobile, text=text, params=params)

    def _deliver(self, *, phone: str, text: str, params: dict[str, str]) -> str:
        raise NotImplementedError


class GenericHttpSms(SmsGateway):
    """Any gateway (an in-house relay, a county platform) that takes our JSON:
    {"phone", "template_id", "params", "text"} with `Authorization: Bearer <key>`, and answers
    {"ok": true, "id": "..."} or, with a 4xx, {"ok": false, "error": "..."}."""

    def __init__(self, *, url: str, key: str, template_id: str = "", timeout: float | None = None):
        self.url = url
        self.key = key
        self.template_id = template_id
        self.timeout = timeout

    def _deliver(self, *, phone: str, text: str, params: dict[str, str]) -> str:
        service = _("短信平台")
        response = _post(
            self.url,
            service=service,
            timeout=self.timeout,
            json={"phone": phone, "template_id": self.template_id, "params": params, "text": text},
            headers={"Authorization": f"Bearer {self.key}"},
        )
        if error := _unavailable(response, service=service):
            raise error
        data = _json_or_none(response)
        if data is None:
            raise _not_understood(response, service=service)
        if 200 <= response.status_code < 300 and data.get("ok") is True:
            return str(data.get("id") or "")
        if response.status_code in (401, 403):
            logger.warning("%s: HTTP %s", urlsplit(self.url).hostname, response.status_code)
            raise GatewayError(
                _("短信平台不接受配置的密钥（HTTP %(status)s），请检查 SMS_KEY。")
                % {"status": response.status_code},
                permanent=True,
            )
        if response.status_code >= 400 or data.get("ok") is False:
            logger.warning("%s: rejected, HTTP %s", urlsplit(self.url).hostname, response.status_code)
            raise GatewayError(
                _("短信平台拒绝了这条短信：%(error)s。") % {"error": _quote(data.get("error"), (self.key,))},
                permanent=True,
            )
        raise _unreadable(response, service=service)


def aliyun_percent_encode(value: str) -> str:
    """RFC 3986 as Alibaba Cloud's signature wants it: UTF-8, only A-Z a-z 0-9 - _ . ~ left bare,
    so a space is %20 (not +) and * is %2A."""
    return quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, *, method: str = "POST") -> str:
    """Signature version 1.0 of Alibaba Cloud's RPC APIs (HMAC-SHA1, as aliyun-python-sdk-core's
    rpc_signature_composer): the sorted, encoded query is encoded once more inside the string to sign."""
    canonical = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in sorted(params.items())
    )
    string_to_sign = f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms(SmsGateway):
    """Alibaba Cloud SMS (Dysmsapi 2017-05-25, SendSms): a template approved in the console, filled with
    `params`; `text` is not sent (the platform only sends approved templates)."""

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        template_code: str,
        endpoint: str = ALIYUN_SMS_ENDPOINT,
        region_id: str = "cn-hangzhou",
        timeout: float | None = None,
    ):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.template_code = template_code
        self.endpoint = endpoint
        self.region_id = region_id
        self.timeout = timeout

    def signed_form(
        self, *, phone: str, params: dict[str, str], nonce: str, timestamp: str
    ) -> dict[str, str]:
        form = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": self.region_id,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce,
            "SignatureVersion": "1.0",
            "TemplateCode": self.template_code,
            "TemplateParam": json.dumps(params, ensure_ascii=False),
            "Timestamp": timestamp,
            "Version": "2017-05-25",
        }
        form["Signature"] = aliyun_signature(form, self.access_key_secret)
        return form

    def _deliver(self, *, phone: str, text: str, params: dict[str, str]) -> str:
        service = _("阿里云短信平台")
        form = self.signed_form(
            phone=phone,
            params=params,
            # A fresh nonce per attempt: the platform refuses a nonce it has seen (replay protection).
            nonce=str(uuid.uuid4()),
            timestamp=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        response = _post(self.endpoint, service=service, timeout=self.timeout, data=form)
        data = _json_or_none(response)
        code = str(data.get("Code") or "") if data else ""
        if code == "OK" and 200 <= response.status_code < 300:
            return str(data.get("BizId") or "")
        if error := _unavailable(response, service=service):
            raise error
        if not code:
            raise _not_understood(response, service=service)
        # Errors come both as HTTP 200 (isv.*) and as 4xx (SignatureDoesNotMatch); the Code decides.
        logger.warning("%s: SendSms answered %s", urlsplit(self.endpoint).hostname, code)
        raise self._error(code, data.get("Message"))

    def _error(self, code: str, message: object) -> GatewayError:
        known = {
            "isv.MOBILE_NUMBER_ILLEGAL": (_("手机号码被短信平台拒绝：号码格式不正确。"), True),
            "isv.INVALID_PARAMETERS": (
                _("阿里云短信平台拒绝了请求：参数不正确（isv.INVALID_PARAMETERS）。"),
                True,
            ),
            "isv.SMS_TEMPLATE_ILLEGAL": (
                _(
                    "阿里云短信平台拒绝了短信模板：模板未通过审核或模板编号不正确，请检查 SMS_ALIYUN_TEMPLATE_CODE。"
                ),
                True,
            ),
            "isv.SMS_SIGNATURE_ILLEGAL": (
                _("阿里云短信平台拒绝了短信签名：签名未通过审核或名称不正确，请检查 SMS_ALIYUN_SIGN_NAME。"),
                True,
            ),
            "InvalidAccessKeyId.NotFound": (
                _("阿里云短信平台不认识配置的 AccessKey ID，请检查 SMS_ALIYUN_ACCESS_KEY_ID。"),
                True,
            ),
            "SignatureDoesNotMatch": (
                _("阿里云短信平台签名校验失败，请检查 SMS_ALIYUN_ACCESS_KEY_SECRET。"),
                True,
            ),
            "isv.BUSINESS_LIMIT_CONTROL": (
                _("阿里云短信平台限流：发给该号码的短信过于频繁，稍后重试。"),
                False,
            ),
            "Throttling.User": (_("阿里云短信平台限流：请求过于频繁，稍后重试。"), False),
        }
        if code in known:
            reason, permanent = known[code]
            return GatewayError(reason, permanent=permanent)
        # isp.* are the platform's own faults; Throttling.* and a reused nonce pass with the next attempt.
        # Everything else (arrears, unapproved content, a disabled account) waits for a person.
        permanent = not (
            code.startswith(("isp.", "Throttling"))
            or code in {"SignatureNonceUsed", "ServiceUnavailable", "InternalError"}
        )
        return GatewayError(
            _("阿里云短信平台返回错误 %(code)s：%(message)s。")
            % {"code": code, "message": _quote(message, (self.access_key_secret, self.access_key_id))},
            permanent=permanent,
        )


def sms_gateway_from_settings() -> SmsGateway | None:
    """The gateway SMS_BACKEND names, or None when SMS is off (""). A backend with settings missing raises
    ImproperlyConfigured naming them: a half-configured platform is an operator's mistake, not a member's."""
    backend = getattr(settings, "SMS_BACKEND", "")
    timeout = default_timeout()
    if not backend:
        return None
    if backend == "generic":
        _require("SMS_URL", "SMS_KEY")
        return GenericHttpSms(
            url=settings.SMS_URL,
            key=settings.SMS_KEY,
            template_id=getattr(settings, "SMS_TEMPLATE_ID", ""),
            timeout=timeout,
        )
    if backend == "aliyun":
        _require(
            "SMS_ALIYUN_ACCESS_KEY_ID",
            "SMS_ALIYUN_ACCESS_KEY_SECRET",
            "SMS_ALIYUN_SIGN_NAME",
            "SMS_ALIYUN_TEMPLATE_CODE",
        )
        return AliyunSms(
            access_key_id=settings.SMS_ALIYUN_ACCESS_KEY_ID,
            access_key_secret=settings.SMS_ALIYUN_ACCESS_KEY_SECRET,
            sign_name=settings.SMS_ALIYUN_SIGN_NAME,
            template_code=settings.SMS_ALIYUN_TEMPLATE_CODE,
            endpoint=getattr(settings, "SMS_ALIYUN_ENDPOINT", "") or ALIYUN_SMS_ENDPOINT,
            timeout=timeout,
        )
    raise ImproperlyConfigured(f"SMS_BACKEND must be '', 'generic' or 'aliyun', not {backend!r}")


def _require(*names: str) -> None:
    missing = [name for name in names if not getattr(settings, name, "")]
    if missing:
        raise ImproperlyConfigured(f"SMS_BACKEND={settings.SMS_BACKEND!r} needs {', '.join(missing)}")


# ---------------------------------------------------------------- work-chat group robots


def _query_value(url: str, name: str) -> str:
    return parse_qs(urlsplit(url).query).get(name, [""])[0]


def _robot_answer(
    response: requests.Response, *, service: str, known: dict[int, tuple[str, bool]], secrets: tuple[str, ...]
) -> None:
    """Both robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; any other errcode says why not.
    An errcode we do not know is taken as permanent: the robot has understood us and refused."""
    if error := _unavailable(response, service=service):
        raise error
    data = _json_or_none(response)
    errcode = data.get("errcode") if data else None
    if not isinstance(errcode, int) or isinstance(errcode, bool):
        raise _not_understood(response, service=service)
    if errcode == 0 and 200 <= response.status_code < 300:
        return
    logger.warning("%s: errcode %s", urlsplit(response.url).hostname, errcode)
    detail, permanent = known.get(errcode) or (_quote(data.get("errmsg"), secrets), True)
    raise GatewayError(
        _("%(service)s返回错误 %(code)s：%(detail)s。")
        % {"service": service, "code": errcode, "detail": detail},
        permanent=permanent,
    )


def wecom_robot_send(*, webhook: str, text: str, timeout: float | None = None) -> None:
    """A text message to a WeCom (企业微信) group through its robot's webhook
    (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...)."""
    # WeCom robots sign nothing: the key in the URL is the whole secret, so the URL is never shown or logged.
    service = _("企业微信机器人")
    response = _post(
        webhook, service=service, timeout=timeout, json={"msgtype": "text", "text": {"content": text}}
    )
    _robot_answer(
        response,
        service=service,
        known={
            93000: (_("webhook 地址无效（机器人可能已被移出群聊）"), True),
            40008: (_("消息类型不合法"), True),
            45009: (_("发送过于频繁（每个机器人每分钟最多 20 条），稍后重试"), False),
            -1: (_("企业微信系统繁忙，稍后重试"), False),
        },
        secrets=(webhook, _query_value(webhook, "key")),
    )


def dingtalk_sign(*, secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签 for a custom robot: base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")),
    URL-encoded (quote_plus, as DingTalk's own Python sample) because the base64 holds + / and =."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def _dingtalk_refusal(errmsg: object) -> str:
    """310000 covers every security setting; its errmsg tells which one refused."""
    text = str(errmsg or "").lower()
    if "sign" in text:
        return _("加签校验未通过，请核对机器人的加签密钥")
    if "timestamp" in text:
        return _("时间戳无效，服务器时钟与钉钉相差超过一小时")
    if "keyword" in text:
        return _("消息不含机器人设置的自定义关键词")
    if "ip" in text or "whitelist" in text:
        return _("服务器 IP 不在机器人的 IP 白名单内")
    return _("机器人安全设置校验未通过（加签、关键词或 IP 白名单）")


def dingtalk_robot_send(
    *, webhook: str, secret: str, text: str, timeout: float | None = None, now_ms: int | None = None
) -> None:
    """A text message to a DingTalk (钉钉) group through a custom robot's webhook
    (https://oapi.dingtalk.com/robot/send?access_token=...). With `secret` (the SEC... string of the
    robot's 加签 setting) the request is signed; without, it goes unsigned, for a robot secured by
    keywords or an IP allow-list."""
    service = _("钉钉机器人")
    url = webhook
    if secret:
        # DingTalk refuses a timestamp more than an hour from its clock: sign at send time, not when queued.
        timestamp = int(time.time() * 1000) if now_ms is None else now_ms
        sep = "&" if "?" in webhook else "?"
        url = (
            f"{webhook}{sep}timestamp={timestamp}&sign={dingtalk_sign(secret=secret, timestamp_ms=timestamp)}"
        )
    response = _post(
        url, service=service, timeout=timeout, json={"msgtype": "text", "text": {"content": text}}
    )
    data = _json_or_none(response) or {}
    _robot_answer(
        response,
        service=service,
        known={
            310000: (_dingtalk_refusal(data.get("errmsg")), True),
            300001: (_("access_token 无效，请检查 webhook 地址"), True),
            130101: (_("发送过于频繁（每个机器人每分钟最多 20 条），稍后重试"), False),
            -1: (_("钉钉系统繁忙，稍后重试"), False),
        },
        secrets=(webhook, secret, _query_value(webhook, "access_token")),
    )
