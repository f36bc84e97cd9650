from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Sales plans and motivation: plans, daily targets with carry-over, plan vs fact, bonuses."""

    name = "callpulse.sales"
    label = "sales"
    verbose_name = _("Sales plans")
