"""A visible watermark on every page of a PDF served to a panel member: their name and the time,
so a leaked copy can be traced. Applied on the server; the stored file is never changed.

The stamp is a one-page PDF that WeasyPrint renders from a small HTML page the size of the
page it goes on; pypdf lays it over each page.
"""

import html
import io

from django.utils import timezone

_STAMP = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: {width}pt {height}pt; margin: 0 }}
html, body {{ margin: 0; font-family: "DejaVu Sans", sans-serif; }}
.band {{ position: absolute; left: 0; right: 0; text-align: center; font-size: {size}pt;
        color: rgba(190, 0, 0, 0.55); }}
.top {{ top: 6pt }} .bottom {{ bottom: 6pt }}
.middle {{ top: 45%; font-size: {big}pt; color: rgba(190, 0, 0, 0.18);
          transform: rotate(-30deg); }}
</style></head><body>
<div class="band top">{text}</div>
<div class="band middle">{short}</div>
<div class="band bottom">{text}</div>
</body></html>"""


def watermark_text(name: str, when=None) -> str:
    when = timezone.localtime(when or timezone.now())
    return f"Viewed by {name} on {when:%d %B %Y at %H:%M} – for this review only, do not copy"


def _stamp(width: float, height: float, text: str, short: str):
    from pypdf import PdfReader

    from ctr_portal.pdf import pdf_html

    size = max(6.0, min(9.0, width / 70))
    page_html = _STAMP.format(
        width=round(width, 2),
        height=round(height, 2),
        size=round(size, 1),
        big=round(size * 3, 1),
        text=html.escape(text),
        short=html.escape(short),
    )
    return PdfReader(io.BytesIO(pdf_html(page_html).write_pdf())).pages[0]


def watermark_pdf(source, *, name: str, when=None) -> bytes:
    """The PDF read from `source` (a file object), with the stamp on every page."""
    from pypdf import PdfReader, PdfWriter, Transformation

    text = watermark_text(name, when)
    writer = PdfWriter(clone_from=PdfReader(source, strict=False))
    stamps = {}
    for page in writer.pages:
        box = page.mediabox
        size = (float(box.width), float(box.height))
        if size not in stamps:
            stamps[size] = _stamp(*size, text=text, short=f"Viewed by {name}")
        page.merge_transformed_page(
            stamps[size], Transformation().translate(float(box.left), float(box.bottom)), over=True
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
