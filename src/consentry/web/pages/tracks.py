"""An artist's own tracks: register one (with co-owners and shares) and upload its audio."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from consentry.consent import Share, Track
from consentry.consent.parties import SHARE_UNITS
from consentry.errors import N_, ConsentryError, Forbidden, InvalidInput
from consentry.services.email_verification import require_verified
from consentry.store import catalogue
from consentry.store.claims import claim_records
from consentry.web.api.audio import receive_track_audio
from consentry.web.dependencies import Db, EngineDep, SettingsDep
from consentry.web.pages.artist import artist_id_of
from consentry.web.pages.claims import claims_view
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import finish, gettext, render
from consentry.web.sessions import check_csrf

router = APIRouter()


@router.get("/me/tracks/new")
def new_track_form(request: Request, page: Page) -> Response:
    artist_id_of(page)
    return render(request, page, "track_new.html")


@router.post("/me/tracks/new")
async def new_track(request: Request, page: Page, db: Db) -> Response:
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    artist_id = artist_id_of(page)
    require_verified(require_user(page))
    title, co_owners = str(form.get("title", "")), str(form.get("co_owners", ""))
    try:
        track = catalogue.create_track(db, title, artist_id, _shares(artist_id, co_owners))
    except ConsentryError as error:
        return render(request, page, "track_new.html", 422, title=title, co_owners=co_owners,
                      error=gettext(page, error.message))
    return finish(request, page, RedirectResponse(f"/me/tracks/{track.id}", status_code=303))


def _shares(artist_id: int, text: str) -> list[Share]:
    """'12: 40' per line: artist 12 owns 40%; the rest of the track is the uploader's."""
    others = []
    for line in filter(None, (raw.strip() for raw in text.splitlines()[:50])):
        who, _, percent = line.partition(":")
        try:
            others.append(Share(int(who), round(float(percent) * SHARE_UNITS / 100)))
        except ValueError as error:
            raise InvalidInput(N_("write each co-owner as 'artist number: percent'")) from error
    mine = SHARE_UNITS - sum(s.basis_points for s in others)
    return [Share(artist_id, mine), *others] if others else []


@router.get("/me/tracks/{track_id}")
def manage_track(track_id: int, request: Request, page: Page, db: Db) -> Response:
    track = _own_track(page, db, track_id)
    return render(request, page, "track_manage.html", track=track,
                  audio=catalogue.get_track_audio(db, track_id),
                  error=request.query_params.get("error"), mode="artist",
                  **claims_view(db, claim_records(db, track_ids=[track_id])))


@router.post("/me/tracks/{track_id}/audio")
async def upload(track_id: int, request: Request, page: Page, db: Db,
                 settings: SettingsDep, engine: EngineDep) -> Response:
    """The form's token comes in the body, in a field before the file, and is checked before
    the file is stored; a token in the address (kept by logs and history) is refused."""
    if "csrf_token" in request.query_params:
        check_csrf(page, None)
    _own_track(page, db, track_id)
    require_verified(require_user(page))
    try:
        received = await receive_track_audio(
            request, settings, engine, track_id, f"user:{page.user.id}" if page.user else "web",
            check_fields=lambda fields: check_csrf(page, fields.get("csrf_token")))
    except Forbidden:
        raise
    except ConsentryError as error:
        return render(request, page, "track_manage.html", 422,
                      track=catalogue.get_track(db, track_id),
                      audio=catalogue.get_track_audio(db, track_id),
                      error=gettext(page, error.message), mode="artist",
                      **claims_view(db, claim_records(db, track_ids=[track_id])))
    notice = "uploaded" if received else "unchanged"
    return finish(request, page, RedirectResponse(f"/me/tracks/{track_id}?notice={notice}",
                                                  status_code=303))


def _own_track(page: Page, db: Db, track_id: int) -> Track:
    artist_id = artist_id_of(page)
    track = catalogue.get_track(db, track_id)
    if artist_id not in track.accepted_owner_ids:
        raise Forbidden(f"no access to track {track_id}")
    return track
