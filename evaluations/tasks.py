"""Thin Celery tasks: each calls one service."""

from celery import shared_task


@shared_task(expires=600)
def evaluations_seal_due() -> int:
    """Seal every evaluation whose voting has closed. A safety net only: pages seal lazily on first read."""
    from . import services

    sealed = services.evaluations_seal_due()
    services.ballot_tables_purge()  # also any seal whose queued purge was lost
    return sealed


@shared_task(expires=3600)
def ballot_tables_purge() -> bool:
    from . import services

    return services.ballot_tables_purge()
