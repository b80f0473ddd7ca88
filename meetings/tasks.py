"""Thin Celery tasks: each calls one service."""

from celery import shared_task


@shared_task(expires=3600)
def opinions_purge() -> bool:
    from . import services

    return services.opinions.opinions_purge()
