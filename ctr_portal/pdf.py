"""Every PDF the project makes with WeasyPrint is made from `pdf_html()`, whose one URL fetcher
serves the project's own static files and nothing else.

WeasyPrint's own fetcher opens whatever a document names: `<img src="file:///etc/passwd">`
would put a local file in the PDF, `<link href="http://10.0.0.1/...">` would make the worker
call into the network. Our templates name nothing of the sort, but one `|safe` on text someone
typed would let them. So:

- relative URLs resolve against BASE_URL, whose host is `.invalid` (RFC 2606: it names no host),
  and `{% static 'x.css' %}` (`/static/x.css`) becomes BASE_URL + `static/x.css`;
- the fetcher serves such a URL from the staticfiles finders (or the collected files), refusing
  any path that climbs out (`..`, a backslash, an encoded one);
- everything else is refused: file:, http(s): to any other host, ftp:, and data: too. A data:
  URL reads nothing outside the document, but nothing of ours uses one, and refusing it keeps
  the fetcher an allow-list of files we ship (no decoder for images nobody vetted).

A refused fetch is WeasyPrint's usual warning and the resource is left out; the PDF still
renders.
"""

import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

BASE_URL = "https://ctr-portal.invalid/"


class FetchRefused(ValueError):
    """A URL the PDF may not fetch."""


def pdf_html(string: str):
    """WeasyPrint's HTML for `string`, with the project's fetcher and base URL."""
    from weasyprint import HTML

    return HTML(string=string, base_url=BASE_URL, url_fetcher=_fetcher_class()())


def static_file(url: str) -> Path:
    """The project's static file that `url` (resolved against BASE_URL) names; FetchRefused for
    any other URL."""
    parts, base = urlsplit(url), urlsplit(BASE_URL)
    prefix = urlsplit(settings.STATIC_URL).path
    ours = (parts.scheme, parts.netloc) == (base.scheme, base.netloc)
    if not ours or not parts.path.startswith(prefix):
        raise FetchRefused(f"Only the project's static files are fetched, not {url[:200]!r}")
    name = unquote(parts.path.removeprefix(prefix))
    if not name or "\\" in name or "\0" in name or {".", "..", ""} & set(name.split("/")):
        raise FetchRefused(f"Not a static file's name: {name[:200]!r}")
    try:
        found = finders.find(name) or _collected(name)
    except SuspiciousFileOperation as error:
        raise FetchRefused(str(error)) from None
    if not found or not Path(found).is_file():
        raise FetchRefused(f"No static file {name[:200]!r}")
    return Path(found)


def _collected(name: str) -> str | None:
    """The file `collectstatic` wrote for `name` (production, where the sources may be gone)."""
    if not hasattr(staticfiles_storage, "path") or not staticfiles_storage.exists(name):
        return None
    return staticfiles_storage.path(name)


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serves `static_file(url)`; refuses every other URL (urllib is never reached)."""

        def fetch(self, url, headers=None):
            path = static_file(url)
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return StaticFilesFetcher


PDF_VARIANT = "pdf/ua-1"


def pdf_tagged(html: str) -> tuple[bytes, int]:
    """(the PDF, its page count) of a whole HTML document: tagged for PDF/UA-1, its language and
    title taken from `<html lang>` and `<title>`, and its fonts embedded (subset). Every PDF a
    person may be given is made here, so each passes the same structure check
    (tests/pdf_ua.py)."""
    document = pdf_html(html).render(pdf_variant=PDF_VARIANT)
    data = document.write_pdf(pdf_variant=PDF_VARIANT, finisher=tags_complete)
    return data, len(document.pages)


def tags_complete(document, pdf) -> None:
    """WeasyPrint's finisher: complete the structure tree its tagger (weasyprint/pdf/tags.py, as
    of version 70) leaves short of PDF/UA-1.

    - Each table header cell gets its Scope (Column in a THead, else Row: our templates give
      a header cell in a body `scope="row"`), and the IDs its data cells' Headers name are put in
      the IDTree, without which a reader cannot follow them.
    - A definition list (`<dl>` of `<div>` rows, the NHS.UK summary list) comes out as an L of
      Divs each holding an LI per term and per definition; it becomes an L of LIs, each with
      the term as its Lbl and the definition as its LBody, as PDF/UA reads a definition list.
    """
    root_ref = pdf.catalog.get("StructTreeRoot")
    if root_ref is None:
        return
    import pydyf

    objects = pdf.objects

    def get(ref):
        return objects[int(ref.split()[0])]

    elements = [
        o for o in objects if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/StructElem"
    ]
    ids = []
    for element in elements:
        kind = element.get("S")
        if kind == "/TH":
            row = get(element["P"])
            group = get(row["P"]) if "P" in row else None
            scope = "/Column" if group is not None and group.get("S") == "/THead" else "/Row"
            element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = scope
        if "ID" in element:
            ids.append((str(element["ID"].string), element.reference))
        if kind == "/L":
            _definition_list(element, get)
    if ids:
        names = pydyf.Array()
        for key, ref in sorted(ids):
            names.extend([pydyf.String(key), ref])
        get(root_ref)["IDTree"] = pydyf.Dictionary({"Names": names})


def _kids_of(element) -> list:
    kids = element.get("K", [])
    return list(kids) if isinstance(kids, list) else [kids]


def _definition_list(element, get) -> None:
    """L > Div > (LI > LBody)+ (a `<dl>` of rows) becomes L > LI > Lbl, LBody."""
    import pydyf

    rows = [get(ref) for ref in element["K"] if isinstance(ref, bytes)]
    if not rows or any(row.get("S") != "/Div" for row in rows):
        return
    # A page break inside the list leaves a row with no items of its own where the list is cut
    # (the rest of the list follows on the next page as another L): it becomes an empty LI.
    cut = [row for row in rows if not [r for r in _kids_of(row) if isinstance(r, bytes)]]
    rows = [row for row in rows if not any(row is c for c in cut)]
    for row in rows:
        items = [get(ref) for ref in row["K"] if isinstance(ref, bytes)]
        if not items or any(item.get("S") != "/LI" for item in items):
            return
    for row in cut:
        row["S"] = "/LI"
    for row in rows:
        parts = []
        for item in (get(ref) for ref in row["K"]):
            parts.extend(get(ref) for ref in item["K"] if isinstance(ref, bytes))
        for n, part in enumerate(parts):
            part["S"] = "/Lbl" if n == 0 and len(parts) > 1 else "/LBody"
            part["P"] = row.reference
        row["S"] = "/LI"
        row["K"] = pydyf.Array([part.reference for part in parts])
