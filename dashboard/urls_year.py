from django.urls import path

from . import member_year_views

urlpatterns: list = [
    path("members/<int:member_pk>/year/", member_year_views.member_year, name="member_year"),
    path("pioneer-index/", member_year_views.pioneer_index_home, name="pioneer_index_home"),
    path("pioneer-index/<int:org_pk>/", member_year_views.pioneer_index, name="pioneer_index"),
]
