"""AI consumers: the teams that ask before they use content."""

from __future__ import annotations

from fastapi import APIRouter

from consentry import access
from consentry.access import Role
from consentry.consent import ConsumerKind
from consentry.errors import Forbidden
from consentry.store import parties
from consentry.web.api.models import ConsumerIn, ConsumerOut
from consentry.web.dependencies import Db, Who

router = APIRouter(prefix="/consumers", tags=["consumers"])


@router.get("", response_model=list[ConsumerOut])
def list_consumers(db: Db, who: Who) -> list[ConsumerOut]:
    access.require_admin(who)
    return [ConsumerOut.of(c) for c in parties.list_consumers(db)]


@router.post("", response_model=ConsumerOut, status_code=201)
def create_consumer(body: ConsumerIn, db: Db, who: Who) -> ConsumerOut:
    access.require_admin(who)
    consumer = parties.create_consumer(db, body.name, frozenset(body.purposes),
                                       ConsumerKind(body.kind), body.organisation,
                                       body.datasets_only)
    return ConsumerOut.of(consumer)


@router.get("/{consumer_id}", response_model=ConsumerOut)
def get_consumer(consumer_id: int, db: Db, who: Who) -> ConsumerOut:
    if not (who.role is Role.ADMIN or (who.role is Role.CONSUMER
                                       and who.subject_id == consumer_id)):
        raise Forbidden(f"no access to consumer {consumer_id}")
    return ConsumerOut.of(parties.get_consumer(db, consumer_id))
