"""The report pages: the chair's preview and PDFs, a panel member's comment, the download's
SHA-256 check and the audit rows, and the bench's measurement of a 30-recommendation report."""

import pytest
from django.urls import reverse

from ctr_portal.models import AuditEvent
from reports import services
from reports.models import ReportComment, ReportPdf

from .factories import FINDING, seen_by


def test_the_chair_sees_the_draft_preview_and_each_view_is_audited(held_world, client_for):
    client = client_for("chair")
    response = client.get(reverse("reports:report", args=[held_world["review"].pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert FINDING in html and "Edit the narrative sections" in html
    assert AuditEvent.objects.filter(action="view", object_type="reviews.review").exists()


def test_asking_for_a_pdf_queues_the_worker_and_the_page_follows_it(
    held_world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("chair")
    review = held_world["review"]
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("reports:pdf_request", args=[review.pk]), {"kind": "full"})
    assert ReportPdf.objects.get(review=review).status == "pending"
    assert callbacks  # rendered by the worker, never in the request
    page = client.get(reverse("reports:report", args=[review.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page


def test_the_pdf_progress_live_region_stays_and_only_its_text_changes(held_world, client_for):
    client = client_for("chair")
    review = held_world["review"]
    client.post(reverse("reports:pdf_request", args=[review.pk]), {"kind": "full"})
    page = client.get(reverse("reports:report", args=[review.pk])).content.decode()
    assert 'id="pdf-status" aria-live="polite"' in page and 'hx-swap="innerHTML"' in page
    status_url = reverse("reports:pdf_status", args=[review.pk])

    waiting = client.get(status_url, headers={"HX-Request": "true"})

    assert waiting.status_code == 200  # htmx goes on asking
    assert "pdf-status" not in waiting.content.decode()  # the region is not replaced
    assert "Waiting for the worker" in waiting.content.decode()
    services.report_pdf_render(pdf_id=ReportPdf.objects.get(review=review).pk)
    ready = client.get(status_url, headers={"HX-Request": "true"})
    assert ready.status_code == 286  # htmx stops asking, and swaps the text in
    assert "Download the PDF of the draft" in ready.content.decode()


def test_a_panel_member_comments_and_the_chair_resolves(held_world, client_for):
    review = held_world["review"]
    expert = client_for("clinical_expert")
    expert.post(reverse("reports:comment", args=[review.pk]), {"section": "summary", "text": "Hi"})
    comment = ReportComment.objects.get(review=review)

    chair = client_for("chair")
    url = reverse("reports:comment_resolve", args=[review.pk, comment.pk])
    empty = chair.post(url, {"resolution": ""})
    assert "Enter what you did about the comment" in empty.content.decode()
    chair.post(url, {"resolution": "Added who tells Daniel."})
    comment.refresh_from_db()
    assert not comment.is_open


def test_a_tampered_pdf_is_not_served(held_world, client_for, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    review = seen_by(held_world["chair"], held_world["review"])
    version = services.report_issue(actor=held_world["chair"], review=review)
    pdf = ReportPdf.objects.get(version=version, kind="full")
    services.report_pdf_render(pdf_id=pdf.pk)
    pdf.refresh_from_db()
    url = reverse("reports:pdf", args=[review.pk, pdf.pk])

    family = client_for("family_carer")
    ok = family.get(url)
    assert ok.status_code == 200 and ok["Content-Disposition"].startswith("attachment")
    assert ok["X-Content-Type-Options"] == "nosniff"
    (tmp_path / pdf.file).write_bytes(b"%PDF-1.7 not the issued file")
    assert family.get(url).status_code == 500
    assert AuditEvent.objects.filter(
        object_type="reports.reportpdf", object_id=str(pdf.pk), action="permission_denied"
    ).exists()


@pytest.mark.slow
def test_the_bench_measures_a_30_recommendation_report():
    from bench.report import describe, measure_report

    result = measure_report(repeat=1)
    assert result["pages"] >= 5 and result["seconds"] > 0 and result["peak_mb"] > 0
    assert "30 recommendations" in describe(result)


def test_the_large_print_pdf_is_offered_where_the_person_asks_for_large_print(
    held_world, client_for
):
    from reviews.models import ConsentRecord

    review = held_world["review"]
    ConsentRecord.objects.filter(review=review).update(
        report_format=ConsentRecord.Format.LARGE_PRINT
    )
    client = client_for("chair")
    page = client.get(reverse("reports:report", args=[review.pk])).content.decode()
    assert "(large print)" in page  # the chair may make one of the draft
    version = services.report_issue(
        actor=held_world["chair"], review=seen_by(held_world["chair"], review)
    )
    pdf = ReportPdf.objects.get(version=version, kind="large_print")
    services.report_pdf_render(pdf_id=pdf.pk)

    page = client.get(reverse("reports:version", args=[review.pk, 1])).content.decode()
    download = client.get(reverse("reports:pdf", args=[review.pk, pdf.pk]))

    assert "Download the report in large print as a PDF" in page
    assert 'filename="large-print-report-version-1.pdf"' in download["Content-Disposition"]


def test_no_large_print_button_for_someone_who_did_not_ask_for_it(held_world, client_for):
    page = client_for("chair").get(reverse("reports:report", args=[held_world["review"].pk]))
    assert "(large print)" not in page.content.decode()
