from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    """Workforce planning around callpulse.wfm: history, forecast, staffing, rosters, simulation."""

    name = "callpulse.workforce"
    label = "workforce"
    verbose_name = _("Workforce")
