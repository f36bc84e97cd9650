"""The price columns of PRODUCT.md and which client types get them (all editable)."""

from django.db import migrations
from django.utils.translation import gettext_noop

COLUMNS = [
    ("retail", gettext_noop("Retail"), 10, ["retail", "new"]),
    ("wholesale", gettext_noop("Wholesale"), 20, ["marketer", "own_outlet"]),
    ("key", gettext_noop("Key"), 30, ["key"]),
    ("regional", gettext_noop("Regional"), 40, ["regional"]),
]


def create(apps, schema_editor):
    PriceColumn = apps.get_model("catalog", "PriceColumn")
    ClientType = apps.get_model("crm", "ClientType")
    for code, name, order, types in COLUMNS:
        column, _ = PriceColumn.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
        column.client_types.add(*ClientType.objects.filter(code__in=types))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial"), ("crm", "0002_client_types")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
