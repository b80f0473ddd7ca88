"""The 优秀 quota as people state it (issue 17 item 6): "1/3" and "三分之一" as well as "30%", kept exact."""

import datetime as dt
import importlib
import json
import re
import shutil
import subprocess
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.models import Ballot, Evaluation
from evaluations.policy import Quota
from meetings.models import Meeting
from organizations.models import Member
from tests.meetings.factories import days

ROOT = Path(__file__).resolve().parents[2]
INVALID = "请填写比例，如 30% 或 1/3。"

ACCEPTED = [
    ("1/3", Fraction(1, 3)),
    ("三分之一", Fraction(1, 3)),
    ("二分之一", Fraction(1, 2)),
    ("四分之一", Fraction(1, 4)),
    ("五分之一", Fraction(1, 5)),
    ("五分之二", Fraction(2, 5)),
    ("十分之三", Fraction(3, 10)),
    ("三十分之七", Fraction(7, 30)),
    ("百分之三十", Fraction(3, 10)),
    ("3分之1", Fraction(1, 3)),
    ("33.33%", Fraction(3333, 10000)),
    ("33.33", Fraction(3333, 10000)),
    ("33.3333%", Fraction(333333, 1000000)),
    ("30%", Fraction(3, 10)),
    ("30", Fraction(3, 10)),
    ("100%", Fraction(1)),
    ("0%", Fraction(0)),
    ("３０％", Fraction(3, 10)),  # full-width digits and ％
    ("1／3", Fraction(1, 3)),
    (" 1 / 3 ", Fraction(1, 3)),
    ("\u30001/3\u3000", Fraction(1, 3)),  # ideographic spaces
    ("30 %", Fraction(3, 10)),
    ("1/3（三分之一）", Fraction(1, 3)),  # as the pages show it
    ("2/6", Fraction(1, 3)),
]
REFUSED = [
    ("abc", INVALID),
    ("1/3（四分之一）", INVALID),
    ("三三分之一", INVALID),
    ("1/", INVALID),
    ("1" * 41, INVALID),
    ("-10%", "比例不能为负数。"),
    ("-1/3", "比例不能为负数。"),
    ("1/0", "分母不能为 0。"),
    ("零分之一", "分母不能为 0。"),
    ("101%", "优秀比例上限不能超过 100%。"),
    ("4/3", "优秀比例上限不能超过 100%。"),
    ("二分之三", "优秀比例上限不能超过 100%。"),
    ("1/1234567", "比例写得太细：百分数最多保留四位小数，分数的分母不超过 1000000。"),
    ("33.333333%", "比例写得太细：百分数最多保留四位小数，分数的分母不超过 1000000。"),
]


@pytest.mark.parametrize(("text", "fraction"), ACCEPTED)
def test_it_reads_every_way_of_stating_the_ratio(text, fraction):
    assert Quota.parse(text).fraction == fraction


@pytest.mark.parametrize("text", ["", "   ", None])
def test_it_reads_empty_as_no_cap(text):
    assert Quota.parse(text) is None


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_it_refuses_bad_input_with_a_chinese_message(text, message):
    with pytest.raises(ValidationError) as exc:
        Quota.parse(text)
    assert exc.value.messages == [message]


@pytest.mark.parametrize(
    ("text", "candidates", "allowed"),
    [
        ("1/3", 30, 10),
        ("三分之一", 30, 10),
        ("33.33%", 30, 9),
        ("1/3", 3, 1),
        ("33.3333%", 3, 0),
        ("30%", 28, 8),
        ("30%", 8, 2),
        ("29%", 100, 29),
        ("2/3", 29, 19),
    ],
)
def test_it_counts_the_issues_numbers_exactly(text, candidates, allowed):
    assert Quota.parse(text).count(candidates) == allowed


@pytest.mark.parametrize(
    ("text", "typed", "display"),
    [
        ("1/3", "1/3", "1/3（三分之一）"),
        ("三十分之七", "7/30", "7/30（三十分之七）"),
        ("1/12", "1/12", "1/12（十二分之一）"),
        ("1/105", "1/105", "1/105（一百零五分之一）"),
        ("30%", "30%", "30%"),
        ("十分之三", "30%", "30%"),
        ("33.33", "33.33%", "33.33%"),
        ("1/8", "12.5%", "12.5%"),
        ("100%", "100%", "100%"),
    ],
)
def test_it_shows_the_ratio_in_the_words_people_use_and_reads_them_back(text, typed, display):
    quota = Quota.parse(text)
    assert (quota.text, quota.display) == (typed, display)
    assert Quota.parse(quota.text) == quota and Quota.parse(quota.display) == quota


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_browser_copy_reads_the_same_as_the_server():
    texts = [text for text, _ in ACCEPTED + REFUSED] + ["", "十万分之一", "一万零一十分之三", "三十三点三三分之十"]
    script = (
        "const q = require(process.argv[1]);"
        "const out = JSON.parse(process.argv[2]).map(t => {"
        " try { const r = q.parse(t); return r === null ? null : [String(r.num), String(r.den), String(q.count(r, 30))]; }"
        " catch (e) { return 'invalid'; } });"
        "console.log(JSON.stringify(out));"
    )
    done = subprocess.run(
        ["node", "-e", script, str(ROOT / "static/js/quota.js"), json.dumps(texts)],
        capture_output=True, text=True, check=True, timeout=30,
    )

    def server(text):
        try:
            quota = Quota.parse(text)
        except ValidationError:
            return "invalid"
        return None if quota is None else [str(quota.numerator), str(quota.denominator), str(quota.count(30))]

    assert json.loads(done.stdout) == [server(t) for t in texts]


# ---------------------------------------------------------------- the meeting plan form
def _plan(branch, **overrides):
    data = {
        "branch": branch.pk, "kind": "annual", "year": "2099", "held_on": days(30).isoformat(), "starts_at": "09:00",
        "place": "镇政府三楼会议室", "basis": "", "excellent_quota": "1/3",
        "opinions_close_on": days(10).isoformat(), "talks_due_on": days(20).isoformat(),
        "self_reviews_due_on": days(25).isoformat(), "ballot_closes_at": f"{days(30).isoformat()}T17:00",
        "rectification_plans_due_on": days(45).isoformat(), "talk_rule_set": "three",
        "claim_target_member": "3", "claim_target_committee": "5", "review_aspects_text": "理想信念方面\n作风方面",
    }
    data.update(overrides)
    return data


def _counted(n: int, allowed: int) -> str:
    return f"按本支部现有 {n} 名党员计，优秀最多 {allowed} 名。"


def test_the_meeting_form_stores_a_third_exactly_and_shows_what_it_allows(office, login):
    client = login("secretary")
    members = Member.objects.filter(branch=office, is_active=True).count()
    blank = client.get(reverse("meetings:meeting_create")).content.decode()
    assert 'value="30%"' in blank and _counted(members, members * 3 // 10) in blank and "js/quota.js" in blank

    response = client.post(reverse("meetings:meeting_create"), _plan(office, excellent_quota="1/3"))
    meeting = Meeting.objects.get(branch=office, year=2099)
    assert response.status_code == 302
    assert (meeting.excellent_quota_numerator, meeting.excellent_quota_denominator) == (1, 3)
    page = client.get(reverse("meetings:meeting_edit", args=[meeting.pk])).content.decode()
    assert 'value="1/3"' in page and _counted(members, members // 3) in page
    detail = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "不超过 1/3（三分之一）" in detail


def test_the_meeting_form_refuses_abc_and_keeps_what_was_typed(office, login):
    data = _plan(office, excellent_quota="abc", place="保留的地点", basis="安组通〔2021〕4号")
    response = login("secretary").post(reverse("meetings:meeting_create"), data)
    page = response.content.decode()
    assert response.status_code == 400 and INVALID in page
    assert 'value="abc"' in page and "保留的地点" in page and "安组通〔2021〕4号" in page
    assert not Meeting.objects.filter(branch=office, year=2099).exists()


# ---------------------------------------------------------------- the evaluation settings form
def _evaluation(build, *, n: int, quota: str, state: str = "open", with_users: bool = False) -> Evaluation:
    """build.evaluation, on a meeting held today (the vote follows the meeting)."""
    branch = build.branch()
    members = build.members(branch, n, with_users=with_users)
    meeting = Meeting.objects.create(branch=branch, year=2026, held_on=timezone.localdate(), excellent_quota=Quota.parse(quota))
    opens = timezone.now() + (dt.timedelta(hours=1) if state == "scheduled" else -dt.timedelta(hours=1))
    evaluation = services.evaluation_create(
        meeting=meeting, opens_at=opens, closes_at=opens + dt.timedelta(hours=3), candidates=members, voters=members
    )
    evaluation.members = members
    return evaluation


def _settings(ev, **overrides):
    data = {
        "opens_at": timezone.localtime(ev.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": timezone.localtime(ev.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "excellent_quota": "1/3", "self_rating": "on", "with_committee_rating": "on",
    }
    data.update(overrides)
    return data


def _secretary(ev, client):
    ev.members[0].committee_post = "secretary"
    ev.members[0].save()
    client.force_login(ev.members[0].user)


def test_the_settings_form_stores_a_third_exactly_and_shows_what_it_allows(build, client):
    ev = _evaluation(build, n=9, quota="30%", state="scheduled", with_users=True)
    _secretary(ev, client)
    url = reverse("evaluations:evaluation_edit", args=[ev.pk])
    assert "按 9 名评议对象计，优秀最多 2 名。" in client.get(url).content.decode()  # 30% of 9
    response = client.post(url, _settings(ev, excellent_quota="三分之一"))
    ev.refresh_from_db()
    assert response.status_code == 302
    assert (ev.excellent_quota_numerator, ev.excellent_quota_denominator) == (1, 3)
    page = client.get(url).content.decode()
    assert 'value="1/3"' in page and "按 9 名评议对象计，优秀最多 3 名。" in page and "js/quota.js" in page
    detail = client.get(reverse("evaluations:evaluation_detail", args=[ev.pk])).content.decode()
    assert "比例上限 1/3（三分之一）" in detail


def test_the_settings_form_refuses_abc_and_keeps_what_was_typed(build, client):
    ev = _evaluation(build, n=4, quota="30%", state="scheduled", with_users=True)
    _secretary(ev, client)
    data = _settings(ev, excellent_quota="abc", with_qualifications="on")
    response = client.post(reverse("evaluations:evaluation_edit", args=[ev.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and INVALID in page and 'value="abc"' in page
    assert re.search(r'<input[^>]*name="with_qualifications"[^>]*checked', page)
    ev.refresh_from_db()
    assert ev.excellent_quota == Quota.parse("30%") and not ev.with_qualifications


def test_a_new_evaluation_takes_the_meetings_third_and_counts_the_default_candidates(build, client):
    branch = build.branch()
    members = build.members(branch, 6, with_users=True)
    members[0].committee_post = "secretary"
    members[0].save()
    client.force_login(members[0].user)
    meeting = Meeting.objects.create(branch=branch, year=2026, held_on=timezone.localdate(), excellent_quota=Quota.parse("1/3"))
    page = client.get(reverse("evaluations:evaluation_create", args=[meeting.pk])).content.decode()
    assert 'value="1/3"' in page and "按 6 名评议对象计，优秀最多 2 名。" in page


# ---------------------------------------------------------------- ballots against a third
def test_a_ballot_over_a_third_is_refused_and_one_at_the_third_accepted(build):
    ev = _evaluation(build, n=9, quota="1/3")  # 3 of 9; 33.33% would allow only 2
    with pytest.raises(ValidationError, match="优秀最多只能选 3 名"):
        services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev, excellent=ev.members[:4]))
    assert not Ballot.objects.filter(evaluation=ev).exists()
    services.ballot_cast(evaluation=ev, member=ev.members[0], content=build.content(ev, excellent=ev.members[:3]))
    assert Ballot.objects.filter(evaluation=ev).count() == 1


# ---------------------------------------------------------------- the data migration
def _migration(app, name):
    return importlib.import_module(f"{app}.migrations.{name}")


@pytest.mark.parametrize(
    ("app", "name"), [("meetings", "0008_excellent_quota_fraction"), ("evaluations", "0004_excellent_quota_fraction")]
)
def test_the_migration_converts_percents_exactly_and_back(app, name):
    module = _migration(app, name)
    assert module.percent_to_fraction(Decimal("30.00")) == (3, 10)
    assert module.percent_to_fraction(Decimal("33.33")) == (3333, 10000)
    assert module.percent_to_fraction(Decimal("0.00")) == (0, 1)
    assert module.percent_to_fraction(None) == (None, None)
    assert module.fraction_to_percent(3, 10) == Decimal("30.00")
    assert module.fraction_to_percent(3333, 10000) == Decimal("33.33")
    assert module.fraction_to_percent(1, 3) == Decimal("33.33")  # rounded down: the cap never grows
    assert module.fraction_to_percent(None, None) is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_rewrites_the_stored_rows(build):
    ev = _evaluation(build, n=2, quota="30%", state="scheduled")
    other = Meeting.objects.create(branch=ev.meeting.branch, year=2027, kind=Meeting.Kind.SPECIAL, theme="专题", excellent_quota=None)
    before = [("meetings", "0007_meeting_room"), ("evaluations", "0003_meeting_room")]
    after = [("meetings", "0008_excellent_quota_fraction"), ("evaluations", "0004_excellent_quota_fraction")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        assert old.get_model("meetings", "Meeting").objects.get(pk=other.pk).excellent_quota_percent is None
        old.get_model("meetings", "Meeting").objects.filter(pk=ev.meeting_id).update(excellent_quota_percent=Decimal("33.33"))
        old_evaluation = old.get_model("evaluations", "Evaluation").objects.get(pk=ev.pk)
        assert old_evaluation.excellent_quota_percent == Decimal("30.00")  # 3/10 back to a percent
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    meeting, evaluation, other = Meeting.objects.get(pk=ev.meeting_id), Evaluation.objects.get(pk=ev.pk), Meeting.objects.get(pk=other.pk)
    assert (meeting.excellent_quota_numerator, meeting.excellent_quota_denominator) == (3333, 10000)
    assert (evaluation.excellent_quota_numerator, evaluation.excellent_quota_denominator) == (3, 10)
    assert other.excellent_quota is None and other.excellent_quota_denominator is None
