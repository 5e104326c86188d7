"""One file field of a multipart body, read as it arrives.

FastAPI's ``UploadFile`` reads the whole body, with no limit, before the route runs: before
the caller is authorized, and into a spool outside the store. Here the route authorizes first,
then pulls the file through in network-sized pieces; the body may pass the file limit by no
more than the multipart framing around it. The small fields sent before the file (a form's
CSRF token) are kept, so a page can check them before the file is stored.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator

import anyio.from_thread
from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from consentry.errors import InvalidInput
from consentry.store.media import payload_too_large

# Room for the boundaries, part headers and small fields around the file.
MULTIPART_OVERHEAD = 64 * 1024
# Of the fields before the file, this many are kept, each cut to this many bytes.
KEPT_FIELDS, KEPT_FIELD_BYTES = 16, 1024


class MultipartUpload:
    """The file sent as form field ``field``, with the name and type the client gave it, and
    the text ``fields`` that came before it."""

    def __init__(self, request: Request, field: str, max_file_bytes: int) -> None:
        kind, options = parse_options_header(request.headers.get("content-type", ""))
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise InvalidInput(f"send the file as multipart/form-data, in the field {field!r}")
        self.field, self.max_file_bytes = field, max_file_bytes
        self.max_body = max_file_bytes + MULTIPART_OVERHEAD
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise payload_too_large(max_file_bytes)  # refused before a byte is read
        self.filename: str | None = None
        self.content_type: str | None = None
        self.fields: dict[str, str] = {}
        self._chunks: AsyncIterator[bytes] = request.stream().__aiter__()
        self._received = 0
        self._pending: deque[bytes] = deque()
        self._state = "before"  # before the file part, "in" it, "after" it
        self._part_is_file = False
        self._text_field: str | None = None  # the name of the text part being read
        self._text = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._header = [b"", b""]
        self._parser = MultipartParser(boundary, {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end})

    async def open(self) -> MultipartUpload:
        """Read up to the file's own bytes, so that its name and type are known."""
        while self._state == "before":
            if not await self._feed():
                raise InvalidInput(f"the multipart body has no file in the field {self.field!r}")
        return self

    async def read_chunk(self) -> bytes:
        """The next piece of the file; ``b""`` once it has ended."""
        while not self._pending:
            if self._state == "after":
                return b""
            if not await self._feed():
                raise InvalidInput("the multipart body ends in the middle of the file")
        return self._pending.popleft()

    def blocking_reader(self) -> BlockingReader:
        return BlockingReader(self)

    async def _feed(self) -> bool:
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            return False
        self._received += len(chunk)
        if self._received > self.max_body:
            raise payload_too_large(self.max_file_bytes)
        try:
            self._parser.write(chunk)
        except MultipartParseError as error:
            raise InvalidInput(f"malformed multipart body: {error}") from error
        return True

    def _part_begin(self) -> None:
        self._headers, self._part_is_file, self._text_field = {}, False, None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header[0] += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._header[1] += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header[0].lower()] = self._header[1]
        self._header = [b"", b""]

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if self._state != "before":
            return
        name = options.get(b"name", b"")
        if name != self.field.encode():
            if b"filename" not in options and len(self.fields) < KEPT_FIELDS:
                self._text_field, self._text = name.decode("utf-8", "replace"), bytearray()
            return
        self._state, self._part_is_file = "in", True
        filename = options.get(b"filename")
        self.filename = filename.decode("utf-8", "replace") if filename is not None else None
        content_type = self._headers.get(b"content-type")
        self.content_type = content_type.decode("latin-1") if content_type else None

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part_is_file:
            self._pending.append(data[start:end])
        elif self._text_field is not None:
            self._text += data[start:min(end, start + KEPT_FIELD_BYTES - len(self._text))]

    def _part_end(self) -> None:
        if self._part_is_file:
            self._state, self._part_is_file = "after", False
        elif self._text_field is not None:
            self.fields.setdefault(self._text_field, self._text.decode("utf-8", "replace"))
            self._text_field = None


class BlockingReader:
    """``read(size)`` for a worker thread: each piece is awaited on the event loop.

    This keeps the store's ``store_upload`` one plain synchronous function for the API, the
    command line and the tests alike.
    """

    def __init__(self, upload: MultipartUpload) -> None:
        self._upload = upload
        self._rest = b""

    def read(self, size: int = -1, /) -> bytes:
        if not self._rest:
            self._rest = anyio.from_thread.run(self._upload.read_chunk)
        if 0 <= size < len(self._rest):
            piece, self._rest = self._rest[:size], self._rest[size:]
            return piece
        piece, self._rest = self._rest, b""
        return piece
