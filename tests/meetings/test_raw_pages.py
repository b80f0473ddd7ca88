"""What an administrator reading PostgreSQL's table file finds of anonymous opinions (issue 25).

Opinions come in through the public link in a known order; each submission reshuffles its day, which on
PostgreSQL writes a new version of every opinion of the day. After the purge beat runs, every opinion's
text is in the table's pages exactly once (no superseded copy that would tell, by how many copies it
left, which came first), every row of the day carries one transaction id, and no dead version remains.
"""

import os

import pytest
from django.db import connection
from django.urls import reverse

from meetings import services
from meetings.models import Opinion
from tests.pages import pages, raw_bytes

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(os.getenv("DB") != "postgres", reason="table pages are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]
TABLE = Opinion._meta.db_table
TEXTS = [f"第{i}位群众的意见：村道第{i}段路灯不亮，晚上出行不便。" for i in range(1, 9)]


def submit_in_order(meeting, client):
    url = reverse("meetings:public_opinion", args=[meeting.public_token])
    for i, text in enumerate(TEXTS):
        assert client.post(url, {"text": text}, REMOTE_ADDR=f"10.9.0.{i + 1}").status_code == 302


def copies(text: str) -> int:
    return raw_bytes(TABLE).count(text.encode())


def test_after_the_purge_each_opinion_is_in_the_pages_once(meeting, client):
    submit_in_order(meeting, client)
    assert services.opinions.opinions_purge() is True
    assert [copies(text) for text in TEXTS] == [1] * len(TEXTS)
    items = [item for page in pages(TABLE) for item in page["items"]]
    assert {item["flags"] for item in items} == {1} and {item["xmax"] for item in items} == {"0"}
    assert all(page["free"].strip(b"\x00") == b"" for page in pages(TABLE))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(DISTINCT xmin::text) FROM {TABLE} WHERE meeting_id = %s", [meeting.pk])
        assert cursor.fetchone()[0] == 1  # the last reshuffle's: no per-submission transaction id


def test_without_the_purge_superseded_copies_stay_in_the_pages(meeting, client):
    # The control (what the audit found): old copies, which tell by their number who came first.
    submit_in_order(meeting, client)
    counts = [copies(text) for text in TEXTS]
    assert max(counts) > 1 and counts[0] > 1, counts
