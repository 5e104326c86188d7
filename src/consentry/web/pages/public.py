"""Public pages: the home page, an artist's page and a track page with its AI permissions."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from consentry.consent import Artist, Track
from consentry.purposes import VOCABULARY
from consentry.services.content_signals import (
    artist_decisions,
    judge_artist_crawler,
    judge_track_crawler,
    track_decisions,
)
from consentry.services.decisions import decide_every_purpose
from consentry.settings import Settings
from consentry.signals.enforcement import crawler_purpose
from consentry.signals.open_paths import open_artist_path, open_track_path
from consentry.store import catalogue, ledger, parties
from consentry.timestamps import utcnow
from consentry.web.crawler_policy import KnownCrawler, refusal_response
from consentry.web.dependencies import Db, SettingsDep
from consentry.web.pages.explain import Known, outcome, use_label
from consentry.web.pages.page import Page
from consentry.web.rendering import render
from consentry.web.sessions import PageContext
from consentry.web.site_signals import content_signals, kept_out

router = APIRouter()


@router.get("/")
def home(request: Request, page: Page) -> Response:
    return render(request, page, "home.html")


@router.api_route("/artists/{artist_id}", methods=["GET", "HEAD"])
def artist_page(artist_id: int, request: Request, page: Page, db: Db, crawler: KnownCrawler,
                settings: SettingsDep) -> Response:
    """The artist and their tracks; its signals are the artist's defaults."""
    artist = parties.get_artist(db, artist_id)
    if crawler and settings.signals_enabled:
        refusal = judge_artist_crawler(db, crawler, artist_id)
        if refusal:
            return refusal_response(db, refusal)
        if kept_out(request, crawler):  # robots.txt sends it to its own open prefix
            return RedirectResponse(open_artist_path(crawler_purpose(crawler), artist_id), 308)
    return artist_response(request, page, db, settings, artist)


def artist_response(request: Request, page: PageContext, db: Db, settings: Settings,
                    artist: Artist) -> Response:
    """The artist page as decided now (crawlers judged before)."""
    artist_id = artist.id
    tracks = catalogue.list_tracks(db, artist_id=artist_id, limit=1000)
    headers, meta = (content_signals(request, settings, artist_decisions(db, artist_id))
                     if settings.signals_enabled else ({}, []))
    response = render(request, page, "artist.html", artist=artist, tracks=tracks, meta=meta)
    response.headers.update(headers)
    return response


@router.api_route("/tracks/{track_id}", methods=["GET", "HEAD"])
def track_page(track_id: int, request: Request, page: Page, db: Db, crawler: KnownCrawler,
               settings: SettingsDep) -> Response:
    """What AI may do with this track, purpose by purpose, as of now."""
    track = catalogue.get_track(db, track_id)
    if crawler and settings.signals_enabled:
        refusal = judge_track_crawler(db, crawler, track)
        if refusal:
            return refusal_response(db, refusal)
        if kept_out(request, crawler):  # robots.txt sends it to its own open prefix
            return RedirectResponse(open_track_path(crawler_purpose(crawler), track.id), 308)
    return track_response(request, page, db, settings, track)


def track_response(request: Request, page: PageContext, db: Db, settings: Settings,
                   track: Track) -> Response:
    """The track page as decided now (crawlers judged before)."""
    track_id = track.id
    decisions = request.app.state.ledger_memo.get(
        db, ("decisions", track.id), partial(track_decisions, db, track))
    explained = request.app.state.ledger_memo.get(
        db, ("explained", track.id), partial(decide_every_purpose, db, track, utcnow()))
    names = {a: parties.get_artist(db, a).name for a in track.owner_ids}
    known = Known(artists=names,
                  agreements={a.id: a.title for a in catalogue.list_agreements(db)},
                  events={e.id: e for e in ledger.track_events(db, track.id)})
    uses = [(use_label(page, p.id, public=True), outcome(page, explained[p.id], known,
                                                          public=True)) for p in VOCABULARY]
    headers, meta = (content_signals(request, settings, decisions) if settings.signals_enabled
                     else ({}, []))
    response = render(request, page, "track.html", track=track, uses=uses, names=names,
                      audio=catalogue.get_track_audio(db, track_id), meta=meta)
    response.headers.update(headers)
    return response
