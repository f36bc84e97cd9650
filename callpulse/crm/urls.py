from django.urls import path

from callpulse.crm import views

app_name = "crm"
urlpatterns = [
    path("", views.search, name="search"),
    path("<int:client_id>/", views.card, name="card"),
    path("new/", views.client_new, name="new"),
    path("<int:client_id>/assign/", views.client_assign, name="assign"),
    path("<int:client_id>/credit-limit/", views.credit_limit_set, name="credit-limit"),
    path("<int:client_id>/credit-events/", views.credit_event_add, name="credit-event"),
]
