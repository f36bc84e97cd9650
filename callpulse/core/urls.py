from django.contrib.auth import views as auth_views
from django.urls import path

from callpulse.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/presence/", views.staff_presence, name="staff-presence"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
