"""The national RBAC roles a CIS2 sign-in is let in with at first (ADR 0023). Administrators
add or remove roles in the admin."""

from django.db import migrations

ROLES = [
    ("R8000", "Clinical Practitioner Access Role", "Clinician"),
    ("R8001", "Nurse Access Role", "Nurse"),
    ("R8003", "Health Professional Access Role", "Health professional"),
    ("R8008", "Admin/Clinical Support Access Role", "Administrative and clinical support"),
    ("R8010", "Clerical Access Role", "Clerical"),
]


def add_roles(apps, schema_editor):
    StaffRole = apps.get_model("ctr_portal", "StaffRole")
    for code, national_name, job_title in ROLES:
        StaffRole.objects.get_or_create(
            code=code, defaults={"national_name": national_name, "job_title": job_title}
        )


def remove_roles(apps, schema_editor):
    StaffRole = apps.get_model("ctr_portal", "StaffRole")
    StaffRole.objects.filter(code__in=[code for code, _, _ in ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [("ctr_portal", "0016_sign_in_with_cis2_and_nhs_login")]

    operations = [migrations.RunPython(add_roles, remove_roles)]
