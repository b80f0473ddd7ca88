from django.urls import path

from . import checkin_views, views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("export.xlsx", views.meeting_export, name="meeting_export"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("my/", views.my_home, name="my_home"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("<int:pk>/timeline/", views.timeline, name="timeline"),
    path("<int:pk>/ready/", views.meeting_ready, name="meeting_ready"),
    # 会前学习
    path("<int:pk>/study/", views.study_list, name="study_list"),
    path("<int:pk>/study/export.xlsx", views.study_export, name="study_export"),
    path("<int:pk>/study/new/", views.study_edit, name="study_new"),
    path("<int:pk>/study/<int:session_pk>/", views.study_edit, name="study_edit"),
    # 征求意见
    path("<int:pk>/opinions/", views.opinion_list, name="opinion_list"),
    path("<int:pk>/opinions/export.xlsx", views.opinion_export, name="opinion_export"),
    path("<int:pk>/opinions/stats/", views.opinion_stats, name="opinion_stats"),
    path("<int:pk>/opinions/new/", views.opinion_new, name="opinion_new"),
    path("<int:pk>/opinions/record/", views.opinion_record, name="opinion_record"),
    path("<int:pk>/opinions/qr.png", views.opinion_qr, name="opinion_qr"),
    path("<int:pk>/opinions/poster/", views.opinion_poster, name="opinion_poster"),
    path("opinions/<uuid:pk>/sort/", views.opinion_sort, name="opinion_sort"),
    path("opinions/<uuid:pk>/claim/", views.opinion_claim, name="opinion_claim"),
    path("opinions/<uuid:pk>/answer/", views.opinion_answer, name="opinion_answer"),
    path("o/<str:token>/", views.public_opinion, name="public_opinion"),
    # 座谈会
    path("<int:pk>/forums/", views.forum_list, name="forum_list"),
    path("<int:pk>/forums/export.xlsx", views.forum_export, name="forum_export"),
    path("<int:pk>/forums/new/", views.forum_new, name="forum_new"),
    path("forums/<int:pk>/", views.forum_detail, name="forum_detail"),
    path("forums/<int:pk>/edit/", views.forum_edit, name="forum_edit"),
    path("forums/<int:pk>/delete/", views.forum_delete, name="forum_delete"),
    # 谈心谈话
    path("<int:pk>/talks/", views.talk_list, name="talk_list"),
    path("<int:pk>/talks/export.xlsx", views.talk_export, name="talk_export"),
    path("<int:pk>/talks/new/", views.talk_new, name="talk_new"),
    path("talks/<int:pk>/", views.talk_detail, name="talk_detail"),
    path("talks/<int:pk>/edit/", views.talk_edit, name="talk_edit"),
    path("talks/<int:pk>/confirm/", views.talk_confirm, name="talk_confirm"),
    path("talks/<int:pk>/dispute/", views.talk_dispute, name="talk_dispute"),
    # 对照检查材料
    path("<int:pk>/self-reviews/", views.selfreview_list, name="selfreview_list"),
    path("<int:pk>/self-reviews/export.xlsx", views.selfreview_export, name="selfreview_export"),
    path("<int:pk>/self-review/", views.selfreview_mine, name="selfreview_mine"),
    path("<int:pk>/self-review/committee/", views.selfreview_committee, name="selfreview_committee"),
    path("self-reviews/<int:pk>/", views.selfreview_detail, name="selfreview_detail"),
    path("self-reviews/<int:pk>/edit/", views.selfreview_edit, name="selfreview_edit"),
    path("self-reviews/<int:pk>/autosave/", views.selfreview_autosave, name="selfreview_autosave"),
]

urlpatterns += [
    # 议程、出席与会议记录 (issue 5)
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/agenda/", views.agenda_edit, name="agenda"),
    path("<int:pk>/record/", views.record, name="record"),
    # 扫码签到 (issue 17)
    path("<int:pk>/checkin/screen/", checkin_views.checkin_screen, name="checkin_screen"),
    path("<int:pk>/checkin/remote/", checkin_views.checkin_remote, name="checkin_remote"),
    path("<int:pk>/checkin/<str:code>/", checkin_views.checkin_scan, name="checkin_scan"),
    path("<int:pk>/record/entries/", views.record_entry, name="record_entry"),
    path("<int:pk>/record/<str:kind>/<int:entry_pk>/delete/", views.record_entry_delete, name="record_entry_delete"),
    path("<int:pk>/record/text/", views.record_text, name="record_text"),
    path("<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
