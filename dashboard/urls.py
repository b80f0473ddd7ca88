from django.urls import include, path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("recount/", views.recount_start, name="recount"),
    path("recount/status.json", views.recount_status, name="recount_status"),
    path("branches/", views.branches, name="branches"),
    path("branches/export.xlsx", views.branches_export, name="branches_export"),
    path("ranking/", views.ranking, name="ranking"),
    path("children/export.xlsx", views.children_export, name="children_export"),
    path("items/", views.items, name="items"),
    path("items/export.xlsx", views.items_export, name="items_export"),
    path("supervisor/", views.supervisor_home, name="supervisor_home"),
    path("supervisor/export.xlsx", views.supervisor_export, name="supervisor_export"),
    path("supervision/", views.supervision_stats, name="supervision_stats"),
    path("supervision/export.xlsx", views.supervision_stats_export, name="supervision_stats_export"),
    path("tonight/", views.tonight, name="tonight"),
    path("tonight.json", views.tonight_json, name="tonight_json"),
    path("", include("dashboard.urls_year")),
    path("", include("dashboard.urls_quarter")),
    path("", include("dashboard.urls_rhythm")),
    path("", include("dashboard.urls_filings")),
    path("", include("dashboard.urls_recurring")),
]
