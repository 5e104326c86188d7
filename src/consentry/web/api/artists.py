"""Artists, their tracks, their consent state and history, and their export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from consentry import access
from consentry.access import Principal, Role
from consentry.services.artist_export import export_artist
from consentry.store import catalogue, ledger, parties
from consentry.web.api.models import ConsentEventOut, NameIn, PartyOut, TrackOut
from consentry.web.api.tracks import track_records
from consentry.web.dependencies import Admin, At, Db, principal_in
from consentry.web.errors import error_responses

router = APIRouter(prefix="/artists", tags=["artists"], responses=error_responses(403))
ArtistOrAdmin = Annotated[Principal, principal_in(Role.ARTIST, Role.ADMIN)]
ONE_ARTIST = error_responses(404)


@router.get("", response_model=list[PartyOut])
def list_artists(db: Db, who: Admin, limit: int = Query(100, ge=1, le=1000),
                 offset: int = Query(0, ge=0)) -> list[PartyOut]:
    return [PartyOut(id=a.id, name=a.name) for a in parties.list_artists(db, limit, offset)]


@router.post("", response_model=PartyOut, status_code=201)
def create_artist(body: NameIn, db: Db, who: Admin) -> PartyOut:
    artist = parties.create_artist(db, body.name)
    return PartyOut(id=artist.id, name=artist.name)


@router.get("/{artist_id}", response_model=PartyOut, responses=ONE_ARTIST)
def get_artist(artist_id: int, db: Db, who: ArtistOrAdmin) -> PartyOut:
    access.require_artist_self(who, artist_id)
    artist = parties.get_artist(db, artist_id)
    return PartyOut(id=artist.id, name=artist.name)


@router.get("/{artist_id}/tracks", response_model=list[TrackOut], responses=ONE_ARTIST)
def artist_tracks(artist_id: int, db: Db, who: ArtistOrAdmin,
                  limit: int = Query(100, ge=1, le=1000),
                  offset: int = Query(0, ge=0)) -> list[TrackOut]:
    access.require_artist_self(who, artist_id)
    parties.get_artist(db, artist_id)
    return track_records(db, catalogue.list_tracks(
        db, artist_id=artist_id, limit=limit, offset=offset))


@router.get("/{artist_id}/consent", response_model=list[ConsentEventOut], responses=ONE_ARTIST)
def current_consent(artist_id: int, db: Db, who: ArtistOrAdmin,
                    at: At) -> list[ConsentEventOut]:
    """What the artist last said per scope and purpose, at ``at`` (default now)."""
    access.require_artist_self(who, artist_id)
    parties.get_artist(db, artist_id)
    events = ledger.events_of(db, [artist_id], until=at)
    latest = {(e.track_id, e.purpose): e for e in events}
    return [ConsentEventOut.of(e) for e in sorted(
        latest.values(), key=lambda e: (e.track_id or 0, e.purpose))]


@router.get("/{artist_id}/consent/history", response_model=list[ConsentEventOut],
            responses=ONE_ARTIST)
def consent_history(artist_id: int, db: Db, who: ArtistOrAdmin) -> list[ConsentEventOut]:
    """Every consent event of the artist, oldest first. Nothing is ever removed."""
    access.require_artist_self(who, artist_id)
    parties.get_artist(db, artist_id)
    return [ConsentEventOut.of(e) for e in ledger.events_of(db, [artist_id])]


@router.get("/{artist_id}/export", responses=ONE_ARTIST)
def export(artist_id: int, db: Db, who: ArtistOrAdmin) -> dict[str, Any]:
    """Everything recorded about the artist's consent, as one JSON document."""
    access.require_artist_self(who, artist_id)
    return export_artist(db, artist_id)
