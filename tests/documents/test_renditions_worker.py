"""Renditions made by a real LibreOffice in a real Celery worker, on Redis and PostgreSQL: the
upload's own enqueue after commit, through the broker, to a separate worker process, whose
PDFs the panel then reads with their name on every page; a corrupt Word file's notice leaves
the worker's outbox once; a replacement gets its own PDF.

Needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both); skipped otherwise, except under
CI, where a skip would hide a broken set-up.
"""

import io
import os

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from ctr_portal.celery import app as celery_app
from ctr_portal.models import Notification
from documents import services
from documents.models import DocumentRendition, ItemStatus, RenditionStatus, document_storage
from tests.celery_worker import HAVE_SERVICES, SKIP_REASON, emails, running_worker, wait_for

from .factories import ensure_checklists, upload
from .office import (
    CARE_PLAN_CELL,
    CARE_PLAN_HEADING,
    DISCHARGE_TEXT,
    PLANNER_SHEETS,
    docx_with_table,
)
from .test_views import day_of, signed_in_on

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]
if not HAVE_SERVICES and not os.environ.get("CI"):
    pytestmark.append(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="module")
def worker(tmp_path_factory, django_db_setup, django_db_blocker):
    """A worker sharing this run's storage folder, taking the tasks the code enqueues."""
    with running_worker(
        tmp_path_factory,
        django_db_blocker,
        env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)},
        also_default_queue=True,
    ) as running:
        yield running


@pytest.fixture
def through_the_worker(worker):
    """Tasks enqueued here go to the broker and the worker, not run in this process."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager = eager


def finished(documents, worker, seconds=240):
    ids = [d.pk for d in documents]

    def done():
        waiting = (RenditionStatus.PENDING, RenditionStatus.CONVERTING)
        return not DocumentRendition.objects.filter(document__in=ids, status__in=waiting).exists()

    wait_for(done, seconds, "the worker's renditions", worker["log"])
    return {r.document_id: r for r in DocumentRendition.objects.filter(document__in=ids)}


def made_count(worker) -> int:
    """How many rendition tasks the worker has finished."""
    return sum(
        "documents.tasks.rendition_make[" in line and "succeeded" in line
        for line in worker["log"].read_text().splitlines()
    )


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_worker_makes_the_pdfs_the_panel_reads_and_tells_once_of_a_corrupt_file(
    through_the_worker, office, review_world, users, client_for
):
    worker = through_the_worker
    item = given_the_care_plan_item(review_world["review"])
    by_name = when_the_provider_uploads(item, users["provider"], office)
    renditions = finished(by_name.values(), worker)
    then_the_worker_made_pdfs_of_all_but_the_broken_file(renditions, by_name, item)
    then_the_notice_of_the_broken_file_leaves_once(
        worker, renditions[by_name["Broken plan.docx"].pk], users["provider"]
    )
    then_the_panel_reads_the_pdf_with_their_name_on_it(
        client_for, review_world["review"], users["clinical_expert"], by_name["PBS plan.docx"]
    )
    then_a_new_version_gets_its_own_pdf(
        worker, users["provider"], by_name["PBS plan.docx"], renditions
    )


def given_the_care_plan_item(review):
    ensure_checklists()  # an earlier transactional test's flush may have emptied them
    pack = services.pack_for_review(review=review)
    return pack.items.get(source__code="care-plan")


def when_the_provider_uploads(item, provider, office) -> dict:
    """Three readable office files and a corrupt one, by name."""
    names = ["PBS plan.docx", "Activity planner.xlsx", "Discharge plan.odt", "Broken plan.docx"]
    documents = services.documents_upload(
        actor=provider, item=item, files=[upload(n, office[n]) for n in names]
    ).accepted
    return {d.original_name: d for d in documents}


def then_the_worker_made_pdfs_of_all_but_the_broken_file(renditions, by_name, item):
    expected = {
        "PBS plan.docx": [CARE_PLAN_HEADING, CARE_PLAN_CELL],
        "Activity planner.xlsx": list(PLANNER_SHEETS.values()),
        "Discharge plan.odt": [DISCHARGE_TEXT],
    }
    for name, words in expected.items():
        rendition = renditions[by_name[name].pk]
        assert rendition.status == RenditionStatus.READY, (name, rendition.failure)
        with document_storage().open(rendition.file.name, "rb") as stored:
            text = pdf_text(stored.read())
        assert all(w in text for w in words), (name, text)
    broken = renditions[by_name["Broken plan.docx"].pk]
    assert broken.status == RenditionStatus.FAILED
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING


def then_the_notice_of_the_broken_file_leaves_once(worker, broken, provider):
    """The notice leaves the worker's outbox, once; the same task delivered again does
    nothing more."""
    subject = "We could not open a document for the panel"  # never the file's name
    wait_for(
        lambda: any(m["Subject"] == subject for m in emails(worker["mail_dir"])),
        60,
        "the notice",
        worker["log"],
    )
    sent = [m for m in emails(worker["mail_dir"]) if m["Subject"] == subject]
    assert [m["To"] for m in sent] == [provider.email]
    before = made_count(worker)
    celery_app.send_task("documents.tasks.rendition_make", args=[broken.pk], queue=worker["queue"])
    wait_for(lambda: made_count(worker) > before, 60, "the second delivery", worker["log"])
    assert Notification.objects.filter(template="rendition_failed").count() == 1


def then_the_panel_reads_the_pdf_with_their_name_on_it(client_for, review, member, document):
    """The panel reads the worker's PDF in the viewer, with their name on it."""
    with signed_in_on(client_for, "clinical_expert", day_of(review)) as client:
        page = client.get(reverse("documents:document", args=[document.pk]))
        served = client.get(page.context["src"])
        text = pdf_text(b"".join(served.streaming_content) if served.streaming else served.content)
    assert CARE_PLAN_HEADING in text
    assert f"Viewed by {member.display_name}" in text


def then_a_new_version_gets_its_own_pdf(worker, provider, document, renditions):
    new_text = "Version two, written after the ward round"
    replacement = services.document_replace(
        actor=provider,
        document=document,
        uploaded=upload("PBS plan v2.docx", docx_with_table(text=new_text)),
    )
    new = finished([replacement], worker)[replacement.pk]
    assert new.status == RenditionStatus.READY
    assert new.file.name != renditions[document.pk].file.name
    with document_storage().open(new.file.name, "rb") as stored:
        assert new_text in pdf_text(stored.read())
