from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("组织与党员")

    def ready(self):
        # Registers every rule with django-rules; the module is the one place permissions live.
        from branchlife import permissions  # noqa: F401
