"""Celery beat's scheduler, with a heartbeat file for the container's healthcheck (the Procfile's `beat`)."""

from pathlib import Path

from celery.beat import PersistentScheduler


def heartbeat_path(schedule_filename: str) -> Path:
    return Path(f"{schedule_filename}.heartbeat")


class HeartbeatScheduler(PersistentScheduler):
    """Touches `<schedule file>.heartbeat` after every tick. Beat ticks at least every
    CELERY_BEAT_MAX_LOOP_INTERVAL seconds, so a heartbeat a few of those old means its loop has stopped
    (docker-compose.yml's beat healthcheck), which a live process id would not show."""

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        heartbeat_path(self.schedule_filename).touch()
        return interval
