from django.urls import path

from callpulse.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.campaign_new, name="new"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/progress/", views.campaign_progress, name="progress"),
    path("<int:campaign_id>/export.<str:fmt>", views.campaign_export, name="export"),
    path("<int:campaign_id>/status/", views.campaign_status, name="status"),
    path("<int:campaign_id>/import/", views.campaign_import, name="import"),
    path("<int:campaign_id>/operators/", views.campaign_operators, name="operators"),
    path("<int:campaign_id>/work/", views.campaign_work, name="work"),
    path("<int:campaign_id>/work/next/", views.work_next, name="work-next"),
    path("<int:campaign_id>/work/dial/", views.work_dial, name="work-dial"),
    path("<int:campaign_id>/work/disposition/", views.work_disposition, name="work-disposition"),
    path("<int:campaign_id>/work/release/", views.work_release, name="work-release"),
    path("<int:campaign_id>/work/order/", views.work_order, name="work-order"),
    path("scripts/", views.scripts, name="scripts"),
    path("scripts/new/", views.script_edit, name="script-new"),
    path("scripts/<int:script_id>/", views.script_edit, name="script"),
    path("do-not-call/", views.dnc_list, name="dnc"),
    path("do-not-call/<int:entry_id>/remove/", views.dnc_remove, name="dnc-remove"),
    path("call-me-back/", views.call_me_back, name="call-me-back"),
    path("embed.js", views.embed_js, name="embed-js"),
]
