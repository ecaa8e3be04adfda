"""Portal: requests from the person and family, and feedback on a review.

A request is not a complaint (domain.md §2): it asks for a review, or tells the commissioner
about a worry, and the commissioner answers it. Feedback is one short form per person per
review, from everyone who took part.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ctr_portal import limits
from ctr_portal.models import Organisation
from ctr_portal.working_days import working_days_after
from reviews.models import Person, Review

from .policy import REPLY_WORKING_DAYS

USER = settings.AUTH_USER_MODEL


class Request(models.Model):
    class Kind(models.TextChoices):
        REVIEW = "review", "Asked for a review"
        WORRY = "worry", "Raised a worry"

    class State(models.TextChoices):
        OPEN = "open", "Waiting for a reply"
        ANSWERED = "answered", "Answered"

        @property
        def tag_colour(self) -> str:
            return {"open": "yellow", "answered": "green"}[self.value]

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="portal_requests")
    review = models.ForeignKey(
        Review,
        on_delete=models.PROTECT,
        related_name="portal_requests",
        help_text="The review whose page the request was made from.",
    )
    commissioner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="portal_requests",
        help_text="Who must answer: the review's commissioner.",
    )
    kind = models.CharField(max_length=10, choices=Kind)
    details = models.TextField("what you would like to tell us", max_length=limits.NOTE)
    made_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="portal_requests")
    made_by_role = models.CharField(max_length=40)
    on_behalf_of_person = models.BooleanField(
        default=False,
        help_text="Sent by an advocate or family carer for the person, in the person's words.",
    )
    at_risk = models.BooleanField(
        default=False, help_text="The sender said someone is being hurt or is at risk of harm."
    )
    urgent = models.BooleanField(
        default=False,
        help_text="Flagged to the commissioner the same day: the sender said someone is at "
        "risk, or the words suggest harm (portal/policy.py).",
    )
    made_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State, default=State.OPEN)
    answer = models.TextField("your reply", blank=True, max_length=limits.NOTE)
    answered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-made_at", "-pk"]
        indexes = [
            models.Index(fields=["commissioner", "state", "-made_at"], name="portal_request_org")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="open") | ~models.Q(answer=""),
                name="portal_request_answered_has_answer",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for person {self.person_id}"

    @property
    def state_colour(self) -> str:
        return self.State(self.state).tag_colour

    @property
    def reply_due(self):
        """The day a reply is promised by (portal/policy.py `REPLY_WORKING_DAYS`)."""
        return working_days_after(timezone.localdate(self.made_at), REPLY_WORKING_DAYS.value())

    @property
    def sender_description(self) -> str:
        """Who sent it, in the words the commissioner and the timeline show."""
        who = f"{self.made_by.display_name} ({self.made_by_role.lower()})"
        return f"{who}, for {self.person.known_as}" if self.on_behalf_of_person else who


class Score(models.IntegerChoices):
    """Four steps, the same for both questions, so the easy-read form can show them as faces."""

    NOT_AT_ALL = 1, "Not at all"
    A_LITTLE = 2, "A little"
    MOSTLY = 3, "Mostly"
    COMPLETELY = 4, "Completely"


class FeedbackGroup(models.TextChoices):
    """Whose view it is, for the commissioner's summary."""

    PERSON = "person", "The person"
    FAMILY = "family", "Family carers and advocates"
    PANEL = "panel", "Panel members"
    PROVIDER = "provider", "Providers"
    OTHER = "other", "Others who took part"


class Feedback(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="feedback")
    given_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    group = models.CharField(max_length=10, choices=FeedbackGroup)
    involved = models.PositiveSmallIntegerField("how involved did you feel?", choices=Score)
    clear = models.PositiveSmallIntegerField("was the information clear?", choices=Score)
    change = models.TextField(
        "is there anything we should change?", blank=True, max_length=limits.NOTE
    )
    easy_read = models.BooleanField(default=False, help_text="Given on the easy-read form.")
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "-given_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "given_by"], name="feedback_once_per_review"),
            models.CheckConstraint(
                condition=models.Q(involved__gte=1, involved__lte=4, clear__gte=1, clear__lte=4),
                name="feedback_scores_in_range",
            ),
        ]

    def __str__(self):
        return f"Feedback on review {self.review_id} ({self.get_group_display()})"
