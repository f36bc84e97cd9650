from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """Outbound work: website callback requests, campaigns with scripts, do-not-call."""

    name = "callpulse.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")
