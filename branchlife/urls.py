from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from lifecycle import urls as lifecycle_urls
from meetings import urls as meetings_urls
from organizations import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("organizations.urls")),
    path("meetings/", include((meetings_urls.urlpatterns + lifecycle_urls.urlpatterns, "meetings"))),
    path("activities/", include("activities.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("rectification/", include("rectification.urls")),
    path("filings/", include("filings.urls")),
    path("notifications/", include("notifications.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("documents/", include("documents.urls")),
]

# The 500 page stands alone and shows the request's id (branchlife.errors); 403 and 404 are templates/.
handler500 = "branchlife.errors.server_error"
handler400 = "branchlife.errors.bad_request"

# The Django admin is the operators' tool (superusers on the server), not an officer's: officers,
# secretaries and supervisors manage people in the app itself, where the permission module scopes them.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = "Branchlife 管理"
admin.site.site_title = "Branchlife"
