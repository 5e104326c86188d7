"""Short synthesised recordings for the demo tracks, so the tour can play and download them.

A few bars of plucked chords, made with numpy: no sample files ship with consentry, and the
demo must not need a network.
"""

from __future__ import annotations

import io
import zlib

import numpy as np
import soundfile
from sqlalchemy import Connection

from consentry.audio.fingerprint import fingerprint_file
from consentry.services.upload_claims import claim_in
from consentry.settings import Settings
from consentry.store import catalogue, media
from consentry.store.catalogue_index import CatalogueIndex

RATE = 22_050
# (track title, container, subtype, chord roots in Hz)
RECORDINGS = (
    ("Salt and Static", "WAV", "PCM_16", (220.0, 174.6, 130.8, 196.0)),
    ("Open Water", "FLAC", "PCM_16", (196.0, 146.8, 164.8, 130.8)),
    ("Harmattan", "MP3", "MPEG_LAYER_III", (146.8, 110.0, 130.8, 98.0)),
)


def plucked_chords(roots: tuple[float, ...], seconds_per_chord: float = 2.5) -> np.ndarray:
    """Major triads with a decaying envelope and a little noise, as stereo float32.

    The noise is seeded by the chords, so no two recordings share it: in the quiet tails it
    is what a fingerprint hears, and one shared sequence made every demo track match the
    others."""
    n = int(seconds_per_chord * RATE)
    t = np.arange(n) / RATE
    envelope = np.exp(-2.5 * t) * (1 - np.exp(-200 * t))
    bars = []
    for root in roots:
        chord = sum(np.sin(2 * np.pi * root * ratio * t) for ratio in (1.0, 1.26, 1.5, 2.0))
        bars.append(0.2 * chord * envelope)
    noise = np.random.default_rng(zlib.crc32(repr(roots).encode())).standard_normal(
        n * len(roots))
    mono = np.concatenate(bars) + 0.002 * noise
    return np.stack([mono, np.roll(mono, 40)], axis=1).astype(np.float32)


def attach_demo_recordings(conn: Connection, settings: Settings) -> int:
    """Store, attach and fingerprint a recording for each demo track in ``RECORDINGS``;
    returns how many."""
    attached = 0
    for track in catalogue.list_tracks(conn, limit=100):
        spec = next((r for r in RECORDINGS if r[0] == track.title), None)
        if spec is None or catalogue.get_track_audio(conn, track.id) is not None:
            continue
        _title, container, subtype, roots = spec
        buffer = io.BytesIO()
        soundfile.write(buffer, plucked_chords(roots), RATE, format=container, subtype=subtype)
        buffer.seek(0)
        stored = media.store_upload(buffer, settings.data_dir, settings.max_upload_bytes,
                                    max_seconds=settings.max_audio_seconds)
        catalogue.attach_audio(conn, track.id, stored)
        # fingerprinted and indexed like any upload, so identify finds every demo track
        claim_in(conn, CatalogueIndex(), track.id, fingerprint_file(stored.path), stored.sha256,
                 "consentry demo")
        attached += 1
    return attached
