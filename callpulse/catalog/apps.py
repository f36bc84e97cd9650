from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Products, new and promoted items, price lists and their columns, discount rules."""

    name = "callpulse.catalog"
    label = "catalog"
    verbose_name = _("Catalog")
