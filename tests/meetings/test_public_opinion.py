import datetime as dt

from django.test import override_settings
from django.urls import reverse

from meetings.models import Opinion

from .factories import MeetingFactory


def url(meeting):
    return reverse("meetings:public_opinion", args=[meeting.public_token])


def test_it_takes_an_opinion_without_an_account(meeting, client):
    page = client.get(url(meeting))
    assert page.status_code == 200 and "不需要注册或登录" in page.content.decode()
    response = client.post(url(meeting), {"text": "办事大厅中午休息时没人值班", "target_text": "值班的同志"})
    assert response.status_code == 302 and response.url.endswith("?sent=1")
    opinion = Opinion.objects.get()
    assert opinion.channel == Opinion.Channel.PUBLIC_LINK
    assert opinion.is_anonymous and opinion.author_label == "" and opinion.author_member is None
    assert opinion.target_text == "值班的同志" and opinion.target_kind == Opinion.Target.COMMITTEE
    assert "已收到您的意见建议" in client.get(response.url).content.decode()


def test_a_signed_public_opinion_keeps_the_name_given(meeting, client):
    client.post(url(meeting), {"text": "希望多组织到先进村学习", "author_label": "砂岗村 王大爷"})
    opinion = Opinion.objects.get()
    assert not opinion.is_anonymous and opinion.author_label == "砂岗村 王大爷"


def test_it_limits_the_length_and_keeps_the_text(meeting, client):
    response = client.post(url(meeting), {"text": "太短"})
    assert response.status_code == 400
    assert "太短" in response.content.decode()
    response = client.post(url(meeting), {"text": "长" * 1001})
    assert response.status_code == 400
    assert "1000" in response.content.decode()
    response = client.post(url(meeting), {"text": "一条正常的意见建议", "author_label": "名" * 51})
    assert response.status_code == 400
    assert not Opinion.objects.exists()


def test_it_throttles_each_client(meeting, client):
    for i in range(5):
        assert client.post(url(meeting), {"text": f"第{i}条意见建议内容"}, REMOTE_ADDR="10.0.0.1").status_code == 302
    response = client.post(url(meeting), {"text": "第六条意见建议内容"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    page = response.content.decode()
    assert "提交过于频繁" in page and "第六条意见建议内容" in page
    assert Opinion.objects.count() == 5
    # Another client is not held back.
    assert client.post(url(meeting), {"text": "另一位群众的意见"}, REMOTE_ADDR="10.0.0.2").status_code == 302
    assert Opinion.objects.count() == 6


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_it_throttles_by_the_forwarded_address(meeting, client):
    for i in range(5):
        client.post(url(meeting), {"text": f"第{i}条意见建议内容"}, HTTP_X_FORWARDED_FOR="1.2.3.4, 10.9.9.9")
    blocked = client.post(url(meeting), {"text": "第六条意见建议内容"}, HTTP_X_FORWARDED_FOR="5.5.5.5, 10.9.9.9")
    other = client.post(url(meeting), {"text": "另一位群众的意见"}, HTTP_X_FORWARDED_FOR="1.2.3.4, 10.9.9.8")
    assert blocked.status_code == 429
    assert other.status_code == 302


def test_it_closes_with_the_opinions_deadline(demo_orgs, client):
    closed = MeetingFactory(branch=demo_orgs.orgs["office"], opinions_close_on=dt.date.today() - dt.timedelta(days=2))
    assert client.get(url(closed)).status_code == 410
    response = client.post(url(closed), {"text": "截止后提交的意见"})
    assert response.status_code == 410
    assert "已经截止" in response.content.decode()
    assert not Opinion.objects.exists()


def test_bots_filling_the_hidden_field_are_ignored(meeting, client):
    response = client.post(url(meeting), {"text": "广告广告广告广告", "website": "http://spam.example"})
    assert response.status_code == 302
    assert not Opinion.objects.exists()


def test_an_unknown_token_is_not_found(meeting, client):
    assert client.get(reverse("meetings:public_opinion", args=["not-a-token"])).status_code == 404


def test_the_poster_carries_a_qr_code_of_the_public_link(meeting, login):
    client = login("secretary")
    poster = client.get(reverse("meetings:opinion_poster", args=[meeting.pk])).content.decode()
    assert meeting.public_token in poster
    png = client.get(reverse("meetings:opinion_qr", args=[meeting.pk]))
    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
