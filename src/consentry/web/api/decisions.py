"""Decisions in bulk: a batch of tracks, or the whole catalogue as Parquet or CSV."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from consentry import access
from consentry.access import Principal, Role
from consentry.consent import Consumer
from consentry.errors import InvalidInput
from consentry.purposes import get_purpose
from consentry.services.decisions import decide_all, decide_track_ids
from consentry.store import parties
from consentry.store.log_sources import record_decision_batch
from consentry.timestamps import to_micros, utcnow
from consentry.web.api.models import DecisionBatchIn, DecisionBatchOut, DecisionOut
from consentry.web.dependencies import At, Db, get_engine, principal_in
from consentry.web.errors import error_responses

router = APIRouter(tags=["decisions"], responses=error_responses(403))
# Whole-catalogue decisions are for AI consumers (in their scope) and admins
Asker = Annotated[Principal, principal_in(Role.CONSUMER, Role.ADMIN)]
_TABLE = {"schema": {"type": "string", "format": "binary"}}
ELIGIBILITY_TABLE: dict[int | str, dict[str, Any]] = {200: {
    "description": "One row per track: track_id, eligible, the deciding rule "
                   "(X-Consentry-Rows, -Batch and -Log-Index say how many and where logged)",
    "content": {"application/vnd.apache.parquet": _TABLE, "text/csv": _TABLE}}}


def _consumer(db: Connection, who: Principal) -> Consumer | None:
    consumer_id = access.consumer_of(who)
    return None if consumer_id is None else parties.get_consumer(db, consumer_id)


@router.post("/decisions", response_model=DecisionBatchOut)
def decide_batch(body: DecisionBatchIn, db: Db, who: Asker) -> DecisionBatchOut:
    """Up to 10,000 tracks for one purpose; unknown ids are listed, not fatal."""
    get_purpose(body.purpose)
    access.require_catalogue_access(who, body.purpose)
    at = body.at or utcnow()
    if at.tzinfo is None:
        raise InvalidInput("'at' must carry a timezone offset (e.g. 2026-01-01T00:00:00Z)")
    consumer = _consumer(db, who)
    decisions, unknown = decide_track_ids(db, body.track_ids, body.purpose, at, consumer)
    allowed = sum(d.allowed for d in decisions)
    batch_id = log_index = None
    if decisions:  # every AI use asked for is recorded and logged, whatever the answers
        batch_id, log_index = record_decision_batch(
            db, consumer.id if consumer else None, body.purpose, to_micros(at),
            [d.track_id for d in decisions], [d.allowed for d in decisions], who.label)
    return DecisionBatchOut(
        purpose=body.purpose, at=at, allowed=allowed, denied=len(decisions) - allowed,
        unknown_track_ids=unknown, decisions=[DecisionOut.of(d) for d in decisions],
        batch_id=batch_id, log_index=log_index)


@router.get("/eligibility", response_class=StreamingResponse, responses=ELIGIBILITY_TABLE)
def eligibility(
    purpose: str, db: Db, who: Asker, at: At,
    engine: Annotated[Engine, Depends(get_engine)],
    format: Annotated[Literal["parquet", "csv"], Query()] = "parquet",
    eligible_only: bool = False,
) -> StreamingResponse:
    """The whole catalogue for one purpose: track id, eligible or not, and the deciding rule."""
    get_purpose(purpose)
    access.require_catalogue_access(who, purpose)
    consumer = _consumer(db, who)
    decided = decide_all(engine, purpose, at, consumer)
    table = decided.to_arrow(eligible_only)
    name = f"eligibility-{purpose.replace(':', '_')}-{at:%Y%m%dT%H%M%SZ}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "X-Consentry-Rows": str(table.num_rows)}
    if len(decided.track_id):
        batch_id, log_index = record_decision_batch(
            db, consumer.id if consumer else None, purpose, to_micros(at), decided.track_id,
            decided.allowed, who.label)
        headers |= {"X-Consentry-Batch": str(batch_id), "X-Consentry-Log-Index": str(log_index)}
    if format == "csv":
        return StreamingResponse(_csv_chunks(table), media_type="text/csv", headers=headers)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return StreamingResponse(iter([buffer.getvalue()]),
                             media_type="application/vnd.apache.parquet", headers=headers)


def _csv_chunks(table: pa.Table, rows: int = 65_536) -> Iterator[bytes]:
    for start in range(0, max(table.num_rows, 1), rows):
        sink = io.BytesIO()
        pacsv.write_csv(table.slice(start, rows), sink,
                        pacsv.WriteOptions(include_header=start == 0))
        yield sink.getvalue()
