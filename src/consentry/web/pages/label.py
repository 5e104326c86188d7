"""Rights-holder staff: their catalogue with its outcomes, and their agreements."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from consentry.access import Role
from consentry.consent import ClaimStatus
from consentry.errors import N_, Forbidden, InvalidInput
from consentry.purposes import VOCABULARY, get_purpose
from consentry.services import agreements
from consentry.services.decisions import decide_tracks
from consentry.store import catalogue, parties
from consentry.store.claims import claim_records
from consentry.store.reference_recordings import count_references
from consentry.store.track_search import TrackSearch, search_tracks
from consentry.timestamps import parse_instant, utcnow
from consentry.web.dependencies import Db
from consentry.web.pages.explain import use_label
from consentry.web.pages.listing import SearchIsrc, SearchText, Windowed
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import finish, render
from consentry.web.sessions import PageContext, check_csrf

router = APIRouter()


def holder_id_of(page: PageContext) -> int:
    user = require_user(page)
    if user.role is not Role.RIGHTS_HOLDER or user.rights_holder_id is None:
        raise Forbidden(N_("this page is for rights-holder staff"))
    return user.rights_holder_id


@router.get("/label")
def label_home(request: Request, page: Page, db: Db, windowed: Windowed,
               q: SearchText = None, isrc: SearchIsrc = None) -> Response:
    holder_id = holder_id_of(page)
    search = TrackSearch(rights_holder_id=holder_id, text=q, isrc=isrc)
    found = search_tracks(db, search, windowed.window)
    tracks = found.items
    now = utcnow()
    outcomes = {p.id: {d.track_id: d.allowed for d in decide_tracks(db, tracks, p.id, now)}
                for p in VOCABULARY}
    return render(request, page, "label.html", holder=parties.get_rights_holder(db, holder_id),
                  tracks=tracks, outcomes=outcomes, search=search, pager=windowed.pager(found),
                  labels={p.id: use_label(page, p.id, public=True) for p in VOCABULARY},
                  agreements=catalogue.list_agreements(db, holder_id),
                  open_claims=sum(c.status is ClaimStatus.OPEN
                                  for c in claim_records(db, rights_holder_id=holder_id)),
                  references=count_references(db, holder_id))


@router.post("/label/agreements")
async def add_agreement(request: Request, page: Page, db: Db) -> Response:
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    holder_id = holder_id_of(page)
    purposes = frozenset(str(p) for p in form.getlist("restricts"))
    for purpose in purposes:
        get_purpose(purpose)
    agreements.enter_agreement(
        db, holder_id, str(form.get("title", "")), purposes,
        _date(str(form.get("starts_at", ""))), _date(str(form.get("ends_at", ""))))
    return finish(request, page, RedirectResponse("/label?notice=saved", status_code=303))


def _date(text: str) -> datetime | None:
    if not text.strip():
        return None
    if len(text) > 40:
        raise InvalidInput(N_("not a date"))
    return parse_instant(text)
