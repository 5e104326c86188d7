"""Real files of each format are described exactly; bad files are refused, saying why."""

from __future__ import annotations

import struct
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from consentry.audio import AudioInfo, probe_audio
from consentry.audio import probe as probe_module
from consentry.errors import InvalidAudio
from tests.audio.synth import EXTENSIONS, WRITERS, audio_bytes, signal, write_audio

HOUR = 3600.0
MIMES = {"wav": "audio/wav", "flac": "audio/flac", "ogg": "audio/ogg", "mp3": "audio/mpeg"}


def refusal(path: Path, name: str | None = None, content_type: str | None = None,
            max_seconds: float = HOUR) -> InvalidAudio:
    with pytest.raises(InvalidAudio) as caught:
        probe_audio(path, name, content_type, max_seconds)
    assert str(path.parent) not in caught.value.message  # server paths never reach a client
    return caught.value


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize(("rate", "channels", "seconds"), [(44_100, 2, 3.0), (22_050, 1, 1.5)])
def test_each_format_is_described_exactly(tmp_path: Path, fmt: str, rate: int, channels: int,
                                          seconds: float) -> None:
    path = write_audio(tmp_path / f"take{EXTENSIONS[fmt]}", fmt, seconds, rate, channels)
    info = probe_audio(path, path.name, MIMES[fmt], HOUR)
    assert (info.format, info.mime, info.sample_rate, info.channels) == (
        fmt, MIMES[fmt], rate, channels)
    assert info.duration_seconds == pytest.approx(seconds, abs=0.03)
    assert info.frames == round(info.duration_seconds * rate)


def test_claims_that_say_nothing_are_not_held_against_a_file(tmp_path: Path) -> None:
    """No name, no type, a name without a known suffix and curl's generic type all pass."""
    path = write_audio(tmp_path / "upload", "flac")
    for name, content_type in [(None, None), ("take", None), ("take.bin", ""),
                               ("TAKE.FLAC", "application/octet-stream"),
                               ("take.flac", "audio/x-flac; charset=binary")]:
        assert probe_audio(path, name, content_type, HOUR).format == "flac"


def test_an_mp3_behind_an_id3_tag_is_found(tmp_path: Path) -> None:
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 1, 0]) + b"\x00" * 128  # 10 + 128 bytes, syncsafe
    path = tmp_path / "tagged.mp3"
    path.write_bytes(tag + audio_bytes("mp3"))
    assert probe_audio(path, path.name, "audio/mpeg", HOUR).format == "mp3"


def test_mp3_length_from_mutagen_where_libsndfile_cannot_decode_mpeg(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Older libsndfile builds lack MPEG; the frame headers still give the length."""
    monkeypatch.setattr(probe_module, "_SNDFILE_MP3", False)
    path = write_audio(tmp_path / "take.mp3", "mp3", 3.0, 44_100, 2)
    info = probe_audio(path, path.name, None, HOUR)
    assert (info.format, info.sample_rate, info.channels) == ("mp3", 44_100, 2)
    assert info.duration_seconds == pytest.approx(3.0, abs=0.05)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    assert refusal(path, path.name).message == "the file is empty"


@pytest.mark.parametrize("seed", range(8))
def test_random_bytes_are_refused_naming_the_accepted_formats(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "noise.wav"
    path.write_bytes(np.random.default_rng(seed).bytes(20_000))
    error = refusal(path)
    assert "not in an accepted audio format (WAV, FLAC, Ogg Vorbis, MP3)" in error.message
    assert error.detail == {"accepted": ["wav", "flac", "ogg", "mp3"]}


def test_other_audio_formats_are_named_in_the_refusal(tmp_path: Path) -> None:
    aiff = tmp_path / "take.aiff"
    soundfile.write(aiff, signal(), 22_050, format="AIFF")
    assert "it is AIFF" in refusal(aiff).message
    opus = tmp_path / "take.ogg"
    soundfile.write(opus, signal(rate=48_000), 48_000, format="OGG", subtype="OPUS")
    assert "Ogg Opus" in refusal(opus).message
    m4a = tmp_path / "take.m4a"
    m4a.write_bytes(b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 200)
    assert "MP4/M4A" in refusal(m4a).message


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("kept", [0.3, 0.7])
def test_truncated_files_are_refused(tmp_path: Path, fmt: str, kept: float) -> None:
    whole = audio_bytes(fmt, 3.0, 44_100, 2)
    path = tmp_path / f"cut{EXTENSIONS[fmt]}"
    path.write_bytes(whole[:int(len(whole) * kept)])
    assert "truncated" in refusal(path, path.name).message


@pytest.mark.parametrize("fmt", ["flac", "ogg", "mp3"])
def test_files_damaged_near_the_start_are_refused(tmp_path: Path, fmt: str) -> None:
    """Noise over the first frames: the bytes still look like the format, but do not decode."""
    data = bytearray(audio_bytes(fmt, 3.0, 44_100, 2))
    at = len(data) // 20
    data[at:at + 2000] = np.random.default_rng(0).bytes(2000)
    path = tmp_path / f"damaged{EXTENSIONS[fmt]}"
    path.write_bytes(data)
    assert "corrupt" in refusal(path, path.name).message


def test_a_wav_named_mp3_is_refused_naming_both(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "take.mp3", "wav")
    error = refusal(path, "take.mp3", "audio/mpeg")
    assert error.message == "'take.mp3' is named as MP3 but its bytes are WAV"
    assert error.detail == {"format": "wav", "declared": "mp3"}


@pytest.mark.parametrize(("content_type", "said"), [
    ("audio/mpeg", "audio/mpeg (MP3)"), ("audio/ogg; codecs=vorbis", "audio/ogg (Ogg Vorbis)"),
    ("text/plain", "text/plain"), ("image/png", "image/png")])
def test_a_wrong_content_type_is_refused_naming_both(tmp_path: Path, content_type: str,
                                                     said: str) -> None:
    path = write_audio(tmp_path / "upload", "flac")
    error = refusal(path, "take.flac", content_type)
    assert error.message == f"the file was sent as {said} but its bytes are FLAC"


def test_a_recording_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "take.ogg", "ogg", 2.0)
    error = refusal(path, max_seconds=1.5)
    assert error.message == ("the recording lasts 0:00:02, longer than the limit of 0:00:01")
    assert probe_audio(path, None, None, 2.5).duration_seconds == pytest.approx(2.0, abs=0.03)


def _wav_with(path: Path, **fields: int) -> Path:
    """A real WAV whose header is then rewritten: channels, rate, or the data chunk's size."""
    data = bytearray(audio_bytes("wav", 1.0))
    assert data[36:40] == b"data"
    offsets = {"channels": (22, "<H"), "rate": (24, "<I"), "data_bytes": (40, "<I")}
    for name, value in fields.items():
        offset, layout = offsets[name]
        data[offset:offset + struct.calcsize(layout)] = struct.pack(layout, value)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("fields", "message"), [
    ({"data_bytes": 2 * 10**9},
     "it declares 2,000,000,000 bytes of audio (1,000,000,000 frames) but only 44,100 follow"),
    ({"channels": 0}, "the file declares 0 channels; accepted: 1 to 8"),
    ({"channels": 9}, "the file declares 9 channels; accepted: 1 to 8"),
    ({"channels": 65_535}, "the file declares 65535 channels; accepted: 1 to 8"),
    ({"rate": 4_000}, "a sample rate of 4,000 Hz; accepted: 8,000 to 384,000 Hz"),
    ({"rate": 10**9}, "a sample rate of 1,000,000,000 Hz"),
    ({"data_bytes": 0}, "the WAV file's data chunk declares 0 bytes of audio but 44,100 "
                        "follow it"),
])
def test_absurd_headers_are_refused_quickly(tmp_path: Path, fields: dict[str, int],
                                            message: str) -> None:
    path = _wav_with(tmp_path / "crafted.wav", **fields)
    started = time.perf_counter()
    assert message in refusal(path).message
    assert time.perf_counter() - started < 1.0


def test_a_long_recording_is_checked_without_decoding_all_of_it(tmp_path: Path) -> None:
    """An hour of 8 kHz audio: a probe decodes two seconds of it, not the hour."""
    rate, seconds = 8_000, 3600
    path = tmp_path / "hour.wav"
    with soundfile.SoundFile(path, "w", rate, 1, "PCM_16") as sound:
        block = signal(60.0, rate)
        for _ in range(seconds // 60):
            sound.write(block)
    started = time.perf_counter()
    info = probe_audio(path, None, None, 2 * HOUR)
    assert time.perf_counter() - started < 0.5
    assert info == AudioInfo("wav", "audio/wav", 3600.0, rate, 1, rate * seconds)
