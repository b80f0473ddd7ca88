import pytest

from rectification import services
from tests.clock import starting_at_now

from .factories import ItemFactory, MeetingFactory, ProblemFactory


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The demo accounts' passwords are hashed on every seed; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Evidence and print files go to a temp MEDIA_ROOT in every test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def meeting(office):
    return MeetingFactory(branch=office)


@pytest.fixture
def yang(demo_orgs):
    return demo_orgs.members["office"]["杨丽"]


@pytest.fixture
def zhang(demo_orgs):
    return demo_orgs.members["office"]["张伟"]


@pytest.fixture
def secretary_user(demo_orgs):
    return demo_orgs.users["secretary"]


@pytest.fixture
def member_user(demo_orgs):
    return demo_orgs.users["member"]


@pytest.fixture
def item(yang, meeting, secretary_user):
    """An item of 杨丽's, created through the service (so it has its first history row)."""
    problem = ProblemFactory(meeting=meeting, member=yang)
    return services.item_create(
        branch=yang.branch,
        meeting=meeting,
        problems=[problem],
        title="系统学习党的创新理论",
        goal="学深悟透",
        measures="每周学习2小时\n每月写1篇心得",
        responsible=yang,
        deadline=ItemFactory.build(responsible=yang).deadline,
        commitment="按期完成",
        actor=secretary_user,
    )


@pytest.fixture(autouse=True)
def _own_clock(request):
    """Every test here starts at tests.clock.NOW, not at the real date and hour (see starting_at_now)."""
    yield from starting_at_now(request)


@pytest.fixture
def eager(settings):
    """Celery tasks run in the test's process (print jobs)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from branchlife.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
