"""The demo's content claim: Northwind registers a reference recording, and Kofi Mensah's
"Red Earth" turns out to contain it, so the tour shows a claim on both sides."""

from __future__ import annotations

import hashlib
import io

import soundfile
from sqlalchemy import Connection

from consentry.audio.fingerprint import fingerprint_file, fingerprint_samples
from consentry.demo.audio import RATE, plucked_chords
from consentry.services.upload_claims import claim_in
from consentry.settings import Settings
from consentry.store import catalogue, media, parties
from consentry.store.catalogue_index import CatalogueIndex
from consentry.store.reference_recordings import add_reference

REFERENCE_TITLE = "Harbour Lights (Northwind archive)"
CLAIMED_TRACK = "Red Earth"
_ROOTS = (164.8, 123.5, 138.6, 185.0, 146.8, 110.0, 207.7, 174.6)


def seed_demo_claim(conn: Connection, settings: Settings) -> int:
    """Register the reference and upload its copy as "Red Earth"; the claims it opened."""
    holder = next(h for h in parties.list_rights_holders(conn) if h.name == "Northwind Records")
    track = next(t for t in catalogue.list_tracks(conn, limit=100) if t.title == CLAIMED_TRACK)
    reference = plucked_chords(_ROOTS)[:, 0]
    sha256 = hashlib.sha256(reference.tobytes()).hexdigest()
    add_reference(conn, holder.id, REFERENCE_TITLE, sha256, fingerprint_samples(reference, RATE))
    # 15 s of it as FLAC: the demo's plucked sine chords are too bare for a claim to survive a
    # lossy copy with a margin (tests/e2e/test_content_id.py shows a noisy MP3 being caught)
    copy = reference[int(2.5 * RATE):int(17.5 * RATE)]
    buffer = io.BytesIO()
    soundfile.write(buffer, copy, RATE, format="FLAC", subtype="PCM_16")
    buffer.seek(0)
    stored = media.store_upload(buffer, settings.data_dir, settings.max_upload_bytes,
                                max_seconds=settings.max_audio_seconds)
    catalogue.attach_audio(conn, track.id, stored)
    claims = claim_in(conn, CatalogueIndex(), track.id, fingerprint_file(stored.path),
                      stored.sha256, "consentry demo", settings.base_url)
    return len(claims)
