from django.urls import path

from .views import checkin, forums, opinions, plan, record, self_reviews, study, talks

# No app_name: branchlife/urls.py puts these patterns and lifecycle's (the timeline, 我的待办, closing, the
# report) in one `meetings` namespace, so every page of a meeting keeps its meetings: name.

urlpatterns = [
    path("", plan.meeting_list, name="meeting_list"),
    path("export.xlsx", plan.meeting_export, name="meeting_export"),
    path("new/", plan.meeting_create, name="meeting_create"),
    path("<int:pk>/", plan.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", plan.meeting_edit, name="meeting_edit"),
    path("<int:pk>/calendar.ics", plan.meeting_ics, name="meeting_ics"),
    # 会前学习
    path("<int:pk>/study/", study.study_list, name="study_list"),
    path("<int:pk>/study/export.xlsx", study.study_export, name="study_export"),
    path("<int:pk>/study/new/", study.study_edit, name="study_new"),
    path("<int:pk>/study/<int:session_pk>/", study.study_edit, name="study_edit"),
    # 征求意见
    path("<int:pk>/opinions/", opinions.opinion_list, name="opinion_list"),
    path("<int:pk>/opinions/export.xlsx", opinions.opinion_export, name="opinion_export"),
    path("<int:pk>/opinions/stats/", opinions.opinion_stats, name="opinion_stats"),
    path("<int:pk>/opinions/new/", opinions.opinion_new, name="opinion_new"),
    path("<int:pk>/opinions/record/", opinions.opinion_record, name="opinion_record"),
    path("<int:pk>/opinions/qr.png", opinions.opinion_qr, name="opinion_qr"),
    path("<int:pk>/opinions/poster/", opinions.opinion_poster, name="opinion_poster"),
    path("opinions/<uuid:pk>/sort/", opinions.opinion_sort, name="opinion_sort"),
    path("opinions/<uuid:pk>/claim/", opinions.opinion_claim, name="opinion_claim"),
    path("opinions/<uuid:pk>/answer/", opinions.opinion_answer, name="opinion_answer"),
    path("o/<str:token>/", opinions.public_opinion, name="public_opinion"),
    # 座谈会
    path("<int:pk>/forums/", forums.forum_list, name="forum_list"),
    path("<int:pk>/forums/export.xlsx", forums.forum_export, name="forum_export"),
    path("<int:pk>/forums/new/", forums.forum_new, name="forum_new"),
    path("forums/<int:pk>/", forums.forum_detail, name="forum_detail"),
    path("forums/<int:pk>/edit/", forums.forum_edit, name="forum_edit"),
    path("forums/<int:pk>/delete/", forums.forum_delete, name="forum_delete"),
    # 谈心谈话
    path("<int:pk>/talks/", talks.talk_list, name="talk_list"),
    path("<int:pk>/talks/export.xlsx", talks.talk_export, name="talk_export"),
    path("<int:pk>/talks/new/", talks.talk_new, name="talk_new"),
    path("talks/<int:pk>/", talks.talk_detail, name="talk_detail"),
    path("talks/<int:pk>/edit/", talks.talk_edit, name="talk_edit"),
    path("talks/<int:pk>/confirm/", talks.talk_confirm, name="talk_confirm"),
    path("talks/<int:pk>/dispute/", talks.talk_dispute, name="talk_dispute"),
    # 对照检查材料
    path("<int:pk>/self-reviews/", self_reviews.selfreview_list, name="selfreview_list"),
    path("<int:pk>/self-reviews/export.xlsx", self_reviews.selfreview_export, name="selfreview_export"),
    path("<int:pk>/self-review/", self_reviews.selfreview_mine, name="selfreview_mine"),
    path("<int:pk>/self-review/committee/", self_reviews.selfreview_committee, name="selfreview_committee"),
    path("self-reviews/<int:pk>/", self_reviews.selfreview_detail, name="selfreview_detail"),
    path("self-reviews/<int:pk>/edit/", self_reviews.selfreview_edit, name="selfreview_edit"),
    path("self-reviews/<int:pk>/autosave/", self_reviews.selfreview_autosave, name="selfreview_autosave"),
]

urlpatterns += [
    # 议程、出席与会议记录 (issue 5)
    path("<int:pk>/attendance/", record.attendance, name="attendance"),
    path("<int:pk>/agenda/", record.agenda_edit, name="agenda"),
    path("<int:pk>/record/", record.record, name="record"),
    # 扫码签到 (issue 17)
    path("<int:pk>/checkin/screen/", checkin.checkin_screen, name="checkin_screen"),
    path("<int:pk>/checkin/remote/", checkin.checkin_remote, name="checkin_remote"),
    path("<int:pk>/checkin/<str:code>/", checkin.checkin_scan, name="checkin_scan"),
    path("<int:pk>/record/entries/", record.record_entry, name="record_entry"),
    path("<int:pk>/record/<str:kind>/<int:entry_pk>/delete/", record.record_entry_delete, name="record_entry_delete"),
    path("<int:pk>/record/text/", record.record_text, name="record_text"),
]
