"""The 20 MB upload (issue 5): how long the server takes and how much its memory grows. The
upload test of the documents app measures the same way (`upload_request`, `handle_measured`).
And the watermark a panel member's view puts on a PDF of many page sizes (issue 19)."""


def measure_upload(context, *, size=20 * 1024 * 1024 - 64 * 1024):
    """POST one PDF just under 20 MB (the limit) to a pack item. Returns the seconds, the peak
    Python allocation growth (MB) and the process's max RSS growth (MB) of the in-process
    server while it handles the request."""
    from django.urls import reverse

    from bench import _client_for

    client = _client_for("commissioner", context)
    url = reverse("documents:item_upload", args=[context["documents"]["item"]])
    environ = upload_request(client, url, size=size, name="bench-20mb.pdf")
    response, elapsed, peak, rss_growth = handle_measured(environ)
    if response.status_code != 302:
        raise RuntimeError(f"upload answered {response.status_code}")
    return elapsed, peak / 2**20, rss_growth / 1024


def upload_request(client, url, *, size, name) -> dict:
    """The WSGI environ of `client` posting one PDF of about `size` bytes to `url`, built in
    full beforehand, so that measuring its handling counts only the server's work."""
    import io

    from django.test.client import (
        BOUNDARY,
        MULTIPART_CONTENT,
        FakePayload,
        RequestFactory,
        encode_multipart,
    )
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("padding.bin", bytes(size))  # a real PDF of about `size` bytes
    pdf = io.BytesIO()
    writer.write(pdf)
    upload = io.BytesIO(pdf.getvalue())
    upload.name = name
    body = encode_multipart(BOUNDARY, {"files": [upload]})
    return RequestFactory()._base_environ(
        PATH_INFO=url,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        HTTP_COOKIE=client.cookies.output(header="", sep=";").strip(),
        **{"wsgi.input": FakePayload(body)},
    )


def handle_measured(environ):
    """Handle the request in-process: the response, the seconds, the peak of Python's
    allocations (bytes) and the growth of the process's max RSS (KB) while handling it."""
    import resource
    import tracemalloc
    from time import perf_counter

    from django.test.client import ClientHandler

    handler = ClientHandler(enforce_csrf_checks=False)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        started = perf_counter()
        response = handler(environ)
        elapsed = perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return response, elapsed, peak, rss_after - rss_before


def measure_watermark(*, sizes=300) -> float:
    """Seconds to watermark a PDF whose `sizes` pages are each of a different size, as one view
    by a panel member does (one WeasyPrint render, whatever the sizes)."""
    import io
    from time import perf_counter

    from pypdf import PdfWriter

    from documents.watermark import watermark_pdf

    writer = PdfWriter()
    for n in range(sizes):
        writer.add_blank_page(300 + n, 400 + n)
    pdf = io.BytesIO()
    writer.write(pdf)
    started = perf_counter()
    watermark_pdf(io.BytesIO(pdf.getvalue()), name="Bench Reader")
    return perf_counter() - started
