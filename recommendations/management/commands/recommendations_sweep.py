"""manage.py recommendations_sweep [--dry-run] [--today YYYY-MM-DD]: the reminder sweep, once."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from recommendations.services import recommendations_sweep


class Command(BaseCommand):
    help = (
        "Queue every recommendation reminder, escalation and weekly digest due today, once "
        "(for operators, and for cron where Celery beat does not run). Safe beside beat's sweep."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print what would be sent and escalated, and change nothing",
        )
        parser.add_argument("--today", help="sweep as on this date (YYYY-MM-DD); default today")

    def handle(self, *args, dry_run=False, today=None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("--today must be a date written YYYY-MM-DD") from None
        result = recommendations_sweep(today=day, dry_run=dry_run)
        for line in result.lines:
            self.stdout.write(line)
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(
            f"{verb} {result.sent} reminder(s) and {result.digests} digest(s); "
            f"{'would escalate' if dry_run else 'escalated'} {result.escalated}; "
            f"looked at {result.looked_at} recommendation(s)."
            + (" Nothing was changed." if dry_run else "")
        )
