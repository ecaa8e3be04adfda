"""Real office documents for the rendition tests, made here by LibreOffice itself from HTML and
from flat OpenDocument XML written below: no binary fixture of unknown origin.

Each maker returns the file's bytes; `office_files()` makes the set the tests use once per
test session (a LibreOffice run takes a few seconds).
"""

import functools
import io
import os
import zipfile
from html import escape

import pytest

from documents import libreoffice

CARE_PLAN_HEADING = "Positive behaviour support plan"
CARE_PLAN_TEXT = "Daniel likes a quiet room in the morning"
CARE_PLAN_CELL = "Walk in the garden"
PLANNER_SHEETS = {"Monday": "Swimming at the leisure centre", "Tuesday": "Art group at the library"}
DISCHARGE_TEXT = "Discharge to a supported living flat near his family"


def _from_html(html: str, target: str) -> bytes:
    return libreoffice.convert(
        io.BytesIO(html.encode()), extension="html", target=target, infilter="HTML (StarWriter)"
    )


def docx_with_table(
    heading=CARE_PLAN_HEADING, text=CARE_PLAN_TEXT, cell=CARE_PLAN_CELL, pages=1
) -> bytes:
    """A Word document with a heading, a paragraph and a table; with `pages` > 1, that many
    pages, each with its own heading, paragraphs and table."""
    body = []
    for page in range(1, pages + 1):
        style = ' style="page-break-before: always"' if page > 1 else ""
        body.append(f"<h1{style}>{escape(heading)}{f', page {page}' if pages > 1 else ''}</h1>")
        body.append(f"<p>{escape(text)}.</p>")
        if pages > 1:
            body.extend(
                f"<p>Paragraph {n} of page {page}: what helps, what to avoid, who to call, and "
                "how the person says they are feeling, in their own words.</p>"
                for n in range(1, 9)
            )
        body.append(
            '<table border="1"><tr><th>Time</th><th>What happens</th></tr>'
            f"<tr><td>09:00</td><td>{escape(cell)}</td></tr>"
            "<tr><td>12:30</td><td>Lunch in the dining room</td></tr></table>"
        )
    html = f"<html><head><meta charset='utf-8'></head><body>{''.join(body)}</body></html>"
    return _from_html(html, "docx:MS Word 2007 XML")


def odt_text(text=DISCHARGE_TEXT) -> bytes:
    html = (
        "<html><head><meta charset='utf-8'></head><body><h1>Discharge plan</h1>"
        f"<p>{escape(text)}.</p></body></html>"
    )
    return _from_html(html, "odt:writer8")


def xlsx_two_sheets(sheets=None) -> bytes:
    """An Excel workbook with one sheet per entry: a header row and one activity."""
    sheets = sheets or PLANNER_SHEETS
    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        "<table:table-column table:number-columns-repeated='2'/>"
        "<table:table-row><table:table-cell office:value-type='string'><text:p>Time</text:p>"
        "</table:table-cell><table:table-cell office:value-type='string'><text:p>Activity"
        "</text:p></table:table-cell></table:table-row>"
        "<table:table-row><table:table-cell office:value-type='string'><text:p>10:00</text:p>"
        "</table:table-cell><table:table-cell office:value-type='string'>"
        f"<text:p>{escape(activity)}</text:p></table:table-cell></table:table-row>"
        "</table:table>"
        for name, activity in sheets.items()
    )
    fods = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" '
        'office:mimetype="application/vnd.oasis.opendocument.spreadsheet">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document>"
    )
    return libreoffice.convert(
        io.BytesIO(fods.encode()), extension="fods", target="xlsx:Calc MS Excel 2007 XML"
    )


def corrupt_docx(good: bytes) -> bytes:
    """A Word document whose main part is cut in half: the ZIP and its content types are
    intact, so it passes the upload checks, but no program can read the text."""
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            archive.writestr(info.filename, data)
    return out.getvalue()


def docx_with_linked_picture(good: bytes, url: str) -> bytes:
    """The Word document with a picture linked (not embedded) from `url`: Word and LibreOffice
    fetch such a picture when they show the page, unless told not to."""
    relationship = (
        '<Relationship Id="rIdLinked" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/image" Target="{escape(url)}" TargetMode="External"/>'
    )
    drawing = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/'
        'drawingml/2006/wordprocessingDrawing"><wp:extent cx="952500" cy="952500"/>'
        '<wp:docPr id="901" name="Linked"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/'
        'drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/'
        'drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/'
        'drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="901" name="linked.png"/>'
        '<pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships" r:link="rIdLinked"/>'
        '<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" '
        'y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        "</a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline>"
        "</w:drawing></w:r></w:p>"
    )
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info).decode()
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace("</Relationships>", relationship + "</Relationships>")
            elif info.filename == "word/document.xml":
                at = data.rfind("<w:sectPr")
                data = data[:at] + drawing + data[at:]
            archive.writestr(info.filename, data)
    return out.getvalue()


@functools.cache
def office_files() -> dict[str, bytes]:
    """The files of the rendition tests, by the name they are uploaded with."""
    care_plan = docx_with_table()
    return {
        "PBS plan.docx": care_plan,
        "Activity planner.xlsx": xlsx_two_sheets(),
        "Discharge plan.odt": odt_text(),
        "Broken plan.docx": corrupt_docx(care_plan),
    }


def office_files_or_skip() -> dict[str, bytes]:
    """office_files(), or skip the test when LibreOffice is not installed (under CI, fail)."""
    if not libreoffice.available():
        packages = " ".join(libreoffice.PACKAGES)
        if os.environ.get("CI"):
            pytest.fail(f"LibreOffice not found: CI must install {packages}")
        pytest.skip(f"LibreOffice not found: apt-get install {packages}")
    return office_files()
