"""Rights holders, their catalogue and their agreements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from consentry import access
from consentry.access import Principal, Role
from consentry.services import agreements
from consentry.store import catalogue, parties
from consentry.store.track_search import TrackSearch
from consentry.web.api.listing import Listed
from consentry.web.api.models import AgreementIn, AgreementOut, NameIn, PartyOut, TrackOut
from consentry.web.api.tracks import SearchIsrc, SearchText, track_list
from consentry.web.dependencies import Admin, Db, principal_in
from consentry.web.errors import error_responses

router = APIRouter(prefix="/rights-holders", tags=["rights holders"],
                   responses=error_responses(403))
HolderOrAdmin = Annotated[Principal, principal_in(Role.RIGHTS_HOLDER, Role.ADMIN)]
ONE_HOLDER = error_responses(404)


@router.get("", response_model=list[PartyOut])
def list_rights_holders(db: Db, who: Admin, listing: Listed) -> list[PartyOut]:
    return listing.answer(parties.rights_holder_page(db, listing.window).map(
        lambda r: PartyOut(id=r.id, name=r.name)))


@router.post("", response_model=PartyOut, status_code=201)
def create_rights_holder(body: NameIn, db: Db, who: Admin) -> PartyOut:
    holder = parties.create_rights_holder(db, body.name)
    return PartyOut(id=holder.id, name=holder.name)


@router.get("/{rights_holder_id}", response_model=PartyOut, responses=ONE_HOLDER)
def get_rights_holder(rights_holder_id: int, db: Db, who: HolderOrAdmin) -> PartyOut:
    access.require_rights_holder_self(who, rights_holder_id)
    holder = parties.get_rights_holder(db, rights_holder_id)
    return PartyOut(id=holder.id, name=holder.name)


@router.get("/{rights_holder_id}/tracks", response_model=list[TrackOut], responses=ONE_HOLDER)
def catalogue_tracks(rights_holder_id: int, db: Db, who: HolderOrAdmin, listing: Listed,
                     q: SearchText = None, isrc: SearchIsrc = None) -> list[TrackOut]:
    access.require_rights_holder_self(who, rights_holder_id)
    parties.get_rights_holder(db, rights_holder_id)
    return track_list(db, listing, TrackSearch(rights_holder_id=rights_holder_id, text=q,
                                               isrc=isrc))


@router.get("/{rights_holder_id}/agreements", response_model=list[AgreementOut],
            responses=ONE_HOLDER)
def list_agreements(rights_holder_id: int, db: Db, who: HolderOrAdmin,
                    listing: Listed) -> list[AgreementOut]:
    access.require_rights_holder_self(who, rights_holder_id)
    parties.get_rights_holder(db, rights_holder_id)
    return [AgreementOut.of(a) for a in listing.window_of(
        catalogue.list_agreements(db, rights_holder_id))]


@router.post("/{rights_holder_id}/agreements", response_model=AgreementOut, status_code=201,
             responses=ONE_HOLDER)
def create_agreement(rights_holder_id: int, body: AgreementIn, db: Db,
                     who: HolderOrAdmin) -> AgreementOut:
    """Record a separate agreement: the purposes it forbids for the whole catalogue."""
    access.require_rights_holder_self(who, rights_holder_id)
    agreement = agreements.enter_agreement(
        db, rights_holder_id, body.title, frozenset(body.restricted_purposes), body.starts_at,
        body.ends_at)
    return AgreementOut.of(agreement)
