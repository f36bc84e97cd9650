"""The catalog in the admin for its editors, without is_staff (issue #14, item 5).

The head of sales and the director enter the admin and see the catalog there, and nothing
else: users, roles, tokens and the rest stay behind Django's model permissions.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client as PageClient
from django.urls import reverse

from callpulse.catalog.models import Price
from callpulse.catalog.tests.factories import make_catalog
from callpulse.core.models import User

pytestmark = pytest.mark.django_db

NOT_THEIRS = (
    "admin:core_user_changelist",
    "admin:core_role_changelist",
    "admin:core_absence_changelist",
    "admin:authtoken_tokenproxy_changelist",
    "admin:crm_client_changelist",
    "admin:auth_group_changelist",
)


def _pages(user: User) -> PageClient:
    pages = PageClient()
    pages.force_login(user)
    return pages


@pytest.mark.parametrize("role", ["head_of_sales", "director"])
def test_a_catalog_editor_changes_a_price_in_the_admin(make_user, role):
    editor = make_user(role)
    assert not editor.is_staff
    price = Price.objects.filter(product=make_catalog(skus=1)[0]).first()
    assert price is not None
    response = _pages(editor).post(
        reverse("admin:catalog_price_change", args=[price.pk]),
        {
            "price_list": price.price_list_id,
            "product": price.product_id,
            "column": price.column_id,
            "amount": "1234.50",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    price.refresh_from_db()
    assert price.amount == Decimal("1234.50")


def test_a_catalog_editor_sees_only_the_catalog_in_the_admin(make_user):
    pages = _pages(make_user("head_of_sales"))
    index = pages.get(reverse("admin:index"))
    assert index.status_code == 200
    assert {app["app_label"] for app in index.context["app_list"]} == {"catalog"}
    for name in NOT_THEIRS:
        assert pages.get(reverse(name)).status_code == 403, name


@pytest.mark.parametrize(
    "role", ["operator", "supervisor", "finance", "account_manager", "department_head"]
)
def test_other_roles_are_sent_to_the_admins_sign_in(make_user, role):
    pages = _pages(make_user(role))
    response = pages.get(reverse("admin:catalog_price_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_staff_without_the_rule_do_not_edit_the_catalog(make_user):
    staff = make_user("operator", is_staff=True)
    assert _pages(staff).get(reverse("admin:catalog_price_changelist")).status_code == 403


def test_the_menu_shows_the_catalog_to_its_editors_only(make_user):
    url = reverse("admin:catalog_product_changelist")
    head = _pages(make_user("head_of_sales")).get(reverse("home")).content.decode()
    operator = _pages(make_user("operator")).get(reverse("home")).content.decode()
    assert f'href="{url}"' in head
    assert f'href="{url}"' not in operator
