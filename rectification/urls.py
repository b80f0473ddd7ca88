from django.urls import path

from . import views

app_name = "rectification"

urlpatterns = [
    # a member's own items (nav, QR code on the card) and own card
    path("my/", views.my_items, name="my_items"),
    path("my/card.pdf", views.my_card_pdf, name="my_card_pdf"),
    # the ledger (整改台账) of a branch: args [branch.pk]
    path("branch/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("branch/<int:pk>/ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("branch/<int:pk>/ledger.pdf", views.ledger_pdf, name="ledger_pdf"),
    path("branch/<int:pk>/items/new/", views.item_create, name="item_create"),
    # the problem list (问题清单) and the cards belong to one meeting: args [meeting.pk]
    path("meeting/<int:pk>/", views.meeting_entry, name="meeting"),
    path("meeting/<int:pk>/problems/", views.problem_list, name="problem_list"),
    path("meeting/<int:pk>/problems.xlsx", views.problem_list_export, name="problem_list_export"),
    path("meeting/<int:pk>/problems.pdf", views.problem_list_pdf, name="problem_list_pdf"),
    path("meeting/<int:pk>/problems/add/", views.problem_add, name="problem_add"),
    path("meeting/<int:pk>/problems/merge/", views.problem_merge, name="problem_merge"),
    path("meeting/<int:pk>/cards.pdf", views.cards_pdf, name="cards_pdf"),
    path("problem/<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("problem/<int:pk>/unmerge/", views.problem_unmerge, name="problem_unmerge"),
    path("problem/<int:pk>/theme/", views.problem_theme, name="problem_theme"),
    # one item: args [item.pk]
    path("item/<int:pk>/", views.item_detail, name="item_detail"),
    path("item/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("item/<int:pk>/progress/", views.item_progress, name="item_progress"),
    path("item/<int:pk>/submit/", views.item_submit, name="item_submit"),
    path("item/<int:pk>/close/", views.item_close, name="item_close"),
    path("item/<int:pk>/reopen/", views.item_reopen, name="item_reopen"),
    path("item/<int:pk>/follow-up/", views.item_follow_up, name="item_follow_up"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    # background printing: start for any node (branch … county), then a progress page
    path("print/<int:pk>/new/", views.print_job_start, name="print_job_start"),
    path("print/job/<int:pk>/", views.print_job, name="print_job"),
    path("print/job/<int:pk>/status/", views.print_job_status, name="print_job_status"),
    path("print/job/<int:pk>/download/", views.print_job_download, name="print_job_download"),
]
