from celery import shared_task


@shared_task(soft_time_limit=120, time_limit=180, ignore_result=True)
def dashboards_warm() -> int:
    from .services import dashboards_warm as warm

    return warm()


# A province's recount: about half a minute for 30,000 branches here, far more at national scale.
@shared_task(soft_time_limit=3600, time_limit=3700, ignore_result=True)
def dashboard_recount(node_id: int, year: int, kind: str) -> None:
    from .recount import recount_run

    recount_run(node_id=node_id, year=year, kind=kind)
