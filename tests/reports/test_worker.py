"""The report's PDF made by a real WeasyPrint run in a real Celery worker, on Redis and
PostgreSQL: the chair issues, the task goes through the broker to a separate worker process, and
the stored PDF has the page count, text, running header, the recommendations table's header on
every page it spans, and "Tagged: yes". Skipped without the services, except under CI."""

import io
import os
import subprocess

import pytest
from django.conf import settings
from pypdf import PdfReader

from ctr_portal.celery import app as celery_app
from reports import services
from reports.models import ReportPdf
from tests.celery_worker import HAVE_SERVICES, SKIP_REASON, running_worker, wait_for

from .factories import report_world, seen_by

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
if not HAVE_SERVICES and not os.environ.get("CI"):
    pytestmark.append(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="module")
def worker(tmp_path_factory, django_db_setup, django_db_blocker):
    with running_worker(
        tmp_path_factory,
        django_db_blocker,
        env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)},
        also_default_queue=True,
    ) as running:
        yield running


# Three PDFs of a 30-recommendation report, on a worker sharing two cores with the browser
# tests: minutes, not seconds, when the machine is busy.
@pytest.mark.timeout(600)
def test_an_issued_report_is_rendered_by_weasyprint_in_the_worker(review_world, worker):
    from tests.panels.factories import ensure_kloe_sets

    ensure_kloe_sets()
    world = report_world(review_world, recommendations=30)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        version = services.report_issue(
            actor=world["chair"], review=seen_by(world["chair"], world["review"])
        )
    finally:
        celery_app.conf.task_always_eager = eager

    def rendered():
        return not ReportPdf.objects.filter(version=version, status__in=["pending", "rendering"])

    wait_for(rendered, 420, "the worker's PDFs", worker["log"])
    pdf = ReportPdf.objects.get(version=version, kind="full")
    assert pdf.is_ready, pdf.failure
    assert "reports.tasks.report_pdf_render" in worker["log"].read_text()
    data = services.report_pdf_read(user=world["chair"], pdf=pdf)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pdf.pages >= 3
    texts = [page.extract_text() for page in reader.pages]
    for n, text in enumerate(texts, start=1):
        assert "Daniel Clarke" in text  # the running header
        assert f"Page {n} of {pdf.pages}" in text
    assert "Action number 30" in "".join(texts)
    spanned = [t for t in texts if "Action number" in t]
    assert len(spanned) >= 2
    for text in spanned:  # the header row repeats on every page the table spans
        words = " ".join(text.split())  # a header cell may wrap onto two lines at 12 pt
        assert "What will be done" in words and "How everyone will know" in words
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout
    assert b"Tagged:          yes" in info
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout
    rows = fonts.decode().splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)  # every font embedded
