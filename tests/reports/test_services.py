"""Issuing, corrections, comments, PDFs and the deadline, through the services."""

import hashlib
import io
import subprocess
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from ctr_portal.models import AuditEvent, Notification
from reports import services
from reports.models import PdfStatus, ReportPdf, ReportVersion
from reviews.models import ReviewEvent
from tests.reviews.factories import ConsentRecordFactory

from .factories import seen_by


def issue(world, **kwargs):
    review = seen_by(world["chair"], world["review"])
    return services.report_issue(actor=world["chair"], review=review, **kwargs), review


def test_issuing_freezes_a_version_moves_the_review_and_tells_everyone_entitled(
    held_world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        version, review = issue(held_world)

    assert version.number == 1 and version.is_current
    assert "Action number 2" in version.html and "What will happen" in version.easy_read_html
    review.refresh_from_db()
    assert review.state == "report_issued"
    assert ReviewEvent.objects.filter(review=review, kind="report", summary__contains="1 issued")
    assert AuditEvent.objects.filter(object_type="reports.reportversion", action="create")
    recipients = set(
        Notification.objects.filter(template="report_issued").values_list("recipient", flat=True)
    )
    parts = held_world["participants"]
    assert parts["person"].user.email in recipients
    assert parts["family_carer"].user.email in recipients  # consent lets her receive it
    assert parts["chair"].user.email in recipients
    assert parts["expert_by_experience"].user.email not in recipients  # not yet independent
    for note in Notification.objects.filter(template="report_issued"):
        assert f"/reports/reviews/{review.pk}/" in note.context["link"]
        assert "attachments" not in note.context
    assert ReportPdf.objects.filter(version=version, status=PdfStatus.PENDING).count() == 2
    assert len(callbacks) >= 2  # the PDFs' tasks (and the outbox) after commit


def test_a_family_carer_the_consent_does_not_let_receive_the_report_is_not_told(held_world):
    record = ConsentRecordFactory(review=held_world["review"])  # newer, invites nobody
    record.invitees.all().delete()
    issue(held_world)

    recipients = Notification.objects.values_list("recipient", flat=True)
    assert held_world["participants"]["family_carer"].user.email not in recipients


def test_an_advocate_no_consent_names_is_not_told_though_consent_is_recorded(held_world):
    """The consent invites family carers and advocates by who they are to the person: one taking
    part with no contact on record is invited by no consent, so the report does not go to them
    (as the person's details do not: reviews.rules.open_by_consent)."""
    from reports.rules import report_open_to
    from reviews.rules import details_open_to
    from tests.reviews.factories import ParticipantFactory

    review = held_world["review"]
    advocate = ParticipantFactory(
        review=review, role="advocate", contact=None, added_by=held_world["chair"]
    )

    assert review.consents.latest("recorded_at").opens_gate
    assert not details_open_to(advocate, review)
    assert not report_open_to(advocate, review)
    issue(held_world)
    recipients = Notification.objects.values_list("recipient", flat=True)
    assert advocate.user.email not in recipients


def test_a_correction_is_a_new_version_and_the_old_one_is_kept_as_superseded(held_world):
    first, _ = issue(held_world)
    with pytest.raises(ValidationError):
        issue(held_world)  # a correction must say what it corrects
    second, review = issue(held_world, correction="Recommendation 2's owner was wrong")

    first.refresh_from_db()
    assert second.number == 2 and second.is_current
    assert first.superseded_at is not None and "Action number 2" in first.html
    review.refresh_from_db()
    assert review.state == "report_issued"
    assert Notification.objects.filter(template="report_issued").count() == 2 * len(
        {n.recipient for n in Notification.objects.filter(template="report_issued")}
    )


def test_open_comments_stop_the_report_being_issued_until_the_chair_resolves_them(held_world):
    review = seen_by(held_world["chair"], held_world["review"])
    expert = held_world["participants"]["clinical_expert"].user
    comment = services.report_comment_add(
        actor=expert, review=review, section="summary", text="Say who will tell Daniel."
    )
    with pytest.raises(ValidationError, match="comments"):
        issue(held_world)

    services.report_comment_resolve(
        actor=held_world["chair"], review=review, comment=comment, resolution="Added it."
    )
    version, _ = issue(held_world)
    assert version.number == 1


def test_a_draft_saved_from_an_old_version_is_refused(held_world):
    review = seen_by(held_world["chair"], held_world["review"])
    services.report_draft_save(
        actor=held_world["chair"], review=review, expected_version=0, summary="First"
    )
    with pytest.raises(services.EditConflict):
        services.report_draft_save(
            actor=held_world["chair"], review=review, expected_version=0, summary="Second"
        )


def test_the_pdf_is_rendered_tagged_with_the_running_header_and_its_sha256_checked(
    held_world, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    version, _ = issue(held_world)
    pdf = ReportPdf.objects.get(version=version, kind="full")

    services.report_pdf_render(pdf_id=pdf.pk)

    pdf.refresh_from_db()
    assert pdf.is_ready and pdf.pages >= 2
    data = services.report_pdf_read(user=held_world["chair"], pdf=pdf)
    assert hashlib.sha256(data).hexdigest() == pdf.sha256
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pdf.pages
    for page in reader.pages:
        text = page.extract_text()
        assert "Daniel Clarke" in text  # the running header
        assert f"of {pdf.pages}" in text
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout
    assert b"Tagged:          yes" in info
    assert AuditEvent.objects.filter(object_type="reports.reportpdf", action="download")

    (tmp_path / pdf.file).write_bytes(data + b"\n% changed after it was issued\n")
    with pytest.raises(services.TamperedFile):
        services.report_pdf_read(user=held_world["chair"], pdf=pdf)
    # An issued version's row never changes once rendered.
    services.report_pdf_render(pdf_id=pdf.pk)
    assert ReportPdf.objects.get(pk=pdf.pk).sha256 == pdf.sha256
    assert ReportVersion.objects.get(pk=version.pk).html == version.html


def test_the_chair_is_reminded_before_the_deadline_and_the_commissioner_told_after(held_world):
    review = held_world["review"]
    due = services.report_due_date(review)

    assert services.report_deadlines_check(today=due - timedelta(days=5)) == 0
    services.report_deadlines_check(today=due - timedelta(days=3))
    services.report_deadlines_check(today=due - timedelta(days=3))  # a rerun sends nothing new
    reminders = Notification.objects.filter(template="report_reminder")
    assert [n.recipient for n in reminders] == [held_world["chair"].email]

    services.report_deadlines_check(today=due + timedelta(days=1))
    services.report_deadlines_check(today=due + timedelta(days=2))
    late = Notification.objects.filter(template="report_late")
    assert late.count() == 1
    assert late.get().context["due"]


def test_a_moved_review_day_or_an_issued_report_cancels_the_reminders_not_yet_sent(held_world):
    review = held_world["review"]
    due = services.report_due_date(review)
    services.report_deadlines_check(today=due - timedelta(days=3))  # queued, not yet sent
    reminders = Notification.objects.filter(template="report_reminder")
    (first,) = reminders.values_list("idempotency_key", "state")
    assert first == (
        f"report:{review.pk}:{due}:reminder:{due - timedelta(days=3)}:{held_world['chair'].email}",
        "pending",
    )

    review.held_on += timedelta(days=2)
    review.save(update_fields=["held_on"])
    services.report_deadlines_check(today=due - timedelta(days=1))
    states = dict(reminders.values_list("idempotency_key", "state"))
    assert states[first[0]] == "cancelled"
    assert sorted(states.values()) == ["cancelled", "pending"]  # the new due date's 3 days

    issue(held_world)
    services.report_deadlines_check(today=due)
    assert set(reminders.values_list("state", flat=True)) == {"cancelled"}


def test_an_issued_report_is_not_late(held_world):
    issue(held_world)
    due = services.report_due_date(held_world["review"])
    services.report_deadlines_check(today=due + timedelta(days=1))
    assert not Notification.objects.filter(template="report_late").exists()


def test_a_draft_pdf_is_drawn_from_the_data_for_whoever_asked(held_world, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    review = seen_by(held_world["chair"], held_world["review"])
    pdf = services.report_pdf_request(actor=held_world["chair"], review=review, kind="easy_read")
    services.report_pdf_render(pdf_id=pdf.pk)
    pdf.refresh_from_db()
    assert pdf.status == PdfStatus.READY
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / pdf.file).pages)
    assert "Who will do it: Owner 1" in text
    assert timezone.now() >= pdf.finished_at


def test_the_commissioners_dashboard_counts_late_reports(held_world, client_for):
    from reviews.models import Review

    Review.objects.filter(pk=held_world["review"].pk).update(
        held_on=timezone.localdate() - timedelta(days=20)
    )
    page = client_for("commissioner").get("/").content.decode()
    assert "Late reports" in page
    assert (
        "<strong>1</strong> report late in the last 12 months: 1 still not issued, "
        "0 issued late." in page
    )
    assert "A report is late if it is not issued within 14 days of the review." in page


def test_notices_sent_under_the_old_keys_are_not_sent_again(held_world):
    """The migration to the deadline mechanism's keys (ADR 0017) keeps what was sent as sent."""
    import importlib

    from django.apps import apps

    review = held_world["review"]
    due = services.report_due_date(review)
    services.report_deadlines_check(today=due + timedelta(days=1))
    late = list(Notification.objects.filter(template="report_late"))
    assert late
    for notification in late:  # as the old code keyed them
        notification.idempotency_key = f"report-late:{review.pk}:{notification.recipient.lower()}"
        notification.save()
    migration = importlib.import_module(
        "reports.migrations.0002_deadline_keys_on_the_deadline_mechanism"
    )
    migration.rewrite(apps, None)
    services.report_deadlines_check(today=due + timedelta(days=5))
    assert Notification.objects.filter(template="report_late").count() == len(late)
