"""Everything recorded about one artist's consent, as one JSON-ready document: the tracks and
today's decisions, and every record a decision about them reads (consent events, share
invitations and answers, the agreements of their tracks' rights holders, content claims with
every change, terms answers) and the withdrawals that reached them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from consentry import __version__
from consentry.purposes import VOCABULARY
from consentry.services.decisions import decide_tracks
from consentry.store.accounts import accounts_of
from consentry.store.catalogue import invitations_of, list_agreements, list_tracks
from consentry.store.claims import claim_records
from consentry.store.ledger import events_of
from consentry.store.parties import get_artist
from consentry.store.share_answers import share_answers_of
from consentry.store.terms import terms_at
from consentry.store.terms_acceptance import answers_of
from consentry.store.withdrawals import list_withdrawals
from consentry.timestamps import from_micros, utcnow


def export_artist(conn: Connection, artist_id: int) -> dict[str, Any]:
    """The artist, their tracks, every record their decisions read, and today's decisions
    with reasons."""
    artist = get_artist(conn, artist_id)
    now = utcnow()
    tracks = list_tracks(conn, artist_id=artist_id, limit=1_000_000)
    events = events_of(conn, [artist_id])
    invited = [i.track.id for i in invitations_of(conn, artist_id)]
    own = {t.id for t in tracks}  # of a track they are only invited to: their own answers
    answers = [a for a in share_answers_of(conn, sorted(own | set(invited)))
               if a.track_id in own or a.artist_id == artist_id]
    holders = sorted({t.rights_holder_id for t in tracks if t.rights_holder_id is not None})
    agreements = [a for h in holders for a in list_agreements(conn, h)]
    claims = claim_records(conn, artist_id=artist_id)
    users = accounts_of(conn, [artist_id])
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
                "rule": d.rule.value,
                "reasons": [_said_to(artist_id, r.summary, r.artist_id) for r in d.reasons],
            } for purpose, ds in decisions.items() for d in ds if d.track_id == t.id],
        } for t in tracks],
        "consent_events": [{
            "id": e.id, "scope": e.scope, "track_id": e.track_id, "purpose": e.purpose,
            "choice": e.choice.value, "recorded_at": e.recorded_at.isoformat(),
            "source": e.source, "terms_version": e.terms_version,
            "recorded_by": e.recorded_by} for e in events],
        "share_answers": [{
            "id": a.id, "track_id": a.track_id, "artist_id": a.artist_id,
            "accepted": a.accepted, "at": a.at.isoformat(), "by": a.by} for a in answers],
        "agreements": [{
            "id": a.id, "rights_holder_id": a.rights_holder_id, "title": a.title,
            "restricted_purposes": sorted(a.restricted_purposes),
            "starts_at": a.starts_at.isoformat(),
            "ends_at": a.ends_at.isoformat() if a.ends_at else None,
            "recorded_at": a.recorded_at.isoformat() if a.recorded_at else None,
            "in_force_from": a.effective_from.isoformat()} for a in agreements],
        "content_claims": [{
            "id": c.id, "track_id": c.claim.track_id,
            "claimant_rights_holder_id": c.claim.rights_holder_id,
            "claimant_artist_id": c.claim.claimant_artist_id, "recording": c.recording_key,
            "matched_seconds": c.matched_seconds, "status": c.status.value,
            "changes": [{"status": ch.status.value, "at": ch.at.isoformat(), "by": ch.by,
                         "reason": ch.reason,
                         "respond_by": ch.respond_by.isoformat() if ch.respond_by else None}
                        for ch in c.claim.changes]} for c in claims],
        "terms_answers": [{
            "user_id": u.id, "version": r.version, "text_sha256": r.text_hash,
            "accepted": r.accepted, "at": from_micros(r.at).isoformat()}
            for u in users for r in answers_of(conn, u.id)],
        "withdrawals": [{
            "id": w.id, "snapshot_id": w.snapshot_id, "purpose": w.purpose,
            "cause": {"kind": w.cause[0], "id": w.cause[1]}, "track_ids": list(w.track_ids),
            "withdrawn_at": w.recorded_at.isoformat(), "stage": w.stage}
            for w in list_withdrawals(conn, artist_id=artist_id)],
    }


def _said_to(artist_id: int, summary: str, chosen_by: int | None) -> str:
    """A reason as this artist's export may hold it: a co-owner's choice is named as theirs,
    without its date and event, which belong to the co-owner's own record and export."""
    if chosen_by is None or chosen_by == artist_id:
        return summary
    return (f"A co-owner's choice (artist {chosen_by}) decides this; when and how they made "
            "it is theirs to export.")
