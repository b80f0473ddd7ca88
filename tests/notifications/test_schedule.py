"""Beat runs the scan every 15 minutes by default; the schedule comes from the environment."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_beat_runs_the_scan_every_15_minutes_with_an_expiry():
    from branchlife.celery import app

    app.loader.import_default_modules()  # what the worker does at start: autodiscover tasks.py
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-scan"]
    assert entry["task"] == "notifications.reminders_scan"
    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == {0, 15, 30, 45}
    assert 0 < entry["options"]["expires"] < 15 * 60


def settings_with(env: dict) -> subprocess.CompletedProcess:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='branchlife.settings'; django.setup();"
        "from django.conf import settings; s=settings.CELERY_BEAT_SCHEDULE.get('reminders-scan');"
        "print(sorted(s['schedule'].minute) if s else 'off', settings.REMINDER_DUE_SOON_DAYS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


def test_the_schedule_and_the_windows_are_overridable_from_the_environment():
    hourly = settings_with({"REMINDER_SCAN_CRON": "5 * * * *", "REMINDER_DUE_SOON_DAYS": "5"})
    assert hourly.stdout.split() == ["[5]", "5"], hourly.stderr
    assert settings_with({"REMINDER_SCAN_CRON": "off"}).stdout.split()[0] == "off"
    broken = settings_with({"REMINDER_SCAN_CRON": "every quarter"})
    assert broken.returncode != 0 and "REMINDER_SCAN_CRON" in broken.stderr
