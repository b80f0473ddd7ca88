"""End to end with a real Redis server and real Celery worker processes (PostgreSQL only).

This test starts its OWN redis-server on a free port (it never touches the one scripts/test.sh runs),
two `celery -A branchlife worker` processes against it and the test database, and proves that:
1. a reminder goes out exactly once although the scan runs twice at the same time, once more after, the
   send message is duplicated, and two workers compete for it;
2. with Redis stopped, pages load, saving through the web client succeeds (also a save that queues a
   task), and the scan records what fell due without crashing;
3. once Redis is back, the next scan hands over what fell due during the outage and it is sent once;
4. a print job saved while Redis was down is handed over by the periodic rescue and printed by a worker.

Every process of the test keeps the same calendar: this one, the workers and the scans start their clocks at
NOW (10:00 on a Wednesday in Asia/Shanghai, inside sending hours) and run on from there (time-machine), so
neither the real date nor the hour (quiet hours, midnight during the run) changes what falls due or is sent.
"""

import datetime as dt
import email
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from tests.notifications.conftest import NOW, TODAY

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.skipif(os.getenv("DB") != "postgres", reason="the worker processes need the shared PostgreSQL test database"),
]


@pytest.fixture(autouse=True)
def _current_app_restored():
    """The test makes a second Celery app (to put duplicate messages on the wire), which Celery makes the
    current one: every shared task of this process would then resolve to it — its broker, its eager
    setting — in the tests that run after this one."""
    from celery import current_app

    before = current_app._get_current_object()
    yield
    before.set_current()


ROOT = Path(__file__).resolve().parents[2]

# `python -c CLOCKED <start> <module or script> args…`: runs the module (or the .py script) as __main__ with
# this process's clock started at <start> and ticking (time-machine reaches the forked pool processes too).
CLOCKED = (
    "import runpy, sys, time_machine; time_machine.travel(sys.argv[1], tick=True).start(); "
    "target = sys.argv[2]; sys.argv = sys.argv[2:]; "
    "runpy.run_path(target, run_name='__main__') if target.endswith('.py') "
    "else runpy.run_module(target, run_name='__main__', alter_sys=True)"
)


def clocked(*command: str) -> list[str]:
    return [sys.executable, "-c", CLOCKED, NOW.isoformat(), *command]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, *, timeout: float = 60, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


class Redis:
    def __init__(self, port: int, folder: Path):
        self.port, self.folder, self.proc = port, folder, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        import redis

        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=open(self.folder / "redis.log", "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Redis hangs at start under libfaketime (the suite's shifted-clock passes): it keeps the real clock.
            env={k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")},
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def answers():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_for(answers, timeout=20, what="redis-server")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None


@pytest.fixture
def stack(transactional_db, tmp_path):
    """Our Redis, our mailbox folder and two workers, all stopped at the end (before the test DB goes)."""
    redis = Redis(free_port(), tmp_path)
    redis.start()
    mailbox = tmp_path / "mailbox"
    mailbox.mkdir()
    env = {
        **os.environ,
        "DB": "postgres",
        "DB_NAME": connection.settings_dict["NAME"],  # pytest-django's test database (test_branchlife)
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "EMAIL_BACKEND": "tests.notifications.mailbox.DirectoryBackend",
        "TEST_MAILBOX_DIR": str(mailbox),
        "DB_CONN_MAX_AGE": "0",
        "LOG_LEVEL": "INFO",
        "MEDIA_ROOT": str(tmp_path / "media"),  # the print job's PDF
    }
    workers = []

    def start_worker(name: str):
        log = tmp_path / f"{name}.log"
        proc = subprocess.Popen(
            clocked("celery", "-A", "branchlife", "worker", "-n", f"{name}@%h", "--concurrency", "2",
                    "--loglevel", "INFO", "--without-gossip", "--without-mingle"),
            cwd=ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        workers.append(proc)
        wait_for(lambda: "ready." in log.read_text(errors="replace") or proc.poll() is not None, what=f"{name} ready")
        assert proc.poll() is None, log.read_text()

    def scan(*args) -> subprocess.Popen:
        return subprocess.Popen(
            clocked("manage.py", "scan_reminders", *args),
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    stack = type("Stack", (), {})()
    stack.redis, stack.env, stack.mailbox, stack.scan, stack.tmp = redis, env, mailbox, scan, tmp_path
    stack.emails = lambda: [email.message_from_bytes(p.read_bytes()) for p in sorted(mailbox.glob("*.eml"))]
    start_worker("w1")
    start_worker("w2")
    try:
        yield stack
    finally:
        for proc in workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in workers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        redis.stop()


def finished(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def test_a_reminder_goes_out_once_and_survives_a_redis_outage(stack, client, time_machine):
    from celery import Celery

    from notifications.models import Kind, Notification, ReminderDelivery, ReminderDispatch
    from organizations.demo import seed
    from tests.notifications.factories import MeetingFactory

    time_machine.move_to(NOW, tick=True)
    ctx = seed()
    member, secretary = ctx.users["member"], ctx.users["secretary"]
    member.email = "yangli@example.org"
    member.save()
    today = TODAY
    MeetingFactory(branch=ctx.orgs["office"], self_reviews_due_on=today + dt.timedelta(days=1))

    # ---- 1. two scans at once, then a third: two reminders (secretary, member), recorded once.
    first, second = stack.scan(), stack.scan()
    outputs = [finished(first), finished(second)]
    assert all(code == 0 for code, _, _ in outputs), outputs
    assert sorted(out.split(" reminders queued")[0] for _, out, _ in outputs) in (["0", "2"], ["1", "1"])
    code, out, err = finished(stack.scan())
    assert code == 0 and out.startswith("0 reminders queued"), (out, err)

    # Duplicate send messages on the wire, as a redelivery after a crash would produce.
    client_app = Celery("duplicates", broker=stack.redis.url)
    ids = list(ReminderDelivery.objects.values_list("pk", flat=True))
    for pk in ids * 2:
        client_app.send_task("notifications.reminder_send", args=[pk])

    wait_for(lambda: ReminderDelivery.objects.filter(status="sent").count() == 2, what="both reminders sent")
    time.sleep(3)  # give any duplicate a chance to (wrongly) arrive
    assert Notification.objects.filter(kind=Kind.SELF_REVIEW_DUE).count() == 2
    assert Notification.objects.filter(recipient=member).count() == 1
    assert [m["To"] for m in stack.emails()] == ["yangli@example.org"]
    assert ReminderDispatch.objects.filter(status="sent").count() == 3  # in-app × 2, email × 1
    assert ReminderDispatch.objects.filter(channel="email", status="skipped").count() == 1  # secretary: no address

    # ---- 2. Redis goes down.
    stack.redis.stop()
    from branchlife.celery import app

    old_broker = app.conf.broker_url
    app.conf.broker_url = stack.redis.url  # this process's web requests queue to the Redis that is down
    app.close()
    try:
        client.force_login(secretary)
        assert client.get(reverse("notifications:list")).status_code == 200
        started = time.monotonic()
        response = client.post(
            reverse("notifications:preferences"), {"email": "lijianguo@example.org", "email_enabled": "on"}
        )
        assert response.status_code == 302
        secretary.refresh_from_db()
        assert secretary.email == "lijianguo@example.org"
        from rectification.models import PrintJob

        response = client.post(reverse("rectification:print_job_start", args=[ctx.orgs["office"].pk]), {"kind": "ledger"})
        assert response.status_code == 302 and PrintJob.objects.count() == 1  # saved; its task could not be queued
        assert time.monotonic() - started < 10
    finally:
        app.conf.broker_url = old_broker
        app.close()

    # Something falls due during the outage: an item of 杨丽's due today.
    from tests.notifications.factories import make_item

    make_item(branch=ctx.orgs["office"], responsible=ctx.members["office"]["杨丽"], deadline=today, title="按时参加组织生活")
    started = time.monotonic()
    code, out, err = finished(stack.scan())
    assert code == 0, err
    assert out.startswith("0 reminders queued (1 new") and "broker is unavailable" in out, out
    assert time.monotonic() - started < 30
    outage = ReminderDelivery.objects.get(kind=Kind.ITEM_DUE_TODAY)
    assert outage.status == "pending" and outage.queued_at is None

    # ---- 3. Redis is back: the next scan hands the reminder over, a worker sends it, once.
    stack.redis.start()
    code, out, err = finished(stack.scan())
    assert code == 0 and out.startswith("1 reminders queued (0 new, 1 handed over again)"), (out, err)
    wait_for(lambda: ReminderDelivery.objects.get(pk=outage.pk).status == "sent", timeout=90, what="the outage reminder")
    code, out, err = finished(stack.scan())
    assert out.startswith("0 reminders queued"), out
    time.sleep(2)
    assert Notification.objects.filter(recipient=member, kind=Kind.ITEM_DUE_TODAY).count() == 1
    assert sorted(m["To"] for m in stack.emails()) == ["yangli@example.org", "yangli@example.org"]
    assert Notification.objects.count() == 3

    # ---- 4. The ledger print job saved during the outage (it holds the item above): the periodic rescue (beat's print-jobs-resume) hands it
    # to the broker once it has waited five minutes, and a worker prints it.
    job = PrintJob.objects.get()
    assert job.status == PrintJob.Status.PENDING
    from rectification.tasks import print_jobs_resume

    app.conf.broker_url = stack.redis.url
    app.close()
    try:
        assert print_jobs_resume() == 0  # not yet: the request's own queueing may still be on its way
        time_machine.move_to(NOW + dt.timedelta(minutes=10), tick=True)
        assert print_jobs_resume() == 1
    finally:
        app.conf.broker_url = old_broker
        app.close()
    wait_for(lambda: PrintJob.objects.get(pk=job.pk).status in (PrintJob.Status.DONE, PrintJob.Status.FAILED),
             timeout=180, what="the print job")
    job.refresh_from_db()
    assert job.status == PrintJob.Status.DONE, (job.error, (stack.tmp / "w1.log").read_text()[-3000:])
    assert job.result.name.endswith(".pdf") and (stack.tmp / "media" / "rectification" / "print" / job.result.name).is_file()
