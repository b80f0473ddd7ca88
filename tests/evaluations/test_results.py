import io

from django.urls import reverse
from openpyxl import load_workbook

from evaluations import services
from evaluations.models import Grade


def _secretary(build, ev):
    sec = ev.members[0]
    sec.committee_post = "secretary"
    sec.save()
    return sec


def test_it_shows_no_counts_while_voting_is_open(build, client):
    ev = build.evaluation(n=4, with_users=True)
    services.ballot_cast(evaluation=ev, member=ev.members[1], content=build.content(ev, excellent=ev.members[:1]))
    client.force_login(_secretary(build, ev).user)
    response = client.get(reverse("evaluations:results", args=[ev.pk]))
    assert response.status_code == 200 and response.context["tally"] is None
    assert "截止" in response.content.decode() and "results-chart" not in response.content.decode()
    export = client.get(reverse("evaluations:results_export", args=[ev.pk]))
    assert export.status_code == 302
    ev.refresh_from_db()
    assert ev.sealed_at is None


def test_it_tallies_after_the_close_and_seals_on_first_read(build, client):
    ev = build.evaluation(n=4, with_users=True)  # quota 1
    a, b = ev.members[0], ev.members[1]
    for voter in ev.members[:3]:
        services.ballot_cast(evaluation=ev, member=voter, content=build.content(ev, excellent=[a]))
    build.close(ev)
    client.force_login(_secretary(build, ev).user)
    response = client.get(reverse("evaluations:results", args=[ev.pk]))
    tally = response.context["tally"]
    ev.refresh_from_db()
    assert ev.sealed_at is not None
    assert tally.valid == 3 and tally.invalid == 0
    assert tally.participation.voted == 3 and tally.participation.eligible == 4
    assert str(tally.participation.turnout_percent) == "75.0"
    row_a = next(r for r in tally.rows if r.candidate.member == a)
    row_b = next(r for r in tally.rows if r.candidate.member == b)
    assert row_a.counts == {Grade.EXCELLENT: 3} and row_a.suggested == Grade.EXCELLENT
    assert row_b.counts == {Grade.QUALIFIED: 3} and row_b.suggested == Grade.QUALIFIED
    assert tally.committee[0][2] == 3
    assert "results-chart" in response.content.decode() and "echarts.min.js" in response.content.decode()
    assert tally.risks  # unanimous grades in a small branch: warned
    export = client.get(reverse("evaluations:results_export", args=[ev.pk]))
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[a.name][1] == 3 and rows[a.name][6] == "优秀"
