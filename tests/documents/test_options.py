"""The options page asks for the 红头 and 发文字号; a bad 发文字号 is answered on it with what was typed kept."""

from django.urls import reverse


def test_the_options_page_offers_word_and_pdf(palace, login):
    response = login("anyue").get(reverse("documents:options", args=["report", palace.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("documents:docx", args=["report", palace.pk]) in page
    assert reverse("documents:pdf", args=["report", palace.pk]) in page
    assert "发文字号" in page and "本县默认不加红头。" in page


def test_a_too_long_doc_number_is_refused_and_kept(palace, login):
    typed = "安青支〔2021〕" + "1" * 40 + "号"
    response = login("anyue").get(reverse("documents:docx", args=["report", palace.pk]), {"doc_number": typed})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "发文字号最多 40 个字" in page
    assert typed in page


def test_the_ledger_options_carry_its_filters(office_meeting, login):
    url = reverse("documents:options", args=["ledger", office_meeting.branch_id])
    page = login("secretary").get(url, {"q": "来电", "status": "not_started"}).content.decode()
    assert '<input type="hidden" name="q" value="来电">' in page
    assert '<input type="hidden" name="status" value="not_started">' in page
