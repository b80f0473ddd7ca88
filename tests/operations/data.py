"""A small season to back up: ballots of a sealed and of an open vote, anonymous opinions, uploaded evidence.

Used in the test process and, for the SQLite round trip, in a `manage.py`-like subprocess; so it takes no
pytest fixture and creates no password (the real hasher would cost seconds per account)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evaluations import services as evaluations
from meetings import services as meetings
from meetings.models import Opinion
from rectification import services as rectification

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n" + "整改佐证材料".encode() * 50


@dataclass
class Season:
    open_evaluation: object
    # The receipt hashes of the open vote's ballots, in the order they were cast: only the test knows it.
    cast_order: list[str]


def cast(evaluation, members, *, seed: int) -> list[str]:
    from tests.evaluations.conftest import Builder

    order = list(members)
    random.Random(seed).shuffle(order)
    hashes = []
    for voter in order:
        code = evaluations.ballot_cast(evaluation=evaluation, member=voter, content=Builder.content(evaluation, excellent=[voter]))
        hashes.append(evaluations.receipt_hash(code))
    return hashes


def season(*, voters: int = 8) -> Season:
    from tests.evaluations.conftest import Builder

    build = Builder()
    sealed = build.evaluation(n=6)
    cast(sealed, sealed.members, seed=1)
    sealed = build.close(sealed)
    assert evaluations.evaluation_seal(evaluation=sealed)

    voting = build.evaluation(n=voters)
    order = cast(voting, voting.members, seed=22)

    meeting, author = voting.meeting, voting.members[0]
    for text in ("会前学习流于形式，希望多结合实际", "支部活动通知太晚，请提前一周", "希望公开党费收缴情况"):
        meetings.opinions.opinion_submit(meeting=meeting, text=text, channel=Opinion.Channel.MEMBER_ONLINE, is_anonymous=True,
                                author_member=author)
    meetings.opinions.opinion_submit(meeting=meeting, text="建议书记多到村民小组走访", channel=Opinion.Channel.BOX, author_label="村民")

    actor = get_user_model().objects.create(username="backup-secretary")
    item = rectification.item_create(
        branch=meeting.branch, meeting=meeting, title="系统学习党的创新理论", goal="学深悟透", measures="每周学习2小时",
        responsible=author, deadline=timezone.localdate() + dt.timedelta(days=30), commitment="按期完成",
        actor=actor,
    )
    rectification.item_progress_post(
        item=item, actor=actor, note="学习笔记",
        files=[SimpleUploadedFile("笔记.png", PNG, content_type="image/png"),
               SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")],
    )
    return Season(open_evaluation=voting, cast_order=order)
