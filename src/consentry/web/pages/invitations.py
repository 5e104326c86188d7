"""An artist's invitations to co-own tracks, in the web app: see each offer, accept or decline
it. Only the artist invited answers; the answer counts from that moment on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from consentry.errors import N_, InvalidInput
from consentry.services import share_invitations
from consentry.store import catalogue
from consentry.web.dependencies import Db
from consentry.web.pages.artist import artist_id_of
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import finish, render
from consentry.web.sessions import check_csrf

router = APIRouter()


@router.get("/me/invitations")
def invitations(request: Request, page: Page, db: Db) -> Response:
    artist_id = artist_id_of(page)
    return render(request, page, "invitations.html",
                  invitations=catalogue.invitations_of(db, artist_id))


@router.post("/me/invitations/{track_id}")
async def answer(track_id: int, request: Request, page: Page, db: Db) -> Response:
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    artist_id = artist_id_of(page)
    choice = str(form.get("answer", ""))
    if choice not in ("accept", "decline"):
        raise InvalidInput(N_("answer 'accept' or 'decline'"))
    share_invitations.answer_invitation(db, track_id, artist_id, choice == "accept",
                                        f"user:{require_user(page).id} (web)")
    target = f"/me/tracks/{track_id}" if choice == "accept" else "/me/invitations"
    return finish(request, page, RedirectResponse(target, status_code=303))
