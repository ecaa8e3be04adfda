"""Existing reviews meet as their place says: by video with only a link, mixed with a venue and
a link (the new field defaulted every row to in person)."""

from django.db import migrations
from django.db.models import Q


def forwards(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    has_link = ~Q(video_link="")
    Review.objects.filter(has_link, venue="").update(meeting_format="video")
    Review.objects.filter(has_link & ~Q(venue="")).update(meeting_format="mixed")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0014_review_meeting_format_and_calendar_sequence")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
