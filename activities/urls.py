from django.urls import include, path

from .views import records

app_name = "activities"

urlpatterns = [
    path("branches/<int:branch_pk>/", records.activity_list, name="list"),
    path("branches/<int:branch_pk>/new/", records.activity_create, name="create"),
    path("<int:pk>/", records.activity_detail, name="detail"),
    path("<int:pk>/edit/", records.activity_edit, name="edit"),
    path("", include("activities.urls_duties")),
]
