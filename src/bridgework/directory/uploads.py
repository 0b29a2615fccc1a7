"""Uploads over the size limit are refused while they arrive, not after they are stored.

:class:`LimitedUploadHandler` (first in ``FILE_UPLOAD_HANDLERS``) counts each uploaded file's
bytes as Django reads the request; past ``BRIDGEWORK_MAX_UPLOAD_BYTES`` it drops the file (the
rest of the request is read and thrown away, so neither memory nor disk fills) and notes it on
the request. A view asks :func:`oversized_upload_error` before its form, so the person sees
"the file is larger than 10 MB" rather than "choose a file".
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from bridgework.datasets.limits import describe_bytes, upload_limits

__all__ = ["LimitedUploadHandler", "oversized_upload_error", "upload_too_big_message"]

_ATTRIBUTE = "oversized_uploads"


def upload_too_big_message() -> str:
    """The error shown for an upload over the limit, naming the limit."""
    limit = upload_limits().file_bytes
    return (
        f"The file is larger than {describe_bytes(limit)}, the largest file the web app reads. "
        "Split it into smaller files, or import it with the command line."
    )


class LimitedUploadHandler(FileUploadHandler):
    """Drop any uploaded file over the upload limit as it arrives, and note its field."""

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0
        self.limit = upload_limits().file_bytes

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                oversized = getattr(self.request, _ATTRIBUTE, set())
                oversized.add(self.field_name)
                setattr(self.request, _ATTRIBUTE, oversized)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the file


def oversized_upload_error(request: HttpRequest, field_name: str = "file") -> str | None:
    """The message if the request's upload in ``field_name`` was over the limit, else None."""
    request.POST  # noqa: B018  (reading the body runs the upload handlers)
    if field_name in getattr(request, _ATTRIBUTE, set()):
        return upload_too_big_message()
    return None
