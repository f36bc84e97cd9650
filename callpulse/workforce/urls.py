from django.urls import path

from callpulse.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.home, name="home"),
    path("plan/", views.planner, name="planner"),
    path("history/import/", views.history_import, name="history-import"),
    path("history/from-calls/", views.history_calls, name="history-calls"),
    path("parameters/", views.parameters, name="parameters"),
    path("special-days/", views.special_day_add, name="special-day-add"),
    path("special-days/<int:pk>/delete/", views.special_day_delete, name="special-day-delete"),
    path("jobs/start/", views.job_start, name="job-start"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("schedules/<int:pk>/", views.schedule, name="schedule"),
    path("schedules/<int:pk>/publish/", views.schedule_publish, name="schedule-publish"),
    path("schedules/<int:pk>/unpublish/", views.schedule_unpublish, name="schedule-unpublish"),
    path("schedules/<int:pk>/shifts/", views.shift_add, name="shift-add"),
    path("schedules/<int:pk>/cover/<int:absence_pk>/", views.cover, name="cover"),
    path("shifts/<int:pk>/move/", views.shift_move, name="shift-move"),
    path("shifts/<int:pk>/delete/", views.shift_delete, name="shift-delete"),
    path("my-shifts/", views.my_shifts, name="my-shifts"),
    path("missing/", views.missing, name="missing"),
]
