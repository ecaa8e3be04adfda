"""Receiving uploads: every file streams to a temporary file on disk (never held in memory),
and a file over the size limit stops being written once past it, so a huge file cannot fill
the disk. It still arrives, empty and marked `oversize`, so the page can name it."""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.oversize = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DOCUMENTS_MAX_UPLOAD_BYTES:
            if not self.oversize:
                self.oversize = True
                self.file.truncate(0)
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(0 if self.oversize else file_size)
        uploaded.oversize = self.oversize
        if self.oversize:
            uploaded.size = self.received
        return uploaded


def use_limited_upload_handlers(request) -> None:
    """Call before anything reads request.POST or request.FILES."""
    request.upload_handlers = [LimitedTemporaryFileUploadHandler(request)]


@method_decorator(csrf_exempt, name="dispatch")
class LimitedUploadMixin:
    """For a view that takes files: put it first among the bases. The files stream to disk
    through our upload handler, which must be in place before the request body is read: so CSRF
    is checked here, after, rather than by the middleware."""

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            use_limited_upload_handlers(request)
        return csrf_protect(super().dispatch)(request, *args, **kwargs)
