"""Content claims over the API: listed for whoever is party to them, reviewed by the claimant (a
rights holder, or an artist whose own track was found: confirm, release), disputed by the
track's owners with a reason."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from consentry.access import Principal, Role
from consentry.consent import ClaimAction
from consentry.errors import Forbidden
from consentry.services import claim_disputes
from consentry.store import catalogue
from consentry.store.claims import MAX_REASON, ClaimRecord, claim_page, get_claim
from consentry.web.api.listing import Listed
from consentry.web.api.models import ClaimOut
from consentry.web.dependencies import Db, SettingsDep, principal_in
from consentry.web.errors import error_responses

router = APIRouter(prefix="/claims", tags=["content identification"],
                   responses=error_responses(403))
# Claims are between a track's owners and its claimant; consumers are party to none
Party = Annotated[Principal, principal_in(Role.ADMIN, Role.ARTIST, Role.RIGHTS_HOLDER)]


class ClaimActionIn(BaseModel):
    reason: str = Field("", max_length=MAX_REASON, description="Required to dispute")


@router.get("", response_model=list[ClaimOut])
def list_claims(db: Db, who: Party, listing: Listed) -> list[ClaimOut]:
    """The claims the caller is party to, newest first: a label's own, those on an artist's
    tracks and those the artist is the claimant of; every claim for admins."""
    if who.role is Role.RIGHTS_HOLDER:
        found = claim_page(db, listing.window, rights_holder_id=who.subject_id)
    elif who.role is Role.ARTIST:
        found = claim_page(db, listing.window, artist_id=who.subject_id)
    else:
        found = claim_page(db, listing.window)
    return listing.answer(found.map(ClaimOut.of))


@router.post("/{claim_id}/{action}", response_model=ClaimOut, responses=error_responses(404))
def review_claim(claim_id: int, action: Literal["confirm", "release", "dispute"],
                 body: ClaimActionIn, db: Db, who: Party, settings: SettingsDep) -> ClaimOut:
    """The claimant confirms or releases its claim; an owner of the track disputes it,
    once: the claim keeps its restrictions until the claimant answers or the response window
    (``CONSENTRY_DISPUTE_RESPONSE_DAYS``) ends."""
    claim = get_claim(db, claim_id)
    _require_party(db, who, claim, ClaimAction(action))
    if action == "dispute":
        return ClaimOut.of(claim_disputes.dispute(db, claim_id, who.label, body.reason,
                                                  settings.dispute_window, settings.base_url))
    return ClaimOut.of(claim_disputes.answer(db, claim_id, ClaimAction(action), who.label,
                                             body.reason, settings.base_url))


def _require_party(db: Db, who: Principal, claim: ClaimRecord, action: ClaimAction) -> None:
    if who.role is Role.ADMIN:
        return
    if action is ClaimAction.DISPUTE:
        owners = catalogue.get_track(db, claim.claim.track_id).accepted_owner_ids
        if who.role is Role.ARTIST and who.subject_id in owners:
            return
        raise Forbidden("only the track's owners dispute a claim on it")
    if who.subject_id is not None and (
            (who.role is Role.RIGHTS_HOLDER and who.subject_id == claim.claim.rights_holder_id)
            or (who.role is Role.ARTIST and who.subject_id == claim.claim.claimant_artist_id)):
        return
    raise Forbidden("only the claimant confirms or releases a claim")
