"""KLOE question sets (versioned reference data), the panel's work on one review, each panel
member's workbook, serious concerns, the provider's KLOE 5 and 6 part and the chair's
consolidation.

A question set never changes once a review uses it: a new version is a new `KloeSet` (by data
migration), and a review's `Panel` keeps the version that was current when it was formed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ctr_portal import limits
from reviews.models import SECURE_SETTINGS, Participant, Review

USER = settings.AUTH_USER_MODEL


class Audience(models.TextChoices):
    ADULT = "adult", "Adult (CTR)"
    CHILD = "child", "Child or young person (C(E)TR)"


class WorkbookKind(models.TextChoices):
    """The six panel workbooks (domain.md §9): adult and child × community, hospital non-secure,
    hospital secure."""

    ADULT_COMMUNITY = "adult_community", "Adult, community"
    ADULT_HOSPITAL = "adult_hospital", "Adult, hospital (non-secure)"
    ADULT_SECURE = "adult_secure", "Adult, hospital (secure)"
    CHILD_COMMUNITY = "child_community", "Child or young person, community"
    CHILD_HOSPITAL = "child_hospital", "Child or young person, hospital (non-secure)"
    CHILD_SECURE = "child_secure", "Child or young person, hospital (secure)"


class PromptScope(models.TextChoices):
    """Which workbooks a prompt appears in. PROVIDER prompts guide the provider's physical health
    and medication part (KLOE 5 and 6 of a hospital review)."""

    ALL = "all", "Every workbook"
    COMMUNITY = "community", "Community reviews"
    HOSPITAL = "hospital", "Hospital reviews, secure and non-secure"
    NON_SECURE = "non_secure", "Hospital reviews, non-secure only"
    SECURE = "secure", "Hospital reviews, secure only"
    PROVIDER = "provider", "The provider's part, before the day (hospital reviews)"


SCOPES_BY_PLACE = {
    "community": (PromptScope.ALL, PromptScope.COMMUNITY),
    "hospital": (PromptScope.ALL, PromptScope.HOSPITAL, PromptScope.NON_SECURE),
    "secure": (PromptScope.ALL, PromptScope.HOSPITAL, PromptScope.SECURE),
}

# The provider completes these KLOEs' physical health and medication sections for a hospital
# review (domain.md §7).
PROVIDER_KLOE_NUMBERS = (5, 6)
# The same sections as pack items (documents' hospital checklist codes): the provider may give
# them online here or upload them to the pack, and either route counts as given everywhere.
PROVIDER_PACK_CODES = {5: "physical-health", 6: "medication"}
# Under KLOE 1 a member can record an immediate safety concern as well as rate it.
SAFETY_KLOE_NUMBER = 1


def workbook_kind_for(review: Review) -> str:
    audience = Audience.CHILD if review.is_child_review else Audience.ADULT
    if not review.is_hospital_review:
        place = "community"
    elif review.setting in SECURE_SETTINGS:
        place = "secure"
    else:
        place = "hospital"
    return f"{audience}_{place}"


def split_workbook_kind(kind: str) -> tuple[str, str]:
    """("adult" | "child", "community" | "hospital" | "secure")."""
    audience, place = kind.split("_", 1)
    return audience, place


class KloeSetQuerySet(models.QuerySet):
    def current(self):
        return self.order_by("-version").first()


class KloeSet(models.Model):
    """One version of the KLOE question sets: the adult and the child KLOEs and their prompts
    for every workbook. Arrives by data migration; never edited once published."""

    version = models.PositiveSmallIntegerField(unique=True)
    published_on = models.DateField()
    description = models.TextField(blank=True, max_length=2000)

    objects = KloeSetQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = "KLOE set"

    def __str__(self):
        return f"KLOE set, version {self.version}"


class Kloe(models.Model):
    """A key line of enquiry: its number and title (domain.md §9) in one version of the set."""

    kloe_set = models.ForeignKey(KloeSet, on_delete=models.PROTECT, related_name="kloes")
    audience = models.CharField(max_length=10, choices=Audience)
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["kloe_set", "audience", "number"]
        verbose_name = "KLOE"
        constraints = [
            models.UniqueConstraint(
                fields=["kloe_set", "audience", "number"], name="kloe_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=20), name="kloe_number_range"
            ),
        ]

    def __str__(self):
        return f"KLOE {self.number}: {self.title}"

    @property
    def label(self) -> str:
        return f"KLOE {self.number}"


class KloePrompt(models.Model):
    """A plain-English question under a KLOE, with where to look for evidence."""

    kloe = models.ForeignKey(Kloe, on_delete=models.PROTECT, related_name="prompts")
    scope = models.CharField(max_length=20, choices=PromptScope, default=PromptScope.ALL)
    position = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=1000)
    where_to_look = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kloe", "position"]
        constraints = [
            models.UniqueConstraint(fields=["kloe", "position"], name="kloe_prompt_position_unique")
        ]

    def __str__(self):
        return self.text[:60]


class Rating(models.TextChoices):
    """Our four-level concern rating per KLOE (domain.md §9, product choice)."""

    NO_CONCERNS = "no_concerns", "No concerns"
    SOME_CONCERNS = "some_concerns", "Some concerns"
    SERIOUS_CONCERNS = "serious_concerns", "Serious concerns"
    NOT_ABLE_TO_ASSESS = "not_able_to_assess", "Not able to assess"

    @property
    def tag_colour(self) -> str:
        R = Rating
        return {
            R.NO_CONCERNS: "green",
            R.SOME_CONCERNS: "yellow",
            R.SERIOUS_CONCERNS: "red",
            R.NOT_ABLE_TO_ASSESS: "grey",
        }[self]


class Panel(models.Model):
    """The panel's KLOE work on one review: which question set and workbook it uses (fixed when
    the panel was formed, so a new version never changes it) and where consolidation stands."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="+")
    kloe_set = models.ForeignKey(KloeSet, on_delete=models.PROTECT, related_name="+")
    workbook_kind = models.CharField(max_length=20, choices=WorkbookKind)
    formed_at = models.DateTimeField(default=timezone.now)
    consolidation_finished_at = models.DateTimeField(null=True, blank=True)
    consolidation_finished_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(consolidation_finished_at__isnull=True)
                | Q(consolidation_finished_by__isnull=False),
                name="panel_finished_has_who",
            )
        ]

    def __str__(self):
        return f"Panel for review {self.review_id}"

    @property
    def audience(self) -> str:
        return split_workbook_kind(self.workbook_kind)[0]

    @property
    def place(self) -> str:
        return split_workbook_kind(self.workbook_kind)[1]

    @property
    def is_hospital(self) -> bool:
        return self.place != "community"

    @property
    def prompt_scopes(self) -> tuple[str, ...]:
        return SCOPES_BY_PLACE[self.place]

    @property
    def is_finished(self) -> bool:
        return self.consolidation_finished_at is not None


class Workbook(models.Model):
    """One panel member's workbook for one review: their answers to each KLOE and to the four
    key questions. Read-only for the member once submitted, unless the chair reopens it."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="workbooks")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The four key questions (domain.md §1), the member's own answers.
    is_safe = models.TextField("Is the person safe?", blank=True, max_length=limits.WORKBOOK_TEXT)
    good_care_now = models.TextField(
        "Are they getting good care now?", blank=True, max_length=limits.WORKBOOK_TEXT
    )
    future_plans = models.TextField(
        "What are their care plans for the future?", blank=True, max_length=limits.WORKBOOK_TEXT
    )
    community_care = models.TextField(
        "Can care and treatment be provided in the community?",
        blank=True,
        max_length=limits.WORKBOOK_TEXT,
    )
    key_questions_version = models.PositiveIntegerField(default=0)
    key_questions_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["panel", "participant__role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "participant"], name="workbook_unique")
        ]

    def __str__(self):
        return f"Workbook {self.pk} (participant {self.participant_id})"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class KloeAnswer(models.Model):
    """A member's answer to one KLOE. `version` goes up by one at every save: a save based on an
    older version is refused, so two tabs or devices cannot silently overwrite each other."""

    workbook = models.ForeignKey(Workbook, on_delete=models.PROTECT, related_name="answers")
    kloe = models.ForeignKey(Kloe, on_delete=models.PROTECT, related_name="+")
    findings = models.TextField(blank=True, max_length=limits.WORKBOOK_TEXT)
    rating = models.CharField(max_length=20, choices=Rating, blank=True)
    immediate_safety_concern = models.BooleanField(default=False)
    concern_detail = models.TextField(blank=True, max_length=limits.WORKBOOK_TEXT)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workbook", "kloe__number"]
        constraints = [
            models.UniqueConstraint(fields=["workbook", "kloe"], name="kloe_answer_unique"),
            models.CheckConstraint(
                condition=Q(rating="") | Q(rating__in=Rating.values), name="kloe_answer_rating"
            ),
        ]

    def __str__(self):
        return f"Answer to KLOE {self.kloe_id} in workbook {self.workbook_id}"

    @property
    def raises_concern(self) -> bool:
        """A serious rating or an immediate safety concern, described: the chair and the
        commissioner must be told."""
        return (self.rating == Rating.SERIOUS_CONCERNS or self.immediate_safety_concern) and bool(
            self.concern_detail.strip()
        )

    @property
    def status(self) -> str:
        """ "done", "started" or "not_started", for the progress view."""
        if self.rating and (self.findings.strip() or self.rating == Rating.NOT_ABLE_TO_ASSESS):
            return "done"
        if self.findings.strip() or self.rating or self.version:
            return "started"
        return "not_started"


class EvidenceSource(models.TextChoices):
    DOCUMENT = "document", "A document in the pack"
    CONVERSATION = "conversation", "A conversation"
    OBSERVATION = "observation", "Something the panel saw"


class QuoteFrom(models.TextChoices):
    NOT_A_QUOTE = "", "Not a quote"
    PERSON = "person", "The person's own words"
    FAMILY = "family", "A family member's or carer's own words"


class Evidence(models.Model):
    """One piece of evidence for an answer: where it comes from and what it shows. A quote from
    the person or their family is marked, so the report can give it in their words."""

    answer = models.ForeignKey(KloeAnswer, on_delete=models.CASCADE, related_name="evidence")
    position = models.PositiveSmallIntegerField()
    source_kind = models.CharField(max_length=20, choices=EvidenceSource, blank=True)
    source = models.CharField(max_length=200, blank=True)
    # The pack document it comes from, picked from the review's pack; `source` names anything
    # that is not in the pack.
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="document in the pack",
    )
    shows = models.TextField(blank=True, max_length=limits.WORKBOOK_TEXT)
    quote_from = models.CharField(max_length=10, choices=QuoteFrom, blank=True)

    class Meta:
        ordering = ["answer", "position"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["answer", "position"], name="evidence_position_unique")
        ]

    def __str__(self):
        return f"Evidence {self.position} of answer {self.answer_id}"

    @property
    def is_quote(self) -> bool:
        return bool(self.quote_from)


class SuggestedRecommendation(models.Model):
    """A member's draft recommendation under a KLOE, with a suggested owner and timescale."""

    answer = models.ForeignKey(KloeAnswer, on_delete=models.CASCADE, related_name="suggestions")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True, max_length=limits.WORKBOOK_TEXT)
    owner = models.CharField("suggested owner", max_length=200, blank=True)
    timescale = models.CharField("suggested timescale", max_length=100, blank=True)

    class Meta:
        ordering = ["answer", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "position"], name="suggestion_position_unique"
            )
        ]

    def __str__(self):
        return self.text[:60]


class Concern(models.Model):
    """A serious concern or an immediate safety concern a member raised under a KLOE. Raised once
    per answer (the chair and the commissioner are told once); open until the chair records what
    was done and by whom. The description is the answer's, as the member keeps it."""

    class Kind(models.TextChoices):
        SERIOUS = "serious", "Serious concern"
        SAFETY = "safety", "Immediate safety concern"

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="concerns")
    answer = models.OneToOneField(KloeAnswer, on_delete=models.PROTECT, related_name="concern")
    kind = models.CharField(max_length=10, choices=Kind)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    action_taken = models.TextField(blank=True, max_length=limits.WORKBOOK_TEXT)
    action_by = models.CharField(max_length=200, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["panel", "resolved_at"], name="concern_panel_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True)
                | (~Q(action_taken="") & ~Q(action_by="") & Q(resolved_by__isnull=False)),
                name="concern_resolved_says_what_and_who",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def heading(self) -> str:
        kloe = self.answer.kloe
        return f"{self.get_kind_display()}: {kloe.label}, {kloe.title}"


class ProviderPart(models.Model):
    """The provider's physical health (KLOE 5) or medication (KLOE 6) section of a hospital
    review, completed before the day and shown to the panel beside those KLOEs."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="provider_parts")
    kloe = models.ForeignKey(Kloe, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True, max_length=limits.WORKBOOK_TEXT)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["panel", "kloe__number"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "kloe"], name="provider_part_unique")
        ]

    def __str__(self):
        return f"Provider part for KLOE {self.kloe_id}"


class ConsolidatedKloe(models.Model):
    """The panel's agreed finding, rating and reasoning for one KLOE, written by the chair."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="consolidated")
    kloe = models.ForeignKey(Kloe, on_delete=models.PROTECT, related_name="+")
    finding = models.TextField(blank=True, max_length=limits.WORKBOOK_TEXT)
    rating = models.CharField(max_length=20, choices=Rating, blank=True)
    reasoning = models.TextField(
        "how or why the panel decided", blank=True, max_length=limits.WORKBOOK_TEXT
    )
    # What the finding means for the person, in plain words, for the easy read (issue 22);
    # issuing the report waits for it wherever there is a finding.
    for_you = models.TextField("what this means for the person", blank=True, max_length=limits.NOTE)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["panel", "kloe__number"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "kloe"], name="consolidated_kloe_unique"),
            models.CheckConstraint(
                condition=Q(rating="") | Q(rating__in=Rating.values),
                name="consolidated_kloe_rating",
            ),
        ]

    def __str__(self):
        return f"Consolidated KLOE {self.kloe_id} of panel {self.panel_id}"

    @property
    def is_done(self) -> bool:
        return bool(self.finding.strip() and self.rating)


class CarriedRecommendation(models.Model):
    """A member's suggestion the chair carries forward, copied as it stood. It stays with the KLOE
    until the recommendations app turns it into a draft recommendation."""

    consolidated = models.ForeignKey(
        ConsolidatedKloe, on_delete=models.CASCADE, related_name="carried"
    )
    source = models.ForeignKey(
        SuggestedRecommendation, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(max_length=limits.WORKBOOK_TEXT)
    owner = models.CharField(max_length=200, blank=True)
    timescale = models.CharField(max_length=100, blank=True)
    suggested_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["consolidated", "pk"]

    def __str__(self):
        return self.text[:60]
