"""A track's rights written as the plain tags players and tag editors show, in a copy of the file.

No tag standard has an AI-use field (digest section 9), so the terms go where people and tools
already look: the copyright field, a URL field, and a custom ``AI_USAGE`` field holding the
machine-readable string and a sentence. Only tag bytes change; the audio is copied as it is.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen.flac
import mutagen.id3
import mutagen.oggvorbis
import mutagen.wave
from mutagen import MutagenError
from mutagen.id3 import Encoding, ID3NoHeaderError

from consentry.audio.formats import FLAC, MP3, OGG, WAV, AudioFormat, sniff
from consentry.audio.probe import probe_audio
from consentry.errors import InvalidAudio
from consentry.signals.file_rights import FileRights, split_ai_usage
from consentry.signals.riff_info import read_info, write_info

AI_USAGE = "AI_USAGE"  # the ID3 TXXX description and the Vorbis comment name
_NO_LENGTH_LIMIT = float("inf")  # the upload limit was applied when the file came in
_ID3_V1_UPDATE = 1  # mutagen: refresh an ID3v1 tag the file already has, add none
# mutagen's tag classes are untyped; reaching them through Any keeps that in one place.
_id3: Any = mutagen.id3
_wave: Any = mutagen.wave
_FILE_TYPES: dict[str, Any] = {FLAC.name: mutagen.flac.FLAC,
                              OGG.name: mutagen.oggvorbis.OggVorbis}


@dataclass(frozen=True)
class TagsWritten:
    """What went into the copy: the format (as the bytes say) and the tag fields, in that
    format's own names."""

    format: str
    mime: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class EmbeddedTags:
    """The rights as a tag reader finds them in a file; ``None`` where a field is absent."""

    format: str
    title: str | None
    artists: tuple[str, ...]
    copyright: str | None
    url: str | None
    usage: str | None
    usage_sentence: str | None


def checked_format(path: Path, media_type: str) -> AudioFormat:
    """The file's format, once it is known to be sound audio of the type the caller says.

    Runs the upload checks again: the file on disk is what goes out, and a mislabelled or
    damaged file must fail here rather than leave with wrong tags.
    """
    info = probe_audio(path, None, media_type, _NO_LENGTH_LIMIT)
    return {f.name: f for f in (WAV, FLAC, OGG, MP3)}[info.format]


def write_file_tags(source: Path, dest: Path, media_type: str,
                    rights: FileRights) -> TagsWritten:
    """Write ``source`` with the rights tags to ``dest`` (a path the caller owns, such as a
    temporary file renamed into place afterwards); ``source`` is never modified."""
    fmt = checked_format(source, media_type)
    if fmt is WAV:
        return _write_wav(source, dest, rights)
    shutil.copyfile(source, dest)
    try:
        if fmt is MP3:
            return _write_id3(dest, rights)
        return _write_vorbis_comments(dest, fmt, rights)
    except MutagenError as error:
        raise InvalidAudio(f"the {fmt.label} file's tags cannot be rewritten ({error})") from error


def read_file_rights(path: Path) -> EmbeddedTags:
    """What a tag reader finds in ``path``: the format comes from the bytes, not the name."""
    size = path.stat().st_size
    if size == 0:
        raise InvalidAudio("the file is empty")
    with path.open("rb") as file:
        fmt = sniff(file, size)
    try:
        if fmt is WAV:
            return _read_wav(path)
        if fmt is MP3:
            return _read_id3(path)
        return _read_vorbis_comments(path, fmt)
    except MutagenError as error:
        raise InvalidAudio(f"the {fmt.label} file's tags cannot be read ({error})") from error


def _write_id3(path: Path, rights: FileRights) -> TagsWritten:
    try:
        tags = _id3.ID3(path)
    except ID3NoHeaderError:
        tags = _id3.ID3()
    frames = _set_id3_frames(tags, rights)
    tags.save(path, v1=_ID3_V1_UPDATE, v2_version=4)
    return TagsWritten(MP3.name, MP3.mime, tuple(f.HashKey for f in frames))


def _set_id3_frames(tags: Any, rights: FileRights) -> list[Any]:
    """ID3v2.4 frames; TCOP starts with the year, as the ID3 spec requires ("2026 Mara Quell"),
    and players add the copyright sign themselves. The artist's own title and artists stay."""
    utf8 = Encoding.UTF8
    frames: list[Any] = [
        _id3.TCOP(encoding=utf8, text=[f"{rights.year} {rights.copyright_holder}"]),
        _id3.TXXX(encoding=utf8, desc=AI_USAGE, text=[rights.ai_usage_text]),
        _id3.WOAF(url=rights.url),
        _id3.WCOP(url=rights.url),
    ]
    if not tags.getall("TIT2"):
        frames.append(_id3.TIT2(encoding=utf8, text=[rights.title]))
    if not tags.getall("TPE1"):
        frames.append(_id3.TPE1(encoding=utf8, text=list(rights.artists)))
    for frame in frames:
        tags.setall(frame.HashKey, [frame])
    return frames


def _write_vorbis_comments(path: Path, fmt: AudioFormat, rights: FileRights) -> TagsWritten:
    """Vorbis comments; the URL goes in LICENSE, which the Vorbis field list defines as where
    the licence is found, the counterpart of ID3's WCOP."""
    audio: Any = _FILE_TYPES[fmt.name](path)
    if audio.tags is None:
        audio.add_tags()
    fields = {"COPYRIGHT": [rights.copyright], AI_USAGE: [rights.ai_usage_text],
              "LICENSE": [rights.url]}
    for name, values in (("TITLE", [rights.title]), ("ARTIST", list(rights.artists))):
        if name not in audio.tags:
            fields[name] = values
    for name, values in fields.items():
        audio.tags[name] = values
    audio.save()
    return TagsWritten(fmt.name, fmt.mime, tuple(fields))


def _write_wav(source: Path, dest: Path, rights: FileRights) -> TagsWritten:
    """RIFF INFO, which players and libsndfile read, and an ``id3 `` chunk with the MP3's
    frames, which tag editors and mutagen read (they see no RIFF INFO)."""
    fields = {"ICOP": rights.copyright, "ICMT": rights.ai_usage_text, "INAM": rights.title,
              "IART": rights.copyright_holder}
    write_info(source, dest, fields, keep_existing=frozenset({"INAM", "IART"}))
    wave: Any = _wave.WAVE(dest)
    if wave.tags is None:
        wave.add_tags()
    frames = _set_id3_frames(wave.tags, rights)
    wave.save(v2_version=4)
    return TagsWritten(WAV.name, WAV.mime, (*fields, *(f.HashKey for f in frames)))


def _read_id3(path: Path) -> EmbeddedTags:
    try:
        tags = _id3.ID3(path)
    except ID3NoHeaderError:
        return EmbeddedTags(MP3.name, None, (), None, None, None, None)

    def text(key: str) -> list[str]:
        frame = tags.get(key)
        return [str(t) for t in frame.text] if frame is not None else []

    url = next((str(f.url) for k in ("WCOP", "WOAF") for f in tags.getall(k)), None)
    usage, sentence = _usage(text(f"TXXX:{AI_USAGE}"))
    return EmbeddedTags(MP3.name, _first(text("TIT2")), tuple(text("TPE1")),
                        _first(text("TCOP")), url, usage, sentence)


def _read_vorbis_comments(path: Path, fmt: AudioFormat) -> EmbeddedTags:
    audio: Any = _FILE_TYPES[fmt.name](path)
    tags = audio.tags

    def values(name: str) -> list[str]:
        return [str(v) for v in tags.get(name, [])] if tags is not None else []

    usage, sentence = _usage(values(AI_USAGE))
    return EmbeddedTags(fmt.name, _first(values("TITLE")), tuple(values("ARTIST")),
                        _first(values("COPYRIGHT")), _first(values("LICENSE")), usage, sentence)


def _read_wav(path: Path) -> EmbeddedTags:
    """RIFF INFO first; RIFF INFO has no URL field, so the URL comes from the ``id3 ``
    chunk when there is one."""
    info = read_info(path)
    usage, sentence = _usage([info["ICMT"]] if "ICMT" in info else [])
    artist = info.get("IART")
    tags = _wave.WAVE(path).tags
    url = next((str(f.url) for k in ("WCOP", "WOAF") for f in tags.getall(k)),
               None) if tags is not None else None
    return EmbeddedTags(WAV.name, info.get("INAM"), (artist,) if artist else (),
                        info.get("ICOP"), url, usage, sentence)


def _usage(values: list[str]) -> tuple[str | None, str | None]:
    return split_ai_usage(values[0]) if values else (None, None)


def _first(values: list[str]) -> str | None:
    return values[0] if values else None
