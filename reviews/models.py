"""The person, their Dynamic Support Register rating and setting, the review and its lifecycle,
consent, participants and invitations, and the agenda."""

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from ctr_portal import limits
from ctr_portal.formatting import nhs_time
from ctr_portal.models import Organisation, ReadingFormat

from . import event_kinds
from .nhs_number import validate_nhs_number

USER = settings.AUTH_USER_MODEL


def age_on(date_of_birth: date, on: date) -> int:
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


class Setting(models.TextChoices):
    COMMUNITY = "community", "In the community"
    NON_SECURE = "non_secure", "Hospital, non-secure"
    LOW_SECURE = "low_secure", "Hospital, low secure"
    MEDIUM_SECURE = "medium_secure", "Hospital, medium secure"
    HIGH_SECURE = "high_secure", "Hospital, high secure"


SECURE_SETTINGS = (Setting.LOW_SECURE, Setting.MEDIUM_SECURE, Setting.HIGH_SECURE)


class DsrRating(models.TextChoices):
    RED = "red", "Red: high risk of admission now"
    AMBER = "amber", "Amber: high risk of admission soon without the right support"
    GREEN = "green", "Green: risks well managed at home"
    BLUE = "blue", "Blue: in hospital"

    @property
    def short_label(self) -> str:
        """ "Red", "Amber", "Green" or "Blue", for tags and lists."""
        return self.label.split(":")[0]

    @property
    def tag_colour(self) -> str:
        """The NHS.UK tag colour of the rating: the register's own colours, amber as orange
        (the frontend has no amber)."""
        return "orange" if self == DsrRating.AMBER else self.value


class MentalHealthActStatus(models.TextChoices):
    NOT_DETAINED = "not_detained", "Not detained (informal, or in the community)"
    SECTION_2 = "s2", "Section 2"
    SECTION_3 = "s3", "Section 3"
    SECTION_37 = "s37", "Section 37"
    SECTION_37_41 = "s37_41", "Section 37/41"
    SECTION_47_49 = "s47_49", "Section 47/49"
    SECTION_48_49 = "s48_49", "Section 48/49"
    CTO = "cto", "Community treatment order"
    OTHER = "other", "Other"


class PersonQuerySet(models.QuerySet):
    def in_hospital(self):
        return self.exclude(setting=Setting.COMMUNITY)


class Person(models.Model):
    """Someone with a learning disability and/or autism a review is for."""

    given_name = models.CharField("first name", max_length=100)
    family_name = models.CharField("last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    nhs_number = models.CharField(
        "NHS number",
        max_length=10,
        unique=True,
        validators=[validate_nhs_number],
        error_messages={"unique": "A person with this NHS number is already registered"},
    )
    date_of_birth = models.DateField()
    has_learning_disability = models.BooleanField("learning disability", default=False)
    has_autism = models.BooleanField("autism", default=False)

    setting = models.CharField(max_length=20, choices=Setting, default=Setting.COMMUNITY)
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.PROVIDER},
        help_text="The hospital, or the community service supporting the person.",
    )
    ward = models.CharField(max_length=100, blank=True)
    admission_date = models.DateField(null=True, blank=True)
    planned_discharge_date = models.DateField(
        null=True,
        blank=True,
        help_text="The date the care team plans the person to leave hospital, if one is set.",
    )
    local_patient_id = models.CharField(
        "local patient identifier",
        max_length=20,
        blank=True,
        help_text="The hospital's own identifier for the person, as its records use it.",
    )
    mha_status = models.CharField(
        "Mental Health Act status",
        max_length=20,
        choices=MentalHealthActStatus,
        default=MentalHealthActStatus.NOT_DETAINED,
    )
    communication = models.TextField(
        "how to talk with me",
        blank=True,
        help_text="Communication needs, in the person's words where possible.",
        max_length=limits.NOTE,
    )
    reasonable_adjustments = models.TextField(blank=True, max_length=limits.NOTE)
    # How they need to read what the service sends them; their account, if they have one,
    # starts from it (the Accessible Information Standard).
    reading_format = models.CharField(
        "how they need to read things",
        max_length=20,
        choices=ReadingFormat,
        default=ReadingFormat.STANDARD,
    )

    responsible_commissioner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="responsible_for",
        limit_choices_to={"kind__in": Organisation.COMMISSIONING_KINDS},
    )
    host_commissioner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosting",
        limit_choices_to={"kind__in": Organisation.COMMISSIONING_KINDS},
    )
    local_authority = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.LOCAL_AUTHORITY},
    )
    # Who commissions the bed of a child in hospital or of anyone in a secure bed (domain.md §4):
    # asked when they are registered or admitted there, shown on their page.
    bed_commissioner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind__in": Organisation.COMMISSIONING_KINDS},
        help_text="Who commissions the bed: an ICB, NHS England specialised commissioning or "
        "a provider collaborative.",
    )
    keyworker_name = models.CharField(max_length=150, blank=True)
    keyworker_contact = models.CharField(max_length=200, blank=True)
    # Who leads their care, as the report names them (the national template's "about the person").
    responsible_clinician = models.CharField(max_length=150, blank=True)
    care_coordinator = models.CharField(max_length=150, blank=True)

    dsr_rating = models.CharField(
        "Dynamic Support Register rating", max_length=10, choices=DsrRating, blank=True
    )
    # Set by a discharge or a review held, cleared by the next rating: why the commissioner is
    # asked to look at the rating again (domain.md §10, §11).
    dsr_rerate_reason = models.CharField(max_length=200, blank=True)
    # The learning disability or autism diagnosis was removed: the diagnoses stay as they were
    # (a person has at least one), and the person stays on the register until the
    # event-triggered review this starts is held.
    diagnosis_removed_on = models.DateField(null=True, blank=True)
    diagnosis_removed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Long-term segregation (domain.md §2): people in it are owed an Independent C(E)TR.
    segregation_started_on = models.DateField(
        "long-term segregation started on", null=True, blank=True
    )
    segregation_ward = models.CharField(
        "ward where they are segregated", max_length=100, blank=True
    )
    segregation_icetr_held = models.BooleanField(
        "an Independent C(E)TR has been held", default=False
    )
    segregation_ended_on = models.DateField("long-term segregation ended on", null=True, blank=True)
    # From the Personal Demographics Service, when it is switched on (ADR 0019): when the
    # commissioner last checked the details against PDS, whether PDS marks the record
    # restricted, and what PDS alone tells us. A restricted record's address and GP practice
    # are never kept.
    address = models.TextField(blank=True, max_length=500, help_text="Home address, from PDS.")
    gp_ods_code = models.CharField(
        "GP practice ODS code", max_length=10, blank=True, help_text="Registered GP, from PDS."
    )
    pds_verified_at = models.DateTimeField("checked with PDS", null=True, blank=True)
    pds_restricted = models.BooleanField("restricted record on PDS", default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(
                fields=["responsible_commissioner", "family_name"], name="person_org_name"
            ),
            models.Index(fields=["provider"], name="person_provider"),
            models.Index(fields=["family_name", "given_name"], name="person_name"),
            # The dashboard's "community C(E)TR due": red or amber, in the community, by ICB.
            models.Index(
                fields=["responsible_commissioner", "setting", "dsr_rating"],
                name="person_org_setting_dsr",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(has_learning_disability=True) | models.Q(has_autism=True),
                name="person_ld_or_autism",
            ),
            models.CheckConstraint(
                condition=models.Q(setting="community") | models.Q(provider__isnull=False),
                name="person_in_hospital_has_provider",
            ),
            models.CheckConstraint(
                condition=models.Q(segregation_ended_on__isnull=True)
                | models.Q(segregation_started_on__lte=models.F("segregation_ended_on")),
                name="person_segregation_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(pds_restricted=False) | models.Q(address="", gp_ods_code=""),
                name="person_restricted_keeps_no_address",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def known_as(self):
        return self.preferred_name or self.given_name

    @property
    def in_hospital(self) -> bool:
        return self.setting != Setting.COMMUNITY

    @property
    def is_secure(self) -> bool:
        return self.setting in SECURE_SETTINGS

    def age_on(self, on: date) -> int:
        return age_on(self.date_of_birth, on)

    @property
    def eighteenth_birthday(self) -> date:
        dob = self.date_of_birth
        try:
            return dob.replace(year=dob.year + 18)
        except ValueError:  # born on 29 February
            return date(dob.year + 18, 3, 1)

    @property
    def in_segregation(self) -> bool:
        """In long-term segregation now: started, and not ended."""
        return self.segregation_started_on is not None and self.segregation_ended_on is None

    @property
    def dsr_short_label(self) -> str:
        return DsrRating(self.dsr_rating).short_label if self.dsr_rating else "Not rated"

    @property
    def dsr_colour(self) -> str:
        return DsrRating(self.dsr_rating).tag_colour if self.dsr_rating else "grey"

    @property
    def nhs_number_display(self):
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}"

    @property
    def diagnosis_display(self):
        parts = [
            label
            for flag, label in (
                (self.has_learning_disability, "learning disability"),
                (self.has_autism, "autism"),
            )
            if flag
        ]
        return " and ".join(parts).capitalize()


class Contact(models.Model):
    """A family carer, advocate or other person important to the person."""

    class Relationship(models.TextChoices):
        FAMILY_CARER = "family_carer", "Family carer"
        PARENT = "parent", "Parent or person with parental responsibility"
        ADVOCATE = "advocate", "Advocate"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=20, choices=Relationship)
    relationship_detail = models.CharField(
        "relationship to the person", max_length=100, blank=True, help_text="For example, mother."
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.get_relationship_display()})"


class DsrRatingChange(models.Model):
    """One change of the person's Dynamic Support Register rating: who, when, why."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="dsr_history")
    rating = models.CharField(max_length=10, choices=DsrRating)
    reason = models.TextField(max_length=limits.NOTE)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self):
        return f"{self.get_rating_display()} ({self.recorded_at:%Y-%m-%d})"


class SettingChange(models.Model):
    """An admission, discharge, move of hospital or change of security level."""

    class Kind(models.TextChoices):
        ADMISSION = "admission", "Admitted to hospital"
        DISCHARGE = "discharge", "Discharged to the community"
        MOVE = "move", "Moved hospital"
        SECURITY = "security", "Security level changed"
        REGISTERED = "registered", "Registered"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="setting_history")
    kind = models.CharField(max_length=20, choices=Kind)
    effective_date = models.DateField()
    setting = models.CharField(max_length=20, choices=Setting)
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ward = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True, max_length=limits.NOTE)
    # An admission of a child without a community C(E)TR held first: NHS England asks the
    # commissioner for a root cause analysis (domain.md §3).
    needs_root_cause = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_date", "-pk"]
        indexes = [
            models.Index(
                fields=["needs_root_cause"],
                condition=models.Q(needs_root_cause=True),
                name="settingchange_needs_rca",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.effective_date})"


class AdmissionRootCause(models.Model):
    """The root cause analysis of a child's admission without a community C(E)TR: why there was
    none, and whether the child was on the Dynamic Support Register."""

    class OnRegister(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_KNOWN = "not_known", "Not known"

    admission = models.OneToOneField(
        SettingChange, on_delete=models.CASCADE, related_name="root_cause"
    )
    why_no_community_review = models.TextField(max_length=limits.LONG_NOTE)
    on_register = models.CharField(
        "on the Dynamic Support Register before admission", max_length=10, choices=OnRegister
    )
    learning = models.TextField(blank=True, max_length=limits.LONG_NOTE)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Root cause analysis of admission {self.admission_id}"


class LaepMeeting(models.Model):
    """A Local Area Emergency Protocol ("blue light") meeting: not a review, but kept on the
    person's timeline."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="laep_meetings")
    held_on = models.DateField()
    outcome = models.TextField(max_length=limits.LONG_NOTE)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"LAEP meeting ({self.held_on})"


class RestrictivePractice(models.Model):
    """Restraint, seclusion or segregation used on the person, as the hospital reports it to the
    commissioner: one occasion, or a period with how many times. The next review's report says
    what was recorded since the last one."""

    class Kind(models.TextChoices):
        PHYSICAL = "physical", "Physical restraint"
        PRONE = "prone", "Prone restraint"
        MECHANICAL = "mechanical", "Mechanical restraint"
        RAPID_TRANQUILLISATION = "rapid_tranquillisation", "Rapid tranquillisation"
        SECLUSION = "seclusion", "Seclusion"
        LONG_TERM_SEGREGATION = "long_term_segregation", "Long-term segregation"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="restrictive_practices"
    )
    kind = models.CharField(max_length=30, choices=Kind)
    occurred_on = models.DateField("date, or the first day of the period")
    ended_on = models.DateField("last day of the period", null=True, blank=True)
    count = models.PositiveSmallIntegerField(
        "how many times", default=1, validators=[MinValueValidator(1)]
    )
    note = models.TextField(blank=True, max_length=limits.NOTE)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "-occurred_on"], name="restrictive_person_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(count__gte=1), name="restrictive_practice_count_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(occurred_on__lte=models.F("ended_on")),
                name="restrictive_practice_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.occurred_on})"

    @property
    def last_day(self) -> date:
        return self.ended_on or self.occurred_on


class ReviewState(models.TextChoices):
    PLANNED = "planned", "Planned"
    SCHEDULED = "scheduled", "Scheduled"
    PREPARING = "preparing", "Preparing"
    READY = "ready", "Ready"
    HELD = "held", "Held"
    REPORT_DRAFTING = "report_drafting", "Report drafting"
    REPORT_ISSUED = "report_issued", "Report issued"
    FOLLOW_UP = "follow_up", "Follow-up"
    CLOSED = "closed", "Closed"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"

    @property
    def tag_colour(self) -> str:
        """The NHS.UK tag colour of the state, one per stage of the lifecycle so that a colour
        means the same wherever it is shown: grey not started, blue getting ready, green ready
        or held, purple the report, aqua-green follow-up, white closed, orange postponed (needs
        attention) and red cancelled."""
        S = ReviewState
        return {
            S.PLANNED: "grey",
            S.SCHEDULED: "blue",
            S.PREPARING: "blue",
            S.READY: "green",
            S.HELD: "green",
            S.REPORT_DRAFTING: "purple",
            S.REPORT_ISSUED: "purple",
            S.FOLLOW_UP: "aqua-green",
            S.CLOSED: "white",
            S.POSTPONED: "orange",
            S.CANCELLED: "red",
        }[self]


OPEN_STATES = (
    ReviewState.PLANNED,
    ReviewState.SCHEDULED,
    ReviewState.PREPARING,
    ReviewState.READY,
    ReviewState.POSTPONED,
)
NOT_HELD_STATES = OPEN_STATES
ENDED_STATES = (ReviewState.CLOSED, ReviewState.CANCELLED)


class ReviewKind(models.TextChoices):
    COMMUNITY = "community", "Community (pre-admission)"
    POST_ADMISSION = "post_admission", "Post-admission"
    INPATIENT_REPEAT = "inpatient_repeat", "Inpatient (repeat)"
    EVENT_TRIGGERED = "event_triggered", "Event-triggered"
    REQUESTED = "requested", "Requested"
    INDEPENDENT = "independent", "Independent C(E)TR (long-term segregation)"


class ReviewEventReason(models.TextChoices):
    MOVE_OF_HOSPITAL = "move_of_hospital", "The person moved hospital"
    DIAGNOSIS_REMOVED = "diagnosis_removed", "Learning disability or autism diagnosis removed"


def overdue_q(today: date) -> models.Q:
    """An overdue review: not held yet (planned to postponed; cancelled is not open) and due
    before `today`."""
    return models.Q(state__in=NOT_HELD_STATES, due_date__lt=today)


class ReviewQuerySet(models.QuerySet):
    """Besides the scoped query functions in reviews.queries, the apps built on reviews read
    through these (the service measures, ADR 0014); they write only through reviews.services."""

    def not_held(self):
        return self.filter(state__in=NOT_HELD_STATES)

    def overdue(self, today: date):
        """The one definition of an overdue review, for the dashboard's count and the service
        measures alike (`overdue_q`)."""
        return self.filter(overdue_q(today))

    def commissioned_by(self, org_ids):
        """Reviews (not cancelled) whose commissioner is among `org_ids`."""
        return self.filter(commissioner_id__in=org_ids).exclude(state=ReviewState.CANCELLED)

    def due_between(self, start: date, end: date):
        return self.filter(due_date__gte=start, due_date__lte=end)

    def held_between(self, start: date, end: date):
        return self.filter(held_on__gte=start, held_on__lte=end)

    def outcome_known(self, today: date):
        """Held, or overdue: one not yet due and not held is not yet decided."""
        return self.filter(models.Q(held_on__isnull=False) | overdue_q(today))

    def with_family(self):
        """Annotated `has_family`: a family carer or advocate takes part."""
        family = Participant.objects.filter(review=models.OuterRef("pk"), role__in=FAMILY_ROLES)
        return self.annotate(has_family=models.Exists(family))


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "By video"
    MIXED = "mixed", "Mixed: some in person, some by video"


class Review(models.Model):
    """A CTR or C(E)TR. Its type is derived from the person's age on the review date; its due
    date from the policy rules (reviews/policy.py); its state moves only through `transition`."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=20, choices=ReviewKind)
    event_reason = models.CharField(
        max_length=30,
        choices=ReviewEventReason,
        blank=True,
        help_text="For an event-triggered review: what happened.",
    )
    requested_by = models.CharField(
        max_length=150, blank=True, help_text="For a requested review: who asked for it."
    )
    state = models.CharField(max_length=20, choices=ReviewState, default=ReviewState.PLANNED)
    commissioner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="reviews",
        help_text="The responsible commissioner who organises the review.",
    )
    # Where the person was when the review was planned: the provider prepares a hospital pack.
    setting = models.CharField(max_length=20, choices=Setting)
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    due_date = models.DateField()
    due_rule = models.CharField(max_length=40)
    due_basis = models.CharField(max_length=200, blank=True)
    # The fixed day a community or requested review's clock counts from (planned or asked for),
    # or an event-triggered review's event: re-computing never restarts it.
    clock_start = models.DateField(null=True, blank=True)

    starts_at = models.DateTimeField("date and time", null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(30)]
    )
    venue = models.CharField(max_length=300, blank=True)
    video_link = models.URLField(max_length=500, blank=True)
    meeting_format = models.CharField(
        "how people meet", max_length=20, choices=MeetingFormat, default=MeetingFormat.IN_PERSON
    )
    # The calendar entry's SEQUENCE (RFC 5545 §3.8.7.4): bumped on every change of date, time,
    # place or format, and on cancellation, so calendars replace the entry they hold.
    calendar_sequence = models.PositiveIntegerField(default=0)
    late_reason = models.TextField(
        blank=True, max_length=limits.NOTE, help_text="Why the review is held after its due date."
    )
    held_on = models.DateField(null=True, blank=True)
    state_reason = models.TextField(
        blank=True, max_length=limits.NOTE, help_text="Why it was postponed or cancelled."
    )

    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["commissioner", "state", "due_date"], name="review_org_state_due"),
            models.Index(fields=["commissioner", "starts_at"], name="review_org_starts"),
            models.Index(fields=["person", "-held_on"], name="review_person_held"),
            models.Index(fields=["provider", "state"], name="review_provider_state"),
            # The dashboard's "community C(E)TR due" asks, for each person, whether a review is
            # open (issue 13, bench/RESULTS.md).
            models.Index(fields=["person", "state"], name="review_person_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="event_triggered") | ~models.Q(event_reason=""),
                name="review_event_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["postponed", "cancelled"])
                | ~models.Q(state_reason=""),
                name="review_stop_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.type_label} for {self.person}"

    @classmethod
    def planned_for(cls, person, due, **fields) -> "Review":
        """A new review of `person` (unsaved): commissioned by their responsible commissioner,
        in their setting and with their provider as they are today, due as the rule table's
        `due` (reviews.policy.DueDate) says and why."""
        return cls(
            person=person,
            commissioner=person.responsible_commissioner,
            setting=person.setting,
            provider=person.provider,
            due_date=due.date,
            due_rule=due.rule.code,
            due_basis=due.basis,
            **fields,
        )

    @property
    def review_date(self) -> date:
        """The date that decides the type: the day of the review, or its due date until then."""
        if self.held_on:
            return self.held_on
        if self.starts_at:
            return timezone.localdate(self.starts_at)
        return self.due_date

    @property
    def is_child_review(self) -> bool:
        return self.person.age_on(self.review_date) < 18

    @property
    def type_label(self) -> str:
        return "C(E)TR" if self.is_child_review else "CTR"

    @property
    def state_colour(self) -> str:
        return ReviewState(self.state).tag_colour

    @property
    def type_long(self) -> str:
        if self.is_child_review:
            return "Care, Education and Treatment Review"
        return "Care and Treatment Review"

    @property
    def is_hospital_review(self) -> bool:
        return self.setting != Setting.COMMUNITY

    @property
    def is_late(self) -> bool:
        return bool(self.starts_at) and timezone.localdate(self.starts_at) > self.due_date

    @property
    def is_open(self) -> bool:
        return self.state not in ENDED_STATES

    @property
    def ends_at(self):
        if self.starts_at and self.duration_minutes:
            return self.starts_at + timezone.timedelta(minutes=self.duration_minutes)
        return None

    # --- lifecycle (the table and guards are below the class) ---

    def transition_problems(self, to, reason="") -> list[str]:
        """Why the lifecycle refuses the move to `to`, in plain English (empty when allowed).
        The move itself is `services.review_transition`."""
        return _guard_problems(self, to, reason)

    @property
    def allowed_moves(self) -> list:
        return [ReviewState(s) for s in TRANSITIONS[self.state]]


class ReviewEvent(models.Model):
    """The review's timeline: every transition and every notable change, with who, when, why."""

    class Kind(models.TextChoices):
        """The kinds reviews writes itself. The apps built on reviews register theirs in
        `reviews.event_kinds` (the field has no choices, so a new kind needs no migration)."""

        TRANSITION = "transition", "State changed"
        DUE_DATE = "due_date", "Due date set"
        SCHEDULED = "scheduled", "Date set"
        CONSENT = "consent", "Consent recorded"
        PARTICIPANT = "participant", "Participant added"
        INVITATION = "invitation", "Invitation sent"
        INDEPENDENCE = "independence", "Independence declared"
        AGENDA = "agenda", "Agenda changed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=event_kinds.MAX_LENGTH)
    from_state = models.CharField(max_length=20, choices=ReviewState, blank=True)
    to_state = models.CharField(max_length=20, choices=ReviewState, blank=True)
    summary = models.CharField(max_length=300)
    reason = models.TextField(blank=True, max_length=limits.NOTE)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["review", "-occurred_at"], name="reviewevent_review_time")]

    def __str__(self):
        return self.summary

    def get_kind_display(self) -> str:
        return event_kinds.label(self.kind)


class ConsentDecision(models.TextChoices):
    CONSENTED = "consented", "The person consented"
    BEST_INTERESTS = "best_interests", "Best-interests decision"
    DECLINED = "declined", "The person declined"
    WITHDRAWN = "withdrawn", "Consent withdrawn"


GATE_OPEN_DECISIONS = (ConsentDecision.CONSENTED, ConsentDecision.BEST_INTERESTS)


class ConsentRoute(models.TextChoices):
    OWN = "own", "The person's own consent (16 or over, with capacity)"
    GILLICK = "gillick", "The child's own consent (under 16, Gillick competent)"
    PARENTAL = "parental", "A person with parental responsibility (under 16)"
    BEST_INTERESTS = (
        "best_interests",
        "Mental Capacity Act: lacks capacity, best-interests decision",
    )


class ConsentRecord(models.Model):
    """One consent decision for a review. Never edited: a change is a new record, and the latest
    record decides what may be shared (domain.md §5)."""

    class Format(models.TextChoices):
        STANDARD = "standard", "Standard"
        EASY_READ = "easy_read", "Easy read"
        SYMBOLS = "symbols", "Easy read with symbols"
        LARGE_PRINT = "large_print", "Large print"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="consents")
    decision = models.CharField(max_length=20, choices=ConsentDecision)
    route = models.CharField(max_length=20, choices=ConsentRoute, blank=True)
    shares_information = models.BooleanField(
        "agrees to information being shared with the panel", default=False
    )
    in_own_words = models.TextField(
        "what the person said, in their own words", blank=True, max_length=limits.LONG_NOTE
    )
    given_by = models.CharField(
        "name of the person with parental responsibility", max_length=150, blank=True
    )
    capacity_assessed_by = models.CharField(max_length=150, blank=True)
    decision_maker = models.CharField("best-interests decision made by", max_length=150, blank=True)
    decided_on = models.DateField("date of the decision")
    consulted = models.TextField("who was consulted", blank=True, max_length=limits.NOTE)
    report_format = models.CharField(max_length=20, choices=Format, default=Format.STANDARD)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        get_latest_by = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="best_interests")
                | (~models.Q(decision_maker="") & ~models.Q(consulted="")),
                name="consent_best_interests_has_maker_and_consulted",
            ),
            models.CheckConstraint(
                condition=~models.Q(route="parental") | ~models.Q(given_by=""),
                name="consent_parental_has_giver",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} ({self.decided_on})"

    @property
    def opens_gate(self) -> bool:
        """Consent (or a best-interests decision) to the review and to sharing information with
        the panel: only then may the panel read anything beyond the name and the date."""
        return self.decision in GATE_OPEN_DECISIONS and self.shares_information


class ConsentInvitee(models.Model):
    """Whom the person wants invited, and whether each may receive the report."""

    consent = models.ForeignKey(ConsentRecord, on_delete=models.CASCADE, related_name="invitees")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    may_attend = models.BooleanField(default=True)
    may_receive_report = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consent", "contact"], name="consent_invitee_unique")
        ]

    def __str__(self):
        return f"Invitee {self.contact_id} of consent {self.consent_id}"


class ParticipantRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    CLINICAL_EXPERT = "clinical_expert", "Clinical expert"
    EXPERT_BY_EXPERIENCE = "expert_by_experience", "Expert by experience"
    PANEL_MEMBER = "panel_member", "Other panel member"
    COMMISSIONER = "commissioner", "Commissioner"
    PROVIDER = "provider", "Provider contact"
    LOCAL_AUTHORITY = "local_authority", "Local authority contact"
    FAMILY_CARER = "family_carer", "Family carer"
    ADVOCATE = "advocate", "Advocate"
    PERSON = "person", "The person"


PANEL_ROLES = (
    ParticipantRole.CHAIR,
    ParticipantRole.CLINICAL_EXPERT,
    ParticipantRole.EXPERT_BY_EXPERIENCE,
    ParticipantRole.PANEL_MEMBER,
)
# Panel experts must declare they are independent of the person's care before any access.
INDEPENDENT_ROLES = (
    ParticipantRole.CLINICAL_EXPERT,
    ParticipantRole.EXPERT_BY_EXPERIENCE,
    ParticipantRole.PANEL_MEMBER,
)
CORE_PANEL_ROLES = (
    ParticipantRole.CHAIR,
    ParticipantRole.CLINICAL_EXPERT,
    ParticipantRole.EXPERT_BY_EXPERIENCE,
)
FAMILY_ROLES = (ParticipantRole.FAMILY_CARER, ParticipantRole.ADVOCATE)


class InvitedThrough(models.TextChoices):
    """How the invitation reaches someone. The person often has no email address: their
    invitation goes through their keyworker or advocate, or on paper (domain.md §4)."""

    EMAIL = "email", "By email"
    TEXT = "text", "By text message"
    KEYWORKER = "keyworker", "Through their keyworker"
    ADVOCATE = "advocate", "Through their advocate"
    PAPER = "paper", "On paper, by post or by hand"


class Participant(models.Model):
    """Someone's role on one review. The account may come later, through an invitation.
    Only the person may be invited other than by email, and then may have no email address."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(max_length=30, choices=ParticipantRole)
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="participations"
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        help_text="For family carers and advocates: who they are to the person.",
    )
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    invited_through = models.CharField(
        "way to be reached", max_length=20, choices=InvitedThrough, default=InvitedThrough.EMAIL
    )
    phone = models.CharField(
        "mobile phone number",
        max_length=20,
        blank=True,
        help_text="For text messages. Leave empty unless they asked to be reached this way.",
    )
    reached_through = models.CharField(
        "name of the keyworker or advocate",
        max_length=150,
        blank=True,
        help_text="Who passes on letters and messages, when they are reached through someone.",
    )
    # Set when a notice to them could not be delivered by their way of being reached (a text
    # message to a wrong number, a bounced email); cleared when the way is recorded again.
    unreachable_since = models.DateTimeField(null=True, blank=True)
    unreachable_by = models.CharField(max_length=20, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    invited_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(
        "took part on the day", null=True, blank=True, help_text="Empty until it is recorded."
    )
    independence_declared_at = models.DateTimeField(null=True, blank=True)
    independence_statement = models.TextField(blank=True, max_length=limits.NOTE)
    conflict_declared = models.TextField(
        blank=True,
        max_length=limits.NOTE,
        help_text="Any connection with the person, their family or their care.",
    )

    class Meta:
        ordering = ["role", "name"]
        indexes = [models.Index(fields=["user", "review"], name="participant_user_review")]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "email"],
                condition=~models.Q(email=""),
                name="participant_email_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(email="")
                | (models.Q(role="person") & ~models.Q(invited_through="email")),
                name="participant_email_unless_person_invited_otherwise",
            ),
            models.UniqueConstraint(
                fields=["review", "user"],
                condition=models.Q(user__isnull=False),
                name="participant_user_unique",
            ),
            models.UniqueConstraint(
                fields=["review"], condition=models.Q(role="chair"), name="one_chair_per_review"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    @property
    def needs_independence(self) -> bool:
        """Panel experts always; the chair too on an Independent C(E)TR, whose chair must be
        independent of the person's care and of the commissioner (domain.md §2)."""
        if self.role == ParticipantRole.CHAIR:
            return self.review.kind == ReviewKind.INDEPENDENT
        return self.role in INDEPENDENT_ROLES

    @property
    def is_independent(self) -> bool:
        return not self.needs_independence or self.independence_declared_at is not None


class Invitation(models.Model):
    """A single-use link, sent through the outbox, that lets someone without an account set a
    password and join the review. Only a hash of the token is kept."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for participant {self.participant_id}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class AgendaItem(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="agenda")
    starts_at = models.TimeField()
    title = models.CharField(max_length=200)
    detail = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="agenda_position_unique")
        ]

    def __str__(self):
        return f"{nhs_time(self.starts_at)} {self.title}"


# --- The lifecycle -------------------------------------------------------------------------

S = ReviewState
TRANSITIONS = {
    S.PLANNED: (S.SCHEDULED, S.POSTPONED, S.CANCELLED),
    S.SCHEDULED: (S.PREPARING, S.POSTPONED, S.CANCELLED),
    S.PREPARING: (S.READY, S.POSTPONED, S.CANCELLED),
    S.READY: (S.HELD, S.PREPARING, S.POSTPONED, S.CANCELLED),
    S.HELD: (S.REPORT_DRAFTING,),
    S.REPORT_DRAFTING: (S.REPORT_ISSUED,),
    S.REPORT_ISSUED: (S.FOLLOW_UP,),
    S.FOLLOW_UP: (S.CLOSED,),
    S.POSTPONED: (S.SCHEDULED, S.CANCELLED),
    S.CLOSED: (),
    S.CANCELLED: (),
}
REASON_REQUIRED = (S.POSTPONED, S.CANCELLED)
# Scheduling refuses a past date, except for a review recorded after it happened (its reason is
# on the timeline: services.review_schedule).
PAST_DATE_PROBLEM = "The date of the review must be today or in the future"
# How each move is offered to people, as a button and a sentence.
ACTION_LABELS = {
    S.SCHEDULED: "Schedule",
    S.PREPARING: "Start preparing",
    S.READY: "Mark as ready",
    S.HELD: "Record that the review was held",
    S.REPORT_DRAFTING: "Start drafting the report",
    S.REPORT_ISSUED: "Record that the report was issued",
    S.FOLLOW_UP: "Move to follow-up",
    S.CLOSED: "Close the review",
    S.POSTPONED: "Postpone",
    S.CANCELLED: "Cancel the review",
}


class TransitionError(Exception):
    """A move the lifecycle refuses, with the reasons in plain English."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _guard_problems(review, to, reason):
    problems = []
    if to not in TRANSITIONS[review.state]:
        return [
            f"A review that is {review.get_state_display().lower()} cannot be moved to "
            f"{ReviewState(to).label.lower()}"
        ]
    today = timezone.localdate()
    if to in REASON_REQUIRED and not reason.strip():
        problems.append(f"Enter why the review is being {ReviewState(to).label.lower()}")
    if to == S.SCHEDULED:
        if not review.starts_at:
            problems.append("Set the date and time of the review first")
        elif timezone.localdate(review.starts_at) < today:
            problems.append(PAST_DATE_PROBLEM)
        elif review.is_late and not review.late_reason.strip():
            problems.append("Enter why the review is after its due date")
    if to == S.READY:
        from .readiness import missing_before_ready

        problems += [
            f"{item.label}: {item.detail}" if item.detail else item.label
            for item in missing_before_ready(review)
        ]
    if to == S.HELD:
        problems += _held_problems(review, today)
    from ctr_portal.signals import collect

    from .signals import transition_checks

    problems += collect(transition_checks, review=review, to=to)
    return problems


def _held_problems(review, today) -> list[str]:
    """Before a review is recorded as held: its day has come, and consent (or a best-interests
    decision) still stands. Consent can be withdrawn after "ready" (domain.md §5), so the
    latest record is read again here, never a cached one."""
    problems = []
    if not review.starts_at or timezone.localdate(review.starts_at) > today:
        problems.append("A review can be recorded as held only on or after its date")
    latest = review.consents.order_by("-recorded_at", "-pk").first()
    if latest is None or not latest.opens_gate:
        decision = latest.get_decision_display().lower() if latest else "no decision recorded"
        problems.append(
            f"The review cannot be recorded as held: consent or a best-interests decision is "
            f"needed and the latest record says {decision}. Record the person's decision first"
        )
    return problems


class TransferRequest(models.Model):
    """Another commissioner asks to take over responsibility for a person who has moved to its
    area. Only a request that matched a person (NHS number, date of birth and last name) is kept;
    the person's current commissioner accepts or refuses it (ADR 0018)."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        ACCEPTED = "accepted", "Accepted"
        REFUSED = "refused", "Refused"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="transfer_requests")
    from_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The responsible commissioner when the request was made.",
    )
    to_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": Organisation.COMMISSIONING_KINDS},
        help_text="The commissioner asking to take over.",
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True, max_length=limits.NOTE)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["from_organisation", "state"], name="transfer_from_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "to_organisation"],
                condition=models.Q(state="pending"),
                name="transfer_one_pending_per_organisation",
            ),
        ]

    def __str__(self):
        return f"Transfer request {self.pk} ({self.get_state_display()})"
