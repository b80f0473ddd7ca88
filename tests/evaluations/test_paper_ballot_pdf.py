import io

from django.urls import reverse
from pypdf import PdfReader


def test_it_prints_a_blank_ballot_with_candidates_and_rules(build, client):
    ev = build.evaluation(n=8, with_users=True, with_qualifications=True)
    ev.members[0].committee_post = "secretary"
    ev.members[0].save()
    client.force_login(ev.members[0].user)
    response = client.get(reverse("evaluations:paper_ballot_pdf", args=[ev.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "民主评议党员测评表" in text
    assert "最多选 2 名" in text and "作废" in text
    assert all(m.name in text for m in ev.members)
    assert "党支部班子测评表" in text and "较好" in text
    assert "四个合格" in text and "品德" in text
