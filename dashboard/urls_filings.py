from django.urls import path

from . import views_filings

# The upward review's states per branch (issue 19 item 1), in the dashboard namespace.
urlpatterns: list = [
    path("filings/", views_filings.filings_page, name="filings"),
    path("filings/export.xlsx", views_filings.filings_export, name="filings_export"),
]
