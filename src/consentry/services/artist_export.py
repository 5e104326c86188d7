"""Everything recorded about one artist's consent, as one JSON-ready document."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from consentry import __version__
from consentry.purposes import VOCABULARY
from consentry.services.decisions import decide_tracks
from consentry.store.catalogue import list_tracks
from consentry.store.ledger import events_of
from consentry.store.parties import get_artist
from consentry.store.terms import terms_at
from consentry.timestamps import utcnow


def export_artist(conn: Connection, artist_id: int) -> dict[str, Any]:
    """The artist, their tracks, every consent event, and today's decisions with reasons."""
    artist = get_artist(conn, artist_id)
    now = utcnow()
    tracks = list_tracks(conn, artist_id=artist_id, limit=1_000_000)
    events = events_of(conn, [artist_id])
    decisions = {
        purpose.id: decide_tracks(conn, tracks, purpose.id, now) for purpose in VOCABULARY}
    return {
        "format": "consentry.artist-export/1",
        "generated_at": now.isoformat(),
        "generator": f"consentry {__version__}",
        "terms_version_in_force": terms_at(conn, now).version,
        "artist": {"id": artist.id, "name": artist.name},
        "tracks": [{
            "id": t.id, "title": t.title, "isrc": t.isrc, "managing_artist_id": t.artist_id,
            "rights_holder_id": t.rights_holder_id,
            "co_owners": [{"artist_id": s.artist_id, "percent": s.basis_points / 100}
                          for s in t.shares],
            "decisions": [{
                "purpose": purpose, "decision": "allow" if d.allowed else "deny",
                "rule": d.rule.value, "reasons": [r.summary for r in d.reasons],
            } for purpose, ds in decisions.items() for d in ds if d.track_id == t.id],
        } for t in tracks],
        "consent_events": [{
            "id": e.id, "scope": e.scope, "track_id": e.track_id, "purpose": e.purpose,
            "choice": e.choice.value, "recorded_at": e.recorded_at.isoformat(),
            "source": e.source, "terms_version": e.terms_version,
            "recorded_by": e.recorded_by} for e in events],
    }
