"""The 20 MB upload (issue 5): how long the server takes and how much its memory grows."""


def measure_upload(context, *, size=20 * 1024 * 1024 - 64 * 1024):
    """POST one PDF just under 20 MB (the limit) to a pack item. Returns the seconds, the peak
    Python allocation growth (MB) and the process's max RSS growth (MB) of the in-process
    server while it handles the request."""
    import io
    import resource
    import tracemalloc
    from time import perf_counter

    from django.test.client import (
        BOUNDARY,
        MULTIPART_CONTENT,
        ClientHandler,
        FakePayload,
        RequestFactory,
        encode_multipart,
    )
    from django.urls import reverse
    from pypdf import PdfWriter

    from bench import _client_for

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("padding.bin", bytes(size))  # a real PDF of about `size` bytes
    pdf = io.BytesIO()
    writer.write(pdf)
    upload = io.BytesIO(pdf.getvalue())
    upload.name = "bench-20mb.pdf"
    body = encode_multipart(BOUNDARY, {"files": [upload]})
    client = _client_for("commissioner", context)
    url = reverse("documents:item_upload", args=[context["documents"]["item"]])
    # The request is built before measuring, so that only the server's handling is counted.
    environ = RequestFactory()._base_environ(
        PATH_INFO=url,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        HTTP_COOKIE=client.cookies.output(header="", sep=";").strip(),
        **{"wsgi.input": FakePayload(body)},
    )
    handler = ClientHandler(enforce_csrf_checks=False)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = perf_counter()
    response = handler(environ)
    elapsed = perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if response.status_code != 302:
        raise RuntimeError(f"upload answered {response.status_code}")
    return elapsed, peak / 2**20, (rss_after - rss_before) / 1024
