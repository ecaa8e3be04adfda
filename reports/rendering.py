"""The report's HTML and PDF. The body is the same fragment in the browser's preview, in the
worker's PDF and in an issued version's frozen copy; the PDF wraps it in a print document with
the NHS-style print stylesheet and WeasyPrint renders it, tagged for accessibility (PDF/UA).

Only the worker calls `pdf_from_html` (`services.report_pdf_render`): never a web request.
"""

from django.template.loader import render_to_string

from .easy_read import easy_read_parts

PDF_VARIANT = "pdf/ua-1"


def report_body(content, *, version=None) -> str:
    """The full report's HTML fragment, from the data as it stands (or frozen as `version`)."""
    return render_to_string("reports/_report_body.html", {"c": content, "version": version})


def easy_read_body(content, *, version=None) -> str:
    return render_to_string(
        "reports/_easy_read_body.html",
        {"c": content, "parts": easy_read_parts(content), "version": version},
    )


def document_title(review, *, easy_read: bool) -> str:
    kind = "Easy-read report" if easy_read else "Report"
    return f"{kind}: {review.type_long}"


def print_document(body: str, *, title: str, easy_read: bool = False) -> str:
    """A whole HTML document for WeasyPrint: the print stylesheet, a title, the body."""
    return render_to_string(
        "reports/print/document.html",
        {"body": body, "title": title, "easy_read": easy_read},
    )


def pdf_from_html(html: str) -> tuple[bytes, int]:
    """(the PDF, its page count), tagged and with its fonts embedded (WeasyPrint always embeds
    the fonts it uses, subset)."""
    from ctr_portal.pdf import pdf_html

    document = pdf_html(html).render(pdf_variant=PDF_VARIANT)
    return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)
