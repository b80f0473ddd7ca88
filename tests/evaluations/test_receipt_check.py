from django.urls import reverse

from evaluations import services


def test_it_says_counted_for_a_real_code_and_not_found_otherwise(build, client):
    ev = build.evaluation(n=3, with_users=True)
    code = services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev))
    client.force_login(ev.members[1].user)
    url = reverse("evaluations:receipt_check")
    found = client.post(url, {"code": code.lower().replace("-", " ")})
    assert found.context["result"] is True and "已计入" in found.content.decode()
    page = found.content.decode()
    assert "合格" not in page.split("已计入")[1][:200]  # no content of the ballot next to the answer
    missing = client.post(url, {"code": "AAAA-BBBB-CCCC"})
    assert missing.context["result"] is False and "未找到" in missing.content.decode()


def test_it_throttles_guessing(build, client, settings):
    ev = build.evaluation(n=2, with_users=True)
    client.force_login(ev.members[0].user)
    url = reverse("evaluations:receipt_check")
    for _ in range(20):
        client.post(url, {"code": "AAAA-BBBB-CCCC"})
    response = client.post(url, {"code": "AAAA-BBBB-CCCC"})
    assert "查询过于频繁" in response.content.decode() and response.context["result"] is None
