"""Rights holders, their catalogue and their agreements."""

from __future__ import annotations

from fastapi import APIRouter, Query

from consentry import access
from consentry.services import agreements
from consentry.store import catalogue, parties
from consentry.web.api.models import AgreementIn, AgreementOut, NameIn, PartyOut, TrackOut
from consentry.web.api.tracks import track_records
from consentry.web.dependencies import Db, Who

router = APIRouter(prefix="/rights-holders", tags=["rights holders"])


@router.get("", response_model=list[PartyOut])
def list_rights_holders(db: Db, who: Who, limit: int = Query(100, ge=1, le=1000),
                        offset: int = Query(0, ge=0)) -> list[PartyOut]:
    access.require_admin(who)
    return [PartyOut(id=r.id, name=r.name)
            for r in parties.list_rights_holders(db, limit, offset)]


@router.post("", response_model=PartyOut, status_code=201)
def create_rights_holder(body: NameIn, db: Db, who: Who) -> PartyOut:
    access.require_admin(who)
    holder = parties.create_rights_holder(db, body.name)
    return PartyOut(id=holder.id, name=holder.name)


@router.get("/{rights_holder_id}", response_model=PartyOut)
def get_rights_holder(rights_holder_id: int, db: Db, who: Who) -> PartyOut:
    access.require_rights_holder_self(who, rights_holder_id)
    holder = parties.get_rights_holder(db, rights_holder_id)
    return PartyOut(id=holder.id, name=holder.name)


@router.get("/{rights_holder_id}/tracks", response_model=list[TrackOut])
def catalogue_tracks(rights_holder_id: int, db: Db, who: Who,
                     limit: int = Query(100, ge=1, le=1000),
                     offset: int = Query(0, ge=0)) -> list[TrackOut]:
    access.require_rights_holder_self(who, rights_holder_id)
    parties.get_rights_holder(db, rights_holder_id)
    return track_records(db, catalogue.list_tracks(
        db, rights_holder_id=rights_holder_id, limit=limit, offset=offset))


@router.get("/{rights_holder_id}/agreements", response_model=list[AgreementOut])
def list_agreements(rights_holder_id: int, db: Db, who: Who) -> list[AgreementOut]:
    access.require_rights_holder_self(who, rights_holder_id)
    parties.get_rights_holder(db, rights_holder_id)
    return [AgreementOut.of(a) for a in catalogue.list_agreements(db, rights_holder_id)]


@router.post("/{rights_holder_id}/agreements", response_model=AgreementOut, status_code=201)
def create_agreement(rights_holder_id: int, body: AgreementIn, db: Db, who: Who) -> AgreementOut:
    """Record a separate agreement: the purposes it forbids for the whole catalogue."""
    access.require_rights_holder_self(who, rights_holder_id)
    agreement = agreements.enter_agreement(
        db, rights_holder_id, body.title, frozenset(body.restricted_purposes), body.starts_at,
        body.ends_at)
    return AgreementOut.of(agreement)
