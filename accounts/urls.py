from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import views

app_name = "accounts"

urlpatterns = [
    path("activate/", views.activate, name="activate"),
    path("password/forgot/", views.forgot_password, name="forgot_password"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("2fa/", include("accounts.two_factor_urls")),
]
