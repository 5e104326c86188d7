"""Every accepted format decodes to mono at the analysis rate; bad files are refused, saying
why, in bounded time and memory whatever their headers claim."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile
from scipy.signal import resample_poly

from consentry.audio import decode as decode_module
from consentry.audio.decode import ANALYSIS_RATE, decode_audio, decoded_formats, resample
from consentry.errors import InvalidAudio
from tests.audio.synth import EXTENSIONS, WRITERS, signal, write_audio


def test_ffmpeg_is_installed() -> None:
    """make test installs it (scripts/install-system-deps.sh): the M4A, AAC, Opus and fast
    Vorbis paths below run for real, never skipped."""
    assert shutil.which("ffmpeg"), "ffmpeg is missing: run 'make system-deps'"


def refusal(path: Path, max_seconds: float = 3600.0) -> str:
    with pytest.raises(InvalidAudio) as caught:
        decode_audio(path, max_seconds)
    assert str(path.parent) not in caught.value.message
    return caught.value.message


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_each_format_decodes_to_mono_at_the_analysis_rate(tmp_path: Path, fmt: str) -> None:
    path = write_audio(tmp_path / f"take{EXTENSIONS[fmt]}", fmt, 3.0, 44_100, 2)
    decoded = decode_audio(path)
    assert decoded.rate == ANALYSIS_RATE and decoded.samples.ndim == 1
    assert decoded.samples.dtype == np.float32
    assert decoded.seconds == pytest.approx(3.0, abs=0.1)
    assert (decoded.source_format, decoded.source_rate, decoded.source_channels) == (
        fmt, 44_100, 2)


def test_blockwise_resampling_equals_resampling_the_whole_signal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of one second, so a 5 s file crosses four seams."""
    monkeypatch.setattr(decode_module, "_BLOCK_SECONDS", 1)
    samples = signal(5.0, 44_100, 2, seed=4)
    path = tmp_path / "long.wav"
    soundfile.write(path, samples, 44_100, subtype="FLOAT")
    whole = resample_poly(samples.mean(axis=1), 80, 441)
    decoded = decode_audio(path).samples
    np.testing.assert_allclose(decoded, whole[:len(decoded)], atol=1e-6)
    assert abs(len(decoded) - len(whole)) <= 1


def test_resample_leaves_the_analysis_rate_alone() -> None:
    samples = signal(1.0, ANALYSIS_RATE)[:, 0]
    np.testing.assert_array_equal(resample(samples, ANALYSIS_RATE, ANALYSIS_RATE), samples)
    assert len(resample(samples, 22_050, ANALYSIS_RATE)) == pytest.approx(
        len(samples) * ANALYSIS_RATE / 22_050, abs=1)


def test_m4a_decodes_through_ffmpeg(tmp_path: Path) -> None:
    source = write_audio(tmp_path / "take.wav", "wav", 2.0, 44_100, 2)
    path = tmp_path / "take.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(source), "-c:a", "aac", str(path)],
                   check=True)
    decoded = decode_audio(path)
    assert decoded.source_format == "m4a"
    assert decoded.seconds == pytest.approx(2.0, abs=0.1)


def test_a_corrupt_m4a_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.m4a"
    path.write_bytes(b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00" + b"\x13" * 500)
    assert "MP4/M4A" in refusal(path)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    assert refusal(path) == "the file is empty"


def test_a_file_in_no_audio_format_is_refused_naming_what_decodes(tmp_path: Path) -> None:
    """Not only the formats uploads accept: those ffmpeg decodes too (identify, ingest)."""
    path = tmp_path / "notes.mp3"
    path.write_bytes(b"these are my lyrics, not a recording\n" * 20)
    labels = ", ".join(label for _, label in decoded_formats())
    assert refusal(path) == (f"the file is not in an audio format this server decodes "
                             f"({labels}): its first bytes match none of them")
    assert "MP4/M4A (AAC, ALAC), AAC (ADTS), Ogg Opus" in labels  # ffmpeg is installed here
    with pytest.raises(InvalidAudio) as caught:
        decode_audio(path)
    assert caught.value.detail == {"accepted": [name for name, _ in decoded_formats()]}


def test_an_ogg_codec_that_does_not_decode_is_named(tmp_path: Path) -> None:
    path = tmp_path / "speech.ogg"
    page = b"OggS\x00\x02" + bytes(20) + b"\x01\x1e" + b"Speex   " + bytes(40)
    path.write_bytes(page)
    message = refusal(path)
    assert message.startswith("the file is not in an audio format this server decodes (")
    assert message.endswith("Ogg Opus): it is Ogg Speex")


def test_a_truncated_wav_is_refused(tmp_path: Path) -> None:
    data = write_audio(tmp_path / "full.wav", "wav", 2.0).read_bytes()
    path = tmp_path / "cut.wav"
    path.write_bytes(data[:len(data) // 2])
    assert "truncated" in refusal(path)


def test_a_truncated_flac_is_refused(tmp_path: Path) -> None:
    data = write_audio(tmp_path / "full.flac", "flac", 4.0).read_bytes()
    path = tmp_path / "cut.flac"
    path.write_bytes(data[:len(data) // 3])
    assert "truncated" in refusal(path) or "corrupt" in refusal(path)


def test_absurd_header_claims_are_refused_without_reading_the_claim(tmp_path: Path) -> None:
    data = bytearray(write_audio(tmp_path / "ok.wav", "wav", 1.0).read_bytes())
    channels = tmp_path / "channels.wav"
    channels.write_bytes(bytes(data[:22]) + struct.pack("<H", 4000) + bytes(data[24:]))
    assert "channels" in refusal(channels)
    rate = tmp_path / "rate.wav"
    rate.write_bytes(bytes(data[:24]) + struct.pack("<I", 3_000_000_000) + bytes(data[28:]))
    assert "sample rate" in refusal(rate)


def test_a_recording_past_the_limit_is_refused(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "long.flac", "flac", 3.0)
    assert "limit" in refusal(path, max_seconds=1.0)


def test_an_ogg_cut_short_is_refused(tmp_path: Path) -> None:
    data = write_audio(tmp_path / "full.ogg", "ogg", 3.0).read_bytes()
    path = tmp_path / "cut.ogg"
    path.write_bytes(data[:len(data) * 2 // 3])
    assert "truncated" in refusal(path)


def test_ffmpeg_output_is_capped_at_the_limit(tmp_path: Path) -> None:
    source = write_audio(tmp_path / "take.wav", "wav", 3.0, 22_050, 1)
    path = tmp_path / "take.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(source), "-c:a", "aac", str(path)],
                   check=True)
    assert "limit" in refusal(path, max_seconds=1.0)


def test_ogg_opus_decodes_through_ffmpeg(tmp_path: Path) -> None:
    path = tmp_path / "take.opus"
    soundfile.write(path, signal(2.0, 48_000, 2), 48_000, format="OGG", subtype="OPUS")
    decoded = decode_audio(path)
    assert decoded.source_format == "opus"
    assert decoded.seconds == pytest.approx(2.0, abs=0.1)
