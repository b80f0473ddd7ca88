from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """How people get in: activation with a one-time code, login by username or phone, forgotten
    passwords, two-factor authentication and idle timeouts. Who may do what once in stays in
    branchlife/permissions.py; whose account it is (roster, codes, officers) stays in organizations."""

    name = "accounts"
    verbose_name = _("账号与登录")
