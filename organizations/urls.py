from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("my/branch/", views.my_branch, name="my_branch"),
    path("my/organization/", views.my_organization, name="my_organization"),
    path("branches/", views.branch_list, name="branch_list"),
    path("orgs/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("branches/<int:pk>/", views.branch_detail, name="branch_detail"),
    path("branches/<int:pk>/roster.xlsx", views.roster_export, name="roster_export"),
    path("branches/<int:pk>/roster/import/", views.roster_import, name="roster_import"),
    path("roster/template.xlsx", views.roster_template, name="roster_template"),
]
