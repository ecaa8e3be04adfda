"""What an uploaded file really is, decided by its content: magic bytes and structure. The name
and the browser's claim are never asked.

Allowed: PDF (not encrypted, and within the pages and page sizes of documents.policy), DOCX,
XLSX, ODT (without macros), JPEG, PNG. Anything else is refused with a message that names the
file, in the NHS service manual's words.
"""

import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from . import policy
from .models import DocumentKind

CONTENT_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DocumentKind.ODT: "application/vnd.oasis.opendocument.text",
    DocumentKind.JPEG: "image/jpeg",
    DocumentKind.PNG: "image/png",
}
EXTENSIONS = {
    DocumentKind.PDF: "pdf",
    DocumentKind.DOCX: "docx",
    DocumentKind.XLSX: "xlsx",
    DocumentKind.ODT: "odt",
    DocumentKind.JPEG: "jpg",
    DocumentKind.PNG: "png",
}
ALLOWED_WORDS = "a PDF, DOCX, XLSX, ODT, JPG or PNG"

# The main part of an Office Open XML document, by its content type.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        DocumentKind.DOCX
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        DocumentKind.XLSX
    ),
}
_ODF_TEXT = b"application/vnd.oasis.opendocument.text"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# A document whose parts unpack to more than this is refused (a "zip bomb").
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
MAX_CONTENT_TYPES_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Sniffed:
    kind: str | None
    problem: str = ""  # why it is refused, with "{name}" for the file's name

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind] if self.kind else ""


def _refuse(problem):
    return Sniffed(None, problem)


NOT_ALLOWED = "{name} must be " + ALLOWED_WORDS


def sniff(fileobj) -> Sniffed:
    """Read the file (from the start) and say what it is, or why it is refused."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    if not head:
        return _refuse("{name} is empty")
    if head.startswith(b"%PDF-"):
        return _pdf(fileobj)
    if head.startswith(b"\xff\xd8\xff"):
        return _image(fileobj, DocumentKind.JPEG, "JPEG")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image(fileobj, DocumentKind.PNG, "PNG")
    if head.startswith(b"PK\x03\x04"):
        return _zip_based(fileobj)
    return _refuse(NOT_ALLOWED)


def _pdf(fileobj) -> Sniffed:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(fileobj, strict=False)
        encrypted = reader.is_encrypted
        # The page tree must be readable, and within what the viewer can show.
        problem = "" if encrypted else pdf_limits_problem(reader)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        return _refuse("{name} could not be read as a PDF. Save it again as a PDF and upload it")
    finally:
        fileobj.seek(0)
    if encrypted:
        return _refuse("{name} is protected with a password. Upload a copy without a password")
    return _refuse(problem) if problem else Sniffed(DocumentKind.PDF)


def pdf_limits_problem(reader) -> str:
    """Why the panel's viewer could not show this PDF in bounded time (with "{name}" for the
    file's name), or "": more pages, or more page sizes, than documents.policy allows."""
    from .watermark import shown_size

    most = policy.MAX_PDF_PAGES
    if len(reader.pages) > most:
        return f"{{name}} has more than {most:,} pages. Upload a PDF of {most:,} pages or fewer"
    most = policy.MAX_PDF_PAGE_SIZES
    sizes = set()
    for page in reader.pages:
        sizes.add(tuple(round(side) for side in shown_size(page)))
        if len(sizes) > most:
            return (
                f"{{name}} has more than {most:,} different page sizes. "
                f"Upload a PDF with {most:,} page sizes or fewer"
            )
    return ""


def _image(fileobj, kind, label) -> Sniffed:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(fileobj) as image:
            if image.format != label:
                return _refuse(NOT_ALLOWED)
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return _refuse("{name} could not be read as an image. Save it again and upload it")
    finally:
        fileobj.seek(0)
    return Sniffed(kind)


def _zip_based(fileobj) -> Sniffed:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
                return _refuse(NOT_ALLOWED)
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return _macros()
            if "mimetype" in names:
                return _odf(archive, names)
            if "[Content_Types].xml" in names:
                return _ooxml(archive)
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError, KeyError):
        return _refuse(NOT_ALLOWED)
    finally:
        fileobj.seek(0)
    return _refuse(
        "{name} is a compressed (zip) folder. Upload the files inside it instead, "
        "each " + ALLOWED_WORDS
    )


def _macros() -> Sniffed:
    return _refuse(
        "{name} contains macros. Save it as a document without macros (.docx, .xlsx or .odt) "
        "and upload it again"
    )


def _odf(archive, names) -> Sniffed:
    mimetype = archive.read("mimetype").strip()
    if mimetype != _ODF_TEXT:
        return _refuse(NOT_ALLOWED)
    # OpenDocument keeps macros under Basic/ or Scripts/.
    if any(name.startswith(("Basic/", "Scripts/")) for name in names):
        return _macros()
    return Sniffed(DocumentKind.ODT)


def _ooxml(archive) -> Sniffed:
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        return _refuse(NOT_ALLOWED)
    root = ElementTree.fromstring(archive.read(info))  # noqa: S314 (small, expat-limited)
    types = {
        element.get("ContentType", "")
        for element in root
        if element.tag in (f"{_CT_NS}Override", f"{_CT_NS}Default")
    }
    if any("macroenabled" in t.lower() or "vbaproject" in t.lower() for t in types):
        return _macros()
    kinds = {_OOXML_MAIN[t] for t in types if t in _OOXML_MAIN}
    if len(kinds) != 1:
        return _refuse(NOT_ALLOWED)
    return Sniffed(kinds.pop())
