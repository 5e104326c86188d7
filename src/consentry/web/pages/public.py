"""Public pages: the home page, an artist's page and a track page with its AI permissions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from consentry.purposes import VOCABULARY
from consentry.store import catalogue, parties
from consentry.store.content_signals import signal_headers, signal_meta, track_decisions
from consentry.web.dependencies import Db
from consentry.web.pages import Page
from consentry.web.rendering import gettext, render

router = APIRouter()


@router.get("/")
def home(request: Request, page: Page) -> Response:
    return render(request, page, "home.html")


@router.get("/artists/{artist_id}")
def artist_page(artist_id: int, request: Request, page: Page, db: Db) -> Response:
    artist = parties.get_artist(db, artist_id)
    tracks = catalogue.list_tracks(db, artist_id=artist_id, limit=1000)
    return render(request, page, "artist.html", artist=artist, tracks=tracks)


@router.get("/tracks/{track_id}")
def track_page(track_id: int, request: Request, page: Page, db: Db) -> Response:
    """What AI may do with this track, purpose by purpose, as of now."""
    track = catalogue.get_track(db, track_id)
    decisions = track_decisions(db, track)
    uses = [(gettext(page, p.label), decisions[p.id]) for p in VOCABULARY]
    names = {a: parties.get_artist(db, a).name for a in track.owner_ids}
    response = render(request, page, "track.html", track=track, uses=uses, names=names,
                      audio=catalogue.get_track_audio(db, track_id),
                      meta=signal_meta(decisions))
    response.headers.update(signal_headers(decisions))
    return response
