from django.contrib.auth import views as auth_views
from django.urls import path

from callpulse.core import views
from callpulse.core.login_throttle import ThrottledLoginView

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/presence/", views.staff_presence, name="staff-presence"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/count/", views.inbox_count, name="inbox-count"),
    path("inbox/read-all/", views.inbox_mark_all_read, name="inbox-read-all"),
    path("inbox/<int:notification_id>/read/", views.inbox_mark_read, name="inbox-read"),
    path("inbox/<int:notification_id>/open/", views.inbox_open, name="inbox-open"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
