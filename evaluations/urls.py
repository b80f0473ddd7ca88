from django.urls import path

from . import room_views, views

app_name = "evaluations"

urlpatterns = [
    path("", views.evaluation_list, name="evaluation_list"),
    path("receipt/", views.receipt_check, name="receipt_check"),
    path("meeting/<int:meeting_pk>/new/", views.evaluation_create, name="evaluation_create"),
    path("<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("<int:pk>/edit/", views.evaluation_edit, name="evaluation_edit"),
    path("<int:pk>/roster/", views.evaluation_roster, name="evaluation_roster"),
    path("<int:pk>/close/", views.close_now, name="close_now"),
    path("meeting/<int:meeting_pk>/in-room/", room_views.in_room_open, name="in_room_open"),
    path("<int:pk>/screen/", room_views.screen, name="screen"),
    path("<int:pk>/voters/add/", room_views.voter_add, name="voter_add"),
    path("<int:pk>/peer/", room_views.peer_review, name="peer_review"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/paper/ballot.pdf", views.paper_ballot_pdf, name="paper_ballot_pdf"),
    path("<int:pk>/paper/voters/", views.paper_voters, name="paper_voters"),
    path("<int:pk>/paper/entry/", views.paper_entry, name="paper_entry"),
    path("<int:pk>/paper/totals/", views.paper_totals, name="paper_totals"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.xlsx", views.results_export, name="results_export"),
    path("<int:pk>/determination/", views.determination, name="determination"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/published/", views.published, name="published"),
    path("<int:pk>/mine/", views.my_result, name="my_result"),
    path("candidate/<int:candidate_pk>/follow-up/", views.follow_up, name="follow_up"),
]
