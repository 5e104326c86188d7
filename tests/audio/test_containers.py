"""Containers whose framing lies are refused, with a message that says how; honest ones,
tags and odd padding included, are not.

libsndfile reads such files as the shorter recording their header describes: stored, they
failed only when served (issue 17: a WAV whose data chunk declared 100 bytes of 88,100).
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from consentry.audio import probe_audio
from consentry.errors import InvalidAudio
from tests.audio.synth import audio_bytes

HOUR = 3600.0


def refusal(tmp_path: Path, data: bytes, suffix: str) -> str:
    path = tmp_path / f"upload{suffix}"
    path.write_bytes(data)
    with pytest.raises(InvalidAudio) as caught:
        probe_audio(path, path.name, None, HOUR)
    return caught.value.message


def accepted(tmp_path: Path, data: bytes, suffix: str) -> float:
    path = tmp_path / f"upload{suffix}"
    path.write_bytes(data)
    return probe_audio(path, path.name, None, HOUR).duration_seconds


def wav(data_declared: int | None = None, riff_declared: int | None = None,
        after: bytes = b"", seconds: float = 1.0) -> bytes:
    """A real 16-bit mono WAV (fmt at 12, data at 36), its sizes then rewritten."""
    data = bytearray(audio_bytes("wav", seconds, 44_100) + after)
    assert data[36:40] == b"data"
    if data_declared is not None:
        data[40:44] = struct.pack("<I", data_declared)
    data[4:8] = struct.pack("<I", len(data) - 8 if riff_declared is None else riff_declared)
    return bytes(data)


def chunk(name: bytes, body: bytes) -> bytes:
    return name + struct.pack("<I", len(body)) + body + b"\0" * (len(body) & 1)


def test_a_data_chunk_that_counts_less_than_follows_is_refused(tmp_path: Path) -> None:
    """The issue's file: 100 bytes declared, 88,100 after the chunk header."""
    message = refusal(tmp_path, wav(data_declared=100), ".wav")
    assert message == ("the WAV file's data chunk declares 100 bytes of audio but 88,200 "
                       "follow it, and the bytes past its end (at 144 of 88,244) are not a "
                       "RIFF chunk that fits")


@pytest.mark.parametrize(("data", "said"), [
    (wav(data_declared=10**6), "declares 1,000,000 bytes of audio (500,000 frames) but only "
                               "88,200 follow"),
    (wav(riff_declared=100), "RIFF header declares 108 bytes but the file holds 88,244"),
    (wav(riff_declared=10**6), "RIFF header declares 1,000,008 bytes but the file holds"),
    (wav(after=b"\x01\x02\x03"), "the bytes past its end (at 88,244 of 88,247) are not a "
                                 "RIFF chunk"),
    (wav(after=chunk(b"LIST", b"INFO") + b"\xff\xfe\x00\x01\x02\x03\x04\x05"),
     "are not a RIFF chunk"),
    (wav(after=b"junk" + struct.pack("<I", 500) + b"\0" * 10),
     "data chunk declares 88,200 bytes of audio but 88,218 follow it"),
])
def test_other_wav_framing_lies_are_refused(tmp_path: Path, data: bytes, said: str) -> None:
    assert said in refusal(tmp_path, data, ".wav")


def test_chunks_after_the_audio_and_a_missing_last_pad_byte_are_accepted(
        tmp_path: Path) -> None:
    """Tag writers append LIST and id3 chunks; some leave out the pad byte at the very end."""
    tagged = wav(after=chunk(b"LIST", b"INFOINAM\x04\0\0\0Tide") + chunk(b"id3 ", b"ID3x"))
    assert accepted(tmp_path, tagged, ".wav") == pytest.approx(1.0)
    unpadded = wav(after=b"odd " + struct.pack("<I", 3) + b"abc")
    assert accepted(tmp_path, unpadded, ".wav") == pytest.approx(1.0)
    counted = bytearray(unpadded)
    counted[4:8] = struct.pack("<I", len(unpadded) - 7)  # counts the pad it left out
    assert accepted(tmp_path, bytes(counted), ".wav") == pytest.approx(1.0)


def flac(total_samples: int | None = None, first_block_length: int | None = None) -> bytes:
    """A real 3 s stereo FLAC, its STREAMINFO then rewritten."""
    data = bytearray(audio_bytes("flac", 3.0, 44_100, 2))
    assert data[4:8] == b"\x00\x00\x00\x22"  # STREAMINFO, 34 bytes, not the last block
    if total_samples is not None:
        fields = int.from_bytes(data[18:26])
        fields = fields & ~((1 << 36) - 1) | total_samples
        data[18:26] = fields.to_bytes(8)
    if first_block_length is not None:
        data[5:8] = first_block_length.to_bytes(3)
    return bytes(data)


@pytest.mark.parametrize(("data", "said"), [
    (flac(total_samples=100), "the FLAC file holds more audio than its header declares: a "
                              "frame starts at sample 131,072 of the 100 it declares"),
    (flac(total_samples=66_150), "of the 66,150 it declares"),
    (flac(total_samples=0), "does not declare how many samples it holds"),
    (flac(first_block_length=44), "does not open with a STREAMINFO block of 34 bytes"),
])
def test_flac_framing_lies_are_refused(tmp_path: Path, data: bytes, said: str) -> None:
    assert said in refusal(tmp_path, data, ".flac")


def test_a_flac_behind_an_id3_tag_is_checked_from_its_own_start(tmp_path: Path) -> None:
    """Where the C2PA SDK keeps a FLAC's manifest (docs/signals.md)."""
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 0, 20]) + b"\0" * 20
    assert accepted(tmp_path, tag + flac(), ".flac") == pytest.approx(3.0)
    assert "of the 100 it declares" in refusal(tmp_path, tag + flac(100), ".flac")


def mp3(frames_factor: float = 1.0, bytes_factor: float = 1.0, after: bytes = b"") -> bytes:
    """A real 3 s MP3 from libsndfile (Xing header with frames and bytes), rewritten."""
    data = bytearray(audio_bytes("mp3", 3.0, 44_100, 2))
    at = data.index(b"Xing")
    assert int.from_bytes(data[at + 4:at + 8]) & 3 == 3
    frames, size = int.from_bytes(data[at + 8:at + 12]), int.from_bytes(data[at + 12:at + 16])
    data[at + 8:at + 12] = round(frames * frames_factor).to_bytes(4)
    data[at + 12:at + 16] = round(size * bytes_factor).to_bytes(4)
    return bytes(data) + after


@pytest.mark.parametrize(("data", "said"), [
    (mp3(frames_factor=0.1), "the MP3 file holds more audio than its Xing header declares "
                             "(12 frames; 55,190 bytes of audio follow)"),
    (mp3(bytes_factor=0.1), "holds more audio than its Xing header declares (5,519 bytes"),
    (mp3(bytes_factor=2), "the MP3 file is truncated or its Xing header is wrong: it declares "
                          "110,380 bytes but 55,190 bytes of audio follow"),
])
def test_mp3_length_headers_that_lie_are_refused(tmp_path: Path, data: bytes,
                                                 said: str) -> None:
    assert said in refusal(tmp_path, data, ".mp3")


def test_tags_after_an_mp3_are_not_counted_as_audio(tmp_path: Path) -> None:
    ape_footer = (b"APETAGEX" + struct.pack("<III", 2000, 40_000, 1) + struct.pack("<I", 0)
                  + b"\0" * 8)
    ape = b"\0" * (40_000 - 32) + ape_footer
    id3v1 = b"TAG" + b"\0" * 125
    assert accepted(tmp_path, mp3(after=ape + id3v1), ".mp3") == pytest.approx(3.0, abs=0.05)
