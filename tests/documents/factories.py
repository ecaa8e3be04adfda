"""Factories for the documents app, and small real files of every kind for upload tests."""

import importlib
import io
import zipfile

import factory
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.models import (
    ChecklistTemplate,
    Document,
    DocumentKind,
    DocumentPack,
    DocumentRendition,
    ItemStatus,
    PackItem,
    RenditionStatus,
    Responsible,
    ScanStatus,
)
from tests.factories import OrganisationFactory, UserFactory
from tests.reviews.factories import ReviewFactory


def ensure_checklists():
    """The checklists arrive by data migration; a transactional test (the browser tests)
    flushes them, so tests that need them load them again the migration's way."""
    if ChecklistTemplate.objects.exists():
        return
    migration = importlib.import_module("documents.migrations.0002_checklists_2023")
    migration.add_checklists(apps, None)
    importlib.import_module("documents.migrations.0006_checklists_version_2").add_version_2(
        apps, None
    )


# --- Files --------------------------------------------------------------------------------


def pdf_bytes(text="A care plan", pages=1, password=None) -> bytes:
    """A small real PDF; with text when asked (drawn by WeasyPrint), else blank pages."""
    from pypdf import PdfReader, PdfWriter

    if text:
        from weasyprint import HTML

        body = "".join(
            f"<p style='page-break-after: always'>{text}, page {n + 1}</p>" for n in range(pages)
        )
        data = HTML(string=f"<html><body>{body}</body></html>").write_pdf()
        if not password:
            return data
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    else:
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(595, 842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip(entries: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _content_types(main_type, extra="") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/main.xml" ContentType="{main_type}"/>{extra}</Types>'
    )


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORD_MACROS = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docx_bytes() -> bytes:
    return _zip({"[Content_Types].xml": _content_types(WORD), "word/document.xml": "<w/>"})


def xlsx_bytes() -> bytes:
    return _zip({"[Content_Types].xml": _content_types(EXCEL), "xl/workbook.xml": "<x/>"})


def docm_bytes() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _content_types(WORD_MACROS),
            "word/document.xml": "<w/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0",
        }
    )


def odt_bytes(macros=False) -> bytes:
    entries = {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<o/>"}
    if macros:
        entries["Basic/Standard/Module1.xml"] = "<script/>"
    return _zip(entries)


def plain_zip_bytes() -> bytes:
    return _zip({"care-plan.pdf": pdf_bytes(text=None)})


def image_bytes(fmt="PNG") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 94, 184)).save(out, fmt)
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def upload(name, data, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- Models -------------------------------------------------------------------------------


class DocumentPackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentPack

    review = factory.SubFactory(ReviewFactory)


class PackItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PackItem

    pack = factory.SubFactory(DocumentPackFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Care plan {n}")
    responsible = Responsible.PROVIDER
    organisation = factory.SubFactory(OrganisationFactory, provider=True)
    status = ItemStatus.OUTSTANDING

    class Params:
        planner = factory.Trait(is_planner=True, core=True, title="My C(E)TR planner")
        core_item = factory.Trait(core=True)


class DocumentFactory(factory.django.DjangoModelFactory):
    """A stored PDF (blank pages) on an item."""

    class Meta:
        model = Document

    item = factory.SubFactory(PackItemFactory)
    file = factory.LazyFunction(lambda: ContentFile(pdf_bytes(text=None), name="stored"))
    original_name = "care-plan.pdf"
    kind = DocumentKind.PDF
    content_type = "application/pdf"
    size = 1000
    sha256 = "0" * 64
    scan_status = ScanStatus.NOT_SCANNED
    uploaded_by = factory.SubFactory(UserFactory)
    uploaded_at = factory.LazyFunction(timezone.now)


class DocumentRenditionFactory(factory.django.DjangoModelFactory):
    """A ready PDF (blank pages) made from a stored Word document."""

    class Meta:
        model = DocumentRendition

    document = factory.SubFactory(
        DocumentFactory,
        file=factory.LazyFunction(lambda: ContentFile(docx_bytes(), name="stored")),
        original_name="care-plan.docx",
        kind=DocumentKind.DOCX,
        content_type=("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    )
    status = RenditionStatus.READY
    file = factory.LazyFunction(lambda: ContentFile(pdf_bytes(text=None), name="rendition"))
    size = 1000
    sha256 = "0" * 64


class ChecklistTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "documents.ChecklistTemplate"

    code = factory.Sequence(lambda n: f"test-checklist-{n}")
    version = 1
    name = "Test checklist"
    applies_to = "hospital"
    source = "Written for a test"
    published_on = factory.LazyFunction(timezone.localdate)


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "documents.ChecklistItem"

    template = factory.SubFactory(ChecklistTemplateFactory)
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"item-{n}")
    title = "Risk assessment"
    responsible = "provider"


class DocumentAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "documents.DocumentAccess"

    document = factory.SubFactory(DocumentFactory)
    pack = factory.LazyAttribute(lambda o: o.document.item.pack)
    user = factory.SubFactory(UserFactory)
    action = "view"
