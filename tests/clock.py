"""The tests' calendar: one fixed moment the tests start from, instead of the real date and hour of day."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday morning in Asia/Shanghai: a working day, inside the reminders' sending hours (07:00–22:00),
# far from midnight and from the turn of the year.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


def starting_at_now(request):
    """Body of an app's autouse fixture (`yield from starting_at_now(request)`): the test's clock starts at
    NOW and runs on from there (time-machine, tick=True), so that the dates its factories compute and the
    dates the code under test reads are the same on every run, whatever the real date, and no test straddles
    midnight. A test may still move it (the `time_machine` fixture stacks on top).

    Left on the real clock: tests that build the demo (its season is laid out around the real day and
    scripts/test.sh reruns them under shifted clocks), browser tests (Chromium keeps the real clock) and the
    slow live-server tests (their server is another process)."""
    node = request.node
    if (
        "demo" in request.fixturenames
        or "demo" in node.path.name
        or node.get_closest_marker("browser")
        or node.get_closest_marker("slow")
    ):
        yield
        return
    with time_machine.travel(NOW, tick=True):
        yield
