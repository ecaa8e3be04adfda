"""The report's PDFs pass the PDF/UA structure check (tests/pdf_ua.py): the full report at 12
point, the easy read at 16 and the large print at 18, each drawn from a demo-like draft (the
demo's narrative, a quote, a rating of serious concerns and three recommendations)."""

import pytest
from django.utils import timezone

from ctr_portal.pdf import PDF_VARIANT, pdf_html
from reports import demo, queries, rendering, services
from reports.models import PdfKind, ReportDraft, ReportPdf
from reviews.models import ConsentRecord
from tests.pdf_ua import pdf_ua_problems, structure_tags

from .factories import seen_by

MINIMUM_POINTS = {PdfKind.FULL: 12, PdfKind.EASY_READ: 16, PdfKind.LARGE_PRINT: 18}


@pytest.fixture
def demo_like(held_world):
    review = held_world["review"]
    name = review.person.known_as
    ReportDraft.objects.create(
        review=review,
        version=1,
        updated_by=held_world["chair"],
        updated_at=timezone.now(),
        **{key: text.format(name=name) for key, text in demo.NARRATIVE.items()},
    )
    return seen_by(held_world["chair"], review)


def render(review, kind):
    body = services._body(queries.report_content(review), kind)
    title = rendering.document_title(review, variant=kind)
    return rendering.pdf_from_html(rendering.print_document(body, title=title, variant=kind))[0]


def test_the_full_easy_read_and_large_print_pdfs_pass_the_pdf_ua_check(demo_like):
    for kind, points in MINIMUM_POINTS.items():
        data = render(demo_like, kind)

        assert pdf_ua_problems(data, min_points=points) == [], kind
        tags = structure_tags(data)
        assert "/Figure" in tags if kind == PdfKind.EASY_READ else "/Figure" not in tags
        if kind == PdfKind.FULL:
            assert {"/Table", "/Caption", "/TH", "/Lbl", "/LBody"} <= set(tags)
        if kind == PdfKind.LARGE_PRINT:
            # The recommendations reflowed: one after another, each a list of its parts.
            assert "/Table" not in tags and tags.count("/H3") >= 3


def test_each_pdf_is_titled_with_the_person_and_the_review(demo_like):
    title = rendering.document_title(demo_like, variant=PdfKind.EASY_READ)

    assert title.startswith("Easy read report of the Care and Treatment Review for Daniel Clarke")
    assert title.endswith(demo_like.held_on.strftime("%-d %B %Y"))


def test_the_check_finds_each_fault_issue_23_found():
    html = """<!DOCTYPE html><html><head><title></title></head><body>
      <h1>Report <span style="display: block">caption</span></h1><h3>Skipped a level</h3>
      <svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="9"/></svg>
      <p style="font-size: 8pt">Small print</p></body></html>"""
    data = pdf_html(html).write_pdf(pdf_variant=PDF_VARIANT)  # WeasyPrint's tags alone

    problems = pdf_ua_problems(data, min_points=12)

    assert "No language (/Lang)" in problems and "No title" in problems
    assert "A figure without alternative text" in problems
    assert "A H1 inside a heading" in problems
    assert "2 H1 headings, not one" in problems
    assert "Heading level skipped: H1 then H3" in problems
    assert "Text of 8.0 pt on page 1, below 12" in problems


def test_the_check_finds_a_header_cell_without_scope_and_a_flattened_definition_list():
    html = """<!DOCTYPE html><html lang="en"><head><title>T</title></head><body><h1>T</h1>
      <table><thead><tr><th>Name</th></tr></thead><tbody><tr><td>A</td></tr></tbody></table>
      <dl><div><dt>Term</dt><dd>Definition</dd></div></dl></body></html>"""
    untouched = pdf_html(html).write_pdf(pdf_variant=PDF_VARIANT)
    completed, _pages = rendering.pdf_from_html(html)

    problems = pdf_ua_problems(untouched, min_points=12)
    assert "A table header cell without a Scope" in problems
    assert any(p.startswith("A cell's header") for p in problems)  # no IDTree
    assert "A list holding /Div, not list items" in problems
    assert pdf_ua_problems(completed, min_points=12) == []
    assert {"/Lbl", "/LBody"} <= set(structure_tags(completed))


def test_a_large_print_pdf_is_made_on_issue_where_the_person_asks_for_large_print(
    held_world, demo_like
):
    ConsentRecord.objects.filter(review=demo_like).update(
        report_format=ConsentRecord.Format.LARGE_PRINT
    )
    review = seen_by(held_world["chair"], demo_like)

    version = services.report_issue(actor=held_world["chair"], review=review)

    kinds = set(ReportPdf.objects.filter(version=version).values_list("kind", flat=True))
    assert kinds == {"full", "easy_read", "large_print"}
    assert "Recommendation 1</h3>" in version.large_print_html
    assert "<table" not in version.large_print_html
    assert PdfKind.LARGE_PRINT in queries.pdf_kinds_for(review)


def test_no_large_print_pdf_for_someone_who_did_not_ask_for_it(demo_like):
    assert queries.pdf_kinds_for(demo_like) == [PdfKind.FULL, PdfKind.EASY_READ]
