from django.urls import path

from . import views
from .views import accounts, people

app_name = "organizations"

urlpatterns = [
    path("my/branch/", views.my_branch, name="my_branch"),
    path("my/organization/", views.my_organization, name="my_organization"),
    path("branches/", views.branch_list, name="branch_list"),
    path("orgs/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("branches/<int:pk>/", views.branch_detail, name="branch_detail"),
    path("branches/<int:pk>/roster.xlsx", views.roster_export, name="roster_export"),
    path("branches/<int:pk>/roster/import/", views.roster_import, name="roster_import"),
    path("branches/<int:pk>/accounts/", accounts.branch_accounts, name="branch_accounts"),
    path("branches/<int:pk>/accounts/open/", accounts.accounts_open, name="accounts_open"),
    path("branches/<int:pk>/accounts/<int:member_pk>/reset/", accounts.account_reset, name="account_reset"),
    path("branches/<int:pk>/accounts/<int:member_pk>/remove/", accounts.account_remove, name="account_remove"),
    path("accounts/slips.pdf", accounts.account_slips, name="account_slips"),
    path("orgs/<int:pk>/people/", people.org_people, name="org_people"),
    path("orgs/<int:pk>/people/history/", people.people_history, name="people_history"),
    path("orgs/<int:pk>/people/officers/add/", people.officer_add, name="officer_add"),
    path("orgs/<int:pk>/people/officers/<int:officer_pk>/remove/", people.officer_remove, name="officer_remove"),
    path("orgs/<int:pk>/people/<int:user_pk>/code/", people.person_code, name="person_code"),
    path("orgs/<int:pk>/people/supervisors/add/", people.supervisor_add, name="supervisor_add"),
    path("orgs/<int:pk>/people/supervisors/<int:sup_pk>/assign/", people.supervisor_assign, name="supervisor_assign"),
    path("orgs/<int:pk>/people/supervisors/<int:sup_pk>/remove/", people.supervisor_remove, name="supervisor_remove"),
    path("roster/template.xlsx", views.roster_template, name="roster_template"),
]
