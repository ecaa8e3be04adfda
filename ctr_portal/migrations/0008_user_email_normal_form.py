"""Accounts are now looked up by equality with the address in its normal form (spaces around it
removed, A to Z in lower case): bring any address saved otherwise (through the admin) to it.
The case-insensitive unique constraint means no two accounts can end up with the same one."""

import string

from django.db import migrations

A_TO_Z_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def normalise_emails(apps, schema_editor):
    User = apps.get_model("ctr_portal", "User")
    for user in User.objects.only("pk", "email").iterator():
        normal = user.email.strip().translate(A_TO_Z_LOWER)
        if normal != user.email:
            User.objects.filter(pk=user.pk).update(email=normal)


class Migration(migrations.Migration):
    dependencies = [("ctr_portal", "0007_notification_cancelled")]

    operations = [migrations.RunPython(normalise_emails, migrations.RunPython.noop)]
