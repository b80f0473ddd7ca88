import datetime as dt
import io

import docx
import pytest

from meetings import demo
from meetings.models import Meeting
from rectification import services
from tests.clock import SHANGHAI, starting_at_now
from tests.rectification.factories import MeetingFactory, ProblemFactory

# The documents are dated the day they are downloaded: every test here downloads on this day.
DAY = dt.datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _own_clock(request):
    yield from starting_at_now(request)


@pytest.fixture
def on_the_day(time_machine):
    time_machine.move_to(DAY, tick=False)


@pytest.fixture
def palace(demo_orgs):
    """安岳县青少年宫支部's 2020 meeting as seed 002 records it: report, record, self-reviews."""
    demo.seed(demo_orgs)
    return Meeting.objects.get(branch=demo_orgs.orgs["palace"], year=2020)


@pytest.fixture
def office_meeting(demo_orgs):
    """水阜镇机关党支部's closed meeting with a problem list and two rectification items."""
    # 2019: clear of the demo's own meetings of 水阜镇 (last year's and this year's), when a test builds both
    meeting = MeetingFactory(branch=demo_orgs.orgs["office"], year=2019)
    yang = demo_orgs.members["office"]["杨丽"]
    committee = ProblemFactory(meeting=meeting, member=None, text="支部班子抓学习不够经常", aspect="坚定理想信念方面")
    own = ProblemFactory(meeting=meeting, member=yang, text="回复群众来电不及时")
    secretary = demo_orgs.users["secretary"]
    for problem, title in ((committee, "建立集中学习制度"), (own, "群众来电当日回复")):
        services.item_create(
            branch=meeting.branch, meeting=meeting, problems=[problem], title=title, goal="问题清零",
            measures="每周学习2小时\n每月走访4次", responsible=yang, deadline=dt.date(2027, 3, 31),
            commitment="按期完成", actor=secretary,
        )
    return meeting


def read_docx(response) -> docx.Document:
    return docx.Document(io.BytesIO(response.content))


@pytest.fixture
def private_media(settings, tmp_path):
    """Print jobs write their files under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def eager(settings, private_media):
    """Celery tasks (the print job) run in the test's process."""
    from branchlife.celery import app

    # Read before the setting changes: the first read of app.conf in a process loads it from the settings,
    # and reading it after would "restore" eager for every later test of this process.
    old = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = old
