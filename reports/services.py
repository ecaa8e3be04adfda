"""Every write to the report: the chair's narrative, comments, PDFs, issuing and the deadline.

Each service validates, writes in one transaction with its audit entry and timeline entry, and
starts the worker after commit. PDFs are rendered only in the worker (`report_pdf_render`).
An issued version is written once: its HTML is frozen when the chair issues it, its PDFs are
stored with their SHA-256 when the worker has made them, and nothing changes either afterwards.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from time import perf_counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.deadlines import deadline_notices_cancel, deadline_notices_send, subjects_waiting
from ctr_portal.formatting import nhs_date
from ctr_portal.services import notification_enqueue
from panels.queries import consolidated_findings, panel_for_review
from recommendations import services as recommendations
from recommendations.models import State as RecommendationState
from reviews.models import ParticipantRole, ReviewState
from reviews.queries import commissioner_contacts, review_for_user, reviews_held_between
from reviews.services import participant_reach, review_event_record, review_transition

from . import policy, rendering
from .models import (
    PdfKind,
    PdfStatus,
    ReportComment,
    ReportDraft,
    ReportPdf,
    ReportVersion,
    Section,
)
from .queries import open_comment_count, pdf_kinds_for, report_content, report_recommendations
from .reader_links import report_links_without_account
from .rules import report_open_to

log = logging.getLogger(__name__)

# Timeline entries of this app (reviews.ReviewEvent.kind), registered in apps.py.
EVENT_REPORT = "report"
EVENT_KINDS = [(EVENT_REPORT, "Report")]

NARRATIVE = [s.value for s in Section]
# Where a review may be when its report is issued (a correction comes after the first issue).
ISSUABLE = (
    ReviewState.HELD,
    ReviewState.REPORT_DRAFTING,
    ReviewState.REPORT_ISSUED,
    ReviewState.FOLLOW_UP,
)
AWAITING_REPORT = (ReviewState.HELD, ReviewState.REPORT_DRAFTING)


class EditConflict(Exception):
    """Someone saved the draft since this form was opened."""

    def __init__(self, current: ReportDraft):
        self.current = current
        super().__init__("The report draft was changed by someone else")


def report_storage():
    """Where report PDFs are kept: the documents storage, never served by URL."""
    return storages["documents"]


def report_due_date(review):
    """The day the report is due: DUE_DAYS after the review was held (domain.md §3)."""
    if review.held_on is None:
        return None
    return review.held_on + timedelta(days=policy.DUE_DAYS.value())


# --- The chair's narrative ----------------------------------------------------------------


def report_draft_save(*, actor, review, expected_version: int, **texts) -> ReportDraft:
    """Save the narrative sections. Refused (EditConflict) if the draft moved on since
    `expected_version`. The first save of a held review starts the report's drafting."""
    unknown = set(texts) - set(NARRATIVE)
    if unknown:
        raise ValueError(f"Not a narrative section: {sorted(unknown)}")
    with transaction.atomic():
        draft, created = ReportDraft.objects.select_for_update().get_or_create(review=review)
        if draft.version != expected_version:
            raise EditConflict(draft)
        for name, value in texts.items():
            setattr(draft, name, value.strip())
        draft.version += 1
        draft.updated_by = actor
        draft.updated_at = timezone.now()
        draft.full_clean()
        draft.save()
        audit_record(action=Action.CREATE if created else Action.UPDATE, actor=actor, obj=draft)
        if created:
            review_event_record(
                review=review,
                kind=EVENT_REPORT,
                summary="The chair started writing the report",
                actor=actor,
            )
            if review.state == ReviewState.HELD:
                review_transition(actor=actor, review=review, to=ReviewState.REPORT_DRAFTING)
    return draft


# --- Panel members' comments --------------------------------------------------------------


def report_comment_add(*, actor, review, section: str, text: str) -> ReportComment:
    comment = ReportComment(review=review, section=section, text=text.strip(), author=actor)
    comment.full_clean()
    with transaction.atomic():
        comment.save()
        audit_record(action=Action.CREATE, actor=actor, obj=comment)
    return comment


def report_comment_resolve(*, actor, review, comment: ReportComment, resolution: str):
    """The chair closes a comment with what was done about it."""
    if not resolution.strip():
        raise ValidationError({"resolution": "Enter what you did about the comment"})
    with transaction.atomic():
        updated = ReportComment.objects.filter(
            pk=comment.pk, review=review, resolved_at__isnull=True
        ).update(resolved_at=timezone.now(), resolved_by=actor, resolution=resolution.strip())
        if not updated:
            raise ValidationError("This comment was already resolved")
        audit_record(action=Action.UPDATE, actor=actor, obj=comment)
    comment.refresh_from_db()
    return comment


# --- PDFs, in the worker ------------------------------------------------------------------


def _enqueue(pdf_id: int) -> None:
    from .tasks import report_pdf_render as task

    transaction.on_commit(lambda: task.delay(pdf_id))


def report_pdf_request(*, actor, review, kind: str) -> ReportPdf:
    """Ask the worker for a PDF of the draft as the data stands now."""
    pdf = ReportPdf(review=review, kind=PdfKind(kind), requested_by=actor)
    with transaction.atomic():
        pdf.save()
        audit_record(action=Action.CREATE, actor=actor, obj=pdf)
        _enqueue(pdf.pk)
    return pdf


def _pdf_html(pdf: ReportPdf) -> str:
    """The print document the PDF is made from: an issued version's frozen HTML, or the draft
    drawn afresh from the data, as the person who asked for it may see it."""
    variant = pdf.kind
    if pdf.version_id:
        version = pdf.version
        review = version.review
        body = {
            PdfKind.FULL: version.html,
            PdfKind.EASY_READ: version.easy_read_html,
            # A version issued before large print was kept: its full HTML, at 18 point.
            PdfKind.LARGE_PRINT: version.large_print_html or version.html,
        }[variant]
    else:
        review = review_for_user(pdf.requested_by, pdf.review_id)
        if review is None:
            raise PermissionError("The person who asked for this PDF no longer has the review")
        body = _body(report_content(review), variant)
    title = rendering.document_title(review, variant=variant)
    return rendering.print_document(body, title=title, variant=variant)


def _body(content, variant, *, version=None) -> str:
    if variant == PdfKind.EASY_READ:
        return rendering.easy_read_body(content, version=version)
    return rendering.report_body(
        content, version=version, large_print=variant == PdfKind.LARGE_PRINT
    )


def report_pdf_render(*, pdf_id: int) -> ReportPdf | None:
    """Make one PDF with WeasyPrint and store it with its SHA-256. Runs in the worker; safe to
    run twice at once (claimed by a conditional update; a finished PDF is left alone)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.REPORTS_RENDER_TIMEOUT_SECONDS)
    claimed = (
        ReportPdf.objects.filter(pk=pdf_id)
        .filter(Q(status=PdfStatus.PENDING) | Q(status=PdfStatus.RENDERING, started_at__lt=stale))
        .update(status=PdfStatus.RENDERING, started_at=now)
    )
    if not claimed:
        return None
    pdf = ReportPdf.objects.select_related("version__review__person", "requested_by").get(pk=pdf_id)
    started = perf_counter()
    try:
        data, pages = rendering.pdf_from_html(_pdf_html(pdf))
    except Exception as error:  # noqa: BLE001 (any failure is recorded, then logged)
        log.exception("Report PDF %s failed", pdf_id)
        return _pdf_finish(pdf, PdfStatus.FAILED, failure=str(error)[:300] or "Failed")
    name = report_storage().save(f"reports/{secrets.token_hex(20)}.pdf", ContentFile(data))
    return _pdf_finish(
        pdf,
        PdfStatus.READY,
        file=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
        seconds=perf_counter() - started,
    )


def _pdf_finish(pdf: ReportPdf, status: str, **fields) -> ReportPdf | None:
    fields = {"status": status, "finished_at": timezone.now(), **fields}
    with transaction.atomic():
        updated = ReportPdf.objects.filter(
            pk=pdf.pk, status=PdfStatus.RENDERING, started_at=pdf.started_at, file=""
        ).update(**fields)
        if not updated:
            if fields.get("file"):
                report_storage().delete(fields["file"])
            return None
        for key, value in fields.items():
            setattr(pdf, key, value)
        audit_record(action=Action.CREATE if status == PdfStatus.READY else Action.UPDATE, obj=pdf)
    return pdf


def report_pdfs_resume(*, now=None, limit=20) -> int:
    """Beat: enqueue PDFs whose task was lost (pending for a minute, or stuck rendering)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.REPORTS_RENDER_TIMEOUT_SECONDS)
    ids = list(
        ReportPdf.objects.filter(
            Q(status=PdfStatus.PENDING, created_at__lt=now - timedelta(minutes=1))
            | Q(status=PdfStatus.RENDERING, started_at__lt=stale)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    from .tasks import report_pdf_render as task

    for pdf_id in ids:
        task.delay(pdf_id)
    return len(ids)


class TamperedFile(Exception):
    """A stored PDF whose bytes no longer match the SHA-256 taken when it was made."""


def report_pdf_read(*, user, pdf: ReportPdf, request=None) -> bytes:
    """The PDF's bytes, checked against its SHA-256, with an audit entry for the download."""
    with report_storage().open(pdf.file, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != pdf.sha256:
        log.error("Report PDF %s does not match its SHA-256", pdf.pk)
        audit_record(action=Action.PERMISSION_DENIED, actor=user, obj=pdf, request=request)
        raise TamperedFile(pdf.pk)
    audit_record(action=Action.DOWNLOAD, actor=user, obj=pdf, request=request)
    return data


def report_view_record(*, user, review, version=None, request=None) -> None:
    """Every reading of the report (a draft or an issued version) is an audit event."""
    if version is not None:
        audit_record(action=Action.VIEW, actor=user, obj=version, request=request)
    else:
        audit_record(action=Action.VIEW, actor=user, obj=review, request=request)


# --- Issuing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EasyReadGaps:
    """What the chair has still to write for the person before the report is issued (issue 22):
    recommendations already sent that have no plain words (a draft's are asked for with the rest
    of it, `plan_unfinished`), and (KLOE, consolidated row) of each finding with nothing on
    what it means for the person."""

    recommendations: list
    findings: list

    def __bool__(self):
        return bool(self.recommendations or self.findings)


def easy_read_gaps(review) -> EasyReadGaps:
    panel = panel_for_review(review)
    findings = [
        (kloe, row)
        for kloe, row in (consolidated_findings(panel) if panel is not None else [])
        if row is not None and row.finding.strip() and not row.for_you.strip()
    ]
    return EasyReadGaps(
        recommendations=[
            r
            for r in report_recommendations(review)
            if r.state != RecommendationState.DRAFT and not r.plain_words.strip()
        ],
        findings=findings,
    )


def issue_problems(review, *, correction: str = "", has_versions: bool) -> dict[str, str]:
    """What stops the chair issuing now, by field ("" for the page as a whole)."""
    problems = {}
    if review.state not in ISSUABLE:
        problems[""] = "The report can be issued once the review has been held"
    elif open_comment_count(review):
        problems[""] = "Resolve the panel members' comments on the draft first"
    if has_versions and not correction.strip():
        problems["correction"] = "Enter what this version corrects"
    drafts = recommendations.plan_unfinished(review)
    unfinished = [r for r, found in drafts if set(found) - {"plain_words"}]
    if unfinished:
        numbers = ", ".join(str(r.number) for r in unfinished)
        problems["recommendations"] = (
            f"Finish recommendation{'s' if len(unfinished) > 1 else ''} {numbers} before "
            "issuing: each needs what will be done, a named owner, how everyone will know it is "
            "done and a due date"
        )
    gaps, name = easy_read_gaps(review), review.person.known_as
    unwritten = sorted(
        [r for r, found in drafts if "plain_words" in found] + gaps.recommendations,
        key=lambda r: r.number,
    )
    if unwritten:
        numbers = ", ".join(str(r.number) for r in unwritten)
        plural = "s" if len(unwritten) > 1 else ""
        problems["plain_words"] = (
            f"Write recommendation{plural} {numbers} in plain words for {name} before issuing"
        )
    if gaps.findings:
        labels = ", ".join(kloe.label for kloe, _row in gaps.findings)
        problems["for_you"] = (
            f"Say what the panel's finding under {labels} means for {name} before issuing"
        )
    return problems


def report_issue(*, actor, review, correction: str = "") -> ReportVersion:
    """Issue the report as the data stands: freeze its full and easy read HTML as the next
    version, supersede the one before, move the review to "report issued", write the timeline,
    tell everyone entitled (a link, never the PDF), and ask the worker for the PDFs (the full
    and easy read, and large print where the person's communication needs ask for it)."""
    with transaction.atomic():
        latest = ReportVersion.objects.select_for_update().filter(review=review)
        number = (latest.aggregate(n=Max("number"))["n"] or 0) + 1
        problems = issue_problems(review, correction=correction, has_versions=number > 1)
        if problems:
            raise ValidationError({k or "__all__": v for k, v in problems.items()})
        now = timezone.now()
        superseded = latest.filter(superseded_at__isnull=True).update(superseded_at=now)
        version = ReportVersion(
            review=review,
            number=number,
            correction=correction.strip() if number > 1 else "",
            issued_by=actor,
            issued_at=now,
        )
        # The action plan goes to its owners with the report; it is a living record from here,
        # on the review and in the portal, and a corrected version carries it as it stands.
        # Sent first, so that the easy read says where each stands as the person receives it.
        recommendations.recommendations_send_plan(actor=actor, review=review)
        content = report_content(review)
        version.html = _body(content, PdfKind.FULL, version=version)
        version.easy_read_html = _body(content, PdfKind.EASY_READ, version=version)
        version.large_print_html = _body(content, PdfKind.LARGE_PRINT, version=version)
        version.save()
        audit_record(action=Action.CREATE, actor=actor, obj=version)
        _issue_moves(actor, review)
        summary = f"Report version {number} issued"
        if superseded:
            summary += f"; version {number - 1} superseded"
        review_event_record(
            review=review,
            kind=EVENT_REPORT,
            summary=summary,
            actor=actor,
            reason=version.correction,
        )
        for kind in pdf_kinds_for(review):
            pdf = ReportPdf.objects.create(
                review=review, version=version, kind=kind, requested_by=actor
            )
            _enqueue(pdf.pk)
        _notify_issued(review, version)
    return version


def _issue_moves(actor, review) -> None:
    if review.state == ReviewState.HELD:
        review_transition(actor=actor, review=review, to=ReviewState.REPORT_DRAFTING)
    if review.state == ReviewState.REPORT_DRAFTING:
        review_transition(actor=actor, review=review, to=ReviewState.REPORT_ISSUED)


def report_recipients(review) -> dict[str, str]:
    """address -> name of everyone entitled to the issued report whom a notice reaches (by
    email or text message), as the latest consent stands."""
    recipients = {}
    for participant in review.participants.all():
        if not report_open_to(participant, review):
            continue
        reach = participant_reach(participant)
        if reach is not None:
            recipients.setdefault(reach.address.lower(), participant.name)
    return recipients


def _notify_issued(review, version) -> None:
    """Tell everyone entitled to the report, each the way they are reached (an email, a text
    message); someone without an account gets a link that opens this report and nothing else.
    Someone reached on paper or through another gets a letter (the review's letters page)."""
    link = settings.SITE_URL + reverse("reports:report", args=[review.pk])
    without_account = report_links_without_account(review)
    told = set()
    for participant in review.participants.all():
        reach = participant_reach(participant)
        if reach is None or reach.address.lower() in told:
            continue
        if not report_open_to(participant, review):
            continue
        told.add(reach.address.lower())
        own = without_account.get(participant.pk, {})
        notification_enqueue(
            key=f"report-issued:{version.pk}:{participant.pk}",
            recipient=reach,
            template="report_issued",
            context={
                "review_type": review.type_label,
                "when": nhs_date(review.held_on) if review.held_on else "",
                "version": version.number,
                "corrected": version.number > 1,
                "link": own.get("link", link),
                "without_account": bool(own),
                "until": own.get("until", ""),
            },
        )


# --- The deadline ---------------------------------------------------------------------------


def _chair_contacts(review) -> list[tuple[str, str]]:
    return [
        (p.user.email if p.user_id else p.email, p.name)
        for p in review.participants.all()
        if p.role == ParticipantRole.CHAIR and (p.user.email if p.user_id else p.email)
    ]


def _deadline_context(review, due) -> dict:
    """No name, not even the recipient's: the review by its kind and date, and a link."""
    return {
        "review_type": review.type_label,
        "when": nhs_date(review.held_on),
        "due": nhs_date(due),
        "link": settings.SITE_URL + reverse("reports:report", args=[review.pk]),
    }


def report_deadlines_check(*, today=None) -> int:
    """Beat, daily: remind the chair of a report due within REMINDER_DAYS, and tell the
    commissioner of one not issued by its due date (reports/policy.py: `notice_series`),
    through the deadline mechanism (ctr_portal.deadlines): each notice goes once (its key names
    the review, the due date and the point), so two runs at once, or a rerun, send nothing
    twice, and a due date that moves cancels what was queued for the old one and not sent.
    Returns how many notices it asked the outbox for."""
    today = today or timezone.localdate()
    due_days = policy.DUE_DAYS.value()
    lead = max(policy.REMINDER_DAYS, default=0)
    reviews = [
        *reviews_held_between(
            AWAITING_REPORT,
            today - timedelta(days=due_days),
            today - timedelta(days=due_days - lead),
        ),
        *reviews_held_between(AWAITING_REPORT, None, today - timedelta(days=due_days + 1)),
    ]
    # A report issued, or a review whose day moved, with notices still waiting: cancelled.
    swept = {review.pk for review in reviews}
    for subject in subjects_waiting("report:"):
        if int(subject.split(":")[1]) not in swept:
            deadline_notices_cancel(subject=subject)
    queued = 0
    for review in reviews:
        due = report_due_date(review)
        queued += deadline_notices_send(
            subject=f"report:{review.pk}",
            deadline=due,
            series=policy.notice_series(),
            today=today,
            build=lambda point, review=review, due=due: _deadline_notices(
                review, due, point, today
            ),
        )
    return queued


def _deadline_notices(review, due, point, today) -> list[tuple[str, str, dict]]:
    if point.audience == policy.CHAIR:
        context = {**_deadline_context(review, due), "days_left": (due - today).days}
        return [(email, "report_reminder", context) for email, _name in _chair_contacts(review)]
    return [
        (email, "report_late", _deadline_context(review, due))
        for _user_id, _name, email in commissioner_contacts(review)
    ]
