"""The dashboard's demo data: county sees which of 水阜镇's branches are behind and why."""

from django.urls import reverse
from django.utils import timezone

from dashboard import demo as dashboard_demo
from meetings.models import Forum, Meeting, Talk
from organizations import demo
from organizations.demo import Season


def test_county_sees_who_is_behind_in_the_demo(demo, client, login, no_cache):
    ctx = demo_context()
    dashboard_demo.seed(ctx)
    talks = Talk.objects.count()
    dashboard_demo.seed(demo_context())  # safe to run again
    assert Talk.objects.count() == talks
    forum = Forum.objects.get(meeting__branch=ctx.orgs["yanerping"])  # one forum, however many runs
    assert (forum.member_participants, forum.opinions.count(), forum.supervisors.get().name) == (4, 2, "何奇哲")
    year = ctx.season.year
    response = login("county").get(reverse("dashboard:index"), {"year": year})
    assert response.status_code == 200
    flags = {r.name: r.flag_labels for r in response.context["behind"]}
    # Its date passed without any attendance: not held at all (issue 24 item 10).
    assert "已过会期，未召开" in flags["砂岗村第一党支部"] and "未安排督导" in flags["砂岗村第一党支部"]
    assert flags["燕儿坪村党支部"] == ["整改事项逾期"]
    yanerping = Meeting.objects.get(branch=ctx.orgs["yanerping"], year=year)
    branch = login("county").get(reverse("dashboard:index"), {"org": ctx.orgs["yanerping"].pk, "year": year})
    assert branch.context["row"].talks_done == branch.context["row"].talks_required == 7
    assert yanerping.evaluation.determined_at is not None


def demo_context():
    return demo.seed()


def test_the_county_opens_on_the_seasons_year_with_branches_in_every_phase(demo, login, no_cache):
    season = Season(anchor=timezone.localdate())
    county = login("county")
    response = county.get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert response.context["scope"].season.year == season.year
    listed = county.get(reverse("dashboard:branches"))
    assert listed.status_code == 200, listed
    phases = {r.name: r for r in listed.context["page"]}
    assert {"水阜镇机关党支部", "砂岗村第一党支部", "砂岗村第二党支部", "燕儿坪村党支部"} <= set(phases)
    assert (phases["砂岗村第二党支部"].held, phases["砂岗村第二党支部"].evaluations_closed) == (1, 0)  # voting
    assert (phases["水阜镇机关党支部"].held, phases["燕儿坪村党支部"].evaluations_determined) == (0, 1)
