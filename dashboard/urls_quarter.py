from django.urls import path

from . import views_quarter

# The quarterly work ranking (issue 18 item 5), in the dashboard namespace.
urlpatterns: list = [
    path("quarter/", views_quarter.quarter_ranking_page, name="quarter_ranking"),
    path("quarter/export.xlsx", views_quarter.quarter_ranking_export, name="quarter_ranking_export"),
    path("quarter/publish/", views_quarter.quarter_ranking_publish, name="quarter_ranking_publish"),
    path("quarter/branches/<int:branch_pk>/", views_quarter.quarter_published, name="quarter_published"),
]
