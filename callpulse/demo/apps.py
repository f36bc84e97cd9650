from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """A seeded generator of a realistic center for demos and benchmarks."""

    name = "callpulse.demo"
    label = "demo"
    verbose_name = _("Demo center")
