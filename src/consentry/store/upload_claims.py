"""A track's new recording meets the catalogue: fingerprinted, matched, claimed, indexed.

A match creates a claim when the recording found is a rights holder's (a reference recording,
or a track in a label's catalogue) and not the uploader's own: not a track any owner of the
upload owns, not the upload's own rights holder, and long enough to be more than a quote.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from consentry.audio.fingerprint import Fingerprint, fingerprint_file
from consentry.consent import Track
from consentry.store.catalogue import get_track
from consentry.store.catalogue_index import CatalogueIndex
from consentry.store.claims import ClaimRecord, already_claimed, get_claim, open_claim
from consentry.store.fingerprints import save_fingerprint, track_key
from consentry.store.identification import Identified, identify

MIN_CLAIM_SECONDS = 5.0  # shorter matches are reported by identify, never claimed


def claim_upload(engine: Engine, index: CatalogueIndex, track_id: int, path: Path,
                 audio_sha256: str, by: str, max_seconds: float) -> list[ClaimRecord]:
    """Fingerprint the track's new recording, open the claims it calls for, and index it."""
    fingerprint = fingerprint_file(path, max_seconds)
    return claim_fingerprint(engine, index, track_id, fingerprint, audio_sha256, by)


def claim_fingerprint(engine: Engine, index: CatalogueIndex, track_id: int,
                      fingerprint: Fingerprint, audio_sha256: str,
                      by: str) -> list[ClaimRecord]:
    with engine.begin() as conn:
        return claim_in(conn, index, track_id, fingerprint, audio_sha256, by)


def claim_in(conn: Connection, index: CatalogueIndex, track_id: int, fingerprint: Fingerprint,
             audio_sha256: str, by: str) -> list[ClaimRecord]:
    """``claim_fingerprint`` in the caller's transaction."""
    key = track_key(track_id)
    track = get_track(conn, track_id)
    found = identify(conn, index, fingerprint.peaks, exclude=frozenset({key}))
    opened = [open_claim(conn, track_id, f, audio_sha256, by) for f in found
              if claimable(track, f)
              and not already_claimed(conn, track_id, f.recording_key, audio_sha256)]
    save_fingerprint(conn, key, fingerprint, audio_sha256, track_id=track_id)
    return [get_claim(conn, c.id) for c in opened]


def claimable(upload: Track, found: Identified) -> bool:
    return (found.rights_holder_id is not None
            and found.rights_holder_id != upload.rights_holder_id
            and not set(found.owner_ids) & set(upload.owner_ids)
            and found.matched_seconds >= MIN_CLAIM_SECONDS)
