from django.urls import path

from .two_factor import views

# Included by accounts/urls.py at 2fa/ (namespace "accounts"). The enrol and verify paths are listed in
# accounts.two_factor.middleware.EXEMPT_PATH_PREFIXES: keep the two in step.
urlpatterns = [
    path("", views.security, name="two_factor_security"),
    path("enrol/", views.enrol, name="two_factor_enrol"),
    path("verify/", views.verify, name="two_factor_verify"),
    path("recovery/", views.recovery, name="two_factor_recovery"),
    path("disable/", views.disable, name="two_factor_disable"),
]
