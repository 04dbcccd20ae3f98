from django.urls import path

from tesla.api import views

# Real clients call these without a trailing slash; TolerantPathMiddleware serves both.
urlpatterns = [
    path("login", views.LoginView.as_view(), name="auth-login"),
    path("approle", views.AppRoleView.as_view(), name="auth-approle"),
    path("token", views.LauncherTokenView.as_view(), name="auth-token"),
    path("token/refresh", views.RefreshView.as_view(), name="auth-token-refresh"),
    path("logout", views.LogoutView.as_view(), name="auth-logout"),
    path("profile", views.ProfileView.as_view(), name="auth-profile"),
]
