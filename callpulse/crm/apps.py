from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    """Clients, their contacts and numbers, types, account managers, receivables."""

    name = "callpulse.crm"
    label = "crm"
    verbose_name = _("Clients")
