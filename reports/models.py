"""The CTR report: the chair's narrative sections, panel members' comments on the draft, the
PDFs the worker renders, and the issued versions.

The report's data-driven parts (the person, the review, consent, the KLOE findings, the
recommendations, the next review's due date) are never stored here: every draft is drawn from
the data as it stands (`queries.report_content`). Only what the chair writes is kept in
`ReportDraft`. Issuing freezes the finished HTML of the full, easy read and large print report in a
`ReportVersion`, which is never edited: a correction is a new version, and the old one is
marked superseded. Each PDF is a `ReportPdf` row, rendered by WeasyPrint in the worker; an
issued version's PDFs are stored with their SHA-256, checked on every download.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ctr_portal import limits
from reviews.models import Review

USER = settings.AUTH_USER_MODEL

# The largest finished HTML a version keeps (a report of 40 recommendations is about 200 kB).
HTML_MAX = 5_000_000


class Section(models.TextChoices):
    """The narrative sections the chair writes; the rest of the report comes from the data."""

    ABOUT = "about", "About the person, in their words"
    IS_SAFE = "is_safe", "Is the person safe?"
    GOOD_CARE_NOW = "good_care_now", "Are they getting good care now?"
    FUTURE_PLANS = "future_plans", "What are their care plans for the future?"
    COMMUNITY_CARE = "community_care", "Can care and treatment be provided in the community?"
    SUMMARY = "summary", "Summary and what happens next"
    EASY_READ = "easy_read", "Easy read: what the panel wants the person to know"


KEY_QUESTIONS = (
    Section.IS_SAFE,
    Section.GOOD_CARE_NOW,
    Section.FUTURE_PLANS,
    Section.COMMUNITY_CARE,
)
# The four key questions as a C(E)TR asks them: of a child or young person, with their
# education beside their care (the C(E)TR code, and its report template).
CHILD_WORDING = {
    Section.ABOUT: "About the child or young person, in their words",
    Section.IS_SAFE: "Is the child or young person safe?",
    Section.GOOD_CARE_NOW: "Are they getting good care and education now?",
    Section.FUTURE_PLANS: "What are their care and education plans for the future?",
    Section.COMMUNITY_CARE: "Can their care, education and treatment be provided in the "
    "community?",
    Section.EASY_READ: "Easy read: what the panel wants the child or young person to know",
}


def section_label(section, *, child: bool) -> str:
    """A section's heading in the wording of the review's kind (a C(E)TR's for a child)."""
    section = Section(section)
    return CHILD_WORDING.get(section, section.label) if child else section.label


def section_choices(*, child: bool) -> list[tuple[str, str]]:
    return [(s.value, section_label(s, child=child)) for s in Section]


class ReportDraft(models.Model):
    """What the chair writes. `version` goes up at every save: a save based on an older version
    is refused, so two tabs cannot silently overwrite each other."""

    # `report_draft`: the report's pages load the draft with the review, in its one query.
    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="report_draft")
    about = models.TextField(blank=True, max_length=limits.LONG_NOTE)
    is_safe = models.TextField(blank=True, max_length=limits.LONG_NOTE)
    good_care_now = models.TextField(blank=True, max_length=limits.LONG_NOTE)
    future_plans = models.TextField(blank=True, max_length=limits.LONG_NOTE)
    community_care = models.TextField(blank=True, max_length=limits.LONG_NOTE)
    summary = models.TextField(blank=True, max_length=limits.LONG_NOTE)
    easy_read = models.TextField(blank=True, max_length=limits.NOTE)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Report draft for review {self.review_id}"

    def text(self, section: str) -> str:
        return getattr(self, section)


class ReportComment(models.Model):
    """A panel member's comment on the draft, on one section or the whole; open until the chair
    resolves it with a note."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    section = models.CharField(max_length=20, choices=Section, blank=True)
    text = models.TextField(max_length=limits.NOTE)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True, max_length=limits.NOTE)

    class Meta:
        ordering = ["resolved_at", "created_at", "pk"]
        indexes = [models.Index(fields=["review", "resolved_at"], name="report_comment_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True)
                | (Q(resolved_by__isnull=False) & ~Q(resolution="")),
                name="report_comment_resolved_says_how",
            )
        ]

    def __str__(self):
        return f"Comment {self.pk} on the report of review {self.review_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def section_label(self) -> str:
        return self.get_section_display() if self.section else "The whole report"


class ReportVersion(models.Model):
    """An issued report, frozen: the finished HTML of the full and the easy read report, who
    issued it and when. Never edited; a correction is the next version."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    html = models.TextField(max_length=HTML_MAX)
    easy_read_html = models.TextField(max_length=HTML_MAX)
    # The full report laid out for large print; empty for a version issued before it was kept,
    # whose large print PDF is made from `html`.
    large_print_html = models.TextField(max_length=HTML_MAX, blank=True)
    correction = models.TextField("what was corrected", blank=True, max_length=limits.NOTE)
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="report_version_unique"),
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(superseded_at__isnull=True),
                name="report_one_current_version",
            ),
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(correction=""), name="report_correction_says_what"
            ),
        ]

    def __str__(self):
        return f"Report version {self.number} of review {self.review_id}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class PdfKind(models.TextChoices):
    FULL = "full", "Report"
    EASY_READ = "easy_read", "Easy read report"
    LARGE_PRINT = "large_print", "Large print report"


class PdfStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the worker"
    RENDERING = "rendering", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be made"


class ReportPdf(models.Model):
    """A PDF of the report, made by WeasyPrint in the worker: of the draft as the data stands
    (`version` empty), or of an issued version (its frozen HTML, kept for good)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        ReportVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="pdfs"
    )
    kind = models.CharField(max_length=12, choices=PdfKind)
    status = models.CharField(max_length=10, choices=PdfStatus, default=PdfStatus.PENDING)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.CharField(max_length=200, blank=True)  # a name in the documents storage
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["review", "kind", "-created_at"], name="report_pdf_latest"),
            models.Index(fields=["status", "created_at"], name="report_pdf_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind"],
                condition=Q(version__isnull=False),
                name="report_pdf_one_per_version",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & ~Q(sha256="")),
                name="report_pdf_ready_has_file",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} PDF {self.pk} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == PdfStatus.READY

    @property
    def is_waiting(self) -> bool:
        return self.status in (PdfStatus.PENDING, PdfStatus.RENDERING)
