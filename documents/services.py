"""Documents: every write, as keyword-only `<noun>_<verb>` functions that own the transaction,
the audit entry and the on-commit work.

Files: a file is checked (size, virus scan, content) while it sits in the upload's temporary
file, which is its quarantine; only a clean file of an allowed type reaches storage, under a
random name. Rows are written after the files are stored; if the database refuses, the stored
files are removed again, so no file is left without its row. Files leave storage only after the
transaction that deleted them commits.

Office documents (DOCX, XLSX, ODT) are read by the panel as PDFs that LibreOffice makes in the
worker after the upload commits (`rendition_make`); one that cannot be made puts the item back
among those still owed and tells whoever owes it.
"""

import hashlib
import logging
import os
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from time import perf_counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from ctr_portal import limits
from ctr_portal.audit import Action, audit_record
from ctr_portal.deadlines import deadline_notices_cancel, deadline_notices_send, subjects_waiting
from ctr_portal.formatting import nhs_datetime
from ctr_portal.queries import is_member, organisation_members
from ctr_portal.services import notification_enqueue
from reviews.models import ParticipantRole, Review, ReviewState
from reviews.queries import (
    commissioner_contacts,
    participants_for_review,
    reviews_starting_between,
)
from reviews.services import review_event_record

from . import clamav, libreoffice, policy
from .models import (
    REASON_STATUSES,
    SETTLED_STATUSES,
    ChecklistItem,
    ChecklistTemplate,
    Document,
    DocumentAccess,
    DocumentPack,
    DocumentRendition,
    ItemStatus,
    PackItem,
    RenditionStatus,
    Responsible,
    ScanStatus,
    document_storage,
)
from .sniff import EXTENSIONS, sniff

log = logging.getLogger(__name__)

# Timeline entries of this app (reviews.ReviewEvent.kind), registered in apps.py.
EVENT_DOCUMENTS = "documents"
EVENT_KINDS = [(EVENT_DOCUMENTS, "Document pack")]

# Reviews whose pack is chased: going ahead, with a date.
CHASED_STATES = (ReviewState.SCHEDULED, ReviewState.PREPARING, ReviewState.READY)


# --- Making the pack ------------------------------------------------------------------------


def checklist_templates_for(review) -> list[ChecklistTemplate]:
    """The latest version of the template for the review's setting, and for a C(E)TR the local
    authority's template too."""
    wanted = [
        ChecklistTemplate.AppliesTo.HOSPITAL
        if review.is_hospital_review
        else ChecklistTemplate.AppliesTo.COMMUNITY
    ]
    if review.is_child_review:
        wanted.append(ChecklistTemplate.AppliesTo.CHILD_LOCAL_AUTHORITY)
    latest = {}
    for template in ChecklistTemplate.objects.filter(applies_to__in=wanted).order_by("version"):
        latest[template.code] = template
    return sorted(latest.values(), key=lambda t: wanted.index(t.applies_to))


def responsible_organisation(review, responsible):
    """Who owes an item: the rule of domain.md §7. Without a provider or local authority on
    record, the commissioner owes it (and can name someone)."""
    if responsible == Responsible.PROVIDER:
        return review.provider or review.person.provider or review.commissioner
    if responsible == Responsible.LOCAL_AUTHORITY:
        return review.person.local_authority or review.commissioner
    return review.commissioner


def pack_for_review(*, review: Review) -> DocumentPack:
    """The review's pack, made from the right checklists the first time it is asked for.

    Safe to call any number of times, from two processes at once: the review has one pack (a
    unique key), and a loser of the race reads the winner's.
    """
    pack = DocumentPack.objects.filter(review=review).first()
    if pack is not None:
        return pack
    templates = checklist_templates_for(review)
    ages = ChecklistItem.Ages.for_age(review.person.age_on(review.review_date))
    sources = (
        ChecklistItem.objects.filter(template__in=templates, ages__in=ages)
        .select_related("template")
        .order_by("position")
    )
    order = {t.pk: i for i, t in enumerate(templates)}
    sources = sorted(sources, key=lambda s: (order[s.template_id], s.position))
    try:
        with transaction.atomic():
            pack = DocumentPack.objects.create(review=review)
            pack.templates.set(templates)
            PackItem.objects.bulk_create(
                PackItem(
                    pack=pack,
                    source=source,
                    position=position,
                    title=source.title,
                    hint=source.hint,
                    core=source.core,
                    is_planner=source.is_planner,
                    responsible=source.responsible,
                    organisation=responsible_organisation(review, source.responsible),
                )
                for position, source in enumerate(sources, start=1)
            )
            audit_record(action=Action.CREATE, obj=pack)
    except IntegrityError:
        return DocumentPack.objects.get(review=review)
    return pack


# --- Uploads --------------------------------------------------------------------------------


@dataclass
class UploadResult:
    accepted: list = field(default_factory=list)  # Documents
    refused: list = field(default_factory=list)  # (file name, message)


def clean_file_name(name: str) -> str:
    """The name to show: the last part of the path, without control characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:200] or "Untitled"


def size_limit_words() -> str:
    """ "20MB", as the NHS service manual writes it."""
    limit = settings.DOCUMENTS_MAX_UPLOAD_BYTES
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)}MB"
    return filesizeformat(limit).replace("\xa0", "")


def check_file(uploaded) -> tuple[object, str]:
    """(sniffed, "") for a file that may enter the pack, or (None, message) naming the file.

    The order matters: size first (cheapest), then the virus scan, so that a virus is reported
    as a virus whatever it pretends to be, then the content."""
    name = clean_file_name(uploaded.name)
    if getattr(uploaded, "oversize", False) or uploaded.size > settings.DOCUMENTS_MAX_UPLOAD_BYTES:
        return None, f"{name} must be smaller than {size_limit_words()}"
    if uploaded.size == 0:
        return None, f"{name} is empty"
    if clamav.scanning_enabled():
        try:
            result = clamav.scan(uploaded)
        except clamav.ScannerUnavailable as error:
            log.error("Virus scanner unavailable: %s", error)
            return None, f"{name} could not be checked for viruses. Try again later"
        if not result.clean:
            log.warning("Upload refused: virus found (%s)", result.signature)
            return None, f"{name} contains a virus. It has not been uploaded"
    sniffed = sniff(uploaded)
    if sniffed.kind is None:
        return None, sniffed.problem.format(name=name)
    return sniffed, ""


def _sha256(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _store(uploaded) -> str:
    """Put a checked file in storage under a random name; returns the name."""
    storage = document_storage()
    uploaded.seek(0)
    return storage.save(f"documents/{secrets.token_hex(20)}", File(uploaded))


def _remove_files(names) -> None:
    storage = document_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # pragma: no cover - logged, the row is already gone
            log.exception("Could not remove a stored document file")


def _files_to_keep(files, *, refused: list) -> list:
    """The files of an upload that pass the checks, as (file, clean name, sniffed type); each
    other one goes into `refused` with the reason, those after the per-upload limit by name."""
    limit = settings.DOCUMENTS_MAX_FILES_PER_UPLOAD
    good = []
    for index, uploaded in enumerate(files):
        name = clean_file_name(uploaded.name)
        if index >= limit:
            refused.append(
                (name, f"{name} was not uploaded: you can upload up to {limit} files at a time")
            )
            continue
        sniffed, problem = check_file(uploaded)
        if sniffed is None:
            refused.append((name, problem))
        else:
            good.append((uploaded, name, sniffed))
    return good


def documents_upload(*, actor, item: PackItem, files, replaces: Document | None = None):
    """Check each file, store the good ones and add them to the item; returns an UploadResult.

    A refused file never touches the pack; the other files of the same upload are kept. More
    than DOCUMENTS_MAX_FILES_PER_UPLOAD files: those after the limit are refused by name.
    """
    result = UploadResult()
    good = _files_to_keep(files, refused=result.refused)
    if not good:
        return result
    scan_status = ScanStatus.CLEAN if clamav.scanning_enabled() else ScanStatus.NOT_SCANNED
    prepared = [(u, name, sniffed, _sha256(u), u.size) for u, name, sniffed in good]
    stored = []
    try:
        for uploaded, *_ in prepared:
            stored.append(_store(uploaded))
        with transaction.atomic():
            locked = PackItem.objects.select_for_update().get(pk=item.pk)
            now = timezone.now()
            for (_u, name, sniffed, sha, size), stored_name in zip(prepared, stored, strict=True):
                document = Document(
                    item=locked,
                    file=stored_name,
                    original_name=name,
                    kind=sniffed.kind,
                    content_type=sniffed.content_type,
                    size=size,
                    sha256=sha,
                    scan_status=scan_status,
                    uploaded_by=actor,
                    uploaded_at=now,
                    replaces=replaces,
                )
                document.save()
                audit_record(action=Action.CREATE, actor=actor, obj=document)
                result.accepted.append(document)
                if document.is_office:
                    rendition = DocumentRendition.objects.create(document=document)
                    transaction.on_commit(partial(_rendition_enqueue, rendition.pk))
            if replaces is not None:
                Document.objects.filter(pk=replaces.pk).update(superseded_at=now)
            _refresh_status(locked, actor)
    except Exception:
        _remove_files(stored)
        result.accepted = []
        raise
    item.status = locked.status
    return result


def document_replace(*, actor, document: Document, uploaded) -> Document:
    """A new version of a document; the old one stays in the history."""
    if not document.is_current:
        raise ValidationError("Only the current version of a document can be replaced")
    result = documents_upload(actor=actor, item=document.item, files=[uploaded], replaces=document)
    if result.refused:
        raise ValidationError({"file": [message for _name, message in result.refused]})
    return result.accepted[0]


def document_delete(*, actor, document: Document, reason: str) -> Document:
    """Soft-delete: the row stays in the history with who, when and why; the file itself is
    removed from storage once the transaction has committed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why you are deleting this file"})
    if document.deleted_at is not None:
        raise ValidationError("This file has already been deleted")
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        locked.deleted_at = timezone.now()
        locked.deleted_by = actor
        locked.delete_reason = reason
        locked.save(update_fields=["deleted_at", "deleted_by", "delete_reason"])
        item = PackItem.objects.select_for_update().get(pk=document.item_id)
        _refresh_status(item, actor)
        audit_record(action=Action.UPDATE, actor=actor, obj=locked)
        # The PDF made for the panel holds the same words: it goes with the original.
        names = [
            locked.file.name,
            *DocumentRendition.objects.filter(document=locked)
            .exclude(file="")
            .values_list("file", flat=True),
        ]
        transaction.on_commit(lambda: _remove_files(names))
    return locked


def _refresh_status(item: PackItem, actor) -> None:
    """An item with a current file is provided; one that loses its last file is owed again, as
    is one with a file that could not be opened for the panel (its rendition failed)."""
    current = item.documents.current()
    has_files = current.exists()
    if has_files and current.filter(rendition__status=RenditionStatus.FAILED).exists():
        has_files = False
    if has_files and item.status != ItemStatus.PROVIDED:
        item.status, item.reason = ItemStatus.PROVIDED, ""
        item.settled_by, item.settled_at = actor, timezone.now()
    elif not has_files and item.status == ItemStatus.PROVIDED:
        item.status, item.settled_by, item.settled_at = ItemStatus.OUTSTANDING, None, None
    else:
        return
    item.save(update_fields=["status", "reason", "settled_by", "settled_at"])
    _pack_completeness_changed(item.pack_id, actor)


# --- Settling and assigning items -----------------------------------------------------------


def item_settle(*, actor, item: PackItem, status: str, reason: str = "") -> PackItem:
    """Mark an item not applicable or not held (a reason is required), or owed again."""
    reason = (reason or "").strip()
    if status not in (*REASON_STATUSES, ItemStatus.OUTSTANDING):
        raise ValidationError({"status": "Select whether the item is not applicable or not held"})
    if status in REASON_STATUSES and not reason:
        word = "not applicable" if status == ItemStatus.NOT_APPLICABLE else "not held"
        raise ValidationError({"reason": f"Enter why this item is {word}"})
    with transaction.atomic():
        locked = PackItem.objects.select_for_update().get(pk=item.pk)
        if locked.documents.current().exists():
            raise ValidationError(
                {"status": "This item has files. Delete them first if the item is not needed"}
            )
        if status == ItemStatus.OUTSTANDING:
            locked.reason, locked.settled_by, locked.settled_at = "", None, None
        else:
            locked.reason, locked.settled_by, locked.settled_at = reason, actor, timezone.now()
        locked.status = status
        locked.full_clean(exclude=["pack", "source", "organisation", "assignee", "settled_by"])
        locked.save(update_fields=["status", "reason", "settled_by", "settled_at"])
        audit_record(action=Action.UPDATE, actor=actor, obj=locked)
        _pack_completeness_changed(locked.pack_id, actor)
    for name in ("status", "reason", "settled_by", "settled_at"):
        setattr(item, name, getattr(locked, name))
    return item


def item_assign(*, actor, item: PackItem, assignee) -> PackItem:
    """Name a person in the owing organisation for the item (None: nobody named)."""
    if assignee is not None and not is_member(assignee, item.organisation_id):
        raise ValidationError({"assignee": "Select someone who works for the organisation"})
    with transaction.atomic():
        PackItem.objects.filter(pk=item.pk).update(assignee=assignee)
        audit_record(action=Action.UPDATE, actor=actor, obj=item)
    item.assignee = assignee
    return item


# --- Completeness and the commissioner ------------------------------------------------------


def _pack_completeness_changed(pack_id, actor) -> None:
    """Record when the pack becomes complete (and tell the commissioner), or stops being so."""
    pack = DocumentPack.objects.select_for_update().select_related("review").get(pk=pack_id)
    owing = PackItem.objects.filter(pack=pack).exclude(status__in=SETTLED_STATUSES).exists()
    if owing and pack.completed_at is not None:
        pack.completed_at = None
        pack.save(update_fields=["completed_at"])
    elif not owing and pack.completed_at is None:
        pack.completed_at = timezone.now()
        pack.save(update_fields=["completed_at"])
        review = pack.review
        review_event_record(
            review=review,
            kind=EVENT_DOCUMENTS,
            summary="Document pack complete: every item provided or settled",
            actor=actor,
        )
        for email, _name in commissioner_recipients(review):
            notification_enqueue(
                key=f"pack-complete:{pack.pk}:{pack.completed_at.isoformat()}:{email}",
                recipient=email,
                template="pack_complete",
                context=_email_context(review),
            )


def commissioner_recipients(review) -> list[tuple[str, str]]:
    """Who hears about the pack for the commissioner: the review's commissioner participants,
    or whoever planned the review."""
    return [(email, name) for _user_id, name, email in commissioner_contacts(review)]


def _email_context(review, **extra) -> dict:
    """No name goes into an email (not the person reviewed's, not the recipient's), nor a file's
    name: the review by its kind and date, and a link to what to do."""
    return {
        "review_type": review.type_long,
        "review_label": review.type_label,
        "when": nhs_datetime(review.starts_at),
        "link": settings.SITE_URL + reverse("documents:pack", args=[review.pk]),
        **extra,
    }


# --- Reminders ------------------------------------------------------------------------------

PARTICIPANT_ROLE_FOR = {
    Responsible.PROVIDER: ParticipantRole.PROVIDER,
    Responsible.LOCAL_AUTHORITY: ParticipantRole.LOCAL_AUTHORITY,
    Responsible.COMMISSIONER: ParticipantRole.COMMISSIONER,
}


def _owers(review, items) -> dict[str, dict]:
    """{email: {"name", "items": [titles]}}: the person named on each item, else the review's
    participant for that organisation's role, else the organisation's members (for the
    commissioner, whoever planned the review)."""
    participants = participants_for_review(review)
    members = {}
    owers: dict[str, dict] = {}

    def add(email, name, item):
        entry = owers.setdefault(email, {"name": name, "items": []})
        entry["items"].append(item.title)

    for item in items:
        if item.assignee_id:
            add(item.assignee.email, item.assignee.display_name, item)
            continue
        role = PARTICIPANT_ROLE_FOR[item.responsible]
        found = [p for p in participants if p.role == role and p.email]
        if not found and item.responsible == Responsible.COMMISSIONER:
            add(review.created_by.email, review.created_by.display_name, item)
            continue
        if found:
            for p in found:
                add(p.email, p.name, item)
            continue
        if item.organisation_id not in members:
            members[item.organisation_id] = organisation_members(item.organisation_id)
        for m in members[item.organisation_id]:
            add(m.user.email, m.user.display_name, item)
    return owers


def _due_packs(now):
    """Reviews going ahead whose deadlines or reminder points may fall due: their packs are
    made if need be. Returns pack ids."""
    latest_point = max([*policy.REMINDER_DAYS, 0])
    # The target date is at most this many calendar days before the review.
    lead = timedelta(days=latest_point + policy.TARGET_WORKING_DAYS.value() * 7 // 5 + 4)
    reviews = reviews_starting_between(CHASED_STATES, now - timedelta(days=1), now + lead)
    ids = [pack_for_review(review=review).pk for review in reviews]
    # And the packs with reminders still waiting to be sent, whose review may have moved beyond
    # that reach or stopped going ahead: their reminders are cancelled (ctr_portal.deadlines).
    waiting = {int(subject.split(":")[1]) for subject in subjects_waiting("pack:")}
    return ids + sorted(waiting - set(ids))


def pack_reminders_send(*, now=None) -> int:
    """Chase whoever still owes items, at each reminder point before each deadline and on it,
    and tell the commissioner when a deadline passes with items owed. Returns how many emails
    were queued.

    Safe to run twice at once and to rerun: each pack is claimed under a row lock that a second
    run skips, and each email has an idempotency key per (pack, deadline, point, recipient)
    that a moved deadline changes, cancelling the old deadline's reminders not yet sent.
    """
    now = now or timezone.now()
    queued = 0
    for pack_id in _due_packs(now):
        with transaction.atomic():
            pack = (
                DocumentPack.objects.select_for_update(skip_locked=True)
                .select_related("review", "review__person", "review__created_by")
                .filter(pk=pack_id)
                .first()
            )
            if pack is None:
                continue  # another run has it
            queued += _remind_for_pack(pack, now)
            pack.reminders_checked_at = now
            pack.save(update_fields=["reminders_checked_at"])
    return queued


def _remind_for_pack(pack, now) -> int:
    """Each deadline's notices due `now` (documents/policy.py: `notice_series`), through the
    deadline mechanism (ctr_portal.deadlines): to whoever owes its items, and to the
    commissioner once it has passed with items owed."""
    review = pack.review
    if review.state not in CHASED_STATES:  # postponed or cancelled: nothing more is sent
        for key in ("core", "target"):
            deadline_notices_cancel(subject=f"pack:{pack.pk}:{key}")
        return 0
    owed = list(
        PackItem.objects.filter(pack=pack, status=ItemStatus.OUTSTANDING)
        .select_related("assignee", "organisation")
        .order_by("position")
    )
    queued = 0
    for deadline in policy.deadlines(review).values():
        items = [i for i in owed if i.core == (deadline.key == "core")]
        queued += deadline_notices_send(
            subject=f"pack:{pack.pk}:{deadline.key}",
            deadline=deadline.due_at,
            series=policy.notice_series(),
            today=now,
            build=lambda point, deadline=deadline, items=items: _pack_notices(
                review, deadline, items, point
            ),
        )
    return queued


def _pack_notices(review, deadline, items, point) -> list[tuple[str, str, dict]]:
    if not items:
        return []
    words = {"deadline_label": deadline.label.lower(), "deadline": nhs_datetime(deadline.due_at)}
    if point.audience == policy.OWERS:
        days = (deadline.due_at - point.send_on).days
        return [
            (
                email,
                "pack_reminder",
                _email_context(review, items=entry["items"], days=days, **words),
            )
            for email, entry in _owers(review, items).items()
        ]
    owing = [f"{i.title} ({i.organisation.name})" for i in items]
    return [
        (email, "pack_deadline_passed", _email_context(review, items=owing, **words))
        for email, _name in commissioner_recipients(review)
    ]


# --- Renditions: office documents as PDFs for the panel ---------------------------------------


def _rendition_enqueue(rendition_id) -> None:
    from .tasks import rendition_make as rendition_make_task

    rendition_make_task.delay(rendition_id)


def _stale_after() -> timedelta:
    """A rendition still "converting" after this was left by a worker that died."""
    return timedelta(seconds=settings.DOCUMENTS_CONVERSION_TIMEOUT_SECONDS * 2 + 60)


def rendition_make(*, rendition_id: int) -> DocumentRendition | None:
    """Make the PDF of an office document with LibreOffice, store it beside the original under a
    random name, and mark it ready; or mark it failed, put the item back among those owed and
    tell whoever owes it, once. Without LibreOffice, mark it unavailable (tried again by
    `renditions_resume` once LibreOffice is installed).

    Runs in the worker. Safe to run twice at once: the rendition is claimed by a conditional
    update, and a claimed or finished one is left alone. The original is only read.
    """
    waiting = DocumentRendition.objects.filter(pk=rendition_id)
    if not libreoffice.available():
        waiting.filter(status=RenditionStatus.PENDING).update(
            status=RenditionStatus.UNAVAILABLE, failure=libreoffice.MISSING_WORDS
        )
        log.warning("Rendition %s not made: %s", rendition_id, libreoffice.MISSING_WORDS)
        return None
    now = timezone.now()
    claimed = waiting.filter(
        Q(status__in=[RenditionStatus.PENDING, RenditionStatus.UNAVAILABLE])
        | Q(status=RenditionStatus.CONVERTING, started_at__lt=now - _stale_after())
    ).update(status=RenditionStatus.CONVERTING, started_at=now, failure="")
    if not claimed:
        return None
    rendition = DocumentRendition.objects.select_related("document").get(pk=rendition_id)
    document = rendition.document
    if document.deleted_at is not None:  # its file is gone with it
        return _rendition_finish(rendition, RenditionStatus.FAILED, failure="Deleted first")
    started = perf_counter()
    try:
        with document_storage().open(document.file.name, "rb") as source:
            pdf = libreoffice.convert_to_pdf(source, extension=EXTENSIONS[document.kind])
    except libreoffice.ConverterMissing as error:
        return _rendition_finish(rendition, RenditionStatus.UNAVAILABLE, failure=str(error))
    except (libreoffice.ConversionFailed, OSError) as error:
        log.warning("Rendition %s failed: %s", rendition_id, error)
        return _rendition_failed(rendition, str(error), seconds=perf_counter() - started)
    seconds = perf_counter() - started
    name = document_storage().save(f"documents/{secrets.token_hex(20)}", ContentFile(pdf))
    try:
        return _rendition_finish(
            rendition,
            RenditionStatus.READY,
            file=name,
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            seconds=seconds,
        )
    except Exception:
        _remove_files([name])
        raise


def _rendition_finish(rendition, status, **fields) -> DocumentRendition | None:
    """Record the outcome, if this run still holds the claim; else leave it (and its file)."""
    fields = {"status": status, "finished_at": timezone.now(), **fields}
    with transaction.atomic():
        updated = DocumentRendition.objects.filter(
            pk=rendition.pk, status=RenditionStatus.CONVERTING, started_at=rendition.started_at
        ).update(**fields)
        if not updated:
            if fields.get("file"):
                name = fields["file"]
                transaction.on_commit(lambda: _remove_files([name]))
            return None
        for key, value in fields.items():
            setattr(rendition, key, value)
        audit_record(
            action=Action.CREATE if status == RenditionStatus.READY else Action.UPDATE,
            obj=rendition,
        )
    return rendition


def _rendition_failed(rendition, reason: str, *, seconds: float) -> DocumentRendition | None:
    """A failed rendition of a current document: the item is owed again, and whoever owes it
    is told to upload a PDF (once per document version and recipient)."""
    with transaction.atomic():
        done = _rendition_finish(
            rendition, RenditionStatus.FAILED, failure=reason[:300], seconds=seconds
        )
        if done is None:
            return None
        document = Document.objects.get(pk=rendition.document_id)
        if not document.is_current:
            return done
        item = (
            PackItem.objects.select_for_update(of=("self",))
            .select_related("assignee", "pack__review__created_by")
            .get(pk=document.item_id)
        )
        _refresh_status(item, None)
        review = item.pack.review
        recipients = [email for email in _owers(review, [item]) if email]
        uploader = document.uploaded_by
        if uploader.is_active and uploader.email and uploader.email not in recipients:
            recipients.append(uploader.email)
        for email in recipients:
            # Never the file's name: people name files after the person ("… care plan.odt").
            notification_enqueue(
                key=f"rendition-failed:{document.pk}:{email}",
                recipient=email,
                template="rendition_failed",
                context=_email_context(
                    review,
                    item_title=item.title,
                    link=settings.SITE_URL + reverse("documents:item", args=[item.pk]),
                ),
            )
    return done


def renditions_resume(*, now=None, limit=50) -> int:
    """Beat: enqueue renditions whose task was lost or must be tried again: pending for more
    than a minute, "converting" for longer than a conversion may take, or waiting for
    LibreOffice where it is now installed. Returns how many were enqueued."""
    now = now or timezone.now()
    due = Q(status=RenditionStatus.PENDING, created_at__lt=now - timedelta(minutes=1)) | Q(
        status=RenditionStatus.CONVERTING, started_at__lt=now - _stale_after()
    )
    if libreoffice.available():
        due |= Q(status=RenditionStatus.UNAVAILABLE)
    ids = list(
        DocumentRendition.objects.filter(due, document__deleted_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for rendition_id in ids:
        _rendition_enqueue(rendition_id)
    return len(ids)


# --- Reading: the access log ----------------------------------------------------------------


def document_access_record(
    *, user, document: Document, action: str, watermarked=False, request=None
) -> DocumentAccess:
    """One view or download: a row of the pack's access log and an audit event."""
    with transaction.atomic():
        access = DocumentAccess.objects.create(
            document=document,
            pack_id=document.item.pack_id,
            user=user,
            action=action,
            watermarked=watermarked,
        )
        audit_record(
            action=Action.DOWNLOAD if action == DocumentAccess.Action.DOWNLOAD else Action.VIEW,
            actor=user,
            obj=document,
            request=request,
        )
    return access


def download_name(document: Document) -> str:
    """The uploaded name, with the extension of what the file really is."""
    stem, ext = os.path.splitext(document.original_name)
    right = EXTENSIONS[document.kind]
    if ext.lower().lstrip(".") in (right, "jpeg" if right == "jpg" else right):
        return document.original_name
    return f"{stem or 'document'}.{right}"


# --- Files kept by other apps (a recommendation's evidence) ----------------------------------


@dataclass(frozen=True)
class StoredFile:
    """A file checked as pack uploads are and put in the documents storage; the app that keeps
    it writes its own row, and removes the file (`stored_files_remove`) if that write fails."""

    name: str
    original_name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    scan_status: str


def evidence_file_store(*, uploaded, field: str = "evidence") -> StoredFile:
    """Check one file by size, virus scan and content, and store it under a random name.
    Raises ValidationError({field: message naming the file}) for a refused file."""
    sniffed, problem = check_file(uploaded)
    if sniffed is None:
        raise ValidationError({field: problem})
    scan_status = ScanStatus.CLEAN if clamav.scanning_enabled() else ScanStatus.NOT_SCANNED
    sha, size = _sha256(uploaded), uploaded.size
    return StoredFile(
        name=_store(uploaded),
        original_name=clean_file_name(uploaded.name),
        kind=sniffed.kind,
        content_type=sniffed.content_type,
        size=size,
        sha256=sha,
        scan_status=scan_status,
    )


def stored_files_remove(names) -> None:
    """Remove files stored by `evidence_file_store` whose rows were never written."""
    _remove_files(names)


def stored_file_open(name: str):
    return document_storage().open(name, "rb")


def stored_file_download_name(original_name: str, kind: str) -> str:
    stem, ext = os.path.splitext(original_name)
    right = EXTENSIONS[kind]
    if ext.lower().lstrip(".") in (right, "jpeg" if right == "jpg" else right):
        return original_name
    return f"{stem or 'document'}.{right}"


# --- Items settled from what the portal already holds --------------------------------------

PREVIOUS_REPORT_CODE = "previous-report"


def pack_item_provided_in_portal(*, review: Review, code: str, note: str) -> PackItem | None:
    """Mark the review's pack item with checklist code `code` provided by what the portal
    already holds (the previous review's recommendations and their progress), with `note` as
    where to find it. The pack is made first if need be. Nothing happens to an item already
    settled; returns the item, or None when the pack has no such item."""
    pack = pack_for_review(review=review)
    with transaction.atomic():
        item = (
            PackItem.objects.select_for_update()
            .filter(pack=pack, source__code=code)
            .order_by("position")
            .first()
        )
        if item is None or item.is_settled:
            return item
        item.status, item.reason = ItemStatus.PROVIDED, note.strip()[: limits.FILE_REASON]
        item.settled_by, item.settled_at = None, timezone.now()
        item.save(update_fields=["status", "reason", "settled_by", "settled_at"])
        audit_record(action=Action.UPDATE, obj=item)
        _pack_completeness_changed(item.pack_id, None)
    return item
