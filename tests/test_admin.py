"""The Django admin covers every model, and each page opens."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from callpulse.core.tests.factories import AbsenceFactory
from callpulse.crm.tests.factories import ClientFactory, ContactFactory, PhoneFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("core", "crm", "telephony", "catalog", "orders", "sales", "campaigns", "workforce")


def test_every_model_of_ours_is_registered():
    ours = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    missing = [m._meta.label for m in ours if m not in admin.site._registry]
    assert not missing


def test_every_changelist_add_and_change_page_opens(admin_client, admin_user, rf):
    client = ClientFactory()
    PhoneFactory(client=client)
    ContactFactory(client=client)
    AbsenceFactory()
    request = rf.get("/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        assert admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
        if model_admin.has_add_permission(request):
            assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
        first = model.objects.first()
        if first is not None:
            url = reverse("admin:{}_{}_change".format(*info), args=[first.pk])
            assert admin_client.get(url).status_code == 200, info
