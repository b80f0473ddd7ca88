"""重新统计 of a node too big for one request: queued, counted child by child in the worker, with progress."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from dashboard import recount, rollups, selectors
from meetings.models import Opinion

from .conftest import YEAR


@pytest.fixture
def big(settings):
    """Any node of more than two branches counts as big: the county (3) goes to the worker, a township not."""
    settings.DASHBOARD_CACHE_SECONDS = 300
    settings.DASHBOARD_RECOUNT_IN_REQUEST_BRANCHES = 2
    cache.clear()
    yield
    cache.clear()


def page(client, node, **extra):
    return client.get(reverse("dashboard:index"), {"org": node.pk, "year": YEAR, **extra})


def start(client, node):
    url = reverse("dashboard:recount") + f"?org={node.pk}&year={YEAR}&kind=annual"
    return client.post(url)


def test_a_big_node_offers_the_recount_as_a_button_and_a_get_writes_nothing(known, client, big, monkeypatch):
    client.force_login(known.officer_user)
    calls = []
    real = rollups.refresh
    monkeypatch.setattr(rollups, "refresh", lambda **kw: calls.append(kw.get("recount")) or real(**kw))
    response = page(client, known.county, refresh="1")
    text = response.content.decode()
    assert response.status_code == 200 and True not in calls  # an old ?refresh=1 link counts nothing again
    assert f'action="{reverse("dashboard:recount")}?org={known.county.pk}' in text and "在后台进行" in text
    assert "重新统计</button>" in text and "重新统计</a>" not in text
    small = page(client, known.towns[0]).content.decode()  # two branches: still counted in the request
    assert "&amp;refresh=1\">重新统计</a>" in small and reverse("dashboard:recount") not in small


def test_the_job_counts_every_child_again_and_the_page_shows_the_new_figures(
    known, client, big, eager, django_capture_on_commit_callbacks
):
    client.force_login(known.officer_user)
    assert page(client, known.county).context["totals"].opinions == 4
    Opinion.objects.filter(meeting=known.meeting1).update(merged_into=None)  # no signal: the rows stay as they were
    assert page(client, known.county).context["totals"].opinions == 4
    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, known.county)
    assert response.status_code == 302 and response["Location"].endswith(f"?org={known.county.pk}&year={YEAR}&kind=annual")
    after = page(client, known.county)
    assert after.context["totals"].opinions == 5
    assert "后台重新统计已完成" in after.content.decode()
    # The same figures as counting the whole county again inside a request.
    fresh = selectors.dashboard_summary(node=known.county, season=selectors.Season(YEAR), use_cache=False)
    assert after.context["totals"] == fresh.totals
    status = client.get(reverse("dashboard:recount_status"), {"org": known.county.pk, "year": YEAR}).json()
    assert status == {"done": 3, "total": 3, "percent": 100, "finished": True}  # two townships, then the county


def test_a_second_click_while_it_runs_queues_nothing(known, client, big, django_capture_on_commit_callbacks, monkeypatch):
    from dashboard import tasks

    client.force_login(known.officer_user)
    queued = []
    monkeypatch.setattr(tasks.dashboard_recount, "apply_async", lambda *a, **kw: queued.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        start(client, known.county)
        start(client, known.county)
    assert len(queued) == 1
    running = page(client, known.county)
    text = running.content.decode()
    assert "正在后台重新统计" in text and 'id="recount-bar"' in text and "0 / 3" in text
    assert "js/dashboard_recount" in text


def test_a_stalled_job_does_not_block_the_next(known, big, monkeypatch):
    season = selectors.Season(YEAR)
    first = recount.recount_start(node=known.county, season=season)
    assert recount.recount_start(node=known.county, season=season).started == first.started
    monkeypatch.setattr(recount.time, "time", lambda: first.moved + recount.STALLED_SECONDS + 1)
    assert recount.recount_start(node=known.county, season=season).started > first.started


def test_only_an_officer_over_the_node_may_start_it_or_read_its_progress(known, client, big, demo_orgs):
    client.force_login(demo_orgs.users["county"])  # the demo county's officer: not this county
    assert start(client, known.county).status_code in (403, 404)
    assert client.get(reverse("dashboard:recount_status"), {"org": known.county.pk}).status_code in (403, 404)
    client.force_login(demo_orgs.users["member"])
    assert start(client, known.county).status_code == 403
    client.force_login(known.officer_user)
    assert client.get(reverse("dashboard:recount"), {"org": known.county.pk}).status_code == 405


def test_a_branch_right_under_the_node_is_counted_too(known, big, eager, django_capture_on_commit_callbacks):
    from organizations.models import Member, Organization
    from tests.organizations.factories import MemberFactory

    direct = known.county.add_child(name="县直支部", level=Organization.Level.BRANCH)
    for _ in range(3):
        MemberFactory(branch=direct)
    season = selectors.Season(YEAR)
    before = selectors.dashboard_summary(node=known.county, season=season).totals
    Member.objects.filter(branch=direct).update(is_active=False)  # transferred out, without a signal
    assert selectors.dashboard_summary(node=known.county, season=season).totals.members == before.members
    with django_capture_on_commit_callbacks(execute=True):
        recount.recount_start(node=known.county, season=season)
    after = selectors.dashboard_summary(node=known.county, season=season).totals
    assert after.branches == 4 and after.members == before.members - 3
    assert recount.progress_of(node=known.county, season=season).total == 3  # two townships, then the county and its branch
    assert after == selectors.dashboard_summary(node=known.county, season=season, use_cache=False).totals


def test_with_the_cache_down_the_job_still_runs_and_the_page_says_it_was_queued(
    known, client, big, eager, monkeypatch, django_capture_on_commit_callbacks
):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("redis is down")

            return fail

    client.force_login(known.officer_user)
    page(client, known.county)  # the county's rows, before the cache goes down
    counted = []
    real = rollups.refresh
    monkeypatch.setattr(rollups, "refresh", lambda **kw: counted.append((kw["node"].pk, kw.get("recount"))) or real(**kw))
    monkeypatch.setattr(recount, "cache", Down())
    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, known.county)
    assert response.status_code == 302
    assert [(t.pk, True) for t in known.towns] == counted[:2]  # the job ran: each township counted again
    shown = client.get(response["Location"]).content.decode()
    assert "已在后台开始重新统计" in shown and "正在后台重新统计" not in shown
