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
