"""Answers to shares of tracks: the invitation of an owner named by someone else, and each
answer to it, append-only and logged (consent/ownership.py). A share without rows counts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Select, exists, func, insert, select

from consentry.consent.ownership import INVITED, ShareAnswer
from consentry.errors import InvalidInput, NotFound
from consentry.ledger.records import SHARE_ANSWER
from consentry.store.log_sources import log_new_row
from consentry.store.schema import share_answers, track_shares, tracks
from consentry.timestamps import from_micros, to_micros, utcnow


def answer_share(conn: Connection, track_id: int, artist_id: int, accepted: bool,
                 by: str) -> ShareAnswer:
    """Record an owner's answer to their share; the latest answer counts from now on."""
    invited = conn.execute(select(share_answers.c.id).where(
        share_answers.c.track_id == track_id, share_answers.c.artist_id == artist_id)).first()
    if invited is None:
        raise NotFound(f"artist {artist_id} has no invitation to a share of track {track_id}")
    if not by.strip() or by.startswith(INVITED):
        raise InvalidInput("an answer names who gave it")
    return append_answer(conn, track_id, artist_id, accepted, by)


def append_answer(conn: Connection, track_id: int, artist_id: int, accepted: bool,
                   by: str) -> ShareAnswer:
    at = utcnow()
    new_id = conn.execute(insert(share_answers).values(
        track_id=track_id, artist_id=artist_id, accepted=accepted, at=to_micros(at),
        by=by[:200])).inserted_primary_key[0]  # type: ignore[index]
    log_new_row(conn, SHARE_ANSWER, new_id)
    return ShareAnswer(new_id, track_id, artist_id, accepted, from_micros(to_micros(at)), by[:200])


def share_answers_of(conn: Connection, track_ids: Sequence[int]) -> list[ShareAnswer]:
    """Every answer about these tracks, oldest first."""
    if not track_ids:
        return []
    rows = conn.execute(select(share_answers).where(share_answers.c.track_id.in_(track_ids))
                        .order_by(share_answers.c.at, share_answers.c.id))
    return [ShareAnswer(r.id, r.track_id, r.artist_id, bool(r.accepted), from_micros(r.at), r.by)
            for r in rows]


def accepted_track_ids(artist_id: int) -> Select[tuple[int]]:
    """The tracks whose share counts for the artist now: never invited (they registered it),
    or their latest answer accepts it."""
    latest = (select(func.max(share_answers.c.id))
              .where(share_answers.c.artist_id == artist_id)
              .group_by(share_answers.c.track_id))
    pending = (select(share_answers.c.track_id)
               .where(share_answers.c.id.in_(latest), ~share_answers.c.accepted))
    owned = select(track_shares.c.track_id).where(track_shares.c.artist_id == artist_id,
                                                  track_shares.c.track_id.not_in(pending))
    alone = select(tracks.c.id).where(  # managed alone, stored before shares were (imports)
        tracks.c.artist_id == artist_id, ~exists().where(track_shares.c.track_id == tracks.c.id))
    return owned.union(alone)  # type: ignore[return-value]
