import os

import pytest

from tests.clock import starting_at_now


@pytest.fixture(autouse=True)
def backup_settings(settings, tmp_path):
    """Media and backups in the test's own folders; pg_dump and pg_restore from the server scripts/test.sh runs."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEY_FILE = ""
    settings.BACKUP_PG_BIN = os.getenv("TEST_PG_BIN", "")
    return settings


@pytest.fixture(autouse=True)
def _own_clock(request):
    """Every test here starts at tests.clock.NOW, not at the real date and hour (see starting_at_now)."""
    yield from starting_at_now(request)
