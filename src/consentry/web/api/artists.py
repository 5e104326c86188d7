"""Artists, their tracks, their consent state and history, and their export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import Response

from consentry import access
from consentry.access import Principal, Role
from consentry.services.artist_export import export_artist
from consentry.store import ledger, parties
from consentry.store.track_search import TrackSearch
from consentry.web.api.listing import Listed
from consentry.web.api.models import ConsentEventOut, NameIn, PartyOut, TrackOut
from consentry.web.api.tracks import SearchIsrc, SearchText, track_list
from consentry.web.dependencies import Admin, At, Db, principal_in
from consentry.web.errors import error_responses
from consentry.web.history_download import HISTORY_CSV, history_csv

router = APIRouter(prefix="/artists", tags=["artists"], responses=error_responses(403))
ArtistOrAdmin = Annotated[Principal, principal_in(Role.ARTIST, Role.ADMIN)]
ONE_ARTIST = error_responses(404)


@router.get("", response_model=list[PartyOut])
def list_artists(db: Db, who: Admin, listing: Listed) -> list[PartyOut]:
    return listing.answer(parties.artist_page(db, listing.window).map(
        lambda a: PartyOut(id=a.id, name=a.name)))


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
def artist_tracks(artist_id: int, db: Db, who: ArtistOrAdmin, listing: Listed,
                  q: SearchText = None, isrc: SearchIsrc = None) -> list[TrackOut]:
    access.require_artist_self(who, artist_id)
    parties.get_artist(db, artist_id)
    return track_list(db, listing, TrackSearch(artist_id=artist_id, text=q, isrc=isrc))


@router.get("/{artist_id}/consent", response_model=list[ConsentEventOut], responses=ONE_ARTIST)
def current_consent(artist_id: int, db: Db, who: ArtistOrAdmin, at: At,
                    listing: Listed) -> list[ConsentEventOut]:
    """What the artist last said per scope and purpose, at ``at`` (default now)."""
    access.require_artist_self(who, artist_id)
    parties.get_artist(db, artist_id)
    events = ledger.events_of(db, [artist_id], until=at)
    latest = {(e.track_id, e.purpose): e for e in events}
    return [ConsentEventOut.of(e) for e in listing.window_of(sorted(
        latest.values(), key=lambda e: (e.track_id or 0, e.purpose)))]


@router.get("/{artist_id}/consent/history", response_model=list[ConsentEventOut],
            responses=ONE_ARTIST)
def consent_history(artist_id: int, db: Db, who: ArtistOrAdmin,
                    listing: Listed) -> list[ConsentEventOut]:
    """Every consent event of the artist, oldest first. Nothing is ever removed."""
    access.require_artist_self(who, artist_id)
    parties.get_artist(db, artist_id)
    return listing.answer(ledger.history_page(db, artist_id, listing.window).map(
        ConsentEventOut.of))


@router.get("/{artist_id}/consent/history.csv", response_class=Response,
            responses=ONE_ARTIST | HISTORY_CSV)
def consent_history_csv(artist_id: int, db: Db, who: ArtistOrAdmin) -> Response:
    """The same history as one CSV file to keep or open in a spreadsheet: the artist's own
    (403 for another artist's), or any artist's for an admin."""
    access.require_artist_self(who, artist_id)
    parties.get_artist(db, artist_id)
    return history_csv(db, artist_id)


@router.get("/{artist_id}/export", responses=ONE_ARTIST)
def export(artist_id: int, db: Db, who: ArtistOrAdmin) -> dict[str, Any]:
    """Everything recorded about the artist's consent, as one JSON document."""
    access.require_artist_self(who, artist_id)
    return export_artist(db, artist_id)
