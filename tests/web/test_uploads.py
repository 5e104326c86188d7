"""The multipart reader, fed the way a network feeds it: in pieces that split every boundary."""

from __future__ import annotations

import hashlib
from pathlib import Path

import anyio
import anyio.to_thread
import pytest
from starlette.requests import ClientDisconnect, Request
from starlette.types import Message

from consentry.errors import InvalidInput, PayloadTooLarge
from consentry.store.media import store_upload
from consentry.web.uploads import KEPT_FIELD_BYTES, MULTIPART_OVERHEAD, MultipartUpload
from tests.audio.synth import audio_bytes

BOUNDARY = "----consentry-boundary"


def part(name: str, value: bytes, filename: str | None = None,
         content_type: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    headers = f"Content-Disposition: {disposition}\r\n"
    if content_type:
        headers += f"Content-Type: {content_type}\r\n"
    return f"--{BOUNDARY}\r\n{headers}\r\n".encode() + value + b"\r\n"


def request(body: bytes, piece: int, content_length: bool = False,
            disconnect_after: int | None = None) -> Request:
    """A request whose body arrives ``piece`` bytes at a time (its client may leave early)."""
    pieces = [body[i:i + piece] for i in range(0, len(body), piece)] or [b""]
    messages: list[Message] = [
        {"type": "http.request", "body": p, "more_body": i < len(pieces) - 1}
        for i, p in enumerate(pieces)]
    if disconnect_after is not None:
        messages[disconnect_after:] = [{"type": "http.disconnect"}]

    async def receive() -> Message:
        return messages.pop(0)

    headers = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())]
    if content_length:
        headers.append((b"content-length", str(len(body)).encode()))
    return Request({"type": "http", "method": "POST", "headers": headers}, receive)


def receive_file(body: bytes, piece: int, tmp_path: Path, max_bytes: int = 10**7,
                 content_length: bool = False,
                 disconnect_after: int | None = None) -> tuple[MultipartUpload, object]:
    async def main() -> tuple[MultipartUpload, object]:
        upload = await MultipartUpload(request(body, piece, content_length, disconnect_after),
                                       "file", max_bytes).open()
        stored = await anyio.to_thread.run_sync(lambda: store_upload(
            upload.blocking_reader(), tmp_path, max_bytes, max_seconds=60,
            declared_name=upload.filename, declared_type=upload.content_type))
        return upload, stored

    return anyio.run(main)


@pytest.mark.parametrize("piece", [1, 7, 4096, 10**7])
def test_the_file_comes_through_whole_whatever_the_pieces(tmp_path: Path, piece: int) -> None:
    wav = audio_bytes("wav", 0.5) if piece > 1 else audio_bytes("wav", 0.05, rate=8000)
    body = (part("title", b"A field before the file") + part("file", wav, "t\u00e9st.wav",
            "audio/x-wav") + part("file", b"a second file is ignored", "x.wav")
            + f"--{BOUNDARY}--\r\n".encode())
    upload, stored = receive_file(body, piece, tmp_path)
    assert (upload.filename, upload.content_type) == ("t\u00e9st.wav", "audio/x-wav")
    assert stored.sha256 == hashlib.sha256(wav).hexdigest()  # type: ignore[attr-defined]


def test_a_body_without_the_field_is_refused(tmp_path: Path) -> None:
    body = part("title", b"no file here") + f"--{BOUNDARY}--\r\n".encode()
    with pytest.raises(InvalidInput, match="no file in the field 'file'"):
        receive_file(body, 100, tmp_path)


def test_a_body_that_ends_inside_the_file_is_refused(tmp_path: Path) -> None:
    body = part("file", audio_bytes("wav"), "take.wav")[:-1000]
    with pytest.raises(InvalidInput, match="ends in the middle of the file"):
        receive_file(body, 4096, tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_client_that_leaves_mid_file_leaves_nothing_behind(tmp_path: Path) -> None:
    body = part("file", audio_bytes("wav"), "take.wav") + f"--{BOUNDARY}--\r\n".encode()
    with pytest.raises(ClientDisconnect):
        receive_file(body, 4096, tmp_path, disconnect_after=10)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_fields_around_the_file_may_not_pass_the_limit(tmp_path: Path) -> None:
    """The file is limited by the store; everything else in the body by the framing allowance."""
    wav = audio_bytes("wav", 0.2)
    padding = part("notes", b"x" * (MULTIPART_OVERHEAD + 1))
    body = padding + part("file", wav, "take.wav") + f"--{BOUNDARY}--\r\n".encode()
    with pytest.raises(PayloadTooLarge):
        receive_file(body, 4096, tmp_path, max_bytes=len(wav))
    with pytest.raises(PayloadTooLarge):  # said up front, refused before a byte is read
        receive_file(body, 4096, tmp_path, max_bytes=len(wav), content_length=True)


def test_the_text_fields_before_the_file_are_kept_and_cut_short(tmp_path: Path) -> None:
    """A page checks its CSRF token, sent before the file, before the file is stored."""
    body = (part("csrf_token", b"token-value") + part("notes", b"n" * 5000)
            + part("csrf_token", b"a second value is ignored")
            + part("file", audio_bytes("wav", 0.05, rate=8000), "take.wav")
            + part("after", b"fields after the file are not kept")
            + f"--{BOUNDARY}--\r\n".encode())
    upload, _ = receive_file(body, 7, tmp_path)
    assert upload.fields == {"csrf_token": "token-value", "notes": "n" * KEPT_FIELD_BYTES}
