"""Uploads through the real server: bodies in network-sized pieces, limits, refusals up front."""

from __future__ import annotations

import hashlib
import io
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import soundfile

from tests.audio.synth import audio_bytes
from tests.e2e.conftest import demo_server

pytestmark = pytest.mark.slow
LIMIT = 4 * 1024 * 1024
OWN_TRACK, OTHERS_TRACK = 1, 5  # the demo artist's track, and Kofi's


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str],
                                                                             Path]]:
    """The demo, served with a 4 MiB upload limit."""
    data = tmp_path_factory.mktemp("audio-server")
    with demo_server(data, max_upload_bytes=str(LIMIT)) as (base, tokens):
        yield base, tokens, data


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def stored(data: Path) -> list[Path]:
    return sorted(p for p in (data / "audio").rglob("*") if p.is_file())


def test_upload_and_stream_over_http(small_server: tuple[str, dict[str, str], Path]) -> None:
    base, tokens, data = small_server
    wav = audio_bytes("wav", 40.0, 44_100, 1)  # 3.5 MB: hundreds of network reads
    with httpx.Client(base_url=base, timeout=30) as http:
        created = http.post(f"/v1/tracks/{OWN_TRACK}/audio", headers=auth(tokens["artist"]),
                            files={"file": ("take.wav", wav, "audio/wav")})
        assert created.status_code == 201, created.text
        assert created.json()["sha256"] == hashlib.sha256(wav).hexdigest()
        assert created.json()["duration_seconds"] == 40.0
        whole = http.get(f"/v1/tracks/{OWN_TRACK}/audio")
        assert whole.status_code == 200
        # what leaves is the upload with the rights in its tags and a signed manifest
        assert soundfile.read(io.BytesIO(whole.content))[0].tolist() == soundfile.read(
            io.BytesIO(wav))[0].tolist()
        part = http.get(f"/v1/tracks/{OWN_TRACK}/audio", headers={"Range": "bytes=1000000-1999999"})
        assert (part.status_code, part.content) == (206, whole.content[1_000_000:2_000_000])
    assert hashlib.sha256(wav).hexdigest() in [p.name for p in stored(data)]


def test_a_streamed_upload_past_the_limit_is_cut_off(
        small_server: tuple[str, dict[str, str], Path]) -> None:
    """No Content-Length to trust: the server counts, and stops at the limit."""
    base, tokens, data = small_server
    before = stored(data)
    boundary = "b0undary"
    wav = audio_bytes("wav", 60.0, 44_100, 1)  # 5.3 MB, over the 4 MiB limit

    def body() -> Iterator[bytes]:
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
               f"filename=\"long.wav\"\r\nContent-Type: audio/wav\r\n\r\n").encode()
        for start in range(0, len(wav), 65_536):
            yield wav[start:start + 65_536]
        yield f"\r\n--{boundary}--\r\n".encode()

    with httpx.Client(base_url=base, timeout=30) as http:
        response = http.post(
            f"/v1/tracks/{OWN_TRACK}/audio", content=body(),
            headers=auth(tokens["artist"]) | {
                "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "payload_too_large"
    assert stored(data) == before


def test_a_refused_sender_is_answered_before_it_sends_the_body(
        small_server: tuple[str, dict[str, str], Path]) -> None:
    """With ``Expect: 100-continue`` a client waits; the refusal comes instead of the go-ahead,
    so a large file is never sent only to be refused."""
    base, tokens, _ = small_server
    host, port = base.removeprefix("http://").split(":")
    for token, status in ((tokens["artist"], b"403"), ("cst_forged", b"401")):
        request = (f"POST /v1/tracks/{OTHERS_TRACK}/audio HTTP/1.1\r\nHost: {host}\r\n"
                   f"Authorization: Bearer {token}\r\nExpect: 100-continue\r\n"
                   "Content-Type: multipart/form-data; boundary=x\r\n"
                   f"Content-Length: {LIMIT}\r\n\r\n").encode()
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            connection.sendall(request)
            answer = connection.recv(4096)
        assert answer.split(b"\r\n")[0] == b"HTTP/1.1 " + status + (
            b" Forbidden" if status == b"403" else b" Unauthorized")
