from django.urls import path

from . import views

app_name = "documents"

# kind: report, record, self-review, problems (args [meeting.pk], a review's pk for self-review) or ledger
# ([branch.pk], with the ledger page's filters in the query string). ?red_header=1/0 and ?doc_number= set the
# 公文 options; the options page (documents:options) asks for them.
urlpatterns = [
    path("<slug:kind>/<int:pk>/", views.options, name="options"),
    path("<slug:kind>/<int:pk>.docx", views.download_docx, name="docx"),
    path("<slug:kind>/<int:pk>.pdf", views.download_pdf, name="pdf"),
]
