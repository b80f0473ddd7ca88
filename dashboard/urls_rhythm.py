from django.urls import path

from . import views_rhythm

# The quarter view of 三会一课 and 主题党日 (issue 18 item 2), in the dashboard namespace.
urlpatterns: list = [
    path("rhythm/", views_rhythm.rhythm_page, name="rhythm"),
    path("rhythm/export.xlsx", views_rhythm.rhythm_export, name="rhythm_export"),
]
