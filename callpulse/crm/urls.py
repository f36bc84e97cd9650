from django.urls import path

from callpulse.crm import views

app_name = "crm"
urlpatterns = [
    path("", views.search, name="search"),
    path("<int:client_id>/", views.card, name="card"),
    path("new/", views.client_new, name="new"),
    path("<int:client_id>/assign/", views.client_assign, name="assign"),
]
