"""The transparency log over HTTP: signed checkpoints and proofs for anyone, each record for
whom it concerns, and consent receipts that verify offline with the log's public key.

Proofs and checkpoints hold hashes only; the records themselves (who chose what) are shown to
the artist concerned and to admins, and travel in receipts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from consentry import access
from consentry.access import Principal, Role
from consentry.errors import DeliveryUnavailable
from consentry.ledger.checkpoint import vkey
from consentry.ledger.note import encode_base64
from consentry.ledger.records import CONSENT_EVENT, LogRecord
from consentry.outbound.witnessing import sign_and_witness
from consentry.services import receipts as stored_receipts
from consentry.settings import Settings
from consentry.store import ledger as consent_ledger
from consentry.store import transparency_log as log
from consentry.store.log_cosignatures import cosigned_note
from consentry.store.transparency_log import LogEntry, SignedCheckpoint
from consentry.web.api.listing import Listed
from consentry.web.dependencies import Db, MaybeWho, SettingsDep, principal_in
from consentry.web.errors import error_responses

router = APIRouter(prefix="/log", tags=["transparency log"])
receipts = APIRouter(tags=["transparency log"])


class LogInfoOut(BaseModel):
    origin: str
    size: int
    public_key: str


class CheckpointOut(BaseModel):
    size: int
    root: str
    note: str
    signed_at: datetime


class InclusionOut(BaseModel):
    index: int
    tree_size: int
    leaf_hash: str
    proof: list[str]


class ConsistencyOut(BaseModel):
    first: int
    second: int
    proof: list[str]


class EntryOut(BaseModel):
    index: int
    kind: str
    leaf_hash: str
    appended_at: datetime
    record: dict[str, object] | None = None


def _key(request: Request, settings: Settings) -> str:
    key = request.app.state.log_key
    if key is None:
        raise DeliveryUnavailable(request.app.state.no_log_key)
    return vkey(settings.log_origin, key.public_key())


def _signed(request: Request, settings: Settings, db: Db) -> SignedCheckpoint:
    _key(request, settings)
    return sign_and_witness(db, settings, request.app.state.log_key)


def _checkpoint_out(checkpoint: SignedCheckpoint, note: str | None = None) -> CheckpointOut:
    return CheckpointOut(size=checkpoint.size, root=encode_base64(checkpoint.root),
                         note=note or checkpoint.note, signed_at=checkpoint.signed_at)


UNSIGNED = error_responses(503)  # before 'consentry init' made the log's key


@router.get("", response_model=LogInfoOut, responses=UNSIGNED)
def log_info(request: Request, db: Db, settings: SettingsDep) -> LogInfoOut:
    """The log's name, size and the verifier key its checkpoints are signed with."""
    return LogInfoOut(origin=settings.log_origin, size=log.log_size(db),
                      public_key=_key(request, settings))


@router.get("/checkpoint", response_model=CheckpointOut, responses=UNSIGNED)
def checkpoint(request: Request, db: Db, settings: SettingsDep) -> CheckpointOut:
    """The latest signed checkpoint (C2SP tlog-checkpoint), signed now if the log has grown,
    with the cosignatures of the witnesses that cosigned it (C2SP tlog-cosignature)."""
    signed = _signed(request, settings, db)
    return _checkpoint_out(signed, cosigned_note(db, signed))


@router.get("/checkpoints", response_model=list[CheckpointOut])
def checkpoints(db: Db, listing: Listed) -> list[CheckpointOut]:
    """Every checkpoint ever signed, oldest first: any two must be consistent."""
    return [_checkpoint_out(c) for c in listing.window_of(log.all_checkpoints(db))]


@router.get("/proof/inclusion", response_model=InclusionOut, responses=error_responses(404))
def inclusion(db: Db, index: int = Query(ge=0), size: int | None = Query(None, ge=1)
              ) -> InclusionOut:
    """RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` (default: all)."""
    entry = log.get_entry(db, index)
    tree_size = size or log.log_size(db)
    proof = log.inclusion_proof(db, index, tree_size)
    return InclusionOut(index=index, tree_size=tree_size, leaf_hash=encode_base64(entry.leaf_hash),
                        proof=[encode_base64(h) for h in proof])


@router.get("/proof/consistency", response_model=ConsistencyOut)
def consistency(db: Db, first: int = Query(ge=0), second: int | None = Query(None, ge=0)
                ) -> ConsistencyOut:
    """RFC 9162 consistency proof: the tree of ``first`` entries is a prefix of ``second``."""
    size = log.log_size(db) if second is None else second
    return ConsistencyOut(first=first, second=size,
                          proof=[encode_base64(h) for h in log.consistency_proof(db, first, size)])


def _may_read(db: Db, who: Principal | None, entry: LogEntry) -> bool:
    if who is None:
        return False
    if who.role is Role.ADMIN:
        return True
    if entry.kind != CONSENT_EVENT or who.role is not Role.ARTIST:
        return False
    record = LogRecord(entry.kind, entry.source_id, entry.data).as_dict()
    return bool(record.get("artist_id") == who.subject_id)


@router.get("/entries/{index}", response_model=EntryOut, responses=error_responses(404))
def entry(index: int, db: Db, who: MaybeWho) -> EntryOut:
    """One entry's hash for anyone; its record for an admin or the artist it is about."""
    found = log.get_entry(db, index)
    return EntryOut(index=found.index, kind=found.kind, leaf_hash=encode_base64(found.leaf_hash),
                    appended_at=found.appended_at,
                    record=LogRecord(found.kind, found.source_id, found.data).as_dict()
                    if _may_read(db, who, found) else None)


@receipts.get("/consent/events/{event_id}/receipt",
              responses=error_responses(403, 404, 503))
def consent_receipt(event_id: int, request: Request, db: Db,
                    who: Annotated[Principal, principal_in(Role.ARTIST, Role.ADMIN)],
                    settings: SettingsDep) -> dict[str, object]:
    """The event, its place in the log and the proof against a signed checkpoint: verifiable
    offline with `consentry log verify-receipt` and the log's public key alone."""
    event = consent_ledger.get_event(db, event_id)
    access.require_artist_self(who, event.artist_id)
    _signed(request, settings, db)
    return stored_receipts.consent_receipt(db, event_id, settings.log_origin,
                                           request.app.state.log_key)
