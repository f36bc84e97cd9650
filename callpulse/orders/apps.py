from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    """Order taking by phone: credit check, cross-sell offers, terms, notifications."""

    name = "callpulse.orders"
    label = "orders"
    verbose_name = _("Orders")
