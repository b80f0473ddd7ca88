from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("export.xlsx", views.notification_export, name="export"),
    path("<int:pk>/read/", views.notification_mark_read, name="mark_read"),
    path("read-all/", views.notification_mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("meeting/<int:pk>/told/", views.meeting_told, name="meeting_told"),
    path("meeting/<int:pk>/to-call/", views.meeting_to_call, name="meeting_to_call"),
    path("branch/<int:pk>/channels/", views.branch_channels, name="branch_channels"),
]
