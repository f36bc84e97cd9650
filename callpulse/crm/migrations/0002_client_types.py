"""The client types of PRODUCT.md (editable afterwards)."""

from django.db import migrations
from django.utils.translation import gettext_noop

TYPES = [
    ("key", gettext_noop("Key client"), True, 10),
    ("marketer", gettext_noop("Marketer"), False, 20),
    ("own_outlet", gettext_noop("Own outlet"), False, 30),
    ("retail", gettext_noop("Retail"), False, 40),
    ("regional", gettext_noop("Regional"), False, 50),
    ("new", gettext_noop("New client"), False, 60),
]


def create(apps, schema_editor):
    ClientType = apps.get_model("crm", "ClientType")
    for code, name, is_key, order in TYPES:
        ClientType.objects.get_or_create(
            code=code, defaults={"name": name, "is_key": is_key, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
