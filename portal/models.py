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


class Planner(models.Model):
    """The person's own planner for their review (NHS England's *My CTR Planner*): what they
    want the panel to know, in their words, filled in online a question at a time or typed in
    from the paper planner. One per review. What it says reaches the panel before the day,
    consent allowing, and the report's "what the person told us"."""

    class TakePart(models.TextChoices):
        IN_THE_ROOM = "in_the_room", "In the room, for all of it"
        PART = "part", "For part of it"
        VIDEO = "video", "By video"
        THROUGH_SOMEONE = "through_someone", "Someone I trust speaks for me"
        NOT_AT_ALL = "not_at_all", "I do not want to take part"

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="planner")
    about_me = models.TextField("about me", blank=True, max_length=limits.NOTE)
    important_to_me = models.TextField(
        "what is important to me", blank=True, max_length=limits.NOTE
    )
    going_well = models.TextField("what is going well", blank=True, max_length=limits.NOTE)
    not_going_well = models.TextField("what is not going well", blank=True, max_length=limits.NOTE)
    talk_about = models.TextField("what I want to talk about", blank=True, max_length=limits.NOTE)
    who_there = models.TextField("who I want there", blank=True, max_length=limits.NOTE)
    take_part = models.CharField(
        "how I want to take part", max_length=20, choices=TakePart, blank=True
    )
    what_helps = models.TextField("what helps me", blank=True, max_length=limits.NOTE)
    # Who wrote it down when it was not the person: a family carer or advocate helping, or the
    # commissioner typing in the paper planner that came back.
    helped_by = models.CharField("who helped", max_length=200, blank=True)
    from_paper = models.BooleanField("typed in from the paper planner", default=False)
    updated_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Planner for review {self.review_id}"

    @property
    def started(self) -> bool:
        return any(getattr(self, q.field) for q in PLANNER_QUESTIONS)


class PlannerQuestion:
    def __init__(self, slug, field, heading, question, hint, symbol):
        self.slug, self.field, self.heading = slug, field, heading
        self.question, self.hint, self.symbol = question, hint, symbol


# The planner's questions, in the booklet's order, each in easy read with its symbol.
PLANNER_QUESTIONS = [
    PlannerQuestion(
        "about-me",
        "about_me",
        "About me",
        "What would you like the people at your review to know about you?",
        "For example, what you like doing, and what you are good at.",
        "people",
    ),
    PlannerQuestion(
        "important",
        "important_to_me",
        "What is important to me",
        "What is important to you?",
        "For example, seeing your family, your room, your music.",
        "thanks",
    ),
    PlannerQuestion(
        "going-well",
        "going_well",
        "What is going well",
        "What is going well for you at the moment?",
        "",
        "thanks",
    ),
    PlannerQuestion(
        "not-going-well",
        "not_going_well",
        "What is not going well",
        "What is not going well for you at the moment?",
        "You can say anything. The panel will listen.",
        "talk",
    ),
    PlannerQuestion(
        "talk-about",
        "talk_about",
        "What I want to talk about",
        "What do you want to talk about at your review?",
        "For example, going home, your medicine, your family.",
        "talk",
    ),
    PlannerQuestion(
        "who-there",
        "who_there",
        "Who I want there",
        "Who do you want to be at your review?",
        "For example, your mum, your advocate, someone from the ward.",
        "people",
    ),
    PlannerQuestion(
        "take-part",
        "take_part",
        "How I want to take part",
        "How do you want to take part in your review?",
        "",
        "clock",
    ),
    PlannerQuestion(
        "what-helps",
        "what_helps",
        "What helps me",
        "What helps you at your review?",
        "For example, breaks, a quiet room, pictures, someone with you.",
        "pencil",
    ),
]


class Booklets(models.Model):
    """Whether the person had NHS England's two booklets before their review (*My Care and
    Treatment Review* and *My CTR Planner*: the service's easy-read pages and the printed
    planner), how and when; or why not. The review is not ready until this is recorded."""

    class How(models.TextChoices):
        POST = "post", "Posted to them"
        HAND = "hand", "Given by hand (by their keyworker, advocate or the ward)"
        EMAIL = "email", "Sent by email or as a link"
        TOGETHER = "together", "Read through together with them"
        NOT_GIVEN = "not_given", "They did not have them"

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="booklets")
    how = models.CharField("how they had them", max_length=20, choices=How)
    given_on = models.DateField("when they had them", null=True, blank=True)
    reason_not_given = models.TextField(
        "why they did not have them", blank=True, max_length=limits.NOTE
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "booklets"
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(how="not_given") & models.Q(given_on__isnull=False))
                | (models.Q(how="not_given") & ~models.Q(reason_not_given="")),
                name="booklets_when_or_why_not",
            )
        ]

    def __str__(self):
        return f"Booklets for review {self.review_id}: {self.get_how_display()}"
