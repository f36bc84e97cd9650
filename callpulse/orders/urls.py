from django.urls import path

from callpulse.orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("start/", views.order_start, name="start"),
    path("<int:order_id>/", views.order_screen, name="screen"),
    path("<int:order_id>/products/", views.product_search, name="products"),
    path("<int:order_id>/lines/", views.lines_set, name="lines"),
    path("<int:order_id>/lines/add/", views.line_add, name="line-add"),
    path("<int:order_id>/lines/<int:product_id>/remove/", views.line_remove, name="line-remove"),
    path("<int:order_id>/offers/", views.offer_record, name="offer"),
    path("<int:order_id>/terms/", views.terms_save, name="terms"),
    path("<int:order_id>/accept/", views.order_accept, name="accept"),
    path("<int:order_id>/hand-off/", views.order_hand_off, name="hand-off"),
    path("<int:order_id>/cancel/", views.order_cancel, name="cancel"),
    path("<int:order_id>/pick/", views.order_pick, name="pick"),
    path("<int:order_id>/ship/", views.order_ship, name="ship"),
    path("<int:order_id>/deliver/", views.order_deliver, name="deliver"),
]
