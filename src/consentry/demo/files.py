"""The files the tour works on, written next to the demo's database: a draft of the next terms
version, a folder of a label's archive recordings to ingest, and an "AI-generated" track that
borrows a demo recording, so every command the tour shows has its input on a fresh machine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from consentry.demo.audio import RATE, RECORDINGS, plucked_chords
from consentry.demo.terms import DEMO_TERMS_V2

TERMS_DRAFT = "terms-2027-02.md"
ARCHIVE = "northwind-archive"
GENERATED = "generated-track.mp3"
# (file name, chord roots in Hz): recordings Northwind has not registered yet
ARCHIVE_RECORDINGS = (
    ("Lantern Street.flac", (261.6, 196.0, 220.0, 174.6, 233.1, 155.6)),
    ("Cold Harbour.flac", (123.5, 185.0, 164.8, 138.6, 207.7, 116.5)),
)

DEMO_TERMS_DRAFT = DEMO_TERMS_V2.replace(
    "We use listening data to recommend tracks to listeners.",
    "We use listening data to recommend tracks to listeners. We may share listening data "
    "with AI companies.",
)


def generated_track() -> np.ndarray:
    """Two chords of its own, then the demo's "Harmattan" whole, as a generator that copied
    it might put out: what ``consentry identify`` is for. (The bare sine chords do not
    survive added noise and MP3 together with a margin; tests/e2e/test_content_id.py shows
    a noisy copy of real music caught.)"""
    roots = next(r[3] for r in RECORDINGS if r[0] == "Harmattan")
    return np.concatenate([plucked_chords((293.7, 246.9)), plucked_chords(roots)])


def write_demo_files(folder: Path) -> list[Path]:
    """Write (or rewrite, identically) the tour's files under ``folder``; returns them."""
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / TERMS_DRAFT
    draft.write_text(DEMO_TERMS_DRAFT, encoding="utf-8")
    archive = folder / ARCHIVE
    archive.mkdir(exist_ok=True)
    for name, roots in ARCHIVE_RECORDINGS:
        path = archive / name
        if not path.exists():
            soundfile.write(path, plucked_chords(roots), RATE, format="FLAC", subtype="PCM_16")
    generated = folder / GENERATED
    if not generated.exists():
        soundfile.write(generated, generated_track(), RATE, format="MP3", subtype="MPEG_LAYER_III")
    return [draft, archive, generated]
