from django.contrib.auth import views as auth_views
from django.urls import path

from callpulse.core import staff_views, views
from callpulse.core.login_throttle import ThrottledLoginView

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/presence/", views.staff_presence, name="staff-presence"),
    path("staff/absences/", staff_views.absences, name="absences"),
    path(
        "staff/absences/<int:absence_id>/delete/",
        staff_views.absence_delete,
        name="absence-delete",
    ),
    path("staff/teams/", staff_views.teams, name="teams"),
    path("staff/teams/<int:team_id>/", staff_views.team, name="team"),
    path("staff/teams/<int:team_id>/mentors/", staff_views.team_mentor, name="team-mentor"),
    path(
        "staff/teams/<int:team_id>/mentorships/<int:mentorship_id>/end/",
        staff_views.team_mentorship_end,
        name="team-mentorship-end",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/count/", views.inbox_count, name="inbox-count"),
    path("inbox/read-all/", views.inbox_mark_all_read, name="inbox-read-all"),
    path("inbox/<int:notification_id>/read/", views.inbox_mark_read, name="inbox-read"),
    path("inbox/<int:notification_id>/open/", views.inbox_open, name="inbox-open"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
