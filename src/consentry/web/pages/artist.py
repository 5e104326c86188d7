"""The artist's own pages: overview, history with receipts, export (permissions.py has the
AI permissions)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from consentry.access import Role
from consentry.errors import N_, DeliveryUnavailable, Forbidden
from consentry.ledger.checkpoint import vkey
from consentry.services.artist_export import export_artist
from consentry.services.receipts import consent_receipt
from consentry.store import catalogue, ledger, parties
from consentry.store.track_search import TrackSearch, search_tracks
from consentry.web.dependencies import Db
from consentry.web.history_download import history_csv
from consentry.web.pages.explain import use_label
from consentry.web.pages.listing import SearchIsrc, SearchText, Windowed
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import finish, render
from consentry.web.sessions import PageContext

router = APIRouter()
UNSET = ""


def artist_id_of(page: PageContext) -> int:
    user = require_user(page)
    if user.role is not Role.ARTIST or user.artist_id is None:
        raise Forbidden(N_("this page is for artists"))
    return user.artist_id


@router.get("/me")
def overview(request: Request, page: Page, db: Db, windowed: Windowed, q: SearchText = None,
             isrc: SearchIsrc = None) -> Response:
    user = require_user(page)
    if user.role is not Role.ARTIST:
        home = {Role.RIGHTS_HOLDER: "/label", Role.ADMIN: "/admin"}.get(user.role, "/")
        return finish(request, page, RedirectResponse(home, status_code=303))
    artist_id = artist_id_of(page)
    search = TrackSearch(artist_id=artist_id, text=q, isrc=isrc)
    found = search_tracks(db, search, windowed.window)
    return render(request, page, "me.html", artist=parties.get_artist(db, artist_id),
                  tracks=found.items, search=search, pager=windowed.pager(found),
                  invitations=len(catalogue.invitations_of(db, artist_id)))


@router.get("/me/history")
def history(request: Request, page: Page, db: Db, windowed: Windowed) -> Response:
    artist_id = artist_id_of(page)
    found = ledger.history_page(db, artist_id, windowed.window, newest_first=True)
    events = found.items
    titles = catalogue.track_titles(db, {e.track_id for e in events if e.track_id is not None})
    key = request.app.state.log_key
    return render(request, page, "history.html", events=events, titles=titles,
                  pager=windowed.pager(found),
                  labels={e.purpose: use_label(page, e.purpose) for e in events},
                  log_key=vkey(request.app.state.settings.log_origin, key.public_key())
                  if key else "")


@router.get("/me/history.csv")
def history_download(request: Request, page: Page, db: Db) -> Response:
    """The signed-in artist's own history, as the API's CSV."""
    return finish(request, page, history_csv(db, artist_id_of(page)))


@router.get("/me/history/{event_id}/receipt.json")
def receipt(event_id: int, request: Request, page: Page, db: Db) -> Response:
    """The receipt of one of the artist's own choices, to keep and verify offline."""
    artist_id = artist_id_of(page)
    if ledger.get_event(db, event_id).artist_id != artist_id:
        raise Forbidden(N_("this choice is not yours"))
    key = request.app.state.log_key
    if key is None:
        raise DeliveryUnavailable(N_("receipts are not available yet"))
    data = consent_receipt(db, event_id, request.app.state.settings.log_origin, key)
    response = Response(json.dumps(data, indent=2, ensure_ascii=False),
                        media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="consentry-receipt-{event_id}.json"'})
    return finish(request, page, response)


@router.get("/me/export.json")
def export(request: Request, page: Page, db: Db) -> Response:
    artist_id = artist_id_of(page)
    body = json.dumps(export_artist(db, artist_id), indent=2, ensure_ascii=False)
    response = Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="consentry-artist-{artist_id}.json"'})
    return finish(request, page, response)
