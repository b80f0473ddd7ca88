from django.urls import include, path

from .views import records

app_name = "activities"

urlpatterns = [
    path("", records.my_activities, name="mine"),
    path("branches/<int:branch_pk>/", records.activity_list, name="list"),
    path("branches/<int:branch_pk>/new/", records.activity_create, name="create"),
    path("<int:pk>/", records.activity_detail, name="detail"),
    path("<int:pk>/edit/", records.activity_edit, name="edit"),
    path("photos/<int:pk>/", records.photo_file, name="photo"),
    path("photos/<int:pk>/delete/", records.photo_delete, name="photo_delete"),
    path("orgs/<int:org_pk>/rhythm/", records.rhythm_rules, name="rhythm_rules"),
    path("orgs/<int:org_pk>/tips/", records.work_tips, name="work_tips"),
    path("", include("activities.urls_duties")),
]
