from celery import shared_task


@shared_task(soft_time_limit=120, time_limit=180, ignore_result=True)
def dashboards_warm() -> int:
    from .services import dashboards_warm as warm

    return warm()
