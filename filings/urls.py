app_name = "filings"

urlpatterns = []
