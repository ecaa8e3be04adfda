"""Feedback invitations already queued or sent keep counting as sent: their outbox keys are
rewritten to the deadline mechanism's (ADR 0017), so the first sweep after this change does not
invite everyone again."""

from django.db import IntegrityError, migrations, transaction


def rewrite(apps, schema_editor):
    Notification = apps.get_model("ctr_portal", "Notification")
    Review = apps.get_model("reviews", "Review")
    old = list(Notification.objects.filter(idempotency_key__regex=r"^feedback:\d+:\d+$"))
    held = dict(
        Review.objects.filter(
            pk__in={int(n.idempotency_key.split(":")[1]) for n in old}, held_on__isnull=False
        ).values_list("pk", "held_on")
    )
    for notification in old:
        review_id = int(notification.idempotency_key.split(":")[1])
        if review_id not in held:
            continue
        day = held[review_id].isoformat()
        notification.idempotency_key = (
            f"feedback:{review_id}:{day}:invitation:{day}:{notification.recipient.lower()}"
        )[:200]
        try:
            with transaction.atomic():
                notification.save(update_fields=["idempotency_key"])
        except IntegrityError:
            pass  # two participants with one address: the first already stands for both


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_requests_and_feedback"),
        ("ctr_portal", "0007_notification_cancelled"),
        ("reviews", "0012_index_review_person_state"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
