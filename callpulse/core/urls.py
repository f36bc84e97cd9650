from django.contrib.auth import views as auth_views
from django.urls import path

from callpulse.core import views
from callpulse.core.login_throttle import ThrottledLoginView

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/presence/", views.staff_presence, name="staff-presence"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
