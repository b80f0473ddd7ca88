"""Thin Celery tasks: each calls one service."""

from celery import shared_task


# A backup of a county's database runs for minutes, longer than the default CELERY_TASK_SOFT_TIME_LIMIT.
@shared_task(soft_time_limit=3 * 3600, time_limit=3 * 3600 + 300)
def backup_scheduled() -> str:
    """Nightly backup into BACKUP_DIR, keeping the BACKUP_KEEP newest archives."""
    from . import backup

    return str(backup.backup_scheduled().path)
