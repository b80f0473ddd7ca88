import os

from celery import Celery
from celery.signals import after_setup_task_logger

from branchlife.logs import route_task_logs_to_root

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branchlife.settings")

app = Celery("branchlife")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker and beat log through settings.LOGGING (CELERY_WORKER_HIJACK_ROOT_LOGGER = False); so do tasks.
after_setup_task_logger.connect(route_task_logs_to_root)
