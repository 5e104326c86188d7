"""Tracks with their co-owners and recordings, and rights holders' agreements."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, Row, insert, select, update

from consentry.consent import Agreement, Share, Track
from consentry.consent.ownership import INVITED, ShareAnswers
from consentry.consent.parties import SHARE_UNITS
from consentry.errors import InvalidInput, NotFound, TrackRemoved
from consentry.ledger.records import AGREEMENT, TRACK_OWNERSHIP
from consentry.store.log_sources import log_new_row
from consentry.store.parties import get_artist, get_rights_holder
from consentry.store.records import agreement_from_row, purposes_json
from consentry.store.schema import (
    agreements,
    share_answers,
    track_removals,
    track_shares,
    tracks,
)
from consentry.store.share_answers import accepted_track_ids, append_answer, share_answers_of
from consentry.store.terms import terms_at
from consentry.timestamps import from_micros, to_micros, utcnow

if TYPE_CHECKING:  # at run time, reading tracks need not load libsndfile
    from consentry.store.media import StoredAudio

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")


def create_track(
    conn: Connection, title: str, artist_id: int, shares: Sequence[Share] = (),
    rights_holder_id: int | None = None, isrc: str | None = None,
    accepted: Collection[int] | None = None, by: str = "",
) -> Track:
    """Register a track; without shares the managing artist owns all of it.

    ``accepted`` are the owners whose share is accepted as it is written (by default the
    managing artist alone: the artist registering their own track, or the operator); every
    other owner is invited and counts only once they accept (consent/ownership.py).
    """
    title = title.strip()
    if not title or len(title) > 300:
        raise InvalidInput("track title must be 1 to 300 characters")
    if isrc is not None and not _ISRC.match(isrc):
        raise InvalidInput(f"{isrc!r} is not an ISRC (e.g. GBAYE2400001)")
    shares = tuple(shares) or (Share(artist_id, SHARE_UNITS),)
    Track(0, artist_id, shares, rights_holder_id, title, isrc)  # validates the shares
    for share in shares:
        get_artist(conn, share.artist_id)
    if rights_holder_id is not None:
        get_rights_holder(conn, rights_holder_id)
    new_id = conn.execute(insert(tracks).values(
        title=title, artist_id=artist_id, rights_holder_id=rights_holder_id, isrc=isrc,
        created_at=to_micros(utcnow()))).inserted_primary_key[0]  # type: ignore[index]
    conn.execute(insert(track_shares), [
        {"track_id": new_id, "artist_id": s.artist_id, "basis_points": s.basis_points}
        for s in shares])
    log_new_row(conn, TRACK_OWNERSHIP, new_id)
    accepted = {artist_id} if accepted is None else set(accepted)
    for share in shares:
        if share.artist_id not in accepted:
            append_answer(conn, new_id, share.artist_id, False,
                           f"{INVITED} by {by}" if by else INVITED)
    return get_track(conn, new_id)


def get_track(conn: Connection, track_id: int) -> Track:
    """The track; ``TrackRemoved`` once it was removed, ``NotFound`` if it never existed."""
    found = get_tracks(conn, [track_id])
    if not found:
        removed = conn.execute(select(track_removals.c.removed_at).where(
            track_removals.c.track_id == track_id)).scalar()
        if removed is not None:
            raise TrackRemoved(f"track {track_id} was removed on "
                               f"{from_micros(removed).date().isoformat()}")
        raise NotFound(f"track {track_id} does not exist")
    return found[0]


def get_tracks(conn: Connection, track_ids: Sequence[int]) -> list[Track]:
    """The tracks that exist among ``track_ids`` and were not removed, in the order asked."""
    rows = list(conn.execute(select(tracks).where(tracks.c.id.in_(track_ids), live_tracks())))
    return tracks_with_shares(conn, rows, order=list(track_ids))


def live_tracks() -> ColumnElement[bool]:
    """Tracks not removed: every list and lookup leaves removed ones out."""
    return tracks.c.id.not_in(select(track_removals.c.track_id))


def track_titles(conn: Connection, track_ids: Collection[int]) -> dict[int, str]:
    """The titles of these tracks, removed ones too: a history names what it was about."""
    if not track_ids:
        return {}
    return {r.id: r.title for r in conn.execute(
        select(tracks.c.id, tracks.c.title).where(tracks.c.id.in_(list(track_ids))))}


def removed_track_ids(conn: Connection, track_ids: Sequence[int]) -> set[int]:
    return set(conn.execute(select(track_removals.c.track_id).where(
        track_removals.c.track_id.in_(list(track_ids)))).scalars())


def list_tracks(
    conn: Connection, *, artist_id: int | None = None, rights_holder_id: int | None = None,
    limit: int = 100, offset: int = 0,
) -> list[Track]:
    """Tracks, optionally those an artist co-owns or a rights holder controls."""
    query = select(tracks).where(live_tracks()).order_by(tracks.c.id).limit(limit).offset(offset)
    if artist_id is not None:  # the tracks whose share the artist has accepted
        query = query.where(tracks.c.id.in_(accepted_track_ids(artist_id)))
    if rights_holder_id is not None:
        query = query.where(tracks.c.rights_holder_id == rights_holder_id)
    return tracks_with_shares(conn, list(conn.execute(query)))


def tracks_with_shares(conn: Connection, rows: Sequence[Row[Any]],
                       order: list[int] | None = None) -> list[Track]:
    shares: dict[int, list[Share]] = defaultdict(list)
    if rows:
        for s in conn.execute(select(track_shares).where(
                track_shares.c.track_id.in_([r.id for r in rows]))
                .order_by(track_shares.c.track_id, track_shares.c.artist_id)):
            shares[s.track_id].append(Share(s.artist_id, s.basis_points))
    answers = ShareAnswers(share_answers_of(conn, [r.id for r in rows]))
    now = utcnow()
    built = {}
    for r in rows:
        owned = tuple(shares[r.id])
        pending = frozenset(s.artist_id for s in owned
                            if not answers.counts(r.id, s.artist_id, now))
        built[r.id] = Track(r.id, r.artist_id, owned, r.rights_holder_id, r.title, r.isrc,
                            pending)
    return [built[i] for i in (order if order is not None else built) if i in built]


@dataclass(frozen=True)
class Invitation:
    """A share an artist was offered and has not accepted: what, by whom, since when."""

    track: Track
    basis_points: int
    managing_artist: str
    since: datetime
    declined: bool


def invitations_of(conn: Connection, artist_id: int) -> list[Invitation]:
    """The artist's shares that do not count now: not answered yet, or declined."""
    invited = [r.track_id for r in conn.execute(
        select(share_answers.c.track_id).distinct()
        .where(share_answers.c.artist_id == artist_id).order_by(share_answers.c.track_id))]
    found = []
    for track in get_tracks(conn, invited):
        if artist_id not in track.pending_ids:
            continue
        answers = share_answers_of(conn, [track.id])
        mine = [a for a in answers if a.artist_id == artist_id]
        share = next(s.basis_points for s in track.shares if s.artist_id == artist_id)
        found.append(Invitation(track, share, get_artist(conn, track.artist_id).name,
                                mine[0].at, len(mine) > 1))
    return found


@dataclass(frozen=True)
class TrackAudio:
    """A track's recording: the stored file's hash and what probing it found.

    Kept beside ``Track`` rather than in it: the consent rules never look at the audio.
    """

    track_id: int
    sha256: str
    format: str
    mime: str
    size: int
    duration_ms: int
    uploaded_at: datetime


def attach_audio(conn: Connection, track_id: int, stored: StoredAudio) -> TrackAudio:
    """Make ``stored`` the track's recording. A replaced file stays: other tracks may share it."""
    get_track(conn, track_id)
    audio = TrackAudio(track_id, stored.sha256, stored.info.format, stored.info.mime,
                       stored.size, round(stored.info.duration_seconds * 1000), utcnow())
    conn.execute(update(tracks).where(tracks.c.id == track_id).values(
        audio_sha256=audio.sha256, audio_format=audio.format, audio_mime=audio.mime,
        audio_bytes=audio.size, duration_ms=audio.duration_ms,
        audio_uploaded_at=to_micros(audio.uploaded_at)))
    return audio


def get_track_audio(conn: Connection, track_id: int) -> TrackAudio | None:
    """The track's recording, or None when none was uploaded (or the track does not exist)."""
    return tracks_audio(conn, [track_id]).get(track_id)


def tracks_audio(conn: Connection, track_ids: Sequence[int]) -> dict[int, TrackAudio]:
    """The recordings of those of ``track_ids`` that have one."""
    if not track_ids:
        return {}
    c = tracks.c
    rows = conn.execute(select(
        c.id, c.audio_sha256, c.audio_format, c.audio_mime, c.audio_bytes, c.duration_ms,
        c.audio_uploaded_at).where(c.id.in_(track_ids), c.audio_sha256.is_not(None)))
    return {r.id: TrackAudio(r.id, r.audio_sha256, r.audio_format, r.audio_mime, r.audio_bytes,
                             r.duration_ms, from_micros(r.audio_uploaded_at)) for r in rows}


def create_agreement(
    conn: Connection, rights_holder_id: int, title: str, restricted_purposes: frozenset[str],
    starts_at: datetime | None = None, ends_at: datetime | None = None,
) -> Agreement:
    """Record an agreement; it counts for decisions from the moment it is recorded, whatever
    earlier start it states (see docs/decisions.md, "No backdating")."""
    get_rights_holder(conn, rights_holder_id)
    title = title.strip()
    if not title or len(title) > 200:
        raise InvalidInput("agreement title must be 1 to 200 characters")
    if not restricted_purposes:
        raise InvalidInput("an agreement must restrict at least one purpose")
    now = utcnow()
    terms = terms_at(conn, now)
    required = sorted(p for p in restricted_purposes if terms.requires(p))
    if required:
        raise InvalidInput(
            f"the terms (version {terms.version}) require {', '.join(map(repr, required))} for "
            "all content, so an agreement cannot restrict it: it would change no decision")
    starts_at = starts_at or now
    Agreement(0, rights_holder_id, title, restricted_purposes, starts_at, ends_at)  # validates
    new_id = conn.execute(insert(agreements).values(
        rights_holder_id=rights_holder_id, title=title,
        restricted_purposes=purposes_json(restricted_purposes), starts_at=to_micros(starts_at),
        ends_at=None if ends_at is None else to_micros(ends_at),
        created_at=to_micros(now))).inserted_primary_key[0]  # type: ignore[index]
    log_new_row(conn, AGREEMENT, new_id)
    return get_agreement(conn, new_id)


def get_agreement(conn: Connection, agreement_id: int) -> Agreement:
    row = conn.execute(select(agreements).where(agreements.c.id == agreement_id)).first()
    if row is None:
        raise NotFound(f"agreement {agreement_id} does not exist")
    return agreement_from_row(row)


def list_agreements(conn: Connection, rights_holder_id: int | None = None) -> list[Agreement]:
    query = select(agreements).order_by(agreements.c.id)
    if rights_holder_id is not None:
        query = query.where(agreements.c.rights_holder_id == rights_holder_id)
    return [agreement_from_row(r) for r in conn.execute(query)]
