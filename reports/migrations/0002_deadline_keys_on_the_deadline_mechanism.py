"""Report reminders and late-report notices already queued or sent keep counting as sent:
their outbox keys are rewritten to the deadline mechanism's (ADR 0017), so the first check after
this change does not tell every commissioner of every late report again."""

import re
from datetime import timedelta

from django.db import IntegrityError, migrations, transaction

OLD = re.compile(r"^report-(reminder|late):(\d+):(?:(\d+):)?(.+)$")


def rewrite(apps, schema_editor):
    Notification = apps.get_model("ctr_portal", "Notification")
    Review = apps.get_model("reviews", "Review")
    Setting = apps.get_model("ctr_portal", "LocalPolicySetting")
    chosen = Setting.objects.filter(key="reports.due_days").values_list("value", flat=True)
    due_days = next(iter(chosen), None) or 14
    old = [
        (n, match)
        for n in Notification.objects.filter(idempotency_key__startswith="report-")
        if (match := OLD.match(n.idempotency_key))
    ]
    held = dict(
        Review.objects.filter(
            pk__in={int(m[2]) for _n, m in old}, held_on__isnull=False
        ).values_list("pk", "held_on")
    )
    for notification, match in old:
        kind, review_id, step, email = match[1], int(match[2]), match[3], match[4]
        if review_id not in held:
            continue
        due = held[review_id] + timedelta(days=due_days)
        point = due - timedelta(days=int(step)) if kind == "reminder" else due + timedelta(days=1)
        notification.idempotency_key = f"report:{review_id}:{due}:{kind}:{point}:{email}"[:200]
        try:
            with transaction.atomic():
                notification.save(update_fields=["idempotency_key"])
        except IntegrityError:
            pass


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial_report_tables"),
        ("ctr_portal", "0007_notification_cancelled"),
        ("reviews", "0012_index_review_person_state"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
