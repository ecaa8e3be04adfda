"""A visible watermark on every page of a PDF served to a panel member: their name and the time,
so a leaked copy can be traced. Applied on the server; the stored file is never changed.

The stamp is drawn once per view, whatever the PDF holds: WeasyPrint renders a small HTML
document of three A4 sheets (the top band, the word across the middle, the bottom band), and
pypdf lays each sheet over every page, scaled and moved (and turned, for a page shown rotated)
to the part of the page a viewer shows. So the time a view takes grows with the number of pages
only, never with how many page sizes a crafted file has (security issue 19); the upload checks
(`documents.sniff`) bound the number of pages.

A page's boxes and rotation are read as PDF.js reads them, and the served copy is given exactly
those values, so that every viewer shows the page (and its stamp) alike: a MediaBox that is
missing, empty or not numbers is US Letter; a CropBox outside the MediaBox is the MediaBox; a
rotation that is not a multiple of 90 is none.
"""

import html
import io
import math

from django.utils import timezone

from ctr_portal.formatting import nhs_datetime

# The sheets are drawn at this size, in points (A4 portrait), and scaled to each page.
SHEET_WIDTH, SHEET_HEIGHT = 595.0, 842.0
LETTER = (0.0, 0.0, 612.0, 792.0)  # what viewers show for a page without a usable MediaBox
TOP, MIDDLE, BOTTOM = range(3)  # the sheets, in the order they are rendered

_STAMP = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: {width}pt {height}pt; margin: 0 }}
html, body {{ margin: 0; font-family: "DejaVu Sans", sans-serif; }}
.sheet {{ position: relative; height: {height}pt; overflow: hidden; }}
.sheet + .sheet {{ break-before: page }}
.band {{ position: absolute; left: 12pt; right: 12pt; text-align: center; font-size: 8.5pt;
        color: rgba(190, 0, 0, 0.55); }}
.top {{ top: 6pt }} .bottom {{ bottom: 6pt }}
.middle {{ top: 45%; font-size: 25.5pt; color: rgba(190, 0, 0, 0.18);
          transform: rotate(-30deg); }}
</style></head><body>
<div class="sheet"><div class="band top">{text}</div></div>
<div class="sheet"><div class="band middle">{short}</div></div>
<div class="sheet"><div class="band bottom">{text}</div></div>
</body></html>"""


def watermark_text(name: str, when=None) -> str:
    return (
        f"Viewed by {name} on {nhs_datetime(when or timezone.now())} – for this review only, "
        "do not copy"
    )


def _sheets(text: str, short: str) -> list:
    """The three sheets of the stamp, from one WeasyPrint render."""
    from pypdf import PdfReader

    from ctr_portal.pdf import pdf_html

    page_html = _STAMP.format(
        width=SHEET_WIDTH,
        height=SHEET_HEIGHT,
        text=html.escape(text),
        short=html.escape(short),
    )
    pages = PdfReader(io.BytesIO(pdf_html(page_html).write_pdf())).pages
    return [pages[TOP], pages[MIDDLE], pages[BOTTOM]]


def _resolved(value):
    return value.get_object() if hasattr(value, "get_object") else value


def _rectangle(value):
    """(left, bottom, right, top) of a PDF rectangle with some area, or None."""
    try:
        numbers = [float(_resolved(n)) for n in _resolved(value)]
    except (TypeError, ValueError):
        return None
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        return None
    left, right = sorted(numbers[0::2])
    bottom, top = sorted(numbers[1::2])
    if not (math.isfinite(right - left) and math.isfinite(top - bottom)):
        return None
    return (left, bottom, right, top) if right > left and top > bottom else None


def _rotation(page) -> int:
    value = _resolved(page.get("/Rotate", 0))
    if isinstance(value, int) and not isinstance(value, bool) and value % 90 == 0:
        return value % 360
    return 0


def _geometry(page):
    """(MediaBox, the box shown, rotation) of a page, as PDF.js reads them."""
    media = _rectangle(page.get("/MediaBox", None)) or LETTER
    box = media
    crop = _rectangle(page.get("/CropBox", None))
    if crop is not None:
        left, bottom = max(crop[0], media[0]), max(crop[1], media[1])
        right, top = min(crop[2], media[2]), min(crop[3], media[3])
        if right > left and top > bottom:
            box = (left, bottom, right, top)
    return media, box, _rotation(page)


def shown_size(page) -> tuple[float, float]:
    """(width, height) of the page as a viewer shows it, in points."""
    _media, (left, bottom, right, top), rotation = _geometry(page)
    if rotation in (90, 270):
        return top - bottom, right - left
    return right - left, top - bottom


def shown_box(page) -> tuple[tuple[float, float, float, float], int]:
    """The part of the page a viewer shows, in the page's own space, and its rotation; the page
    is given those boxes and that rotation, so that no viewer shows it otherwise."""
    from pypdf.generic import NameObject, NumberObject, RectangleObject

    media, box, rotation = _geometry(page)
    page[NameObject("/MediaBox")] = RectangleObject(media)
    page[NameObject("/CropBox")] = RectangleObject(box)
    page[NameObject("/Rotate")] = NumberObject(rotation)
    return box, rotation


def _to_page(box, rotation):
    """The transformation from the page as it is shown (origin at its lower left, upright) to
    the page's own space."""
    from pypdf import Transformation

    left, bottom, right, top = box
    return Transformation(
        {
            0: (1, 0, 0, 1, left, bottom),
            90: (0, 1, -1, 0, right, bottom),
            180: (-1, 0, 0, -1, right, top),
            270: (0, -1, 1, 0, left, top),
        }[rotation]
    )


def placements(box, rotation) -> list:
    """Where each sheet goes on a page: [(sheet, transformation)]. The bands scale with the
    page's shorter side and sit at its top and bottom edges; the middle fills the page as an A4
    sheet would, centred."""
    from pypdf import Transformation

    width, height = box[2] - box[0], box[3] - box[1]
    if rotation in (90, 270):
        width, height = height, width
    band = min(width, height) / SHEET_WIDTH
    middle = min(width / SHEET_WIDTH, height / SHEET_HEIGHT)
    to_page = _to_page(box, rotation)

    def placed(scale, y):
        x = (width - SHEET_WIDTH * scale) / 2
        return Transformation().scale(scale).translate(x, y).transform(to_page)

    return [
        (TOP, placed(band, height - SHEET_HEIGHT * band)),
        (MIDDLE, placed(middle, (height - SHEET_HEIGHT * middle) / 2)),
        (BOTTOM, placed(band, 0)),
    ]


def _forms(writer, sheets) -> list:
    """Each sheet as a form XObject of the writer: drawn on every page, stored once."""
    from pypdf.generic import DecodedStreamObject, NameObject, RectangleObject

    forms = []
    for sheet in sheets:
        form = DecodedStreamObject()
        form.set_data(sheet.get_contents().get_data())
        form[NameObject("/Type")] = NameObject("/XObject")
        form[NameObject("/Subtype")] = NameObject("/Form")
        form[NameObject("/BBox")] = RectangleObject((0, 0, SHEET_WIDTH, SHEET_HEIGHT))
        form[NameObject("/Resources")] = sheet["/Resources"].get_object().clone(writer)
        if "/Group" in sheet:
            form[NameObject("/Group")] = sheet["/Group"].get_object().clone(writer)
        forms.append(writer._add_object(form))
    return forms


def _dictionary(parent, key):
    """parent[key], made an empty dictionary if it is missing or is not one."""
    from pypdf.generic import DictionaryObject, NameObject

    value = _resolved(parent.get(key))
    if not isinstance(value, DictionaryObject):
        value = parent[NameObject(key)] = DictionaryObject()
    return value


def _stamp(writer, page, forms, opening) -> None:
    """Draw the forms over the page: its own drawing is wrapped in q ... Q (`opening` is the
    shared "q"), so that nothing it leaves set moves the stamp."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject

    resources = _dictionary(page, "/Resources")
    xobjects = _dictionary(resources, "/XObject")
    drawing = ["Q"]
    for sheet, transformation in placements(*shown_box(page)):
        name = f"/CtrWatermark{sheet}"
        xobjects[NameObject(name)] = forms[sheet]
        matrix = " ".join(f"{n:.6f}" for n in transformation.ctm)
        drawing.append(f"q {matrix} cm {name} Do Q")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(drawing).encode())
    contents = page.get("/Contents")
    parts = contents.get_object() if contents is not None else []
    if not isinstance(parts, ArrayObject | list):
        parts = [contents]
    page[NameObject("/Contents")] = ArrayObject([opening, *parts, writer._add_object(stream)])


def watermark_pdf(source, *, name: str, when=None) -> bytes:
    """The PDF read from `source` (a file object), with the stamp on every page."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject

    sheets = _sheets(watermark_text(name, when), f"Viewed by {name}")
    writer = PdfWriter(clone_from=PdfReader(source, strict=False))
    forms = _forms(writer, sheets)
    opening = DecodedStreamObject()
    opening.set_data(b"q")
    opening = writer._add_object(opening)
    for page in writer.pages:
        _stamp(writer, page, forms, opening)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
