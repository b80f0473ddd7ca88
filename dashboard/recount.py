"""重新统计 of a node too big to count again inside one request (issue 23: a province's 30,000 branches take
about half a minute, a national-scale province several): the page queues it, a Celery task counts the node's
children again one at a time — each in its own transactions, as the beat's warm-up does — then sums the node,
and the page shows how far it has got. A node of up to DASHBOARD_RECOUNT_IN_REQUEST_BRANCHES branches (a county
of 3,000 takes ~3 s) is still counted inside the request.

The progress lives in the cache (shared by the web and the worker processes). With the cache down the job
still runs; the page then only says that it was queued."""

from __future__ import annotations

import dataclasses
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from branchlife.queue import enqueue_on_commit
from organizations.models import Organization

from . import rollups
from .selectors import Season, dashboard_summary, safely
from .services import dashboard_data_changed, tallies_stale

# A job whose progress has not moved for this long is taken for dead (a worker killed mid-way): the next
# click starts another instead of pointing at it forever.
STALLED_SECONDS = 15 * 60


@dataclasses.dataclass
class Progress:
    done: int
    total: int
    started: float
    moved: float
    finished: float | None = None

    @property
    def percent(self) -> int:
        return 100 if self.finished else int(100 * self.done / self.total) if self.total else 0

    @property
    def just_finished(self) -> bool:
        """Finished in the last ten minutes: the page says so once, then goes back to its usual look."""
        return self.finished is not None and time.time() - self.finished < 600

    @property
    def running(self) -> bool:
        return self.finished is None and time.time() - self.moved < STALLED_SECONDS

    def as_json(self) -> dict:
        return {"done": self.done, "total": self.total, "percent": self.percent, "finished": self.finished is not None}


NO_PROGRESS = {"done": 0, "total": 0, "percent": 0, "finished": False}


def in_background(*, branches: int) -> bool:
    """Whether 重新统计 of a node with this many branches goes to the worker."""
    return branches > settings.DASHBOARD_RECOUNT_IN_REQUEST_BRANCHES


def _key(node: Organization | int, season: Season) -> str:
    node_id = node if isinstance(node, int) else node.pk
    return f"dashboard:recount:{node_id}:{season.year}:{season.kind}"


def _parts(node: Organization) -> list[Organization]:
    """What the job counts one at a time: the node's children that have children of their own, in tree order
    (branches right under the node are counted with the node itself, at the end)."""
    return list(
        node.get_children().exclude(level__in=[Organization.Level.GROUP, Organization.Level.BRANCH]).order_by("path")
    )


def front_page(*, node: Organization, season: Season, refresh: bool):
    """A non-branch node's front page: its summary (counted again now when asked and small enough), whether
    its 重新统计 goes to the worker, and the progress to show (a job running or just finished), if any."""
    summary = dashboard_summary(node=node, season=season)
    big = in_background(branches=summary.totals.branches)
    if refresh and not big:
        summary = dashboard_summary(node=node, season=season, use_cache=False)
    progress = progress_of(node=node, season=season) if big else None
    shown = progress if progress is not None and (progress.running or progress.just_finished) else None
    return summary, big, shown


def progress_of(*, node: Organization, season: Season) -> Progress | None:
    stored = safely(lambda: cache.get(_key(node, season)))
    return Progress(**stored) if stored else None


def _store(node: Organization | int, season: Season, progress: Progress) -> None:
    safely(lambda: cache.set(_key(node, season), dataclasses.asdict(progress), 24 * 3600))


def recount_start(*, node: Organization, season: Season) -> Progress:
    """Queue 重新统计 of `node` for `season`, unless one is already running: then that one's progress."""
    from .tasks import dashboard_recount

    current = progress_of(node=node, season=season)
    if current is not None and current.running:
        return current
    now = time.time()
    progress = Progress(done=0, total=len(_parts(node)) + 1, started=now, moved=now)
    _store(node, season, progress)
    enqueue_on_commit(dashboard_recount, node.pk, season.year, season.kind)
    return progress


def recount_run(*, node_id: int, year: int, kind: str) -> None:
    """The job: every child of the node counted again (everything under it, tallies included), then the node
    summed from its children; every cached dashboard then reads the new rows."""
    node = Organization.objects.filter(pk=node_id).first()
    if node is None:
        return
    season, today = Season(year=year, kind=kind), timezone.localdate()
    started = time.time()
    parts = _parts(node)
    total = len(parts) + 1
    for done, child in enumerate(parts):
        rollups.refresh(node=child, season=season, today=today, recount=True)
        _store(node, season, Progress(done=done + 1, total=total, started=started, moved=time.time()))
    # Branches right under the node: their tallies and rows marked as a write would mark them, so that the
    # node's own refresh counts them again (with the tallies) before it sums the node.
    direct = list(node.get_children().filter(level=Organization.Level.BRANCH).values_list("pk", flat=True))
    if direct:
        with transaction.atomic():
            tallies_stale(meetings=Q(meeting__branch_id__in=direct))
            rollups.rollups_stale(branches=Q(node_id__in=direct))
    rollups.refresh(node=node, season=season, today=today)
    dashboard_data_changed()
    now = time.time()
    _store(node, season, Progress(done=total, total=total, started=started, moved=now, finished=now))
