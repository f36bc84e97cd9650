from django.urls import path

from callpulse.telephony import views

app_name = "telephony"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("panel/", views.desk_panel, name="panel"),
    path("stream/", views.desk_stream, name="stream"),
    path("state/", views.desk_state, name="state"),
    path("calls/<int:call_id>/outcome/", views.call_outcome, name="outcome"),
    path("calls/<int:call_id>/transfer/", views.call_transfer, name="transfer"),
    path("calls/<int:call_id>/remark/", views.client_remark, name="remark"),
    path("calls/<int:call_id>/client/", views.call_client_create, name="client-create"),
    path("calls/<int:call_id>/client/existing/", views.call_client_choose, name="client-choose"),
    path("unlogged/", views.calls_unlogged, name="unlogged"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/take/", views.callback_take, name="callback-take"),
    path("dial/", views.dial_number, name="dial"),
    path("callbacks/<int:callback_id>/dial/", views.callback_dial, name="callback-dial"),
    path("callbacks/<int:callback_id>/settle/", views.callback_settle, name="callback-settle"),
]
