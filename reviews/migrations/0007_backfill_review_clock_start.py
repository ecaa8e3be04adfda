"""Reviews planned before the clock's start was stored: the day they were planned is the best
record there is of when a community or requested review's clock (or an event review's event)
began. New reviews store it when planned."""

from django.db import migrations
from django.utils import timezone

CLOCK_KINDS = ("community", "requested", "event_triggered")


def backfill(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    for review in Review.objects.filter(kind__in=CLOCK_KINDS, clock_start__isnull=True):
        review.clock_start = timezone.localdate(review.created_at)
        review.save(update_fields=["clock_start"])


class Migration(migrations.Migration):
    dependencies = [("reviews", "0006_review_clock_and_person_history")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
