"""The fixed roles, and the departments every center starts with (editable afterwards)."""

from django.db import migrations
from django.utils.translation import gettext_noop

ROLES = [
    "operator",
    "mentor",
    "supervisor",
    "head_of_sales",
    "account_manager",
    "department_head",
    "finance",
    "workforce_planner",
    "qa_specialist",
    "trainer",
    "analyst",
    "director",
]

# Names are stored in English and shown through the translation catalogue.
DEPARTMENTS = [
    ("wholesale", gettext_noop("Wholesale")),
    ("retail", gettext_noop("Retail")),
    ("regional", gettext_noop("Regional sales")),
    ("service_desk", gettext_noop("Service desk")),
    ("contact_center", gettext_noop("Contact center")),
    ("finance", gettext_noop("Finance")),
]


def create(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    Department = apps.get_model("core", "Department")
    for code in ROLES:
        Role.objects.get_or_create(code=code)
    for code, name in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
