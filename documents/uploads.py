"""Receiving uploads: every file streams to a temporary file on disk (never held in memory),
and a file over the size limit stops being written once past it, so a huge file cannot fill
the disk. It still arrives, empty and marked `oversize`, so the page can name it."""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


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
