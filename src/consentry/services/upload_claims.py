"""A track's new recording meets the catalogue: fingerprinted, matched, claimed, indexed.

A match creates a claim when the recording found is another party's earlier recording: a
rights holder's (a reference recording, or a track in a label's catalogue) or an independent
artist's own track; not the uploader's own (not a track any owner of the upload owns, not the
upload's own rights holder), and long enough to be more than a quote. Both parties are told
(``claim_notices``).
Claims found in the audio a new recording replaces no longer stand: they are released (reason
"audio replaced") when it is attached, before the new audio is matched and perhaps claimed.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from consentry.audio.fingerprint import Fingerprint, fingerprint_file
from consentry.consent import Identified, Track
from consentry.services.claim_disputes import tell_opened
from consentry.services.identification import identify
from consentry.services.withdrawal_causes import withdraw_for_claims
from consentry.store.catalogue import TrackAudio, attach_audio, get_track
from consentry.store.catalogue_index import CatalogueIndex
from consentry.store.claims import (
    AUDIO_REPLACED,
    ClaimRecord,
    already_claimed,
    claims_on_other_audio,
    get_claim,
    open_claim,
    release_claims,
)
from consentry.store.fingerprints import save_fingerprint, track_key
from consentry.store.media import StoredAudio

MIN_CLAIM_SECONDS = 5.0  # shorter matches are reported by identify, never claimed


def replace_audio(conn: Connection, track_id: int, stored: StoredAudio,
                  by: str) -> tuple[TrackAudio, list[ClaimRecord]]:
    """Make ``stored`` the track's recording and release the claims found in other audio."""
    audio = attach_audio(conn, track_id, stored)
    return audio, release_replaced(conn, track_id, stored.sha256, by)


def release_replaced(conn: Connection, track_id: int, audio_sha256: str,
                     by: str) -> list[ClaimRecord]:
    """The track's claims that were found in audio other than ``audio_sha256``, released."""
    return release_claims(conn, claims_on_other_audio(conn, track_id, audio_sha256), by,
                          AUDIO_REPLACED)


def claim_upload(engine: Engine, index: CatalogueIndex, track_id: int, path: Path,
                 audio_sha256: str, by: str, max_seconds: float,
                 base_url: str = "") -> list[ClaimRecord]:
    """Fingerprint the track's new recording, open the claims it calls for, and index it."""
    fingerprint = fingerprint_file(path, max_seconds)
    return claim_fingerprint(engine, index, track_id, fingerprint, audio_sha256, by, base_url)


def claim_fingerprint(engine: Engine, index: CatalogueIndex, track_id: int,
                      fingerprint: Fingerprint, audio_sha256: str,
                      by: str, base_url: str = "") -> list[ClaimRecord]:
    with engine.begin() as conn:
        return claim_in(conn, index, track_id, fingerprint, audio_sha256, by, base_url)


def claim_in(conn: Connection, index: CatalogueIndex, track_id: int, fingerprint: Fingerprint,
             audio_sha256: str, by: str, base_url: str = "") -> list[ClaimRecord]:
    """``claim_fingerprint`` in the caller's transaction. ``base_url`` starts the link in the
    mail that tells both parties of a claim (their claims page)."""
    key = track_key(track_id)
    track = get_track(conn, track_id)
    release_replaced(conn, track_id, audio_sha256, by)  # if the caller attached it alone
    found = identify(conn, index, fingerprint.peaks, exclude=frozenset({key}))
    opened = [open_claim(conn, track_id, f, audio_sha256, by) for f in found
              if claimable(track, f)
              and not already_claimed(conn, track_id, f.recording_key, audio_sha256)]
    save_fingerprint(conn, key, fingerprint, audio_sha256, track_id=track_id)
    withdraw_for_claims(conn, [(c.id, c.track_id, c.changes[0].at) for c in opened])
    records = [get_claim(conn, c.id) for c in opened]
    tell_opened(conn, records, base_url)
    return records


def claimable(upload: Track, found: Identified) -> bool:
    holder, artist = found.claimant
    if found.matched_seconds < MIN_CLAIM_SECONDS or set(found.owner_ids) & set(upload.owner_ids):
        return False
    if holder is not None:
        return holder != upload.rights_holder_id
    return artist is not None
