import pytest
from django.core.cache import cache
from django.utils import timezone

from organizations.models import Supervisor
from tests.clock import starting_at_now

from .factories import MeetingFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The throttles count in the cache; every test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def meeting(demo_orgs):
    """水阜镇机关党支部's meeting in preparation, supervised by the demo supervisor."""
    m = MeetingFactory(branch=demo_orgs.orgs["office"])
    m.supervisors.set([Supervisor.objects.get(user=demo_orgs.users["supervisor"])])
    return m


@pytest.fixture
def meeting_day(meeting):
    """The same meeting on its day: the room's records (attendance, the record, check-in) open then."""
    meeting.held_on = timezone.localdate()
    meeting.save(update_fields=["held_on"])
    return meeting


@pytest.fixture
def palace_meeting(demo_orgs):
    return MeetingFactory(branch=demo_orgs.orgs["palace"])


@pytest.fixture(autouse=True)
def _own_clock(request):
    """Every test here starts at tests.clock.NOW, not at the real date and hour (see starting_at_now)."""
    yield from starting_at_now(request)
