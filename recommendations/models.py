"""Recommendations: fields, constraints, QuerySet methods and values derived from the row itself.

A recommendation is SMART (domain.md §1, §10): a specific action in plain words, a named person
responsible (an account, or a named contact with organisation and email, never "the provider"),
how everyone will know it is done, and a due date after the review. Its state moves through
`TRANSITIONS`; "overdue" is derived from the due date and never stored. Every change is a
`RecommendationUpdate` row, so the history is the table, not a log line.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ctr_portal import limits
from ctr_portal.models import Organisation
from documents.models import DocumentKind, ScanStatus, document_storage
from panels.models import CarriedRecommendation, Kloe
from reviews.models import Review

USER = settings.AUTH_USER_MODEL

ACTION_TEXT = 1_000  # "Arrange a housing assessment with the local authority by 3 March"


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_OWNER = "awaiting_owner", "Waiting for the owner to accept"
    DISPUTED = "disputed", "Disputed by the owner"
    AGREED = "agreed", "Agreed"
    IN_PROGRESS = "in_progress", "In progress"
    DONE_CLAIMED = "done_claimed", "Marked done — waiting for the commissioner to check"
    DONE = "done", "Done"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    SUPERSEDED = "superseded", "Superseded"

    @property
    def tag_colour(self) -> str:
        return {
            "draft": "grey",
            "awaiting_owner": "yellow",
            "disputed": "orange",
            "agreed": "blue",
            "in_progress": "blue",
            "done_claimed": "aqua-green",
            "done": "green",
            "not_achieved": "red",
            "superseded": "grey",
        }[self.value]


# Where each state may go next (the services check this under a row lock).
TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.AWAITING_OWNER, State.SUPERSEDED},
    State.AWAITING_OWNER: {State.AGREED, State.DISPUTED, State.DRAFT, State.SUPERSEDED},
    State.DISPUTED: {State.DRAFT, State.AWAITING_OWNER, State.AGREED, State.SUPERSEDED},
    # Done is the owner's claim first; the commissioner confirms it (done) or sends it back (in
    # progress); a confirmed one may be reopened (in progress again), with a reason (issue 21).
    State.AGREED: {
        State.IN_PROGRESS,
        State.DONE_CLAIMED,
        State.NOT_ACHIEVED,
        State.SUPERSEDED,
    },
    State.IN_PROGRESS: {State.DONE_CLAIMED, State.NOT_ACHIEVED, State.SUPERSEDED},
    State.DONE_CLAIMED: {State.DONE, State.IN_PROGRESS, State.SUPERSEDED},
    State.DONE: {State.IN_PROGRESS},
    State.NOT_ACHIEVED: set(),
    State.SUPERSEDED: set(),
}

# States in which the owner is still expected to act: reminders and "overdue" apply to these.
OPEN_STATES = (State.AWAITING_OWNER, State.DISPUTED, State.AGREED, State.IN_PROGRESS)
CLOSED_STATES = (State.DONE, State.NOT_ACHIEVED, State.SUPERSEDED)
# Neither open nor closed: the owner says it is done and the commissioner has still to check. The
# owner is not reminded of it; the review cannot close on it.


# --- SMART, as rules on the values (the form and the services both ask) ---------------------

# Words that make a recommendation an aspiration rather than a task someone can do.
ASPIRATIONS = (
    "should be considered",
    "consider ",
    "it would be",
    "would be good",
    "would be nice",
    "ideally",
    "hopefully",
    "aspire",
    "where possible",
    "if possible",
    "look into",
    "think about",
)
# Who is not a named person: a team, a service or an organisation.
NOT_A_PERSON = {
    "provider",
    "the provider",
    "hospital",
    "the hospital",
    "ward",
    "the ward",
    "team",
    "the team",
    "mdt",
    "the mdt",
    "staff",
    "commissioner",
    "the commissioner",
    "icb",
    "the icb",
    "local authority",
    "the local authority",
    "la",
    "council",
    "the council",
    "school",
    "everyone",
    "all",
    "tbc",
    "tbd",
    "unknown",
}
# A measure that says nothing about how anyone will know the action is done (issue 23).
EMPTY_MEASURES = {
    "n/a",
    "na",
    "n.a",
    "not applicable",
    "none",
    "nil",
    "yes",
    "no",
    "ok",
    "done",
    "complete",
    "completed",
    "ongoing",
    "on going",
    "on-going",
    "in progress",
    "continue",
    "continuing",
    "monitor",
    "monitoring",
    "as above",
    "see above",
    "as discussed",
    "as agreed",
    "as required",
    "as needed",
    "when done",
    "when complete",
    "tbc",
    "tbd",
    "to be confirmed",
    "to be decided",
    "unknown",
    "?",
}
# Fewer words than this cannot say who will see what (the shortest real one: "Plan signed by Sam").
MEASURE_MIN_WORDS = 3


@dataclass(frozen=True)
class SmartExamples:
    """The examples in a recommendation's hints and messages, naming this review's person and
    organisations rather than someone else's."""

    good: str
    bad: str
    measure: str


def smart_examples(review=None) -> SmartExamples:
    """Examples for `review`: the person by the name they go by, and the local authority (or
    else the provider, or the commissioner) as the organisation that would act."""
    name, organisation = "the person", "the local authority"
    if review is not None:
        person = review.person
        name = person.known_as
        place = person.local_authority or review.provider or review.commissioner
        organisation = place.name if place is not None else organisation
    return SmartExamples(
        good=f"Arrange a housing assessment with {organisation} and share the result with "
        f"{name} and their family",
        bad=f"{name}'s housing options should be considered",
        measure=f"The assessment report is shared with {name} and their family",
    )


def timescale_phrase(timescale: str) -> str:
    """", within 1 week" from a panel member's suggested timescale ("1 week", or "within 1
    week", or "by March"), never "within within"."""
    text = " ".join((timescale or "").split())
    if not text:
        return ""
    if text.lower().split()[0] in ("within", "by", "in", "before", "after", "from", "no", "asap"):
        return f", {text}"
    return f", within {text}"


def smart_problems(
    *,
    review_date: date,
    action: str = "",
    measure: str = "",
    for_whom: str = "",
    kloe_count: int = 0,
    owner=None,
    owner_name: str = "",
    owner_organisation: str = "",
    owner_email: str = "",
    due_date: date | None = None,
    progress_check_date: date | None = None,
    long_action_days: int = 91,
    examples: SmartExamples | None = None,
) -> dict[str, str]:
    """What stops a recommendation being SMART, as {field: message}; empty when it is.
    `examples` name the review's person and organisations in the messages."""
    examples = examples or smart_examples()
    problems = {}
    if kloe_count < 1:
        problems["kloes"] = "Select the key lines of enquiry this recommendation answers"
    problems.update(_action_problems(action, examples))
    problems.update(_measure_problems(measure, examples))
    if not for_whom:
        problems["for_whom"] = "Select who the recommendation is for"
    problems.update(_owner_problems(owner, owner_name, owner_organisation, owner_email))
    problems.update(date_problems(review_date, due_date, progress_check_date, long_action_days))
    return problems


def _measure_problems(measure: str, examples: SmartExamples) -> dict[str, str]:
    """A measure must say how anyone will know the action is done: "n/a", "yes", "ongoing" and
    their like say nothing (Measurable, in SMART)."""
    text = " ".join((measure or "").split())
    if not text:
        return {"measure": "Enter how everyone will know it is done"}
    said = text.lower().strip(" .!-–")
    if said in EMPTY_MEASURES or len(text.split()) < MEASURE_MIN_WORDS:
        return {
            "measure": f"Say what anyone will see when it is done; '{text[:40]}' does not say. "
            f"For example, '{examples.measure}'"
        }
    return {}


def _action_problems(action: str, examples: SmartExamples) -> dict[str, str]:
    text = " ".join((action or "").split())
    if not text:
        return {"action": "Enter what will be done"}
    lowered = f" {text.lower()} "
    if any(f" {phrase}" in lowered for phrase in ASPIRATIONS):
        return {
            "action": "Write a task someone will do, not an aspiration: start with what they "
            f"will do, for example '{examples.good}'"
        }
    if len(text.split()) < 4:
        return {"action": "Say exactly what will be done, in a sentence"}
    return {}


def _owner_problems(owner, name, organisation, email) -> dict[str, str]:
    if owner is not None:
        return {}
    name, organisation, email = (v.strip() for v in (name or "", organisation or "", email or ""))
    if not (name or organisation or email):
        return {
            "owner": "Select the person responsible, or enter the name, organisation and email "
            "address of someone not listed"
        }
    problems = {}
    if not name:
        problems["owner_name"] = "Enter the name of the person responsible"
    elif name.lower().strip(". ") in NOT_A_PERSON or len(name.split()) < 2:
        problems["owner_name"] = (
            "Enter the full name of one person, not a team or organisation such as 'the provider'"
        )
    if not organisation:
        problems["owner_organisation"] = "Enter the organisation the person responsible works for"
    if not email:
        problems["owner_email"] = "Enter the email address of the person responsible"
    return problems


def date_problems(review_date, due_date, check_date, long_action_days) -> dict[str, str]:
    if due_date is None:
        return {"due_date": "Enter the date this will be done by"}
    problems = {}
    when = f"{review_date.day} {review_date:%B %Y}"
    if due_date <= review_date:
        problems["due_date"] = f"The date this will be done by must be after the review on {when}"
    if check_date is None:
        if (due_date - review_date).days > long_action_days:
            problems["progress_check_date"] = (
                "Enter a date to check progress: this action takes more than 3 months"
            )
    elif check_date <= review_date:
        problems["progress_check_date"] = (
            f"The date to check progress must be after the review on {when}"
        )
    elif check_date >= due_date:
        problems["progress_check_date"] = (
            "The date to check progress must be before the date it will be done by"
        )
    return problems


class Priority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    ROUTINE = "routine", "Routine"


class ForWhom(models.TextChoices):
    """Who the recommendation is for: whose life or work it changes."""

    PERSON = "person", "The person"
    FAMILY = "family", "Family"
    PROVIDER = "provider", "Provider"
    COMMISSIONER = "commissioner", "Commissioner"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    EDUCATION = "education", "Education"


class RecommendationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today: date):
        return self.open().filter(due_date__lt=today)

    def awaiting_answer(self):
        """Sent to the owner and not yet accepted or disputed (issue 21): the reminder mechanism
        reminds these owners from `accept_by`, and the review's page lists them."""
        return self.filter(state=State.AWAITING_OWNER)

    def answer_late(self, today: date):
        """Not answered by the date the owner was asked to accept or dispute it by."""
        return self.awaiting_answer().filter(accept_by__lt=today)

    def done_to_check(self):
        """Marked done by the owner, waiting for the commissioner to confirm or send back."""
        return self.filter(state=State.DONE_CLAIMED)


class Recommendation(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="recommendations")
    number = models.PositiveSmallIntegerField(help_text="1, 2, 3… within the review.")
    kloes = models.ManyToManyField(Kloe, related_name="+", verbose_name="KLOEs")
    carried = models.ForeignKey(
        CarriedRecommendation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        help_text="The panel member's suggestion this was drafted from.",
    )

    action = models.TextField("what will be done", max_length=ACTION_TEXT)
    # The same action in plain words, written by the chair for the person (issue 22): the easy
    # read and the portal show it instead of the professional wording. Issuing waits for it.
    plain_words = models.TextField(
        "in plain words, for the person", blank=True, max_length=ACTION_TEXT
    )
    measure = models.TextField("how everyone will know it is done", max_length=limits.NOTE)
    for_whom = models.CharField("who it is for", max_length=20, choices=ForWhom)
    priority = models.CharField(max_length=10, choices=Priority, default=Priority.ROUTINE)

    # The named person responsible: an account, or a contact who has none.
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="recommendations"
    )
    owner_name = models.CharField("owner's name", max_length=150, blank=True)
    owner_organisation = models.CharField("owner's organisation", max_length=200, blank=True)
    # Their job title or role, so that the report names who they are as well as where they work
    # (an account owner's is copied from their membership).
    owner_role = models.CharField("owner's job title or role", max_length=150, blank=True)
    owner_email = models.EmailField("owner's email address", blank=True)

    # The panel member's suggestion as carried forward, shown to the chair while they write.
    suggested_owner = models.CharField(max_length=200, blank=True)
    suggested_timescale = models.CharField(max_length=100, blank=True)

    # A draft made in one click from a suggestion may still lack its date and named owner: the
    # rules below ask for them from the moment it leaves the chair (sent to the owner).
    due_date = models.DateField(null=True, blank=True)
    progress_check_date = models.DateField(null=True, blank=True)

    state = models.CharField(max_length=20, choices=State, default=State.DRAFT)
    accept_by = models.DateField(
        "accept or dispute by",
        null=True,
        blank=True,
        help_text="Set when it is sent to the owner (policy.ACCEPT_WITHIN_WORKING_DAYS).",
    )
    remit_confirmed_at = models.DateTimeField(null=True, blank=True)
    dispute_reason = models.TextField(blank=True, max_length=limits.NOTE)
    outcome_note = models.TextField(
        blank=True, max_length=limits.LONG_NOTE, help_text="Evidence it was done, or why not."
    )
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    escalated_to = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalated_recommendations",
        limit_choices_to={"kind": Organisation.Kind.OVERSIGHT_PANEL},
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_reason = models.TextField(blank=True, max_length=limits.NOTE)

    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    reminders_next_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The next day the reminder sweep looks at it; empty: the next sweep.",
    )

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["review", "number"]
        indexes = [
            models.Index(fields=["owner", "state", "due_date"], name="rec_owner_state_due"),
            models.Index(fields=["state", "due_date"], name="rec_state_due"),
            models.Index(fields=["escalated_to", "state"], name="rec_escalated"),
            models.Index(fields=["reminders_next_on", "state"], name="rec_reminders_next"),
            # The tracker: a commissioner's reviews' recommendations counted by state, listed
            # by due date and by owner's organisation, read from the index alone on PostgreSQL
            # (issue 13, bench/RESULTS.md).
            models.Index(
                fields=["review", "state", "due_date"],
                include=["id", "number", "owner_organisation"],
                name="rec_review_state_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="rec_number_unique"),
            models.CheckConstraint(
                condition=Q(state="draft")
                | Q(owner__isnull=False)
                | (~Q(owner_name="") & ~Q(owner_organisation="") & ~Q(owner_email="")),
                name="rec_named_owner",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(due_date__isnull=False), name="rec_due_date"
            ),
            models.CheckConstraint(
                condition=~Q(state="superseded") | Q(superseded_by__isnull=False),
                name="rec_superseded_by",
            ),
            models.CheckConstraint(
                condition=Q(escalated_to__isnull=True) | Q(escalated_at__isnull=False),
                name="rec_escalated_when",
            ),
        ]

    def __str__(self):
        return f"Recommendation {self.number}: {self.action[:60]}"

    @property
    def owner_display(self) -> str:
        """ "Sam Whitfield, ward manager, Riverside Hospital": the owner with their role, where
        it is known, and their organisation."""
        if not self.owner_id and not self.owner_name:
            return "Not named yet"
        name = self.owner_name or self.owner.display_name
        return ", ".join(part for part in (name, self.owner_role, self.owner_organisation) if part)

    @property
    def owner_address(self) -> str:
        """Where the owner's notices go."""
        return self.owner.email if self.owner_id else self.owner_email

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_closed(self) -> bool:
        """Done, not achieved or superseded (a done waiting for its check is neither open nor
        closed)."""
        return self.state in CLOSED_STATES

    @property
    def state_colour(self) -> str:
        return State(self.state).tag_colour

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    def is_overdue(self, today: date | None = None) -> bool:
        return (
            self.is_open
            and self.due_date is not None
            and self.due_date < (today or timezone.localdate())
        )

    def days_overdue(self, today: date | None = None) -> int:
        if self.due_date is None:
            return 0
        return max(0, ((today or timezone.localdate()) - self.due_date).days)

    def can_move_to(self, state: str) -> bool:
        return state in TRANSITIONS[self.state]


class RecommendationUpdate(models.Model):
    """One change to a recommendation, written once: who, when, what and a note."""

    class Kind(models.TextChoices):
        CREATED = "created", "Drafted"
        EDITED = "edited", "Changed"
        SENT = "sent", "Sent to the owner"
        ACCEPTED = "accepted", "Accepted by the owner"
        DISPUTED = "disputed", "Disputed by the owner"
        RESOLVED = "resolved", "Dispute resolved"
        PROGRESS = "progress", "Progress"
        DUE_DATE_CHANGED = "due_date_changed", "Due date changed"
        DONE_CLAIMED = "done_claimed", "Marked done — waiting for the commissioner to check"
        DONE = "done", "Done — confirmed by the commissioner"
        SENT_BACK = "sent_back", "Sent back to the owner: not done yet"
        REOPENED = "reopened", "Reopened"
        NOT_ACHIEVED = "not_achieved", "Not achieved"
        SUPERSEDED = "superseded", "Superseded"
        ESCALATED = "escalated", "Escalated to the oversight panel"
        PANEL_DECISION = "panel_decision", "Oversight panel's decision"
        PANEL_ACTION = "panel_action", "Oversight panel's action"
        ESCALATION_CLOSED = "escalation_closed", "Escalation closed"

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="updates"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)
    from_state = models.CharField(max_length=20, choices=State, blank=True)
    to_state = models.CharField(max_length=20, choices=State, blank=True)
    note = models.TextField(blank=True, max_length=limits.LONG_NOTE)

    class Meta:
        ordering = ["recommendation", "occurred_at", "pk"]
        indexes = [models.Index(fields=["recommendation", "-occurred_at"], name="rec_update_time")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.recommendation_id})"


class FollowUpCheck(models.Model):
    """The commissioner's post-review check: what was found and what happens next."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="follow_up_checks")
    checked_on = models.DateField()
    found = models.TextField("what was found", max_length=limits.LONG_NOTE)
    next_steps = models.TextField("what happens next", max_length=limits.NOTE)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "-checked_on", "-pk"]

    def __str__(self):
        return f"Follow-up check of review {self.review_id} on {self.checked_on}"


class EvidenceFile(models.Model):
    """A file that shows a recommendation was done, checked by content and stored by the
    documents app's upload checks (`documents.services.evidence_file_store`) under a random name
    outside the web root; served only through a permission-checked view, as an attachment."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="evidence_files"
    )
    update = models.ForeignKey(
        RecommendationUpdate, on_delete=models.PROTECT, related_name="evidence_files"
    )
    file = models.FileField(storage=document_storage, max_length=200, unique=True)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=DocumentKind)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scan_status = models.CharField(max_length=20, choices=ScanStatus)
    # None: uploaded by an owner without an account, through a single-purpose link.
    uploaded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    not_for_family = models.BooleanField(
        "not for the person and family",
        default=False,
        help_text="Seen by the panel and the commissioner only: hidden (404) from the person "
        "and family.",
    )

    class Meta:
        ordering = ["recommendation", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class Reminder(models.Model):
    """One notice about a recommendation to one recipient: a reminder before or after the due
    date, the owner asked to accept, the oversight panel told of an escalation, the person and
    family told it is done or overdue. Planned once: (recommendation, kind, due date, day,
    recipient) is unique, so two sweeps at once, a worker killed mid-send or a flushed broker
    cannot make a second; the outbox row it became carries the same key."""

    class Kind(models.TextChoices):
        TO_ACCEPT = "to_accept", "Asked to accept"
        DUE_SOON = "due_soon", "Due soon"
        DUE_TODAY = "due_today", "Due today"
        OVERDUE = "overdue", "Overdue"
        COMMISSIONER_OVERDUE = "commissioner_overdue", "Overdue: to the commissioner"
        ESCALATED = "escalated", "Escalated: to the oversight panel"
        FAMILY_OVERDUE = "family_overdue", "Overdue: to the person and family"
        FAMILY_DONE = "family_done", "Done: to the person and family"

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=30, choices=Kind)
    due_date = models.DateField(help_text="The due date the reminder was planned for.")
    send_on = models.DateField()
    recipient_email = models.EmailField()
    recipient_name = models.CharField(max_length=150, blank=True)
    recipient_user = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State, default=State.PLANNED)
    notification = models.OneToOneField(
        "ctr_portal.Notification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminder",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recommendation", "send_on", "pk"]
        indexes = [models.Index(fields=["state", "send_on"], name="reminder_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "kind", "due_date", "send_on", "recipient_email"],
                name="reminder_once",
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(notification__isnull=False, sent_at__isnull=False),
                name="reminder_sent_has_notification",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient_email} on {self.send_on}"

    @property
    def key(self) -> str:
        """The outbox idempotency key: the same reminder always makes the same key."""
        return reminder_key(
            self.recommendation_id, self.kind, self.due_date, self.send_on, self.recipient_email
        )


def reminder_subject(recommendation_id, kind) -> str:
    """The subject on the deadline mechanism (ctr_portal.deadlines): the reminders timed from
    the due date are `rec:<id>`, which a new due date cancels; the notices a change caused
    (asked to accept, escalated, done) are `rec-notice:<id>`, which it leaves to go."""
    caused = kind in (Reminder.Kind.TO_ACCEPT, Reminder.Kind.ESCALATED, Reminder.Kind.FAMILY_DONE)
    return f"rec-notice:{recommendation_id}" if caused else f"rec:{recommendation_id}"


def reminder_key(recommendation_id, kind, due_date, send_on, email) -> str:
    """The deadline mechanism's key: the subject, the due date, the kind, the day and the
    recipient, so a new due date makes new keys."""
    from ctr_portal.deadlines import Point, notice_key

    subject = reminder_subject(recommendation_id, kind)
    return notice_key(subject, due_date, Point(send_on, kind, ""), email)


# --- The ICS C(E)TR assurance and oversight panel's part (issue 21) --------------------------


class EscalationDecision(models.Model):
    """What the oversight panel decided about an escalated recommendation at one meeting."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="escalation_decisions"
    )
    met_on = models.DateField("date of the panel's meeting")
    decision = models.TextField("what the panel decided", max_length=limits.LONG_NOTE)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recommendation", "met_on", "pk"]

    def __str__(self):
        return f"Panel decision on {self.met_on} ({self.recommendation_id})"


class EscalationActionQuerySet(models.QuerySet):
    def open(self):
        """Actions of escalations the panel has not closed."""
        return self.filter(recommendation__escalation_closure__isnull=True)

    def due_for_reminder(self, today: date):
        """Open actions due on or before `today` whose owner can be emailed: what a reminder
        sweep chases (one row per action and its due date; the sweep decides the days)."""
        return self.open().exclude(owner_email="").filter(due_date__lte=today)


def escalation_action_problems(action, owner_name, owner_organisation, due_date, today):
    """What stops an oversight panel's action being recorded, as {field: message}: a task, one
    named person and their organisation, a date ahead (the email is optional)."""
    problems = {}
    if not action:
        problems["action"] = "Enter what will be done"
    if not owner_name:
        problems["owner_name"] = "Enter the name of the person responsible"
    elif owner_name.lower().strip(". ") in NOT_A_PERSON or len(owner_name.split()) < 2:
        problems["owner_name"] = (
            "Enter the full name of one person, not a team or organisation such as 'the provider'"
        )
    if not owner_organisation:
        problems["owner_organisation"] = "Enter the organisation the person responsible works for"
    if due_date is None:
        problems["due_date"] = "Enter the date this will be done by"
    elif due_date <= today:
        problems["due_date"] = "The date this will be done by must be in the future"
    return problems


class EscalationAction(models.Model):
    """An action the oversight panel set, for a named person (an email only if they have one),
    by a date."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="escalation_actions"
    )
    action = models.TextField("what will be done", max_length=ACTION_TEXT)
    owner_name = models.CharField("owner's name", max_length=150)
    owner_organisation = models.CharField("owner's organisation", max_length=200)
    owner_email = models.EmailField("owner's email address", blank=True)
    due_date = models.DateField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = EscalationActionQuerySet.as_manager()

    class Meta:
        ordering = ["recommendation", "due_date", "pk"]
        indexes = [models.Index(fields=["due_date"], name="esc_action_due")]

    def __str__(self):
        return f"Panel action due {self.due_date} ({self.recommendation_id})"

    @property
    def owner_display(self) -> str:
        return f"{self.owner_name}, {self.owner_organisation}"


class EscalationOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    NOT_RESOLVED = "not_resolved", "Not resolved"
    RETURNED = "returned", "Returned to the commissioner"


class EscalationClosure(models.Model):
    """The oversight panel closes an escalation, once, with its outcome."""

    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.PROTECT, related_name="escalation_closure"
    )
    outcome = models.CharField(max_length=20, choices=EscalationOutcome)
    reason = models.TextField(blank=True, max_length=limits.NOTE)
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="not_resolved") | ~Q(reason=""),
                name="esc_closure_not_resolved_reason",
            )
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} ({self.recommendation_id})"
