"""Removing a track from the pages, always through a confirmation page; and the admin's list
of tracks, where an admin finds one to remove."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from consentry.access import Role
from consentry.consent import Track
from consentry.errors import N_, Forbidden
from consentry.services.track_removals import may_remove, remove_track
from consentry.store import catalogue
from consentry.store.accounts import User
from consentry.store.track_search import TrackSearch, search_tracks
from consentry.web.dependencies import Db
from consentry.web.pages.listing import SearchIsrc, SearchText, Windowed
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import finish, render
from consentry.web.sessions import PageContext, check_csrf

router = APIRouter()
Text = Annotated[str, Form(max_length=1024)]


def _removable(page: PageContext, db: Db, track_id: int) -> tuple[User, Track]:
    user = require_user(page)
    track = catalogue.get_track(db, track_id)
    if not may_remove(user.role, user.artist_id, track):
        raise Forbidden(N_("only the artist who manages this track or an admin may remove it"))
    return user, track


def _back(role: Role) -> str:
    return "/admin/tracks" if role is Role.ADMIN else "/me"


@router.get("/me/tracks/{track_id}/remove")
@router.get("/admin/tracks/{track_id}/remove")
def confirm_removal(track_id: int, request: Request, page: Page, db: Db) -> Response:
    user, track = _removable(page, db, track_id)
    return render(request, page, "track_remove.html", track=track,
                  action=request.url.path, back=_back(user.role))


@router.post("/me/tracks/{track_id}/remove")
@router.post("/admin/tracks/{track_id}/remove")
def remove(track_id: int, request: Request, page: Page, db: Db,
           csrf_token: Text = "") -> Response:
    check_csrf(page, csrf_token)
    user, _track = _removable(page, db, track_id)
    remove_track(db, track_id, f"user:{user.id}")
    return finish(request, page, RedirectResponse(f"{_back(user.role)}?notice=removed",
                                                  status_code=303))


@router.get("/admin/tracks")
def admin_tracks(request: Request, page: Page, db: Db, windowed: Windowed,
                 q: SearchText = None, isrc: SearchIsrc = None) -> Response:
    if require_user(page).role is not Role.ADMIN:
        raise Forbidden(N_("this page is for platform admins"))
    search = TrackSearch(text=q, isrc=isrc)
    found = search_tracks(db, search, windowed.window)
    return render(request, page, "admin_tracks.html", tracks=found.items, search=search,
                  pager=windowed.pager(found))
