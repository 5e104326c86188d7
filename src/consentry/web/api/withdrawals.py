"""Withdrawals over HTTP: consumers read and acknowledge their own, artists see those their
consent changes caused or that another cause made on tracks they manage, admins all; and
revisions of a snapshot without its withdrawn tracks.

A withdrawal that is not the caller's answers 404, not 403: its existence is itself news
about another consumer's dataset or another artist's choices.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from consentry import access
from consentry.access import Principal, Role
from consentry.errors import DeliveryUnavailable, Forbidden, NotFound
from consentry.services.snapshot_revisions import create_revision
from consentry.store.datasets import get_snapshot
from consentry.store.withdrawals import (
    Withdrawal,
    acknowledge,
    list_withdrawals,
    withdrawal_page,
)
from consentry.timestamps import utcnow
from consentry.web.api.datasets import SnapshotOut, _out
from consentry.web.api.listing import Listed
from consentry.web.dependencies import Db, EngineDep, SettingsDep, principal_in
from consentry.web.errors import error_responses

router = APIRouter(tags=["withdrawals"], responses=error_responses(403))
# Rights holders hear of withdrawals through their artists' choices, not here
Concerned = Annotated[Principal, principal_in(Role.CONSUMER, Role.ARTIST, Role.ADMIN)]
Consumer = Annotated[Principal, principal_in(Role.CONSUMER)]
Taker = Annotated[Principal, principal_in(Role.CONSUMER, Role.ADMIN)]


class WithdrawalOut(BaseModel):
    id: int
    snapshot_id: int
    consumer_id: int | None
    purpose: str
    track_ids: list[int]
    cause_kind: str = Field(description="What caused it, as the log names records: "
                            "consent-event, agreement, content-claim, share-answer or "
                            "terms-publication")
    cause_id: str = Field(description="The cause's id (a terms version's name)")
    consent_event_id: int | None = Field(description="For a consent event: which")
    artist_id: int | None = Field(description="For a consent event: whose choice it was")
    choice: str | None
    withdrawn_at: datetime
    log_index: int | None = Field(description="The withdrawal's leaf in the transparency log")
    stage: str = Field(description="recorded, notified, delivered, acknowledged or revised")
    notified_at: datetime | None
    delivered_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    revision_id: int | None = Field(description="The first revision of the snapshot since")
    revised_at: datetime | None

    @classmethod
    def of(cls, w: Withdrawal) -> WithdrawalOut:
        ack = w.acknowledgement
        return cls(id=w.id, snapshot_id=w.snapshot_id, consumer_id=w.consumer_id,
                   purpose=w.purpose, track_ids=list(w.track_ids),
                   cause_kind=w.cause[0], cause_id=w.cause[1],
                   consent_event_id=w.consent_event_id, artist_id=w.artist_id, choice=w.choice,
                   withdrawn_at=w.recorded_at, log_index=w.log_index, stage=w.stage,
                   notified_at=w.notified_at, delivered_at=w.delivered_at,
                   acknowledged_at=ack.at if ack else None,
                   acknowledged_by=ack.by if ack else None, revision_id=w.revision_id,
                   revised_at=w.revised_at)


class RevisionOut(SnapshotOut):
    revision_of: int
    excluded_track_ids: list[int]


def _visible(db: Db, who: Principal, snapshot_id: int | None = None,
             withdrawal_ids: list[int] | None = None) -> list[Withdrawal]:
    """The withdrawals the caller may see: a consumer's, an artist's, or (admins) all."""
    scope = _scope(who)
    return list_withdrawals(db, snapshot_id=snapshot_id, withdrawal_ids=withdrawal_ids,
                            consumer_id=scope.get("consumer_id"),
                            artist_id=scope.get("artist_id"))


def _scope(who: Principal) -> dict[str, Any]:
    """Whose withdrawals the caller sees: a consumer's own, an artist's, or (admins) all."""
    if who.role in (Role.CONSUMER, Role.ARTIST):
        if who.subject_id is None:
            raise Forbidden("this token speaks for nobody")
        return {"consumer_id" if who.role is Role.CONSUMER else "artist_id": who.subject_id}
    access.require_admin(who)
    return {}


@router.get("/withdrawals", response_model=list[WithdrawalOut])
def index(db: Db, who: Concerned, listing: Listed,
          snapshot_id: int | None = None) -> list[WithdrawalOut]:
    """A consumer's own withdrawals, those an artist's consent changes caused, or all
    (admins); oldest first."""
    found = withdrawal_page(db, listing.window, snapshot_id=snapshot_id, **_scope(who))
    return listing.answer(found.map(WithdrawalOut.of))


@router.get("/withdrawals/{withdrawal_id}", response_model=WithdrawalOut,
            responses=error_responses(404))
def show(withdrawal_id: int, db: Db, who: Concerned) -> WithdrawalOut:
    found = _visible(db, who, withdrawal_ids=[withdrawal_id])
    if not found:
        raise NotFound(f"withdrawal {withdrawal_id} does not exist")
    return WithdrawalOut.of(found[0])


@router.post("/withdrawals/{withdrawal_id}/acknowledgement", response_model=WithdrawalOut,
             responses=error_responses(404))
def acknowledge_withdrawal(withdrawal_id: int, db: Db, who: Consumer) -> WithdrawalOut:
    """The consumer has the news (and will stop using the tracks). Its own only; once:
    asking again returns the first acknowledgement."""
    if who.subject_id is None:
        raise Forbidden("only the consumer whose snapshot it is acknowledges a withdrawal")
    return WithdrawalOut.of(acknowledge(db, withdrawal_id, who.subject_id, who.label,
                                        utcnow()))


@router.post("/datasets/{snapshot_id}/revisions", response_model=RevisionOut,
             status_code=201, responses=error_responses(404, 503))
async def revise(snapshot_id: int, request: Request, who: Taker, engine: EngineDep,
                 settings: SettingsDep) -> RevisionOut:
    """A new snapshot: this one's manifest minus every track withdrawn from it, signed and
    logged like any snapshot."""
    with engine.connect() as conn:
        parent = get_snapshot(conn, snapshot_id)
    if not (who.role is Role.ADMIN or (who.role is Role.CONSUMER
                                       and who.subject_id == parent.consumer_id)):
        raise Forbidden(f"no access to dataset snapshot {snapshot_id}")
    key = request.app.state.log_key
    if key is None:
        raise DeliveryUnavailable(request.app.state.no_log_key)
    revision = await anyio.to_thread.run_sync(
        lambda: create_revision(engine, settings.data_dir, snapshot_id, settings.log_origin,
                                key, who.label))
    with engine.connect() as conn:
        out = _out(conn, revision.snapshot)
    return RevisionOut(**out.model_dump(), revision_of=revision.revision_of,
                       excluded_track_ids=list(revision.excluded))
