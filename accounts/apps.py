from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """How people get in: activation with a one-time code, login by username or phone, forgotten
    passwords, two-factor authentication and idle timeouts. Who may do what once in stays in
    branchlife/permissions.py; whose account it is (roster, codes, officers) stays in organizations."""

    name = "accounts"
    verbose_name = _("账号与登录")

    def ready(self):
        # Session bookkeeping only (no business rule): the idle clock starts at login, when the session is
        # written anyway, so the first page after logging in need not write it again.
        from django.contrib.auth.signals import user_logged_in

        from .two_factor.middleware import idle_clock_start

        user_logged_in.connect(idle_clock_start, dispatch_uid="accounts-idle-clock-start")
