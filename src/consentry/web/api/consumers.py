"""AI consumers: the teams that ask before they use content."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from consentry.access import Principal, Role
from consentry.consent import ConsumerKind
from consentry.errors import Forbidden
from consentry.store import parties
from consentry.web.api.listing import Listed
from consentry.web.api.models import ConsumerIn, ConsumerOut
from consentry.web.dependencies import Admin, Db, principal_in
from consentry.web.errors import error_responses

router = APIRouter(prefix="/consumers", tags=["consumers"], responses=error_responses(403))


@router.get("", response_model=list[ConsumerOut])
def list_consumers(db: Db, who: Admin, listing: Listed) -> list[ConsumerOut]:
    return [ConsumerOut.of(c) for c in listing.window_of(parties.list_consumers(db))]


@router.post("", response_model=ConsumerOut, status_code=201)
def create_consumer(body: ConsumerIn, db: Db, who: Admin) -> ConsumerOut:
    consumer = parties.create_consumer(db, body.name, frozenset(body.purposes),
                                       ConsumerKind(body.kind), body.organisation,
                                       body.datasets_only)
    return ConsumerOut.of(consumer)


@router.get("/{consumer_id}", response_model=ConsumerOut, responses=error_responses(404))
def get_consumer(consumer_id: int, db: Db,
                 who: Annotated[Principal, principal_in(Role.ADMIN, Role.CONSUMER)],
                 ) -> ConsumerOut:
    if who.role is Role.CONSUMER and who.subject_id != consumer_id:
        raise Forbidden(f"no access to consumer {consumer_id}")
    return ConsumerOut.of(parties.get_consumer(db, consumer_id))
