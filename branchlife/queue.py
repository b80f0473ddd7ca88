"""Hands work to Celery after the transaction commits, without ever failing the request.

With Redis down, saving data must still succeed: the publish error is logged and swallowed. Work that
must not be lost is not queued-and-forgotten anyway: the periodic scans re-derive it from the database
(reminders, print jobs still marked pending) once the broker is back.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:  # kombu OperationalError, redis ConnectionError, socket timeouts …
        logger.warning("could not queue %s%r: broker unavailable", task.name, args, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
