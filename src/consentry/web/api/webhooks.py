"""Webhook endpoints over HTTP: where a consumer is told of withdrawals, and the delivery log.

A consumer manages its own endpoints; admins anyone's. The secret is in the answer that
creates the endpoint and nowhere else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from consentry import access
from consentry.access import Principal, Role
from consentry.errors import Forbidden, InvalidInput, NotFound
from consentry.store import webhooks
from consentry.timestamps import utcnow
from consentry.web.api.listing import Listed
from consentry.web.dependencies import Db, principal_in
from consentry.web.errors import error_responses

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=error_responses(403))
# A consumer is told of withdrawals; admins manage anyone's endpoints
Told = Annotated[Principal, principal_in(Role.CONSUMER, Role.ADMIN)]


class EndpointIn(BaseModel):
    url: str = Field(max_length=2000, description="http(s) address that receives the POSTs")
    consumer_id: int | None = Field(None, description="Admins only: for which consumer")


class EndpointOut(BaseModel):
    id: int
    consumer_id: int
    url: str
    created_at: datetime
    disabled_at: datetime | None

    @classmethod
    def of(cls, e: webhooks.Endpoint) -> EndpointOut:
        return cls(id=e.id, consumer_id=e.consumer_id, url=e.url, created_at=e.created_at,
                   disabled_at=e.disabled_at)


class NewEndpointOut(EndpointOut):
    secret: str = Field(description="Keys the HMAC-SHA256 signature; shown only this once")


class AttemptOut(BaseModel):
    delivery_id: int
    withdrawal_id: int
    endpoint_id: int
    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None


def _consumer_of(who: Principal, requested: int | None) -> int | None:
    """The consumer the caller speaks for (``None``: an admin, for all)."""
    if who.role is Role.CONSUMER:
        if requested not in (None, who.subject_id):
            raise Forbidden("a consumer manages its own webhooks only")
        return who.subject_id
    access.require_admin(who)
    return requested


def _own_endpoint(db: Db, who: Principal, endpoint_id: int) -> webhooks.Endpoint:
    consumer_id = _consumer_of(who, None)
    endpoint = webhooks.get_endpoint(db, endpoint_id)
    if consumer_id is not None and endpoint.consumer_id != consumer_id:
        raise NotFound(f"webhook endpoint {endpoint_id} does not exist")
    return endpoint


@router.post("", response_model=NewEndpointOut, status_code=201,
             responses=error_responses(404))
def register(body: EndpointIn, db: Db, who: Told) -> NewEndpointOut:
    """Register an endpoint; withdrawals not yet acknowledged are queued for it at once."""
    consumer_id = _consumer_of(who, body.consumer_id)
    if consumer_id is None:
        raise InvalidInput("name the consumer the endpoint is for (consumer_id)")
    created = webhooks.register_endpoint(db, consumer_id, body.url, utcnow())
    return NewEndpointOut(**EndpointOut.of(created.endpoint).model_dump(),
                          secret=created.secret)


@router.get("", response_model=list[EndpointOut])
def index(db: Db, who: Told, listing: Listed) -> list[EndpointOut]:
    return [EndpointOut.of(e)
            for e in listing.window_of(webhooks.list_endpoints(db, _consumer_of(who, None)))]


@router.delete("/{endpoint_id}", response_model=EndpointOut, responses=error_responses(404))
def disable(endpoint_id: int, db: Db, who: Told) -> EndpointOut:
    """No more deliveries to it; its delivery log stays."""
    _own_endpoint(db, who, endpoint_id)
    return EndpointOut.of(webhooks.disable_endpoint(db, endpoint_id, utcnow()))


@router.get("/attempts", response_model=list[AttemptOut], responses=error_responses(404))
def attempts(db: Db, who: Told, listing: Listed,
             endpoint_id: int | None = None) -> list[AttemptOut]:
    """The delivery log: every attempt, its status code or error, and how long it took."""
    consumer_id = _consumer_of(who, None)
    if endpoint_id is not None:
        _own_endpoint(db, who, endpoint_id)
    return [AttemptOut(**a.__dict__) for a in listing.window_of(
        webhooks.attempts_of(db, endpoint_id=endpoint_id, consumer_id=consumer_id))]
