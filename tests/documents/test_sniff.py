"""Uploads are judged by their content, never their name or the browser's claim."""

import io

import pytest

from documents.models import DocumentKind
from documents.sniff import sniff

from .factories import (
    EXE,
    HTML_PAGE,
    SVG,
    docm_bytes,
    docx_bytes,
    image_bytes,
    odt_bytes,
    pdf_bytes,
    plain_zip_bytes,
    xlsx_bytes,
)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda: pdf_bytes(text=None), DocumentKind.PDF),
        (docx_bytes, DocumentKind.DOCX),
        (xlsx_bytes, DocumentKind.XLSX),
        (odt_bytes, DocumentKind.ODT),
        (lambda: image_bytes("JPEG"), DocumentKind.JPEG),
        (lambda: image_bytes("PNG"), DocumentKind.PNG),
    ],
    ids=["pdf", "docx", "xlsx", "odt", "jpeg", "png"],
)
def test_allowed_kinds_are_recognised_by_content(make, kind):
    assert sniff(io.BytesIO(make())).kind == kind


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (EXE, "must be a PDF, DOCX, XLSX, ODT, JPG or PNG"),
        (HTML_PAGE, "must be a PDF, DOCX, XLSX, ODT, JPG or PNG"),
        (SVG, "must be a PDF, DOCX, XLSX, ODT, JPG or PNG"),
        (docm_bytes(), "contains macros"),
        (odt_bytes(macros=True), "contains macros"),
        (plain_zip_bytes(), "is a compressed (zip) folder"),
        (b"", "is empty"),
        (b"%PDF-1.7\n<html><script>alert(1)</script>", "could not be read as a PDF"),
    ],
    ids=["exe", "html", "svg", "docm", "odt-macros", "zip", "empty", "fake-pdf"],
)
def test_other_content_is_refused_whatever_its_name(data, words):
    result = sniff(io.BytesIO(data))
    assert result.kind is None
    assert words in result.problem.format(name="report.pdf")
    assert result.problem.startswith("{name}")


@pytest.mark.django_db
def test_an_encrypted_pdf_is_refused():
    result = sniff(io.BytesIO(pdf_bytes(text=None, password="secret")))
    assert result.kind is None
    assert "protected with a password" in result.problem
