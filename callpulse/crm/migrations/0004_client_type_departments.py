"""Which department's head takes callers of each type who have no manager yet."""

from django.db import migrations

TYPE_DEPARTMENT = {
    "key": "wholesale",
    "marketer": "wholesale",
    "own_outlet": "retail",
    "retail": "retail",
    "regional": "regional",
    "new": "wholesale",
}


def assign(apps, schema_editor):
    ClientType = apps.get_model("crm", "ClientType")
    Department = apps.get_model("core", "Department")
    for code, department_code in TYPE_DEPARTMENT.items():
        department = Department.objects.filter(code=department_code).first()
        if department is not None:
            ClientType.objects.filter(code=code, department__isnull=True).update(
                department=department
            )


class Migration(migrations.Migration):
    dependencies = [("crm", "0003_client_type_department"), ("core", "0002_roles_and_departments")]
    operations = [migrations.RunPython(assign, migrations.RunPython.noop)]
