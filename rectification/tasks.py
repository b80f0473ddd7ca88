"""Thin Celery tasks: take ids, re-fetch, call rectification.printing."""

from celery import group, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError
from django.utils.translation import gettext as _

RETRY = {
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 3,
}


@shared_task(**RETRY, soft_time_limit=60, time_limit=90)
def print_job_run(job_id: int) -> None:
    """Plan the job and fan its chunks out to the workers (a group: they render in parallel)."""
    from .printing import job_start

    indexes = job_start(job_id=job_id)
    if indexes:
        group(print_chunk_render.si(job_id, i) for i in indexes).apply_async()


@shared_task(bind=True, **RETRY, soft_time_limit=240, time_limit=300, acks_late=True)
def print_chunk_render(self, job_id: int, index: int) -> None:
    from .printing import chunk_run, job_fail

    try:
        last = chunk_run(job_id=job_id, index=index)
    except SoftTimeLimitExceeded:
        job_fail(job_id=job_id, error=_("生成超时，请缩小打印范围后重试。"))
        return
    except Exception as exc:
        if isinstance(exc, RETRY["autoretry_for"]) and self.request.retries < RETRY["max_retries"]:
            raise
        job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise
    if last:
        print_job_merge.delay(job_id)


@shared_task(**RETRY, soft_time_limit=120, time_limit=180)
def print_job_merge(job_id: int) -> None:
    from .printing import job_merge

    job_merge(job_id=job_id)


@shared_task
def print_jobs_resume() -> int:
    """Periodic rescue: re-queue jobs still pending a while after creation (broker was down at the time)."""
    import datetime as dt

    from django.utils import timezone

    from branchlife.queue import enqueue

    from .models import PrintJob

    stale = PrintJob.objects.filter(
        status=PrintJob.Status.PENDING, created_at__lt=timezone.now() - dt.timedelta(minutes=5)
    ).values_list("pk", flat=True)
    return sum(1 for pk in stale if enqueue(print_job_run, pk))
