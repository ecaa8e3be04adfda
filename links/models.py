"""Printable letters for someone reached through their keyworker or on paper: made in the
worker as a PDF (easy read or large print where the person's consent record says so), downloaded
by the commissioner, and handed over, with who handed it over and when recorded."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ctr_portal import limits

USER = settings.AUTH_USER_MODEL


def letter_storage():
    """Letters are kept where documents are (never served by URL: the download view reads them)."""
    from django.core.files.storage import storages

    return storages["documents"]


class Letter(models.Model):
    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation to the review"
        REPORT = "report", "The review's report"
        PLAN = "plan", "How the action plan is going"

    class Format(models.TextChoices):
        STANDARD = "standard", "Standard"
        EASY_READ = "easy_read", "Easy read, 18 point"
        LARGE_PRINT = "large_print", "Large print, 18 point"

    class State(models.TextChoices):
        PENDING = "pending", "Being made"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Could not be made"

    participant = models.ForeignKey(
        "reviews.Participant", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    format = models.CharField(max_length=20, choices=Format, default=Format.STANDARD)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    file = models.FileField(storage=letter_storage, upload_to="letters/", blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    handed_over_by = models.CharField(
        "who handed it over",
        max_length=150,
        blank=True,
        help_text="For example, the person's keyworker, or 'posted first class'.",
    )
    handed_over_on = models.DateField("date it was handed over", null=True, blank=True)
    handover_recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, max_length=limits.NOTE)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(handed_over_on__isnull=True) | ~models.Q(handed_over_by=""),
                name="letter_handover_says_who",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} letter for participant {self.participant_id}"
