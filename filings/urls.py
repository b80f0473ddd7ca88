from django.urls import path

from . import views

app_name = "filings"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("meetings/<int:meeting_pk>/<str:kind>/", views.filing_detail, name="detail"),
    path("meetings/<int:meeting_pk>/<str:kind>/submit/", views.filing_submit, name="submit"),
    path("<int:pk>/review/", views.filing_review, name="review"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("orgs/<int:org_pk>/review-level/", views.review_level, name="review_level"),
]
