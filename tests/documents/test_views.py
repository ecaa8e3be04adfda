"""The pack's pages: who sees what, the consent gate, the panel's window, the viewer, the audit
trail, the watermark, the file headers, uploads through the browser form, and query counts."""

import io
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from bench.uploads import handle_measured, upload_request
from ctr_portal.formatting import nhs_datetime
from ctr_portal.models import AuditEvent
from documents import policy, services
from documents.models import DocumentAccess, ItemStatus, PackItem, document_storage
from documents.policy import panel_window
from tests.reviews.factories import ConsentRecordFactory

from .factories import EXE, PackItemFactory, docx_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def add_pdf(item, user, text="Risk assessment for the panel", name="risk.pdf"):
    return services.documents_upload(
        actor=user, item=item, files=[upload(name, pdf_bytes(text=text))]
    ).accepted[0]


def day_of(review):
    return timezone.localdate(review.starts_at)


def at_noon(day):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + (
        timedelta(hours=12)
    )


@contextmanager
def signed_in_on(client_for, role, day, tick=True):
    """A client signed in on another day (sessions do not survive travel in time)."""
    with time_machine.travel(at_noon(day), tick=tick):
        yield client_for(role)


# --- Who sees the pack ------------------------------------------------------------------------


def test_commissioner_sees_every_item_and_who_owes_them(client_for, pack, review_world):
    response = client_for("commissioner").get(reverse("documents:pack", args=[pack.review_id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "My C(E)TR planner" in page and "Medication chart" in page
    assert "0 of 23 items ready" in page
    assert "Riverside Hospital" in page  # owes items
    assert "Files are not scanned for viruses" in page
    levels = heading_levels(page)
    steps = zip(levels, levels[1:], strict=False)
    assert levels[0] == 1 and all(b <= a + 1 for a, b in steps), levels


def heading_levels(page) -> list[int]:
    """The levels of the main content's headings, in order (axe's heading-order)."""
    main = page[page.index("<main") :]
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]


def test_the_review_page_says_other_items_may_come_on_the_day(client_for, pack):
    PackItem.objects.filter(pack=pack, core=True).update(
        status=ItemStatus.NOT_HELD, reason="None yet"
    )
    owed = PackItem.objects.filter(pack=pack, core=False).count()

    page = client_for("commissioner").get(reverse("reviews:review_detail", args=[pack.review_id]))

    assert f"{owed} other items still to come: they may come on the day" in page.content.decode()


def test_provider_sees_and_opens_only_their_own_items(client_for, items, pack, organisations):
    # In hospital the provider owes the planner too; an item someone else owes stays hidden.
    planner = items["planner"]
    PackItem.objects.filter(pk=planner.pk).update(organisation=organisations["icb"])
    client = client_for("provider")
    page = client.get(reverse("documents:pack", args=[pack.review_id])).content.decode()
    assert "Medication chart" in page
    assert "My C(E)TR planner" not in page
    assert client.get(reverse("documents:item", args=[planner.pk])).status_code == 404
    assert client.get(reverse("documents:item", args=[items["care-plan"].pk])).status_code == 200


@pytest.mark.parametrize("role", ["family_carer", "person"])
def test_family_and_the_person_do_not_see_the_pack(client_for, items, pack, role):
    client = client_for(role)
    assert client.get(reverse("documents:pack", args=[pack.review_id])).status_code == 403
    assert client.get(reverse("documents:item", args=[items["planner"].pk])).status_code == 404


def test_another_commissioner_does_not_learn_the_pack_exists(client_for, pack):
    client = client_for("commissioner_other_org")
    assert client.get(reverse("documents:pack", args=[pack.review_id])).status_code == 404


# --- The consent gate and the window ---------------------------------------------------------


@pytest.fixture
def panel_docs(items, users):
    return {
        "planner": add_pdf(items["planner"], users["commissioner"], "My planner", "planner.pdf"),
        "risk": add_pdf(items["risk-assessments"], users["provider"]),
        "notes": services.documents_upload(
            actor=users["provider"],
            item=items["progress-notes"],
            files=[upload("notes.docx", docx_bytes())],
        ).accepted[0],
    }


def test_before_consent_the_panel_sees_only_the_planner(
    client_for, review_world, items, panel_docs, users
):
    review = review_world["review"]
    ConsentRecordFactory(review=review, withdrawn=True, recorded_by=users["commissioner"])
    with signed_in_on(client_for, "clinical_expert", day_of(review) - timedelta(days=1)) as client:
        page = client.get(reverse("documents:pack", args=[review.pk])).content.decode()
        assert "My C(E)TR planner" in page
        assert "Risk assessments" not in page
        assert "you can read only their planner" in page
        assert client.get(reverse("documents:item", args=[items["planner"].pk])).status_code == 200
        doc_url = reverse("documents:document", args=[panel_docs["planner"].pk])
        assert client.get(doc_url).status_code == 200
        for code in ("risk-assessments", "medication"):
            assert client.get(reverse("documents:item", args=[items[code].pk])).status_code == 404
        for key in ("risk", "notes"):
            url = reverse("documents:document", args=[panel_docs[key].pk])
            assert client.get(url).status_code == 404
            file_url = reverse("documents:document_file", args=[panel_docs[key].pk])
            assert client.get(file_url).status_code == 404
        # Consent recorded again: the next request lets them in.
        ConsentRecordFactory(review=review, recorded_by=users["commissioner"])
        url = reverse("documents:document", args=[panel_docs["risk"].pk])
        assert client.get(url).status_code == 200


def test_the_panel_reads_only_inside_the_window(client_for, review_world, panel_docs, items):
    review = review_world["review"]
    window = panel_window(review)
    urls = [
        reverse("documents:item", args=[items["risk-assessments"].pk]),
        reverse("documents:document", args=[panel_docs["risk"].pk]),
        reverse("documents:document_file", args=[panel_docs["risk"].pk]),
    ]

    def statuses(day):
        with signed_in_on(client_for, "clinical_expert", day) as client:
            return [client.get(url).status_code for url in urls]

    assert statuses(window.opens_on - timedelta(days=1)) == [403, 403, 403]
    assert statuses(window.opens_on) == [200, 200, 200]
    assert statuses(window.closes_on) == [200, 200, 200]
    assert statuses(window.closes_on + timedelta(days=1)) == [403, 403, 403]
    with signed_in_on(client_for, "clinical_expert", window.opens_on - timedelta(days=1)) as client:
        page = client.get(reverse("documents:pack", args=[review.pk])).content.decode()
        assert "You can read this pack from" in page
        assert "Risk assessments" not in page


def test_the_window_opens_when_the_review_is_ready(review_world, settings):
    review = review_world["review"]
    assert not panel_window(review).is_open
    review.state = "ready"
    assert panel_window(review).is_open


def test_an_undeclared_expert_cannot_read_the_pack(client_for, review_world, items):
    review = review_world["review"]
    with signed_in_on(client_for, "expert_by_experience", day_of(review)) as client:
        assert client.get(reverse("documents:pack", args=[review.pk])).status_code == 403
        url = reverse("documents:item", args=[items["planner"].pk])
        assert client.get(url).status_code == 403


# --- Viewing, the audit trail, the watermark --------------------------------------------------


def test_one_view_is_one_audit_row_and_one_access_log_row(client_for, review_world, panel_docs):
    review, document = review_world["review"], panel_docs["risk"]
    with signed_in_on(client_for, "clinical_expert", day_of(review) - timedelta(days=2)) as client:
        page = client.get(reverse("documents:document", args=[document.pk]))
        assert page.status_code == 200
        src = page.context["src"]
        assert f'<iframe class="app-document-frame" src="{src.replace("&", "&amp;")}"' in (
            page.content.decode()
        )
        frame = client.get(src)
        assert frame.status_code == 200
    views = AuditEvent.objects.filter(
        action="view", object_type="documents.document", object_id=str(document.pk)
    )
    assert views.count() == 1
    access = DocumentAccess.objects.get()
    assert (access.action, access.watermarked) == ("view", True)
    # The access log on the pack page shows it to the commissioner.
    log = client_for("commissioner").get(reverse("documents:pack", args=[review.pk]))
    assert "Who has read the documents" in log.content.decode()
    assert "risk.pdf" in log.content.decode()
    # Opened directly, without the viewer, the file view records it itself.
    with signed_in_on(client_for, "clinical_expert", day_of(review) - timedelta(days=2)) as client:
        client.get(reverse("documents:document_file", args=[document.pk]))
    assert views.count() == 2


def test_a_pdf_served_to_a_panel_member_carries_their_name_and_the_time(
    client_for, review_world, panel_docs, users
):
    review, document = review_world["review"], panel_docs["risk"]
    when = at_noon(day_of(review) - timedelta(days=1))
    with signed_in_on(client_for, "clinical_expert", when.date(), tick=False) as client:
        response = client.get(reverse("documents:document_file", args=[document.pk]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "Risk assessment for the panel" in text
    assert f"Viewed by {users['clinical_expert'].display_name}" in text
    assert nhs_datetime(when) in text  # "6 December 2026 at midday", as everywhere
    # Those who prepare the pack get the file as it was uploaded.
    plain = client_for("provider").get(reverse("documents:document_file", args=[document.pk]))
    plain_text = PdfReader(io.BytesIO(b"".join(plain.streaming_content))).pages[0].extract_text()
    assert "Viewed by" not in plain_text


def test_files_are_served_with_a_sandboxing_policy_nosniff_and_no_store(client_for, panel_docs):
    document = panel_docs["risk"]
    inline = client_for("provider").get(reverse("documents:document_file", args=[document.pk]))
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline")
    assert inline["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in inline["Cache-Control"]
    assert "default-src 'none'" in inline["Content-Security-Policy"]
    assert "sandbox" in inline["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in inline["Content-Security-Policy"]
    download = client_for("provider").get(
        reverse("documents:document_download", args=[document.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="risk.pdf"')
    assert "sandbox" in download["Content-Security-Policy"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert AuditEvent.objects.filter(action="download", object_id=str(document.pk)).count() == 1


def test_the_panel_cannot_download_and_office_files_are_not_shown_inline(
    client_for, review_world, panel_docs
):
    """An office file reaches the panel only as the PDF made from it (test_renditions.py);
    until that is made, the viewer says so, and the original is never served."""
    review = review_world["review"]
    with signed_in_on(client_for, "clinical_expert", day_of(review) - timedelta(days=1)) as client:
        url = reverse("documents:document_download", args=[panel_docs["risk"].pk])
        assert client.get(url).status_code == 403
        page = client.get(reverse("documents:document", args=[panel_docs["notes"].pk]))
        assert "is being prepared for reading in the browser" in page.content.decode()
        assert "<iframe" not in page.content.decode()
        assert "Download" not in page.content.decode()
        url = reverse("documents:document_file", args=[panel_docs["notes"].pk])
        assert client.get(url).status_code == 404


def test_the_storage_folder_is_reachable_by_no_url(client_for, panel_docs):
    name = panel_docs["risk"].file.name
    client = client_for("commissioner")
    for path in (
        django_settings.MEDIA_URL + name,
        "/media/" + name,
        "/" + name,
        "/static/../" + name,
        "/documents/" + name,
    ):
        assert client.get(path).status_code == 404, path


# --- Uploading and settling through the pages ------------------------------------------------


def test_provider_uploads_several_files_and_a_refused_one_is_named(client_for, items):
    item = items["care-plan"]
    url = reverse("documents:item_upload", args=[item.pk])
    client = client_for("provider")
    response = client.post(
        url,
        {
            "files": [
                upload("plan.pdf", pdf_bytes(text=None)),
                upload("virus.pdf", EXE),
                upload("plan.docx", docx_bytes()),
            ]
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("virus.pdf must be a PDF, DOCX, XLSX, ODT, JPG or PNG") == 2  # summary, field
    assert "Uploaded: plan.pdf, plan.docx" in page
    assert "<title>Error: " in page
    item.refresh_from_db()
    assert item.status == ItemStatus.PROVIDED
    response = client.post(url, {"files": [upload("more.pdf", pdf_bytes(text=None))]})
    assert response.status_code == 302 and response["Location"] == reverse(
        "documents:item", args=[item.pk]
    )


def test_an_upload_with_no_file_asks_for_one(client_for, items):
    response = client_for("provider").post(
        reverse("documents:item_upload", args=[items["care-plan"].pk]), {}
    )
    assert "Select a file to upload" in response.content.decode()


def test_an_oversize_file_streams_to_disk_and_is_refused_by_name(client_for, items, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 50_000
    big = upload("scan.pdf", b"%PDF-1.4\n" + b"0" * 200_000)
    response = client_for("provider").post(
        reverse("documents:item_upload", args=[items["care-plan"].pk]), {"files": [big]}
    )
    assert "scan.pdf must be smaller than 48.8KB" in response.content.decode()


def stored_files() -> set:
    storage = document_storage()
    return set(storage.listdir("documents")[1]) if storage.exists("documents") else set()


def blank_pdf(sizes) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for width, height in sizes:
        writer.add_blank_page(width, height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "sizes, message",
    [
        (
            [(595, 842)] * (policy.MAX_PDF_PAGES + 1),
            f"long.pdf has more than {policy.MAX_PDF_PAGES:,} pages. "
            f"Upload a PDF of {policy.MAX_PDF_PAGES:,} pages or fewer",
        ),
        (
            [(300 + n, 400) for n in range(policy.MAX_PDF_PAGE_SIZES + 1)],
            f"long.pdf has more than {policy.MAX_PDF_PAGE_SIZES:,} different page sizes. "
            f"Upload a PDF with {policy.MAX_PDF_PAGE_SIZES:,} page sizes or fewer",
        ),
    ],
    ids=["pages", "page sizes"],
)
def test_a_pdf_the_viewer_could_not_stamp_in_time_is_refused_by_name(
    client_for, items, sizes, message
):
    """Security issue 19: every page a panel member opens is watermarked in the request."""
    item = items["care-plan"]
    stored_before = stored_files()
    response = client_for("provider").post(
        reverse("documents:item_upload", args=[item.pk]),
        {"files": [upload("long.pdf", blank_pdf(sizes))]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(message) == 2  # the error summary and beside the field
    assert "<title>Error: " in page
    assert not item.documents.exists()
    assert stored_files() == stored_before
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING
    # Within the limits, the same kind of file is taken.
    within = [(595, 842)] * 3 + [(300 + n, 400) for n in range(policy.MAX_PDF_PAGE_SIZES - 1)]
    response = client_for("provider").post(
        reverse("documents:item_upload", args=[item.pk]),
        {"files": [upload("long.pdf", blank_pdf(within))]},
    )
    assert response.status_code == 302 and item.documents.count() == 1


def test_upload_checks_the_csrf_token(users, items):
    from django.test import Client

    from tests.conftest import sign_in

    client = sign_in(Client(enforce_csrf_checks=True), users["provider"])
    response = client.post(
        reverse("documents:item_upload", args=[items["care-plan"].pk]),
        {"files": [upload("plan.pdf", pdf_bytes(text=None))]},
    )
    assert response.status_code == 403


def test_marking_an_item_not_held_needs_a_reason(client_for, items):
    url = reverse("documents:item_settle", args=[items["tribunal-report"].pk])
    client = client_for("provider")
    response = client.post(url, {"status": "not_held"})
    assert "Enter why this item is not held" in response.content.decode()
    response = client.post(url, {"status": "not_held", "not_held_reason": "No tribunal yet"})
    assert response.status_code == 302
    items["tribunal-report"].refresh_from_db()
    assert items["tribunal-report"].reason == "No tribunal yet"
    page = client.get(reverse("documents:pack", args=[items["tribunal-report"].pack.review_id]))
    assert "No tribunal yet" in page.content.decode()


# --- Query counts --------------------------------------------------------------------------


def test_the_pack_page_makes_the_same_queries_for_few_and_many_items_and_files(
    client_for, pack, items, users, django_assert_max_num_queries
):
    client = client_for("commissioner")
    url = reverse("documents:pack", args=[pack.review_id])
    add_pdf(items["care-plan"], users["provider"], text=None)
    client.get(url)  # warm up: the pack exists now
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(25):
        item = PackItemFactory(
            pack=pack, position=100 + n, organisation=items["care-plan"].organisation
        )
        add_pdf(item, users["provider"], text=None, name=f"extra-{n}.pdf")
    add_pdf(items["care-plan"], users["provider"], text=None, name="second.pdf")
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_a_20_mb_upload_streams_to_disk_not_memory(client_for, items, settings):
    """The server's own allocations while it takes a file just under the 20 MB limit stay
    small: the request is built before measuring, so only its handling is counted."""
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    environ = upload_request(
        client_for("provider"),
        reverse("documents:item_upload", args=[items["care-plan"].pk]),
        size=20 * 1024 * 1024 - 64 * 1024,
        name="big-scan.pdf",
    )
    response, _seconds, peak, _rss_growth = handle_measured(environ)
    assert response.status_code == 302
    assert items["care-plan"].documents.get().size > 20_000_000
    assert peak < 5 * 1024 * 1024


def test_provider_replaces_deletes_reopens_and_assigns_through_the_pages(client_for, items, users):
    client = client_for("provider")
    item = items["care-plan"]
    document = add_pdf(item, users["provider"], text=None, name="v1.pdf")
    response = client.post(
        reverse("documents:document_replace", args=[document.pk]),
        {"file": upload("v2.pdf", pdf_bytes(text=None))},
    )
    assert response.status_code == 302
    page = client.get(reverse("documents:item", args=[item.pk])).content.decode()
    assert "v2.pdf" in page and "Replaced by a new version" in page
    new = item.documents.get(superseded_at__isnull=True)
    url = reverse("documents:document_delete", args=[new.pk])
    assert "Enter why you are deleting this file" in client.post(url, {}).content.decode()
    assert client.post(url, {"reason": "Wrong person's plan"}).status_code == 302
    page = client.get(reverse("documents:item", args=[item.pk])).content.decode()
    assert "Wrong person&#x27;s plan" in page
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING
    # Not held, then owed again.
    settle = reverse("documents:item_settle", args=[item.pk])
    client.post(settle, {"status": "not_held", "not_held_reason": "Being rewritten"})
    client.post(settle, {"reopen": "1"})
    item.refresh_from_db()
    assert (item.status, item.reason) == (ItemStatus.OUTSTANDING, "")
    # Named person: someone at the provider.
    assign = reverse("documents:item_assign", args=[item.pk])
    assert client.post(assign, {"assignee": users["provider"].pk}).status_code == 302
    item.refresh_from_db()
    assert item.assignee == users["provider"]


def test_replace_and_delete_pages_say_what_they_do_to_which_file(client_for, items, users):
    client = client_for("provider")
    document = add_pdf(items["care-plan"], users["provider"], text=None, name="v1.pdf")
    pages = {
        verb: client.get(reverse(f"documents:document_{verb.lower()}", args=[document.pk]))
        for verb in ("Replace", "Delete")
    }
    intro = "The new version takes its place in the pack. The old one is kept in the history."
    for verb, response in pages.items():
        html = " ".join(response.content.decode().split())
        assert f"<title>{verb} v1.pdf – " in html
        assert f"{items['care-plan'].title}</span> {verb} v1.pdf </h1>" in html
        assert (intro in html) == (verb == "Replace")
        assert (
            f'<a href="{reverse("documents:item", args=[items["care-plan"].pk])}">Cancel</a>'
            in html
        )
