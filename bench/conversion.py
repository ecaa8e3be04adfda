"""The conversion of a 20-page Word document to the PDF the panel reads (issue 14): LibreOffice
headless with a fresh profile, offline, as the worker runs it (`documents.libreoffice`)."""

import io
import statistics
from time import perf_counter

PARAGRAPH = (
    "Paragraph {n} of page {page}: what helps, what to avoid, who to call, and how the person "
    "says they are feeling, in their own words. "
)


def word_document(pages: int) -> bytes:
    """A DOCX of `pages` pages, each with a heading, paragraphs and a table, made by LibreOffice
    from HTML (not timed)."""
    from documents import libreoffice

    body = []
    for page in range(1, pages + 1):
        style = ' style="page-break-before: always"' if page > 1 else ""
        body.append(f"<h1{style}>Positive behaviour support plan, page {page}</h1>")
        body.extend(f"<p>{PARAGRAPH.format(n=n, page=page) * 3}</p>" for n in range(1, 7))
        rows = "".join(
            f"<tr><td>{hour:02d}:00</td><td>Activity {hour}</td><td>Staff {hour % 3 + 1}</td></tr>"
            for hour in range(8, 18)
        )
        body.append(
            f'<table border="1"><tr><th>Time</th><th>What</th><th>Who</th></tr>{rows}</table>'
        )
    html = f"<html><head><meta charset='utf-8'></head><body>{''.join(body)}</body></html>"
    return libreoffice.convert(
        io.BytesIO(html.encode()),
        extension="html",
        target="docx:MS Word 2007 XML",
        infilter="HTML (StarWriter)",
    )


def measure_conversion(*, pages: int = 20, repeat: int = 3) -> dict | None:
    """Time `repeat` conversions of a `pages`-page DOCX to PDF. Returns {"seconds": [...],
    "median": s, "pdf_pages": n, "docx_bytes": n}, or None without LibreOffice."""
    from pypdf import PdfReader

    from documents import libreoffice

    if not libreoffice.available():
        return None
    docx = word_document(pages)
    seconds, pdf = [], b""
    for _ in range(repeat):
        started = perf_counter()
        pdf = libreoffice.convert_to_pdf(io.BytesIO(docx), extension="docx")
        seconds.append(perf_counter() - started)
    return {
        "seconds": seconds,
        "median": statistics.median(seconds),
        "pdf_pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "docx_bytes": len(docx),
    }
