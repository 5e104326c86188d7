"""Tracks, their consent events, and the decision for one track."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from consentry import access
from consentry.access import Principal, Role
from consentry.consent import Share, Track
from consentry.errors import Forbidden, InvalidInput
from consentry.purposes import get_purpose
from consentry.services.decisions import decide_every_purpose, decide_tracks
from consentry.services.track_removals import remove_track, require_remover
from consentry.store import catalogue, ledger, parties
from consentry.store.paging import Page
from consentry.store.track_search import TrackSearch, search_tracks
from consentry.web.api.listing import Listed, Listing
from consentry.web.api.models import ConsentEventOut, DecisionOut, TrackIn, TrackOut
from consentry.web.dependencies import At, Db, Who, principal_in
from consentry.web.errors import error_responses

router = APIRouter(prefix="/tracks", tags=["tracks"], responses=error_responses(403))
# Consumers ask for decisions; the track records are for those who keep them
KEEPERS = (Role.ADMIN, Role.ARTIST, Role.RIGHTS_HOLDER)
Keeper = Annotated[Principal, principal_in(*KEEPERS)]
ONE_TRACK = error_responses(404)


def track_records(db: Connection, found: Sequence[Track]) -> list[TrackOut]:
    """Tracks as the API shows them, with their recordings (read in one query)."""
    audio = catalogue.tracks_audio(db, [t.id for t in found])
    return [TrackOut.of(t, audio.get(t.id)) for t in found]


SearchText = Annotated[str | None, Query(
    max_length=200, description="Any part of the title or of an owner's name, in any case")]
SearchIsrc = Annotated[str | None, Query(
    max_length=40, description="The ISRC exactly; case, spaces and hyphens do not matter")]


def track_list(db: Connection, listing: Listing, search: TrackSearch) -> list[TrackOut]:
    """A window of the tracks a search finds, as the API shows them, with its headers."""
    found = search_tracks(db, search, listing.window)
    return listing.answer(Page(track_records(db, found.items), found.total, found.window))


@router.get("", response_model=list[TrackOut])
def list_tracks(db: Db, who: Keeper, listing: Listed, q: SearchText = None,
                isrc: SearchIsrc = None) -> list[TrackOut]:
    """Admins see every track, artists the tracks they co-own, labels their catalogue;
    ``q`` and ``isrc`` narrow the list."""
    search = TrackSearch(text=q, isrc=isrc)
    if who.role is Role.ARTIST:
        search = TrackSearch(artist_id=who.subject_id, text=q, isrc=isrc)
    elif who.role is Role.RIGHTS_HOLDER:
        search = TrackSearch(rights_holder_id=who.subject_id, text=q, isrc=isrc)
    return track_list(db, listing, search)


@router.post("", response_model=TrackOut, status_code=201,
             responses=error_responses(404))
def create_track(body: TrackIn, db: Db, who: Keeper) -> TrackOut:
    """Register a track. Artists register their own; labels register into their catalogue.

    Every owner named by someone else (a co-owner, or the artist of a label's track) is
    invited, and counts for the track only once they accept (``/v1/invitations``)."""
    artist_id, rights_holder_id = body.artist_id, body.rights_holder_id
    if who.role is Role.ARTIST:
        artist_id = artist_id if artist_id is not None else who.subject_id
        access.require_artist_self(who, artist_id)  # type: ignore[arg-type]
        if rights_holder_id is not None:
            raise Forbidden("only the rights holder or an admin can place a track in a catalogue")
    elif who.role is Role.RIGHTS_HOLDER:
        rights_holder_id = rights_holder_id if rights_holder_id is not None else who.subject_id
        access.require_rights_holder_self(who, rights_holder_id)  # type: ignore[arg-type]
    if artist_id is None:
        raise InvalidInput("artist_id is required")
    shares = [Share(s.artist_id, round(s.percent * 100)) for s in body.co_owners]
    # Every owner named by someone else is invited: a label's own artist included
    accepted = () if who.role is Role.RIGHTS_HOLDER else (artist_id,)
    track = catalogue.create_track(db, body.title, artist_id, shares, rights_holder_id,
                                   body.isrc, accepted=accepted, by=who.label)
    return TrackOut.of(track)


@router.get("/{track_id}", response_model=TrackOut, responses=ONE_TRACK)
def get_track(track_id: int, db: Db, who: Keeper) -> TrackOut:
    track = catalogue.get_track(db, track_id)
    access.require_track(who, track)
    return TrackOut.of(track, catalogue.get_track_audio(db, track_id))


@router.get("/{track_id}/consent", response_model=list[ConsentEventOut], responses=ONE_TRACK)
def track_consent(track_id: int, db: Db, who: Keeper,
                  listing: Listed) -> list[ConsentEventOut]:
    """The events that bear on this track: choices made for it, and the caller's own defaults.

    Admins see every owner's defaults too; a co-owner's choices for their other tracks are
    theirs alone.
    """
    track = catalogue.get_track(db, track_id)
    access.require_track(who, track)
    events = ledger.track_events(db, track_id)
    if who.role is not Role.ADMIN:
        events = [e for e in events if e.track_id == track_id or (
            who.role is Role.ARTIST and e.artist_id == who.subject_id)]
    return [ConsentEventOut.of(e) for e in listing.window_of(events)]


@router.get("/{track_id}/decisions", response_model=list[DecisionOut], responses=ONE_TRACK)
def track_decisions(track_id: int, db: Db, who: Keeper, at: At) -> list[DecisionOut]:
    """The decision for every purpose of the vocabulary, with reasons (for owners and labels)."""
    track = catalogue.get_track(db, track_id)
    access.require_track(who, track)
    return [DecisionOut.of(d) for d in decide_every_purpose(db, track, at).values()]


@router.get("/{track_id}/decision", response_model=DecisionOut, responses=ONE_TRACK)
def track_decision(track_id: int, purpose: str, db: Db, who: Who, at: At) -> DecisionOut:
    """May this track be used for ``purpose`` at ``at``? Allow or deny, with the reason chain."""
    get_purpose(purpose)
    track = catalogue.get_track(db, track_id)
    access.require_decision_access(who, track, purpose)
    consumer_id = access.consumer_of(who)
    consumer = None if consumer_id is None else parties.get_consumer(db, consumer_id)
    return DecisionOut.of(decide_tracks(db, [track], purpose, at, consumer)[0])


class TrackRemovalOut(BaseModel):
    track_id: int
    removed_at: datetime
    removed_by: str
    withdrawals: int = Field(description="Dataset snapshots the track was withdrawn from")


@router.delete("/{track_id}", response_model=TrackRemovalOut,
               responses=error_responses(404, 410))
def delete_track(track_id: int, db: Db, who: Who) -> TrackRemovalOut:
    """Remove a track (its managing artist or an admin). Nothing is deleted: the removal is
    logged, the track leaves every dataset snapshot (a withdrawal each), and from then on
    its pages, audio and decisions answer 410 and lists leave it out."""
    track = catalogue.get_track(db, track_id)
    require_remover(who, track)
    removal = remove_track(db, track_id, who.label)
    return TrackRemovalOut(track_id=track_id, removed_at=removal.removed_at,
                           removed_by=removal.removed_by, withdrawals=removal.withdrawals)
