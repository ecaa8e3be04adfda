"""The report's HTML and PDF. The body is the same fragment in the browser's preview, in the
worker's PDF and in an issued version's frozen copy; the PDF wraps it in a print document with
the NHS-style print stylesheet and WeasyPrint renders it, tagged for accessibility (PDF/UA-1,
completed by `ctr_portal.pdf.tags_complete`).

Three PDFs are made from it (`models.PdfKind`): the full report (12 point), the easy read report
(16 point) and the large print report (the full report reflowed at 18 point, for a person whose
communication needs ask for it).

Only the worker calls `pdf_from_html` (`services.report_pdf_render`): never a web request.
"""

from django.template.loader import render_to_string

from ctr_portal.formatting import nhs_date

from .easy_read import easy_read_parts

VARIANTS = ("full", "easy_read", "large_print")
_TITLE_KIND = {
    "full": "Report",
    "easy_read": "Easy read report",
    "large_print": "Large print report",
}


def report_body(
    content, *, version=None, large_print: bool = False, document_links=frozenset()
) -> str:
    """The full report's HTML fragment, from the data as it stands (or frozen as `version`);
    `large_print` sets the recommendations one after another instead of in a table.
    `document_links`: ids of the pack documents the reader may open, named as links (only on
    the draft's preview: the PDFs and an issued version's frozen copy name them in plain text,
    since they go to readers who may not open the pack)."""
    return render_to_string(
        "reports/_report_body.html",
        {
            "c": content,
            "version": version,
            "large_print": large_print,
            "document_links": document_links,
        },
    )


def easy_read_body(content, *, version=None) -> str:
    return render_to_string(
        "reports/_easy_read_body.html",
        {"c": content, "parts": easy_read_parts(content), "version": version},
    )


def document_title(review, *, variant: str = "full") -> str:
    """The PDF's title, shown by readers in place of its file name: which report, of whose
    review, held when. The PDF goes only to those entitled to the report, so the name is in it."""
    return (
        f"{_TITLE_KIND[variant]} of the {review.type_long} for {review.person.full_name}, "
        f"{nhs_date(review.review_date)}"
    )


def print_document(body: str, *, title: str, variant: str = "full") -> str:
    """A whole HTML document for WeasyPrint: the print stylesheet, a title, the body."""
    if variant not in VARIANTS:
        raise ValueError(f"Not a report variant: {variant!r}")
    return render_to_string(
        "reports/print/document.html", {"body": body, "title": title, "variant": variant}
    )


def pdf_from_html(html: str) -> tuple[bytes, int]:
    """(the PDF, its page count), tagged and with its fonts embedded (WeasyPrint always embeds
    the fonts it uses, subset)."""
    from ctr_portal.pdf import pdf_tagged

    return pdf_tagged(html)
