"""Checklist templates, document packs, their items and files, and the access log.

A checklist template is reference data, versioned: a pack copies the items of the template
versions in force when it is made, so a later policy change never rewrites an old pack. Each
pack item is owed by one organisation (the provider for a hospital review, the commissioner for a
community review, the local authority for its C(E)TR items) and may name a person there. An item
is settled when it is provided (one or more files), not applicable or not held (with a reason).
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone

from ctr_portal import limits
from ctr_portal.models import Organisation

USER = settings.AUTH_USER_MODEL


class Responsible(models.TextChoices):
    """Who normally provides an item (domain.md §7): for a CTR in hospital "the responsibility
    for producing the pack is with the provider", the planner and the previous report and
    action plan included (checklist version 2); the commissioner for a community review's
    items; the local authority for its C(E)TR items."""

    COMMISSIONER = "commissioner", "The commissioner"
    PROVIDER = "provider", "The provider"
    LOCAL_AUTHORITY = "local_authority", "The local authority"


class ChecklistTemplate(models.Model):
    class AppliesTo(models.TextChoices):
        HOSPITAL = "hospital", "Hospital reviews"
        COMMUNITY = "community", "Community reviews"
        CHILD_LOCAL_AUTHORITY = (
            "child_local_authority",
            "C(E)TRs: the local authority's documents",
        )

    code = models.SlugField(max_length=40)
    version = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    applies_to = models.CharField(max_length=30, choices=AppliesTo)
    source = models.CharField(max_length=300, help_text="The policy the list is drawn from.")
    published_on = models.DateField()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="checklist_code_version")
        ]

    def __str__(self):
        return f"{self.name} (version {self.version})"


class ChecklistItem(models.Model):
    class Ages(models.TextChoices):
        ALL = "all", "Everyone"
        ADULT = "adult", "Adults (CTR) only"
        YOUNG_ADULT = "young_adult", "Young adults aged 18 to 25 only"
        CHILD = "child", "Children and young people (C(E)TR) only"

        @classmethod
        def for_age(cls, age: int) -> list[str]:
            """The item ages a pack for someone of `age` on the day of the review includes."""
            if age < 18:
                return [cls.ALL, cls.CHILD]
            return [cls.ALL, cls.ADULT] + ([cls.YOUNG_ADULT] if age <= 25 else [])

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    hint = models.CharField(max_length=300, blank=True)
    responsible = models.CharField(max_length=20, choices=Responsible)
    core = models.BooleanField(
        default=False, help_text="Core items must reach the panel 24 hours before the review."
    )
    is_planner = models.BooleanField(
        default=False,
        help_text="The planner with consent or best-interests evidence: the one item the panel "
        "may read before consent is recorded.",
    )
    ages = models.CharField(max_length=20, choices=Ages, default=Ages.ALL)

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="checklist_item_position"
            ),
            models.UniqueConstraint(fields=["template", "code"], name="checklist_item_code"),
        ]

    def __str__(self):
        return self.title


class DocumentPack(models.Model):
    """The documents for one review. Made once per review (`services.pack_for_review`)."""

    review = models.OneToOneField("reviews.Review", on_delete=models.PROTECT, related_name="+")
    templates = models.ManyToManyField(ChecklistTemplate, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last item was settled (cleared if reopened)."
    )
    reminders_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Document pack for review {self.review_id}"


class ItemStatus(models.TextChoices):
    OUTSTANDING = "outstanding", "Still needed"
    PROVIDED = "provided", "Provided"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NOT_HELD = "not_held", "Not held"

    @property
    def tag_colour(self) -> str:
        """Orange while still needed, green once provided, grey when there is none to give."""
        S = ItemStatus
        return {
            S.OUTSTANDING: "orange",
            S.PROVIDED: "green",
            S.NOT_APPLICABLE: "grey",
            S.NOT_HELD: "grey",
        }[self]


SETTLED_STATUSES = (ItemStatus.PROVIDED, ItemStatus.NOT_APPLICABLE, ItemStatus.NOT_HELD)
REASON_STATUSES = (ItemStatus.NOT_APPLICABLE, ItemStatus.NOT_HELD)


class PackItem(models.Model):
    """One thing the pack needs, copied from its checklist item with who owes it."""

    pack = models.ForeignKey(DocumentPack, on_delete=models.CASCADE, related_name="items")
    source = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    hint = models.CharField(max_length=300, blank=True)
    core = models.BooleanField(default=False)
    is_planner = models.BooleanField(default=False)
    responsible = models.CharField(max_length=20, choices=Responsible)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text="Who owes the item."
    )
    assignee = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="A named person in that organisation.",
    )
    status = models.CharField(max_length=20, choices=ItemStatus, default=ItemStatus.OUTSTANDING)
    reason = models.TextField(blank=True, max_length=limits.FILE_REASON)
    settled_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pack", "position"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="packitem_org_status"),
            models.Index(fields=["assignee"], name="packitem_assignee"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["pack", "position"], name="packitem_position"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["not_applicable", "not_held"])
                | ~models.Q(reason=""),
                name="packitem_reason_required",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_settled(self) -> bool:
        return self.status in SETTLED_STATUSES

    @property
    def status_colour(self) -> str:
        return ItemStatus(self.status).tag_colour


def document_storage():
    """The storage for uploaded documents: `STORAGES["documents"]` (local by default, S3 through
    django-storages when configured). Never served by URL."""
    return storages["documents"]


class DocumentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word document"
    XLSX = "xlsx", "Excel spreadsheet"
    ODT = "odt", "OpenDocument text"
    JPEG = "jpeg", "JPEG image"
    PNG = "png", "PNG image"


VIEWABLE_KINDS = (DocumentKind.PDF, DocumentKind.JPEG, DocumentKind.PNG)
# Shown to the panel through a PDF rendition (DocumentRendition).
OFFICE_KINDS = (DocumentKind.DOCX, DocumentKind.XLSX, DocumentKind.ODT)


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", "Not scanned for viruses"
    CLEAN = "clean", "Scanned: no virus found"


class DocumentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(deleted_at__isnull=True, superseded_at__isnull=True)


class Document(models.Model):
    """One uploaded file of an item. Never changed once stored: a replacement is a new row that
    points at the one it replaces (kept as history); a deletion is soft, with a reason."""

    item = models.ForeignKey(PackItem, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(storage=document_storage, max_length=200)
    original_name = models.CharField(max_length=255, help_text="The name it was uploaded with.")
    kind = models.CharField(max_length=10, choices=DocumentKind)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scan_status = models.CharField(max_length=20, choices=ScanStatus)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delete_reason = models.TextField(blank=True, max_length=limits.FILE_REASON)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["item", "deleted_at", "superseded_at"], name="doc_current")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deleted_at__isnull=True) | ~models.Q(delete_reason=""),
                name="document_delete_has_reason",
            ),
            models.UniqueConstraint(fields=["file"], name="document_file_unique"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def is_current(self) -> bool:
        return self.deleted_at is None and self.superseded_at is None

    @property
    def viewable_in_browser(self) -> bool:
        return self.kind in VIEWABLE_KINDS

    @property
    def is_image(self) -> bool:
        return self.kind in (DocumentKind.JPEG, DocumentKind.PNG)

    @property
    def is_office(self) -> bool:
        return self.kind in OFFICE_KINDS

    @property
    def pdf_rendition(self):
        """The PDF made for the panel from an office document (a DocumentRendition), or None."""
        if not self.is_office:
            return None
        try:
            return self.rendition
        except ObjectDoesNotExist:
            return None


class DocumentAccess(models.Model):
    """Who viewed or downloaded which document, when: the pack's access log, shown to the
    commissioner and the chair. (The audit trail records the same, but no feature reads it.)"""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="accesses")
    pack = models.ForeignKey(DocumentPack, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action)
    watermarked = models.BooleanField(default=False)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["pack", "-occurred_at"], name="docaccess_pack_time")]

    def __str__(self):
        return f"{self.get_action_display()} document {self.document_id}"


class RenditionStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    CONVERTING = "converting", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be opened"
    UNAVAILABLE = "unavailable", "Cannot be converted on this machine"


class DocumentRendition(models.Model):
    """The PDF the panel reads in place of an office document (DOCX, XLSX, ODT): made by
    LibreOffice in the worker (`services.rendition_make`), stored beside the original under a
    random name, one per document version. A replacement is a new Document with its own
    rendition, so an old rendition is never shown for a new version."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="rendition")
    status = models.CharField(
        max_length=20, choices=RenditionStatus, default=RenditionStatus.PENDING
    )
    file = models.FileField(storage=document_storage, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    failure = models.CharField(
        max_length=300, blank=True, help_text="Why it could not be made (for the logs and admin)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text="How long LibreOffice took.")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="rendition_status")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(file=""),
                name="rendition_ready_has_file",
            ),
        ]

    def __str__(self):
        return f"PDF of document {self.document_id} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == RenditionStatus.READY

    @property
    def is_waiting(self) -> bool:
        return self.status in (RenditionStatus.PENDING, RenditionStatus.CONVERTING)
