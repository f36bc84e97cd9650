from django.urls import path

from callpulse.sales import views

app_name = "sales"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/redecompose/", views.plan_redecompose, name="redecompose"),
    path("plans/<int:plan_id>/correct/", views.correct_target, name="correct"),
    path("plans/<int:plan_id>/weekly/", views.weekly, name="weekly"),
    path("plans/<int:plan_id>/payouts/", views.payouts, name="payouts"),
    path("plans/<int:plan_id>/payouts.xlsx", views.payouts_xlsx, name="payouts_xlsx"),
    path("standup/", views.standup, name="standup"),
    path("schemes/", views.schemes, name="schemes"),
    path("schemes/<int:scheme_id>/", views.schemes, name="scheme"),
    path("incidents/", views.incidents, name="incidents"),
    path("money/", views.money, name="money"),
]
