"""Content claims for review: the artist sees the claims on their tracks and may dispute one
with a reason, and the claims they are the claimant of (their own track found in another
party's upload) and confirms or releases those; the rights holder's staff see theirs and
confirm or release them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from consentry.consent import ClaimAction
from consentry.errors import N_, ConsentryError, Forbidden
from consentry.services import claim_disputes
from consentry.services.identification import recording_titles
from consentry.settings import Settings
from consentry.store import catalogue, parties
from consentry.store.claims import ClaimRecord, claim_page, claim_records, get_claim
from consentry.web.dependencies import Db, SettingsDep
from consentry.web.pages.artist import artist_id_of
from consentry.web.pages.label import holder_id_of
from consentry.web.pages.listing import Windowed
from consentry.web.pages.page import Page
from consentry.web.rendering import finish, gettext, render
from consentry.web.sessions import PageContext, check_csrf

router = APIRouter()


def claims_view(db: Connection, claims: list[ClaimRecord]) -> dict[str, Any]:
    """What the claims table shows beside the claims: recording titles, claimants' names."""
    holders = {h: parties.get_rights_holder(db, h).name
               for h in {c.claim.rights_holder_id for c in claims} if h is not None}
    artists = {a: parties.get_artist(db, a).name
               for a in {c.claim.claimant_artist_id for c in claims} if a is not None}
    return {"claims": claims,
            "titles": recording_titles(db, sorted({c.recording_key for c in claims})),
            "claimants": {c.id: holders[c.claim.rights_holder_id]
                          if c.claim.rights_holder_id is not None
                          else artists[c.claim.claimant_artist_id or 0] for c in claims}}


@router.get("/me/claims")
def artist_claims(request: Request, page: Page, db: Db, windowed: Windowed) -> Response:
    artist_id = artist_id_of(page)
    found = claim_page(db, windowed.window, artist_id=artist_id)
    return render(request, page, "claims.html", mode="artist", me=artist_id,
                  pager=windowed.pager(found), **claims_view(db, found.items))


@router.post("/me/claims/{claim_id}/dispute")
async def dispute(claim_id: int, request: Request, page: Page, db: Db,
                  settings: SettingsDep) -> Response:
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    artist_id = artist_id_of(page)
    claim = get_claim(db, claim_id)
    if artist_id not in catalogue.get_track(db, claim.claim.track_id).accepted_owner_ids:
        raise Forbidden(N_("this claim is not on one of your tracks"))
    return _change(request, page, db, settings, claim_id, ClaimAction.DISPUTE, "artist",
                   str(form.get("reason", "")), "/me/claims")


@router.post("/me/claims/{claim_id}/{action}")
async def answer_as_claimant(claim_id: int, action: str, request: Request, page: Page, db: Db,
                             settings: SettingsDep) -> Response:
    """An artist whose own track was found in another party's upload answers for it."""
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    return _as_claimant(request, page, db, settings, claim_id, action, "artist")


@router.get("/label/claims")
def label_claims(request: Request, page: Page, db: Db, windowed: Windowed) -> Response:
    holder_id = holder_id_of(page)
    found = claim_page(db, windowed.window, rights_holder_id=holder_id)
    return render(request, page, "claims.html", mode="label", pager=windowed.pager(found),
                  **claims_view(db, found.items))


@router.post("/label/claims/{claim_id}/{action}")
async def review(claim_id: int, action: str, request: Request, page: Page, db: Db,
                 settings: SettingsDep) -> Response:
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    return _as_claimant(request, page, db, settings, claim_id, action, "label")


def _as_claimant(request: Request, page: PageContext, db: Connection, settings: Settings,
                 claim_id: int, action: str, mode: str) -> Response:
    """Confirm or release, for the claim's claimant only: the artist whose track was found
    (``mode`` "artist") or the label (``mode`` "label")."""
    if action not in (ClaimAction.CONFIRM.value, ClaimAction.RELEASE.value):
        raise Forbidden(N_("a claimant confirms or releases a claim"))
    claim = get_claim(db, claim_id).claim
    mine = (claim.claimant_artist_id == artist_id_of(page) if mode == "artist"
            else claim.rights_holder_id == holder_id_of(page))
    if not mine:
        raise Forbidden(N_("this claim is not yours"))
    back = "/me/claims" if mode == "artist" else "/label/claims"
    return _change(request, page, db, settings, claim_id, ClaimAction(action), mode, "", back)


def _change(request: Request, page: PageContext, db: Connection, settings: Settings,
            claim_id: int, action: ClaimAction, mode: str, reason: str, back: str) -> Response:
    user = page.user
    by = f"user:{user.id} ({user.email})" if user else "web"
    try:
        if action is ClaimAction.DISPUTE:
            claim_disputes.dispute(db, claim_id, by, reason, settings.dispute_window,
                                   settings.base_url)
        else:
            claim_disputes.answer(db, claim_id, action, by, reason, settings.base_url)
    except ConsentryError as error:
        me = artist_id_of(page) if mode == "artist" else None
        records = (claim_records(db, artist_id=me) if me is not None
                   else claim_records(db, rights_holder_id=holder_id_of(page)))
        return render(request, page, "claims.html", 422, mode=mode, me=me,
                      error=gettext(page, error.message), **claims_view(db, records))
    return finish(request, page, RedirectResponse(f"{back}?notice=saved", status_code=303))
