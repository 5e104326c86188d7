"""Uploading a track's recording and streaming it back, byte for byte and by ranges."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import anyio
import numpy
import pytest
import soundfile
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from starlette.types import Message

from consentry.settings import Settings
from consentry.signals.file_tags import read_file_rights
from consentry.store.media import audio_path
from consentry.web.app import create_app
from tests.audio.synth import audio_bytes
from tests.web.conftest import MISSING, World

WAV = audio_bytes("wav", 1.0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload(client: TestClient, world: World, role: str, track_id: int, data: bytes = WAV,
           name: str = "take.wav", content_type: str = "audio/wav"):  # type: ignore[no-untyped-def]
    return client.post(f"/v1/tracks/{track_id}/audio", headers=world.headers(role),
                       files={"file": (name, data, content_type)})


def stored_files(settings: Settings) -> list[Path]:
    return sorted(p for p in (settings.data_dir / "audio").rglob("*") if p.is_file())


def multipart(data: bytes, boundary: str = "b0undary") -> tuple[dict[str, str], bytes]:
    """A multipart body by hand, for bodies sent as a stream with no Content-Length."""
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"take.wav\"\r\nContent-Type: audio/wav\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body


def test_an_owner_uploads_and_the_track_shows_it(client: TestClient, world: World,
                                                 settings: Settings) -> None:
    response = upload(client, world, "artist_a", world.track_a)
    assert response.status_code == 201, response.text
    body = response.json()
    sha = hashlib.sha256(WAV).hexdigest()
    assert {k: body[k] for k in ("track_id", "sha256", "size", "format", "mime", "sample_rate",
                                 "channels", "frames", "duration_seconds", "url")} == {
        "track_id": world.track_a, "sha256": sha, "size": len(WAV), "format": "wav",
        "mime": "audio/wav", "sample_rate": 22_050, "channels": 1, "frames": 22_050,
        "duration_seconds": 1.0, "url": f"/v1/tracks/{world.track_a}/audio"}
    assert audio_path(settings.data_dir, sha).read_bytes() == WAV
    track = client.get(f"/v1/tracks/{world.track_a}", headers=world.headers("admin")).json()
    assert track["audio"]["sha256"] == sha and track["audio"]["duration_seconds"] == 1.0
    listed = client.get("/v1/tracks", headers=world.headers("artist_a")).json()
    assert {t["id"]: t["audio"] is not None for t in listed} == {
        world.track_a: True, world.track_ab: False, world.track_l1: False}


def test_a_label_uploads_to_its_catalogue(client: TestClient, world: World) -> None:
    assert upload(client, world, "holder_1", world.track_l1).status_code == 201
    tracks = client.get(f"/v1/rights-holders/{world.holder_1}/tracks",
                        headers=world.headers("holder_1")).json()
    assert tracks[0]["audio"]["format"] == "wav"


def test_others_are_refused_before_the_body_is_read(client: TestClient, world: World,
                                                    settings: Settings) -> None:
    """Authorization comes first: a refused sender's body is never pulled from the socket."""
    read: list[bytes] = []
    headers, body = multipart(WAV)

    def sender() -> Iterator[bytes]:
        read.append(body)
        yield body

    for role, status in (("artist_b", 403), ("internal", 403), ("anonymous", 401)):
        response = client.post(f"/v1/tracks/{world.track_a}/audio", content=sender(),
                               headers=world.headers(role) | headers)
        assert response.status_code == status, response.text
    missing = client.post(f"/v1/tracks/{MISSING}/audio", content=sender(),
                          headers=world.headers("admin") | headers)
    assert missing.status_code == 404
    assert read == [] and stored_files(settings) == []
    track = client.get(f"/v1/tracks/{world.track_a}", headers=world.headers("admin")).json()
    assert track["audio"] is None


def test_a_streamed_body_without_content_length_is_stored(client: TestClient,
                                                          world: World) -> None:
    headers, body = multipart(WAV)
    response = client.post(f"/v1/tracks/{world.track_a}/audio", content=iter([body]),
                           headers=world.headers("artist_a") | headers)
    assert response.status_code == 201, response.text
    assert response.json()["sha256"] == hashlib.sha256(WAV).hexdigest()


def test_too_large_is_413_and_nothing_is_stored(client: TestClient, world: World,
                                                settings: Settings) -> None:
    settings.max_upload_bytes = len(WAV) - 1
    declared = upload(client, world, "artist_a", world.track_a)
    headers, body = multipart(WAV)
    streamed = client.post(f"/v1/tracks/{world.track_a}/audio", content=iter([body]),
                           headers=world.headers("artist_a") | headers)
    for response in (declared, streamed):
        assert response.status_code == 413, response.text
        assert response.json()["error"] == "payload_too_large"
        assert response.json()["max_bytes"] == len(WAV) - 1
    assert stored_files(settings) == []
    settings.max_upload_bytes = len(WAV)
    assert upload(client, world, "artist_a", world.track_a).status_code == 201


def test_a_client_leaving_mid_upload_is_not_an_error(
        settings: Settings, engine: Engine, world: World, caplog: pytest.LogCaptureFixture) -> None:
    """Straight to the ASGI app, since a test client never leaves half-way."""
    headers, body = multipart(WAV)
    messages: list[Message] = [{"type": "http.request", "body": body[:5000], "more_body": True},
                               {"type": "http.disconnect"}]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": f"/v1/tracks/{world.track_a}/audio",
             "raw_path": b"", "query_string": b"", "root_path": "", "http_version": "1.1",
             "scheme": "http", "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
             "headers": [(k.lower().encode(), v.encode()) for k, v in
                         (world.headers("artist_a") | headers).items()]}
    anyio.run(create_app(settings, engine), scope, receive, send)
    assert sent[0]["status"] == 400
    assert stored_files(settings) == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize(("data", "name", "content_type", "detail"), [
    (WAV[:20_000], "take.wav", "audio/wav", "truncated"),
    (b"\x00" * 5000, "take.wav", "audio/wav", "not in an accepted audio format"),
    (b"", "take.wav", "audio/wav", "the file is empty"),
    (WAV, "take.mp3", "audio/mpeg", "'take.mp3' is named as MP3 but its bytes are WAV"),
    (WAV, "take.wav", "audio/flac", "sent as audio/flac (FLAC) but its bytes are WAV"),
])
def test_bad_audio_is_422_and_nothing_is_stored(
        client: TestClient, world: World, settings: Settings, data: bytes, name: str,
        content_type: str, detail: str) -> None:
    response = upload(client, world, "artist_a", world.track_a, data, name, content_type)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_audio"
    assert detail in response.json()["detail"]
    assert stored_files(settings) == []


def lying_wav() -> bytes:
    """Issue 17's upload: the data chunk declares 100 bytes, a second of audio follows."""
    data = bytearray(audio_bytes("wav", 1.0, 44_100))
    data[40:44] = (100).to_bytes(4, "little")
    return bytes(data)


def test_a_wav_whose_data_chunk_lies_is_refused_and_nothing_is_stored(
        client: TestClient, world: World, settings: Settings) -> None:
    response = upload(client, world, "artist_a", world.track_a, lying_wav())
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_audio"
    assert "data chunk declares 100 bytes of audio but 88,200 follow" in \
        response.json()["detail"]
    assert stored_files(settings) == []
    assert client.get(f"/v1/tracks/{world.track_a}/audio").status_code == 404


def test_a_stored_file_that_cannot_carry_its_rights_is_503_without_a_traceback(
        client: TestClient, world: World, settings: Settings,
        caplog: pytest.LogCaptureFixture) -> None:
    """A recording stored before the upload checks knew its flaw: refused as it is served,
    in the error body, and logged as the file's fault rather than as a crash."""
    assert upload(client, world, "artist_a", world.track_a).status_code == 201
    (stored,) = stored_files(settings)
    stored.write_bytes(lying_wav())
    for _ in range(2):
        response = client.get(f"/v1/tracks/{world.track_a}/audio")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["error"] == "delivery_unavailable"
        assert "data chunk declares 100 bytes" in body["reason"]
        assert "Traceback" not in response.text
    logged = [r for r in caplog.records if r.name == "consentry.web"
              and r.levelno >= logging.ERROR]
    assert logged and all(r.exc_info is None for r in logged)


def test_a_body_without_the_file_field_is_422(client: TestClient, world: World) -> None:
    url, headers = f"/v1/tracks/{world.track_a}/audio", world.headers("artist_a")
    wrong_field = client.post(url, headers=headers, files={"audio": ("take.wav", WAV)})
    as_json = client.post(url, headers=headers, json={"file": "take.wav"})
    for response in (wrong_field, as_json):
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_input"
        assert "'file'" in response.json()["detail"]


@pytest.fixture
def published(client: TestClient, world: World) -> bytes:
    """A FLAC recording on track A, as stored."""
    data = audio_bytes("flac", 2.0, 44_100, 2)
    response = upload(client, world, "artist_a", world.track_a, data, "take.flac", "audio/flac")
    assert response.status_code == 201, response.text
    return data


def same_samples(one: bytes, other: bytes) -> bool:
    first, first_rate = soundfile.read(io.BytesIO(one), dtype="int32")
    second, second_rate = soundfile.read(io.BytesIO(other), dtype="int32")
    return first_rate == second_rate and numpy.array_equal(first, second)


@pytest.fixture
def delivered(client: TestClient, world: World, published: bytes) -> bytes:
    """What leaves the platform: the recording with its rights in the tags."""
    return client.get(f"/v1/tracks/{world.track_a}/audio").content


def test_anyone_streams_the_recording_with_its_rights_embedded(
        client: TestClient, world: World, published: bytes, tmp_path: Path) -> None:
    response = client.get(f"/v1/tracks/{world.track_a}/audio")
    assert response.status_code == 200
    assert response.content != published and same_samples(response.content, published)
    assert response.headers["content-type"] == "audio/flac"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-length"] == str(len(response.content))
    copy = tmp_path / "download.flac"
    copy.write_bytes(response.content)
    tags = read_file_rights(copy)
    assert tags.usage == "train-ai=n, ai-use=n, search=y"
    assert tags.url == f"http://testserver/tracks/{world.track_a}"
    # the ETag names this copy, and a repeat request gets the very same bytes
    again = client.get(f"/v1/tracks/{world.track_a}/audio")
    assert again.headers["etag"] == response.headers["etag"] != f'"{sha256(published)}"'
    assert again.content == response.content


@pytest.mark.parametrize(("spec", "first", "last"), [
    ("bytes=0-99", 0, 99), ("bytes=1000-", 1000, None), ("bytes=-500", -500, None),
    ("bytes=12345-12345", 12345, 12345), ("bytes=20000-999999999", 20000, None)])
def test_ranges_are_byte_exact(client: TestClient, world: World, delivered: bytes, spec: str,
                               first: int, last: int | None) -> None:
    response = client.get(f"/v1/tracks/{world.track_a}/audio", headers={"Range": spec})
    size = len(delivered)
    start = first % size
    end = size - 1 if last is None else last
    assert response.status_code == 206, response.text
    assert response.content == delivered[start:end + 1]
    assert response.headers["content-range"] == f"bytes {start}-{end}/{size}"
    assert response.headers["content-length"] == str(end - start + 1)


def test_several_ranges_come_as_multipart(client: TestClient, world: World,
                                          delivered: bytes) -> None:
    response = client.get(f"/v1/tracks/{world.track_a}/audio",
                          headers={"Range": "bytes=0-9, 100-109"})
    assert response.status_code == 206
    assert response.headers["content-type"].startswith("multipart/byteranges")
    assert delivered[0:10] in response.content and delivered[100:110] in response.content


def test_if_range_serves_a_range_only_of_the_same_file(client: TestClient, world: World,
                                                       delivered: bytes) -> None:
    url = f"/v1/tracks/{world.track_a}/audio"
    etag = client.get(url).headers["etag"]
    same = client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    changed = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert (same.status_code, same.content) == (206, delivered[:10])
    assert (changed.status_code, changed.content) == (200, delivered)


@pytest.mark.parametrize("spec", ["bytes={size}-", "bytes={size}-{size}", "bytes=-0",
                                  "bytes=0-9, {size}-"])
def test_a_range_past_the_end_is_416(client: TestClient, world: World, delivered: bytes,
                                     spec: str) -> None:
    size = len(delivered)
    response = client.get(f"/v1/tracks/{world.track_a}/audio",
                          headers={"Range": spec.format(size=size)})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"
    assert response.json()["error"] == "range_not_satisfiable"


def test_no_recording_is_404(client: TestClient, world: World) -> None:
    for track_id, detail in ((world.track_b, "has no recording yet"),
                             (MISSING, "does not exist")):
        response = client.get(f"/v1/tracks/{track_id}/audio")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
        assert detail in response.json()["detail"]


def test_replacing_keeps_the_old_file_for_the_tracks_that_share_it(
        client: TestClient, world: World, settings: Settings, published: bytes) -> None:
    assert upload(client, world, "artist_a", world.track_ab, published, "take.flac",
                  "audio/flac").status_code == 201
    assert len(stored_files(settings)) == 1  # two tracks, one file
    mp3 = audio_bytes("mp3")
    assert upload(client, world, "artist_a", world.track_a, mp3, "new.mp3",
                  "audio/mpeg").status_code == 201
    assert same_samples(client.get(f"/v1/tracks/{world.track_a}/audio").content, mp3)
    assert same_samples(client.get(f"/v1/tracks/{world.track_ab}/audio").content, published)
    assert len(stored_files(settings)) == 2
