"""Production settings (run with DEBUG=False in the environment) for a live server started by a test: the
static files stay where they are instead of needing a build-time collectstatic (the manifest storage)."""

from branchlife.settings import *  # noqa: F403
from branchlife.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
