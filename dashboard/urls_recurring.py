from django.urls import path

from . import views_recurring

# Problems that come back (issue 20 item 4), in the dashboard namespace.
urlpatterns: list = [
    path("recurring/", views_recurring.recurring_page, name="recurring"),
    path("recurring/export.xlsx", views_recurring.recurring_export, name="recurring_export"),
]
