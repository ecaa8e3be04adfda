"""WeasyPrint's one fetcher (ctr_portal/pdf.py): a PDF gets the project's own static files and
nothing else, whatever a template names: no local file, no URL on the network."""

import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from pypdf import PdfReader

from ctr_portal.pdf import BASE_URL, FetchRefused, pdf_html, static_file

ICON = "nhsuk/assets/images/nhsuk-icon-180.png"
A4 = (595, 842)


def images_and_size(pdf: bytes):
    import io

    [page] = PdfReader(io.BytesIO(pdf)).pages
    return len(page.images), (round(page.mediabox.width), round(page.mediabox.height))


@pytest.fixture
def listener():
    """A local HTTP server that records every request made to it."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_a_static_image_still_loads():
    html = f'<p>Logo</p><img src="{settings.STATIC_URL}{ICON}" alt="">'
    assert images_and_size(pdf_html(html).write_pdf()) == (1, A4)


def test_a_template_naming_local_files_or_urls_fetches_nothing(tmp_path, listener):
    server, seen = listener
    image = tmp_path / "secret.png"
    shutil.copy(finders.find(ICON), image)
    (tmp_path / "small.css").write_text("@page { size: 50mm 50mm }")
    html = f"""
      <link rel="stylesheet" href="file://{tmp_path}/small.css">
      <link rel="stylesheet" href="http://127.0.0.1:1/x">
      <link rel="stylesheet" href="{server}/style.css">
      <img src="file:///etc/passwd"><img src="file://{image}"><img src="{server}/image.png">
      <img src="/static/../../../../../../{image}">
      <img src="/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e{image}">
      <img src="ftp://127.0.0.1:1/x.png"><p>Text</p>"""

    pdf = pdf_html(html).write_pdf()

    assert images_and_size(pdf) == (0, A4)
    assert seen == []


def test_the_reports_pdf_uses_the_fetcher(tmp_path):
    from reports.rendering import pdf_from_html

    image = tmp_path / "secret.png"
    shutil.copy(finders.find(ICON), image)
    pdf, pages = pdf_from_html(f'<p>Report</p><img src="file://{image}">')
    assert pages == 1 and images_and_size(pdf)[0] == 0


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:1/static/" + ICON,
        "https://ctr-portal.invalid/media/x.png",
        "https://ctr-portal.invalid/static/",
        "https://ctr-portal.invalid/static/nhsuk/../../../../etc/passwd",
        "https://ctr-portal.invalid/static/nhsuk/%2e%2e/%2e%2e/pyproject.toml",
        "https://ctr-portal.invalid/static/..%5c..%5cpyproject.toml",
        "https://ctr-portal.invalid/static//etc/passwd",
        "https://ctr-portal.invalid/static/%2fetc/passwd",
        "https://ctr-portal.invalid/static/nhsuk/assets",
        "data:text/css,p{color:red}",
    ],
)
def test_everything_but_a_static_file_is_refused(url):
    with pytest.raises(FetchRefused):
        static_file(url)


def test_a_static_url_is_its_file():
    assert static_file(f"{BASE_URL}static/{ICON}") == Path(finders.find(ICON))


def test_no_module_renders_with_weasyprint_but_through_the_fetcher():
    root = Path(settings.BASE_DIR)
    direct = re.compile(r"from weasyprint import|weasyprint\.HTML\(|\bHTML\(string=")
    offenders = [
        str(path.relative_to(root))
        for app in (
            "ctr_portal",
            "reviews",
            "panels",
            "documents",
            "recommendations",
            "reports",
            "portal",
            "oversight",
            "metrics",
            "bench",
        )
        for path in (root / app).rglob("*.py")
        if path != root / "ctr_portal" / "pdf.py" and direct.search(path.read_text())
    ]
    assert offenders == []
