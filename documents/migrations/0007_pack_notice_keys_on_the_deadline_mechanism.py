"""Pack reminders already queued or sent keep counting as sent: their outbox keys are rewritten
to the deadline mechanism's (ADR 0017), so the first sweep after this change does not remind
anyone of the same point again."""

import re
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, migrations, transaction

STAMP = r"(\d{4}-\d{2}-\d{2}T[0-9:.]+(?:[+-]\d{2}:\d{2}|Z)?)"
OLD = re.compile(rf"^pack-(reminder|deadline-passed):(\d+):(\w+):{STAMP}:(?:(\d+):)?(.+)$")


def _stamp(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def rewrite(apps, schema_editor):
    Notification = apps.get_model("ctr_portal", "Notification")
    for notification in Notification.objects.filter(idempotency_key__startswith="pack-"):
        match = OLD.match(notification.idempotency_key)
        if not match:
            continue
        kind, pack_id, deadline, due, days, email = match.groups()
        due = datetime.fromisoformat(due)
        if kind == "reminder":
            point = ("reminder", due - timedelta(days=int(days)))
        else:
            point = ("passed", due)
        notification.idempotency_key = (
            f"pack:{pack_id}:{deadline}:{_stamp(due)}:{point[0]}:{_stamp(point[1])}:{email.lower()}"
        )[:200]
        try:
            with transaction.atomic():
                notification.save(update_fields=["idempotency_key"])
        except IntegrityError:
            pass


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0006_checklists_version_2"),
        ("ctr_portal", "0007_notification_cancelled"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
