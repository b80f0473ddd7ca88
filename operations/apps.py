from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running an installation: backups and restores. It may use every other app; no app uses it."""

    name = "operations"
    verbose_name = _("运维")
