from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    """Calls: CTI events, the call registry, routing, agent states, callbacks."""

    name = "callpulse.telephony"
    label = "telephony"
    verbose_name = _("Calls")
