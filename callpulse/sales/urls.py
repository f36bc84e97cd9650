from django.urls import path

from callpulse.sales import views

app_name = "sales"
urlpatterns = [
    path("", views.home, name="home"),
]
