"""Recording a consent choice: checked against the owners and the terms in force, appended to
the ledger and the transparency log, and followed into every dataset it withdraws a track from,
all in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from consentry.consent import Choice, ConsentChoice, ConsentEvent
from consentry.errors import InvalidInput
from consentry.ledger.records import consent_event_record
from consentry.services.withdrawal_detection import record_withdrawals
from consentry.store.catalogue import get_track
from consentry.store.ledger import append_event
from consentry.store.parties import get_artist
from consentry.store.terms import terms_at
from consentry.store.terms_acceptance import version_for_artist
from consentry.store.transparency_log import append
from consentry.timestamps import utcnow


def record_choice(conn: Connection, choice: ConsentChoice) -> ConsentEvent:
    """Append one event, stamped with the time and the terms version that binds the artist."""
    get_artist(conn, choice.artist_id)
    if choice.track_id is not None:
        track = get_track(conn, choice.track_id)
        if choice.artist_id not in track.owner_ids:
            raise InvalidInput(
                f"artist {choice.artist_id} is not an owner of track {choice.track_id}")
        if choice.artist_id in track.pending_ids:
            raise InvalidInput(
                f"artist {choice.artist_id} has not accepted their share of track "
                f"{choice.track_id}: accept it first, then choose for it")
    now = utcnow()
    terms = terms_at(conn, now)
    if choice.choice is Choice.DENY and terms.requires(choice.purpose):
        raise InvalidInput(
            f"'{choice.purpose}' is required by the terms (version {terms.version}) and cannot "
            "be denied")
    # stamped with the version that binds this artist: never a material version they have
    # not accepted, though it may be in force for others
    version = version_for_artist(conn, choice.artist_id, now) or terms.version
    event = append_event(conn, choice, now, version)
    append(conn, [consent_event_record(event)])
    record_withdrawals(conn, event)  # after the log entry: see withdrawal_detection
    return event
