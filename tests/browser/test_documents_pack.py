"""A provider uploads two files and marks an item not applicable; the commissioner sees the
pack's completeness change; a panel member reads a PDF in the viewer, and a Word care plan
once LibreOffice has made its PDF."""

import io

import pytest
from pypdf import PdfReader

from documents import services
from documents.models import DocumentRendition
from tests.documents.factories import EXE, image_bytes, pdf_bytes
from tests.documents.office import CARE_PLAN_CELL, CARE_PLAN_HEADING, office_files_or_skip

from .conftest import assert_accessible, axe_violations, become, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# One finding comes from the NHS.UK frontend's own script, not from our markup: the enhanced
# file upload builds its button's name from the label and its status text (axe reads that as a
# label-content-name-mismatch). (Conditional radios' aria-expanded is taken off by our own
# static/js/conditional-radios.js.)
UPSTREAM = (("label-content-name-mismatch", "#files"),)


def assert_page_accessible(page):
    """axe, less the upstream findings above; everything else must pass."""
    violations = [
        v
        for v in axe_violations(page)
        if not any(v.startswith(rule) and target in v for rule, target in UPSTREAM)
    ]
    assert not violations, "\n".join(violations)


def test_provider_fills_the_pack_and_the_panel_reads_it(
    page, live_server, review_world, users, tmp_path
):
    review = review_world["review"]
    services.pack_for_review(review=review)  # made when the review was scheduled
    pack_url = f"/documents/reviews/{review.pk}/"
    plan, photo = tmp_path / "care-plan.pdf", tmp_path / "daily-routine.png"
    fake = tmp_path / "setup.pdf"
    plan.write_bytes(pdf_bytes("Person-centred care plan for the review"))
    photo.write_bytes(image_bytes("PNG"))
    fake.write_bytes(EXE)

    given_the_commissioner_sees_an_empty_pack(page, live_server, users, pack_url)
    when_the_provider_uploads_the_care_plan_and_a_disguised_program(
        page, live_server, users, pack_url, [plan, fake]
    )
    then_the_program_is_refused_by_name_and_the_good_file_kept(page)
    and_a_second_file_uploads(page, photo)
    and_marks_the_ministry_of_justice_documents_not_applicable_after_one_mistake(page, pack_url)
    then_the_commissioner_sees_the_packs_completeness_change(page, live_server, users, pack_url)
    and_once_the_review_is_ready_the_clinical_expert_reads_the_pdf_in_the_viewer(
        page, live_server, users, review, pack_url
    )


# --- the journey's steps ---------------------------------------------------------------------


def given_the_commissioner_sees_an_empty_pack(page, live_server, users, pack_url):
    become(page, live_server, users["commissioner"])
    page.goto(pack_url)
    assert "0 of 23 items ready (0%)" in page.locator("#pack-completeness").inner_text()
    assert_accessible(page)


def when_the_provider_uploads_the_care_plan_and_a_disguised_program(
    page, live_server, users, pack_url, files
):
    """Two files to the person-centred care plan: a PDF, and a program named like one."""
    become(page, live_server, users["provider"])
    page.goto(pack_url)
    assert_accessible(page)
    page.get_by_role("link", name="Person-centred care plan").click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("Person-centred care plan")
    assert_page_accessible(page)
    page.locator("input[type=file]").set_input_files([str(f) for f in files])
    page.get_by_role("button", name="Upload files", exact=True).click()


def then_the_program_is_refused_by_name_and_the_good_file_kept(page):
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert "setup.pdf must be a PDF, DOCX, XLSX, ODT, JPG or PNG" in summary.inner_text()
    assert "Uploaded: care-plan.pdf" in page.locator("main").inner_text()
    assert page.title().startswith("Error: ")
    assert_page_accessible(page)
    screenshot(page, "documents-upload-refused")


def and_a_second_file_uploads(page, photo):
    page.locator("input[type=file]").set_input_files([str(photo)])
    page.get_by_role("button", name="Upload files", exact=True).click()
    page.wait_for_selector("text=1 file uploaded: daily-routine.png")
    assert page.get_by_role("link", name="Open care-plan.pdf").is_visible()
    assert page.get_by_role("link", name="Open daily-routine.png").is_visible()
    assert_page_accessible(page)
    screenshot(page, "documents-item-uploaded")


def and_marks_the_ministry_of_justice_documents_not_applicable_after_one_mistake(page, pack_url):
    page.goto(pack_url)
    page.get_by_role("link", name="Ministry of Justice documents").click()
    page.get_by_role("link", name="Mark it as not applicable or not held").click()
    page.get_by_label("It does not apply to this review").check()
    page.get_by_role("button", name="Save").click()
    assert page.title().startswith("Error: ")
    assert "Enter why this item does not apply" in page.locator(".nhsuk-error-summary").inner_text()
    assert_page_accessible(page)
    page.get_by_label("Why does it not apply?").fill("Not on a restricted section")
    page.get_by_role("button", name="Save").click()
    assert "Not applicable: Not on a restricted section" in page.locator("main").inner_text()


def then_the_commissioner_sees_the_packs_completeness_change(page, live_server, users, pack_url):
    become(page, live_server, users["commissioner"])
    page.goto(pack_url)
    assert "2 of 23 items ready (9%)" in page.locator("#pack-completeness").inner_text()
    assert "Not on a restricted section" in page.locator("main").inner_text()
    screenshot(page, "documents-pack-commissioner")


def and_once_the_review_is_ready_the_clinical_expert_reads_the_pdf_in_the_viewer(
    page, live_server, users, review, pack_url
):
    review.state = "ready"
    review.save(update_fields=["state"])
    become(page, live_server, users["clinical_expert"])
    page.goto(pack_url)
    assert_accessible(page)
    page.get_by_role("link", name="care-plan.pdf").click()
    frame = page.locator("iframe.app-document-frame")
    assert frame.get_attribute("title") == "care-plan.pdf"
    src = frame.get_attribute("src")
    served = page.request.get(src)
    assert served.status == 200
    assert served.headers["content-type"] == "application/pdf"
    assert served.body().startswith(b"%PDF-")
    assert "Every page shows your name" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Download").count() == 0
    assert_accessible(page)
    screenshot(page, "documents-viewer-panel")


def test_a_clinical_expert_reads_a_word_care_plan_in_the_viewer(
    page, live_server, review_world, users, tmp_path, monkeypatch
):
    office = office_files_or_skip()
    review = review_world["review"]
    services.pack_for_review(review=review)  # made when the review was scheduled
    pack_url = f"/documents/reviews/{review.pk}/"
    # The worker is slow today: the conversion waits until the test lets it run.
    monkeypatch.setattr(services, "_rendition_enqueue", lambda rendition_id: None)

    # Given the provider uploads the care plan as a Word document
    become(page, live_server, users["provider"])
    page.goto(pack_url)
    page.get_by_role("link", name="Person-centred care plan").click()
    plan = tmp_path / "PBS plan.docx"
    plan.write_bytes(office["PBS plan.docx"])
    page.locator("input[type=file]").set_input_files([str(plan)])
    page.get_by_role("button", name="Upload files", exact=True).click()
    page.wait_for_selector("text=1 file uploaded: PBS plan.docx")
    assert "being prepared for the panel to read" in page.locator("main").inner_text()
    assert_page_accessible(page)

    # When the clinical expert opens it before it is ready
    review.state = "ready"
    review.save(update_fields=["state"])
    become(page, live_server, users["clinical_expert"])
    page.goto(pack_url)
    page.get_by_role("link", name="PBS plan.docx").click()
    assert "is being prepared for reading in the browser" in page.locator("main").inner_text()
    assert page.locator("iframe").count() == 0
    assert_accessible(page)

    # Then the page shows it by itself once the worker has made the PDF
    rendition = DocumentRendition.objects.get(document__original_name="PBS plan.docx")
    services.rendition_make(rendition_id=rendition.pk)
    frame = page.locator("iframe.app-document-frame")
    frame.wait_for(timeout=15_000)
    assert frame.get_attribute("title") == "PBS plan.docx"
    served = page.request.get(frame.get_attribute("src"))
    assert served.status == 200
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("inline")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(served.body())).pages)
    assert CARE_PLAN_HEADING in text and CARE_PLAN_CELL in text
    assert f"Viewed by {users['clinical_expert'].display_name}" in text
    assert "Every page shows your name" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Download").count() == 0
    assert_accessible(page)
    screenshot(page, "documents-viewer-word-care-plan")
