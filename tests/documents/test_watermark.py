"""The watermark (security issue 19): one WeasyPrint render per view whatever the PDF holds, the
reader's name and the time on every page, placed on the part of each page a viewer shows, the
right way up; and odd pages (rotated, empty, cropped, boxes that are not numbers) never crash
it."""

import io
import math
from datetime import datetime

import pytest
import weasyprint
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, NameObject, NumberObject, RectangleObject

from documents import watermark

WHEN = timezone.make_aware(datetime(2025, 3, 4, 10, 30))
READER = "Dr Ann Example"


def pdf_of(pages) -> bytes:
    """A PDF of blank pages: each (width, height), optionally followed by {key: PDF object}."""
    writer = PdfWriter()
    for width, height, *extra in pages:
        page = writer.add_blank_page(width, height)
        for key, value in (extra[0] if extra else {}).items():
            page[NameObject(key)] = value
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def renders(monkeypatch):
    """How many times WeasyPrint renders a PDF."""
    count = []
    real = weasyprint.HTML.write_pdf

    def counted(self, *args, **kwargs):
        count.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counted)
    return count


def test_a_pdf_of_300_page_sizes_is_stamped_from_one_render_on_every_page(renders):
    sizes = [(200 + n, 300 + 2 * n) for n in range(300)]
    body = watermark.watermark_pdf(io.BytesIO(pdf_of(sizes)), name=READER, when=WHEN)

    assert len(renders) == 1
    pages = PdfReader(io.BytesIO(body)).pages
    assert len(pages) == 300
    text = watermark.watermark_text(READER, WHEN)
    assert "4 March 2025 at 10:30am" in text  # as every date and time is written
    for page, (width, height) in zip(pages, sizes, strict=True):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (width, height)
        words = page.extract_text()
        assert words.count(text) == 2  # the top and bottom bands
        assert f"Viewed by {READER}" in words.replace(text, "")  # across the middle


def rectangle(*numbers):
    return RectangleObject(numbers)


def test_odd_pages_are_stamped_and_shown_as_pdf_js_shows_them(renders):
    letter, a4 = (0.0, 0.0, 612.0, 792.0), (0, 0, 595, 842)
    odd = {
        "rotated 90": ({"/Rotate": NumberObject(90)}, a4, 90),
        "rotated -90": ({"/Rotate": NumberObject(-90)}, a4, 270),
        "rotated 36 * 10^20 + 180": ({"/Rotate": NumberObject(36 * 10**20 + 180)}, a4, 180),
        "rotated 45": ({"/Rotate": NumberObject(45)}, a4, 0),
        "rotation a name": ({"/Rotate": NameObject("/Ninety")}, a4, 0),
        "empty MediaBox": ({"/MediaBox": rectangle(0, 0, 0, 0)}, letter, 0),
        "MediaBox of words": ({"/MediaBox": ArrayObject([NameObject("/A")] * 4)}, letter, 0),
        "MediaBox of 3": ({"/MediaBox": ArrayObject([NumberObject(9)] * 3)}, letter, 0),
        "MediaBox reversed": ({"/MediaBox": rectangle(400, 500, 0, 0)}, (0, 0, 400, 500), 0),
        "CropBox inside": ({"/CropBox": rectangle(50, 60, 300, 400)}, (50, 60, 300, 400), 0),
        "CropBox outside": ({"/CropBox": rectangle(900, 900, 990, 990)}, a4, 0),
        "Resources a number": ({"/Resources": NumberObject(5)}, a4, 0),
    }
    source = pdf_of([(595, 842, extra) for extra, _box, _rotation in odd.values()])
    body = watermark.watermark_pdf(io.BytesIO(source), name=READER, when=WHEN)

    assert len(renders) == 1
    text = watermark.watermark_text(READER, WHEN)
    for page, (what, (_extra, box, rotation)) in zip(
        PdfReader(io.BytesIO(body)).pages, odd.items(), strict=True
    ):
        # Every viewer now shows the page as PDF.js would have: the same box, the same turn.
        assert tuple(float(n) for n in page.cropbox) == box, what
        assert page.rotation == rotation, what
        assert text in page.extract_text(), what


def shown(point, box, rotation):
    """Where a point of the page's own space appears as a viewer shows the page: turned
    clockwise by `rotation`, its lower left corner at (0, 0)."""
    turn = math.radians(rotation)

    def clockwise(x, y):
        return (x * math.cos(turn) + y * math.sin(turn), -x * math.sin(turn) + y * math.cos(turn))

    corners = [clockwise(x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
    x, y = clockwise(*point)
    return x - min(c[0] for c in corners), y - min(c[1] for c in corners)


def applied(transformation, x, y):
    a, b, c, d, e, f = transformation.ctm
    return a * x + c * y + e, b * x + d * y + f


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize("box", [(0, 0, 595, 842), (100, 50, 942, 645), (-20, -30, 80, 9000)])
def test_each_sheet_lands_upright_at_the_top_middle_and_bottom_of_the_shown_page(box, rotation):
    width, height = box[2] - box[0], box[3] - box[1]
    if rotation in (90, 270):
        width, height = height, width
    sheet_w, sheet_h = watermark.SHEET_WIDTH, watermark.SHEET_HEIGHT
    where = dict(watermark.placements(box, rotation))

    def seen(sheet, x, y):
        return shown(applied(where[sheet], x, y), box, rotation)

    for sheet in (watermark.TOP, watermark.MIDDLE, watermark.BOTTOM):
        # Upright: the sheet's left-to-right runs left to right on the screen, its up runs up.
        (x0, y0), (x1, y1), (x2, y2) = seen(sheet, 0, 0), seen(sheet, 1, 0), seen(sheet, 0, 1)
        assert x1 - x0 > 0 and y1 - y0 == pytest.approx(0, abs=1e-9)
        assert y2 - y0 > 0 and x2 - x0 == pytest.approx(0, abs=1e-9)
        # Centred across the page.
        assert seen(sheet, sheet_w / 2, sheet_h / 2)[0] == pytest.approx(width / 2)
    assert seen(watermark.TOP, 0, sheet_h)[1] == pytest.approx(height)  # its top edge at the top
    assert seen(watermark.BOTTOM, 0, 0)[1] == pytest.approx(0)  # its bottom edge at the bottom
    assert seen(watermark.MIDDLE, 0, sheet_h / 2)[1] == pytest.approx(height / 2)
    # The bands fit the page's width, the middle the whole page.
    band = seen(watermark.TOP, sheet_w, 0)[0] - seen(watermark.TOP, 0, 0)[0]
    assert band == pytest.approx(min(width, height))
    middle_left, middle_bottom = seen(watermark.MIDDLE, 0, 0)
    middle_right, middle_top = seen(watermark.MIDDLE, sheet_w, sheet_h)
    assert middle_left >= -1e-6 and middle_right <= width + 1e-6
    assert middle_bottom >= -1e-6 and middle_top <= height + 1e-6


def test_a_page_of_another_pdf_keeps_its_own_drawing_and_resources():
    """The stamp adds to the page; what the page drew before is still there."""
    from .factories import pdf_bytes

    body = watermark.watermark_pdf(
        io.BytesIO(pdf_bytes(text="Care plan", pages=3)), name=READER, when=WHEN
    )
    for number, page in enumerate(PdfReader(io.BytesIO(body)).pages, start=1):
        words = page.extract_text()
        assert f"Care plan, page {number}" in words
        assert f"Viewed by {READER}" in words
