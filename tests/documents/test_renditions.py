"""Office documents reach the panel as PDFs made by a real LibreOffice: read in the viewer with
the reader's name on every page, never downloaded; a file LibreOffice cannot open leaves the
item owed and tells its owner once; a new version gets a new PDF; LibreOffice stays offline and
inside its time limit; and without LibreOffice the pages say what to install.

On SQLite the task runs eagerly when the upload's transaction commits (captured here); the same
path through a real worker on Redis and PostgreSQL is tests/documents/test_renditions_worker.py.
"""

import hashlib
import http.server
import io
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ctr_portal.formatting import nhs_datetime
from ctr_portal.models import AuditEvent, Notification
from documents import libreoffice, policy, queries, services, tasks
from documents.extensions import pack_check
from documents.models import (
    DocumentAccess,
    DocumentRendition,
    ItemStatus,
    RenditionStatus,
    document_storage,
)

from .factories import DocumentRenditionFactory, docx_bytes, pdf_bytes, upload
from .office import (
    CARE_PLAN_CELL,
    CARE_PLAN_HEADING,
    CARE_PLAN_TEXT,
    DISCHARGE_TEXT,
    PLANNER_SHEETS,
    docx_with_linked_picture,
    docx_with_table,
)
from .test_views import at_noon, day_of, signed_in_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def add_files(users, django_capture_on_commit_callbacks):
    """Upload files as the provider, and let what follows the commit (the conversion, then the
    outbox) run, as the worker would."""

    def add(item, files, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            return services.documents_upload(
                actor=actor or users["provider"],
                item=item,
                files=[upload(name, data, "application/octet-stream") for name, data in files],
            ).accepted

    return add


def pdf_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def stored_sha256(name) -> str:
    with document_storage().open(name, "rb") as stored:
        return hashlib.sha256(stored.read()).hexdigest()


# --- The panel reads Word, Excel and OpenDocument files -----------------------------------------

EXPECTED_TEXT = {
    "PBS plan.docx": [CARE_PLAN_HEADING, CARE_PLAN_TEXT, CARE_PLAN_CELL, "09:00"],
    "Activity planner.xlsx": list(PLANNER_SHEETS.values()),
    "Discharge plan.odt": [DISCHARGE_TEXT],
}


def test_word_excel_and_opendocument_files_reach_the_panel_as_watermarked_pdfs(
    office, items, users, review_world, client_for, add_files
):
    documents = add_files(
        items["care-plan"], [(name, office[name]) for name in EXPECTED_TEXT], users["provider"]
    )
    for document in documents:
        rendition = DocumentRendition.objects.get(document=document)
        assert rendition.status == RenditionStatus.READY, rendition.failure
        assert rendition.file.name.startswith("documents/")
        assert rendition.file.name != document.file.name
        assert stored_sha256(rendition.file.name) == rendition.sha256
        assert stored_sha256(document.file.name) == document.sha256  # the original, unchanged
        assert AuditEvent.objects.filter(
            action="create", object_type="documents.documentrendition", object_id=rendition.pk
        ).exists()

    when = at_noon(day_of(review_world["review"]) - timedelta(days=1))
    stamp = nhs_datetime(when)
    with signed_in_on(client_for, "clinical_expert", when.date(), tick=False) as client:
        for document in documents:
            page = client.get(reverse("documents:document", args=[document.pk]))
            html = page.content.decode()
            src = page.context["src"]
            assert src.startswith(reverse("documents:document_rendition", args=[document.pk]))
            assert f'<iframe class="app-document-frame" src="{src}"' in html
            assert "Every page shows your name" in html
            assert "Download" not in html
            served = client.get(src)
            assert served.status_code == 200
            assert served["Content-Type"] == "application/pdf"
            assert served["Content-Disposition"].startswith("inline")
            assert "sandbox" in served["Content-Security-Policy"]
            assert "no-store" in served["Cache-Control"]
            text = pdf_text(served)
            for words in EXPECTED_TEXT[document.original_name]:
                assert words in text, (document.original_name, words, text)
            assert f"Viewed by {users['clinical_expert'].display_name}" in text
            assert stamp in text
            # Neither the original nor the PDF leaves as a download.
            download = reverse("documents:document_download", args=[document.pk])
            assert client.get(download).status_code == 403
            original = reverse("documents:document_file", args=[document.pk])
            assert client.get(original).status_code == 404

    views = DocumentAccess.objects.filter(user=users["clinical_expert"], action="view")
    assert views.count() == 3 and all(v.watermarked for v in views)
    # Those who prepare the pack see the PDF as it was made, without a stamp.
    provider = client_for("provider")
    plain = provider.get(reverse("documents:document_rendition", args=[documents[0].pk]))
    plain_text = pdf_text(plain)
    assert CARE_PLAN_HEADING in plain_text and "Viewed by" not in plain_text


# --- A file LibreOffice cannot open ---------------------------------------------------------------


def settle_all_but(pack, actor, item):
    for other in pack.items.exclude(pk=item.pk):
        services.item_settle(
            actor=actor, item=other, status=ItemStatus.NOT_APPLICABLE, reason="Not relevant"
        )


def test_a_corrupt_word_file_leaves_the_item_owed_and_its_owner_is_told_once(
    office, pack, items, users, review_world, client_for, add_files
):
    item = items["care-plan"]
    settle_all_but(pack, users["provider"], item)
    mail.outbox.clear()
    (document,) = add_files(item, [("Broken plan.docx", office["Broken plan.docx"])])

    rendition = DocumentRendition.objects.get(document=document)
    assert rendition.status == RenditionStatus.FAILED
    assert not rendition.file and rendition.failure
    assert stored_sha256(document.file.name) == document.sha256
    # The pack counts the item as still owed: the item, the counts, the readiness check.
    item.refresh_from_db()
    pack.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING
    assert pack.completed_at is None
    summary = queries.pack_summary(pack)
    assert summary["settled"] == summary["total"] - 1
    check = pack_check(review_world["review"])
    assert check.warning.startswith("1 other item still to come")
    # Whoever owes it is told, in words they can act on.
    notice = Notification.objects.get(template="rendition_failed")
    assert notice.recipient == users["provider"].email
    (message,) = [m for m in mail.outbox if m.to == [users["provider"].email]]
    assert message.subject == "We could not open a document for the panel"
    assert "Please upload it again as a PDF" in message.body
    assert "Broken plan" not in message.subject + message.body  # never the file's name
    assert reverse("documents:item", args=[item.pk]) in message.body
    # Run again (a task delivered twice, the beat job, a retry after a crash): still one notice.
    tasks.rendition_make(rendition.pk)
    services.renditions_resume(now=timezone.now() + timedelta(hours=1))
    DocumentRendition.objects.filter(pk=rendition.pk).update(status=RenditionStatus.PENDING)
    tasks.rendition_make(rendition.pk)
    assert DocumentRendition.objects.get(pk=rendition.pk).status == RenditionStatus.FAILED
    assert Notification.objects.filter(template="rendition_failed").count() == 1

    # The pages say so plainly.
    page = client_for("provider").get(reverse("documents:item", args=[item.pk])).content.decode()
    assert "We could not open it for the panel. Upload it as a PDF instead" in page
    assert "Still needed" in page
    pack_page = client_for("commissioner").get(reverse("documents:pack", args=[pack.review_id]))
    assert "Broken plan.docx</a> (could not be opened for the panel)" in pack_page.content.decode()
    with signed_in_on(client_for, "clinical_expert", day_of(review_world["review"])) as client:
        viewer = client.get(reverse("documents:document", args=[document.pk])).content.decode()
        assert "cannot be shown in the browser" in viewer
        assert "Whoever provides it has been asked for a PDF" in viewer
        assert "<iframe" not in viewer
        rendition_url = reverse("documents:document_rendition", args=[document.pk])
        assert client.get(rendition_url).status_code == 404

    # A PDF in its place settles the item, and the pack is complete.
    services.document_replace(
        actor=users["provider"], document=document, uploaded=upload("PBS plan.pdf", pdf_bytes())
    )
    item.refresh_from_db()
    pack.refresh_from_db()
    assert item.status == ItemStatus.PROVIDED and pack.completed_at is not None
    assert pack_check(review_world["review"]).done
    assert not pack_check(review_world["review"]).warning


# --- A new version -----------------------------------------------------------------------------


def test_a_replaced_word_file_gets_a_new_pdf_and_the_old_one_is_never_shown_for_it(
    office, items, users, review_world, client_for, add_files, django_capture_on_commit_callbacks
):
    item = items["care-plan"]
    (first,) = add_files(item, [("PBS plan.docx", office["PBS plan.docx"])])
    second_text = "Version two: Daniel now prefers the sensory room after lunch"
    with django_capture_on_commit_callbacks(execute=True):
        second = services.document_replace(
            actor=users["provider"],
            document=first,
            uploaded=upload("PBS plan v2.docx", docx_with_table(text=second_text)),
        )
    old, new = (DocumentRendition.objects.get(document=d) for d in (first, second))
    assert new.status == RenditionStatus.READY and old.status == RenditionStatus.READY
    assert new.pk != old.pk and new.file.name != old.file.name

    with signed_in_on(client_for, "clinical_expert", day_of(review_world["review"])) as client:
        page = client.get(reverse("documents:document", args=[second.pk]))
        text = pdf_text(client.get(page.context["src"]))
        assert second_text in text and CARE_PLAN_TEXT not in text
        # The panel reads current versions only.
        for name in ("document", "document_rendition"):
            assert client.get(reverse(f"documents:{name}", args=[first.pk])).status_code == 403


def test_deleting_a_word_file_removes_its_pdf_too(users, items, django_capture_on_commit_callbacks):
    rendition = DocumentRenditionFactory(
        document__item=items["care-plan"], document__uploaded_by=users["provider"]
    )
    assert document_storage().exists(rendition.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(
            actor=users["provider"], document=rendition.document, reason="Wrong person's plan"
        )
    assert not document_storage().exists(rendition.document.file.name)
    assert not document_storage().exists(rendition.file.name)


# --- Offline, and inside the time limit ----------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list = []

    def do_GET(self):
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_OPTIONS = do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("namespace", ["as available", "not allowed"])
def test_libreoffice_fetches_nothing_from_the_network(
    office, items, add_files, monkeypatch, namespace
):
    """A linked picture is a request to wherever the author chose. Where a container forbids
    network namespaces, LibreOffice's profile alone must keep it offline."""
    if namespace == "not allowed":
        monkeypatch.setattr(libreoffice, "network_namespace_allowed", lambda: False)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/tracking-pixel.png"
        linked = docx_with_linked_picture(office["PBS plan.docx"], url)
        (document,) = add_files(items["care-plan"], [("Linked plan.docx", linked)])
    finally:
        server.shutdown()
        server.server_close()
    assert DocumentRendition.objects.get(document=document).status == RenditionStatus.READY
    assert _Recorder.requests == []


def test_a_conversion_over_the_time_limit_is_stopped_and_fails(
    office, items, users, settings, add_files
):
    settings.DOCUMENTS_CONVERSION_TIMEOUT_SECONDS = 0.3
    (document,) = add_files(items["care-plan"], [("PBS plan.docx", office["PBS plan.docx"])])
    rendition = DocumentRendition.objects.get(document=document)
    assert rendition.status == RenditionStatus.FAILED
    assert "longer than 0.3 seconds" in rendition.failure
    assert Notification.objects.filter(template="rendition_failed").count() == 1


def pdf_of_sizes(sizes) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for width, height in sizes:
        writer.add_blank_page(width, height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "sizes, reason",
    [
        ([(595, 842)] * (policy.MAX_PDF_PAGES + 1), f"more than {policy.MAX_PDF_PAGES:,} pages"),
        (
            [(300 + n, 400) for n in range(policy.MAX_PDF_PAGE_SIZES + 1)],
            f"more than {policy.MAX_PDF_PAGE_SIZES:,} different page sizes",
        ),
    ],
    ids=["pages", "page sizes"],
)
def test_a_pdf_made_over_the_viewer_s_limits_fails_as_a_failed_conversion_does(
    items, users, settings, monkeypatch, add_files, sizes, reason
):
    """Security issue 19: the panel's viewer stamps every page in the request, so a PDF made
    from an office document is held to the limits an uploaded PDF is."""
    settings.DOCUMENTS_SOFFICE = "true"  # "installed"; what it makes is given below
    made = {"pdf": pdf_of_sizes(sizes)}
    monkeypatch.setattr(libreoffice, "convert", lambda source, **kwargs: made["pdf"])
    item = items["care-plan"]
    (document,) = add_files(item, [("Huge sheet.xlsx", docx_bytes())])

    rendition = DocumentRendition.objects.get(document=document)
    assert rendition.status == RenditionStatus.FAILED
    assert not rendition.file
    assert rendition.failure.startswith(f"LibreOffice's PDF has {reason}")
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING
    assert Notification.objects.filter(template="rendition_failed").count() == 1
    # The same document making a PDF within the limits is read by the panel.
    made["pdf"] = pdf_of_sizes(sizes[:10])
    (again,) = add_files(item, [("Smaller sheet.xlsx", docx_bytes())])
    assert DocumentRendition.objects.get(document=again).status == RenditionStatus.READY


# --- Before it is ready, and without LibreOffice -------------------------------------------------


def test_until_the_pdf_is_ready_the_pages_say_so_and_update_themselves(
    items, users, review_world, client_for
):
    rendition = DocumentRenditionFactory(
        document__item=items["care-plan"],
        document__uploaded_by=users["provider"],
        status=RenditionStatus.PENDING,
        file="",
    )
    document = rendition.document
    page = client_for("provider").get(reverse("documents:item", args=[items["care-plan"].pk]))
    html = page.content.decode()
    assert "It is being prepared for the panel to read in the browser" in html
    assert 'hx-trigger="every 3s"' in html and "htmx" in html
    pack_page = client_for("commissioner").get(
        reverse("documents:pack", args=[review_world["review"].pk])
    )
    assert "care-plan.docx</a> (being prepared for reading)" in pack_page.content.decode()
    with signed_in_on(client_for, "clinical_expert", day_of(review_world["review"])) as client:
        viewer = client.get(reverse("documents:document", args=[document.pk]))
        html = viewer.content.decode()
        assert "is being prepared for reading in the browser" in html
        assert "This page updates itself when it is ready. If it does not, refresh the page" in html
        assert f'hx-get="{reverse("documents:document", args=[document.pk])}"' in html
        assert "<iframe" not in html
        rendition_url = reverse("documents:document_rendition", args=[document.pk])
        assert client.get(rendition_url).status_code == 404
        # Once it is ready, the next poll (or a refresh) shows it, and that is the one view.
        made = document_storage().save("documents/made-by-libreoffice", ContentFile(pdf_bytes()))
        DocumentRendition.objects.filter(pk=rendition.pk).update(
            status=RenditionStatus.READY, file=made
        )
        ready = client.get(
            reverse("documents:document", args=[document.pk]), HTTP_HX_REQUEST="true"
        )
        assert '<iframe class="app-document-frame"' in ready.content.decode()
        assert "hx-trigger" not in ready.content.decode()
    assert DocumentAccess.objects.filter(document=document, action="view").count() == 1


def test_without_libreoffice_the_item_says_it_cannot_be_shown_here_and_names_the_packages(
    items, users, client_for, settings, add_files
):
    settings.DOCUMENTS_SOFFICE = "/nowhere/soffice"
    item = items["care-plan"]
    (document,) = add_files(item, [("notes.docx", docx_bytes())])  # never converted here
    rendition = DocumentRendition.objects.get(document=document)
    assert rendition.status == RenditionStatus.UNAVAILABLE
    item.refresh_from_db()
    assert item.status == ItemStatus.PROVIDED  # the provider did their part
    page = client_for("provider").get(reverse("documents:item", args=[item.pk])).content.decode()
    assert "It cannot be shown to the panel on this machine" in page
    assert "libreoffice-writer-nogui" in page and "libreoffice-calc-nogui" in page
    # Tried again by the beat job once LibreOffice is there.
    assert services.renditions_resume() == 0
    settings.DOCUMENTS_SOFFICE = "true"  # a program that "converts" nothing
    assert services.renditions_resume() == 1
    assert DocumentRendition.objects.get(pk=rendition.pk).status == RenditionStatus.FAILED
