"""The lifecycle pages keep their `meetings:` URL names (branchlife/urls.py puts these patterns in the
meetings namespace): they are pages of a meeting, only their code spans the phases."""

from django.urls import path

from . import views

urlpatterns = [
    path("my/", views.my_home, name="my_home"),
    path("<int:pk>/timeline/", views.timeline, name="timeline"),
    path("<int:pk>/ready/", views.meeting_ready, name="meeting_ready"),
    path("<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
