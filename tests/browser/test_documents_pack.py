"""A provider uploads two files and marks an item not applicable; the commissioner sees the
pack's completeness change; a panel member reads a PDF in the viewer, and a Word care plan
once LibreOffice has made its PDF."""

import io

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from documents import services
from documents.models import DocumentRendition
from tests.conftest import sign_in
from tests.documents.factories import EXE, ensure_checklists, image_bytes, pdf_bytes
from tests.documents.office import CARE_PLAN_CELL, CARE_PLAN_HEADING, office_files_or_skip

from .conftest import assert_accessible, axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def become(page, live_server, user):
    """Sign the browser in as `user` (password and second factor passed), as the role
    fixtures do for the test client."""
    client = sign_in(Client(), user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


# Two findings come from the NHS.UK frontend's own scripts, not from our markup: the enhanced
# file upload builds its button's name from the label and its status text (axe reads that as a
# label-content-name-mismatch), and conditional radios get aria-expanded (common/index.mjs,
# toggleConditionalInput), which axe's aria-allowed-attr does not allow on a radio.
UPSTREAM = (
    ("label-content-name-mismatch", "#files"),
    ("aria-allowed-attr", "#id_status"),
)


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
    ensure_checklists()
    review = review_world["review"]
    pack_url = f"/documents/reviews/{review.pk}/"

    # Given the commissioner sees an empty pack
    become(page, live_server, users["commissioner"])
    page.goto(pack_url)
    assert "0 of 23 items ready (0%)" in page.locator("#pack-completeness").inner_text()
    assert_accessible(page)

    # When the provider uploads two files to the care plan
    become(page, live_server, users["provider"])
    page.goto(pack_url)
    assert_accessible(page)
    page.get_by_role("link", name="Person-centred care plan").click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("Person-centred care plan")
    assert_page_accessible(page)
    plan, photo = tmp_path / "care-plan.pdf", tmp_path / "daily-routine.png"
    fake = tmp_path / "setup.pdf"
    plan.write_bytes(pdf_bytes("Person-centred care plan for the review"))
    photo.write_bytes(image_bytes("PNG"))
    fake.write_bytes(EXE)
    page.locator("input[type=file]").set_input_files([str(plan), str(fake)])
    page.get_by_role("button", name="Upload files", exact=True).click()
    # The disguised program is refused by name; the good file is kept
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert "setup.pdf must be a PDF, DOCX, XLSX, ODT, JPG or PNG" in summary.inner_text()
    assert "Uploaded: care-plan.pdf" in page.locator("main").inner_text()
    assert page.title().startswith("Error: ")
    assert_page_accessible(page)
    screenshot(page, "documents-upload-refused")
    page.locator("input[type=file]").set_input_files([str(photo)])
    page.get_by_role("button", name="Upload files", exact=True).click()
    page.wait_for_selector("text=1 file uploaded: daily-routine.png")
    assert page.get_by_role("link", name="Open care-plan.pdf").is_visible()
    assert page.get_by_role("link", name="Open daily-routine.png").is_visible()
    assert_page_accessible(page)
    screenshot(page, "documents-item-uploaded")

    # And marks the Ministry of Justice documents not applicable, after one mistake
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

    # Then the commissioner sees the pack's completeness change
    become(page, live_server, users["commissioner"])
    page.goto(pack_url)
    assert "2 of 23 items ready (9%)" in page.locator("#pack-completeness").inner_text()
    assert "Not on a restricted section" in page.locator("main").inner_text()
    screenshot(page, "documents-pack-commissioner")

    # And once the review is ready, the clinical expert reads the PDF in the viewer
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
    ensure_checklists()  # an earlier browser test's flush may have emptied them
    review = review_world["review"]
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
