"""党小组长责任清单 (issue 18 item 3), included into the activities namespace."""

from django.urls import path

from .views import duties

urlpatterns = [
    path("branches/<int:branch_pk>/duties/", duties.branch_duties, name="duties"),
    path("branches/<int:branch_pk>/duties/ensure/", duties.branch_duties_ensure, name="duties_ensure"),
    path("duties/groups/<int:group_pk>/", duties.group_duties, name="duty_group"),
    path("duties/groups/<int:group_pk>/record/", duties.duty_record_create, name="duty_record"),
    path("duties/groups/<int:group_pk>/add/", duties.group_duty_create, name="duty_add"),
    path("duties/groups/<int:group_pk>/assess/", duties.group_assess, name="duty_assess"),
    path("duties/<int:pk>/edit/", duties.group_duty_edit, name="duty_edit"),
    path("duties/<int:pk>/toggle/", duties.group_duty_toggle, name="duty_toggle"),
    path("duties/records/<int:pk>/delete/", duties.duty_record_delete, name="duty_record_delete"),
    path("duties/templates/<int:org_pk>/", duties.duty_templates, name="duty_templates"),
    path("duties/templates/item/<int:pk>/edit/", duties.duty_template_edit, name="duty_template_edit"),
    path("duties/templates/item/<int:pk>/delete/", duties.duty_template_delete, name="duty_template_delete"),
]
