"""Tags carry the rights in every format, and the audio in the copy is the audio of the upload."""

from __future__ import annotations

from pathlib import Path

import mutagen
import numpy as np
import pytest
import soundfile
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TIT2
from mutagen.oggvorbis import OggVorbis

from consentry.errors import InvalidAudio
from consentry.purposes import VOCABULARY
from consentry.signals.file_rights import FileRights, file_rights
from consentry.signals.file_tags import AI_USAGE, read_file_rights, write_file_tags
from tests.audio.synth import EXTENSIONS, audio_bytes, write_audio

URL = "https://music.example/tracks/42"
MIMES = {"wav": "audio/wav", "flac": "audio/flac", "ogg": "audio/ogg", "mp3": "audio/mpeg"}
RIGHTS = file_rights("Low Tide", ["Mara Quell"], 2026, URL,
                     {p.id: p.default_allowed for p in VOCABULARY})


def decoded(path: Path) -> np.ndarray:
    """Samples as the decoder gives them: integers for PCM and FLAC, floats for lossy."""
    dtype = "int16" if path.suffix in (".wav", ".flac") else "float32"
    samples, _ = soundfile.read(path, dtype=dtype, always_2d=True)
    return samples


def id3_size(data: bytes) -> int:
    if data[:3] != b"ID3":
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | byte
    return 10 + size


def riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], 12
    while offset + 8 <= len(data):
        length = int.from_bytes(data[offset + 4:offset + 8], "little")
        chunks.append((data[offset:offset + 4], data[offset + 8:offset + 8 + length]))
        offset += 8 + length + (length & 1)
    assert offset == len(data)  # every chunk padded, nothing left over
    assert int.from_bytes(data[4:8], "little") == len(data) - 8
    return chunks


def riff(chunks: list[tuple[bytes, bytes]]) -> bytes:
    body = b"WAVE" + b"".join(cid + len(d).to_bytes(4, "little") + d + b"\0" * (len(d) & 1)
                              for cid, d in chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def tagged(tmp_path: Path, fmt: str, rights: FileRights = RIGHTS,
           source: Path | None = None) -> tuple[Path, Path]:
    source = source or write_audio(tmp_path / f"upload{EXTENSIONS[fmt]}", fmt, 1.0, 22_050, 2)
    dest = tmp_path / f"copy{EXTENSIONS[fmt]}"
    write_file_tags(source, dest, MIMES[fmt], rights)
    return source, dest


@pytest.mark.parametrize("fmt", sorted(MIMES))
def test_every_format_carries_the_rights_and_keeps_its_samples(tmp_path: Path, fmt: str) -> None:
    source, dest = tagged(tmp_path, fmt)
    before = source.read_bytes()
    found = read_file_rights(dest)
    assert (found.format, found.title, found.artists) == (fmt, "Low Tide", ("Mara Quell",))
    assert (found.usage, found.usage_sentence) == (RIGHTS.usage, RIGHTS.usage_sentence)
    assert found.copyright == ("2026 Mara Quell" if fmt == "mp3" else "\u00a9 2026 Mara Quell")
    assert found.url == URL
    assert np.array_equal(decoded(source), decoded(dest))
    assert source.read_bytes() == before


def test_mp3_gets_id3v24_frames_and_its_frames_stay_byte_for_byte(tmp_path: Path) -> None:
    source, dest = tagged(tmp_path, "mp3")
    data = dest.read_bytes()
    assert data[id3_size(data):] == source.read_bytes()
    tags = ID3(dest)
    assert tags.version == (2, 4, 0)
    assert tags["TCOP"].text == ["2026 Mara Quell"]  # ID3: the year first, players add the ©
    assert tags["TXXX:AI_USAGE"].text == [RIGHTS.ai_usage_text]
    assert (tags["WOAF"].url, tags["WCOP"].url) == (URL, URL)


def test_mp3_keeps_the_artists_own_title_and_replaces_an_old_copyright(tmp_path: Path) -> None:
    source = write_audio(tmp_path / "upload.mp3", "mp3", 1.0)
    own = ID3()
    own.add(TIT2(encoding=3, text=["Low Tide (demo)"]))
    own.save(source)
    audio = source.read_bytes()[id3_size(source.read_bytes()):]
    _, dest = tagged(tmp_path, "mp3", source=source)
    write_file_tags(dest, tmp_path / "again.mp3", "audio/mpeg", RIGHTS)
    tags = ID3(tmp_path / "again.mp3")
    assert tags["TIT2"].text == ["Low Tide (demo)"]
    assert len(tags.getall("TCOP")) == len(tags.getall("TXXX:AI_USAGE")) == 1
    again = (tmp_path / "again.mp3").read_bytes()
    assert again[id3_size(again):] == audio


@pytest.mark.parametrize(("fmt", "reader"), [("flac", FLAC), ("ogg", OggVorbis)])
def test_vorbis_comments_hold_copyright_usage_and_licence_url(tmp_path: Path, fmt: str,
                                                             reader: type) -> None:
    _, dest = tagged(tmp_path, fmt)
    tags = reader(dest).tags
    assert tags["COPYRIGHT"] == ["\u00a9 2026 Mara Quell"]
    assert tags["AI_USAGE"] == [RIGHTS.ai_usage_text]
    assert tags["LICENSE"] == [URL]
    assert tags["ARTIST"] == ["Mara Quell"]


def test_flac_keeps_an_existing_title_and_writes_one_value_per_field(tmp_path: Path) -> None:
    source = write_audio(tmp_path / "upload.flac", "flac", 1.0)
    own = FLAC(source)
    own["TITLE"], own["COPYRIGHT"] = "Low Tide (demo)", "old line"
    own.save()
    _, dest = tagged(tmp_path, "flac", source=source)
    tags = FLAC(dest).tags
    assert tags["TITLE"] == ["Low Tide (demo)"]
    assert tags["COPYRIGHT"] == ["\u00a9 2026 Mara Quell"]


def test_wav_gets_one_info_list_before_the_audio_and_the_data_chunk_is_untouched(
        tmp_path: Path) -> None:
    source, dest = tagged(tmp_path, "wav")
    chunks = riff_chunks(dest.read_bytes())
    assert [cid for cid, _ in chunks] == [b"fmt ", b"LIST", b"data", b"id3 "]
    assert dict(riff_chunks(source.read_bytes()))[b"data"] == dict(chunks)[b"data"]
    info = chunks[1][1]
    assert info.startswith(b"INFOICOP") and "\u00a9 2026 Mara Quell\0".encode() in info


def test_wav_replaces_an_existing_info_list_keeping_its_other_fields(tmp_path: Path) -> None:
    """An odd-length chunk and an INFO list after the audio, as some editors write them."""
    pcm = riff_chunks(audio_bytes("wav", 0.5))
    old_info = b"INFO" + b"INAM" + (6).to_bytes(4, "little") + b"Demo!\0"
    old_info += b"ISFT" + (5).to_bytes(4, "little") + b"Lavf\0\0"
    source = tmp_path / "upload.wav"
    source.write_bytes(riff([pcm[0], (b"junk", b"odd"), pcm[1], (b"LIST", old_info)]))
    _, dest = tagged(tmp_path, "wav", source=source)
    chunks = riff_chunks(dest.read_bytes())
    assert [cid for cid, _ in chunks] == [b"fmt ", b"junk", b"data", b"LIST", b"id3 "]
    assert dict(chunks)[b"junk"] == b"odd"
    found = read_file_rights(dest)
    assert found.title == "Demo!"  # the artist's own title stays
    assert found.usage == RIGHTS.usage
    assert b"ISFT\x05\0\0\0Lavf\0\0" in dict(chunks)[b"LIST"]  # other fields are kept
    assert np.array_equal(decoded(source), decoded(dest))


def test_wav_tags_are_read_by_another_tool(tmp_path: Path) -> None:
    """libsndfile reads RIFF INFO strings too: an independent check of the layout."""
    _, dest = tagged(tmp_path, "wav")
    with soundfile.SoundFile(dest) as sound:
        assert sound.copyright == "\u00a9 2026 Mara Quell"
        assert sound.title == "Low Tide"
        assert sound.comment == RIGHTS.ai_usage_text


@pytest.mark.parametrize("fmt", sorted(MIMES))
def test_mutagen_s_own_format_guess_finds_the_rights(tmp_path: Path, fmt: str) -> None:
    """Issue 16, scenario 5: ``mutagen.File`` picks the reader from the bytes and finds the
    usage field in every format (a WAV's ``id3 `` chunk: mutagen reads no RIFF INFO)."""
    _, dest = tagged(tmp_path, fmt)
    opened = mutagen.File(dest)
    assert opened is not None and opened.tags is not None
    if fmt in ("wav", "mp3"):
        assert str(opened.tags[f"TXXX:{AI_USAGE}"].text[0]) == RIGHTS.ai_usage_text
        assert opened.tags["WCOP"].url == URL
    else:
        assert opened.tags[AI_USAGE] == [RIGHTS.ai_usage_text]


@pytest.mark.parametrize(("content", "media_type", "words"), [
    (b"", "audio/wav", "empty"),
    (b"\x00" * 4096, "audio/wav", "not in an accepted audio format"),
    (audio_bytes("wav", 0.5)[:3000], "audio/wav", "truncated"),
    (audio_bytes("flac", 0.5), "audio/mpeg", "sent as audio/mpeg"),
    (audio_bytes("ogg", 0.5), "audio/wav", "are Ogg Vorbis"),
])
def test_bad_files_are_refused_saying_why(tmp_path: Path, content: bytes, media_type: str,
                                          words: str) -> None:
    source = tmp_path / "upload"
    source.write_bytes(content)
    with pytest.raises(InvalidAudio, match=words):
        write_file_tags(source, tmp_path / "copy", media_type, RIGHTS)
    assert not (tmp_path / "copy").exists()


@pytest.mark.parametrize(("content", "words"), [
    (b"", "empty"),
    (b"\x00" * 4096, "not in an accepted audio format"),
    (b"RIFF\x04\x00\x00\x00WAVE", "no audio data chunk"),
    (b"RIFF\xff\x00\x00\x00WAVEdata\xff\x00\x00\x00", "cut short"),
])
def test_unreadable_files_are_refused_by_the_reader(tmp_path: Path, content: bytes,
                                                    words: str) -> None:
    path = tmp_path / "copy.wav"
    path.write_bytes(content)
    with pytest.raises(InvalidAudio, match=words):
        read_file_rights(path)
