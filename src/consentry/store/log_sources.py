"""The tables the transparency log vouches for, and how each row becomes a log record.

The same functions make the record when a row is written and remake it when the log is
audited, so a row changed behind the log's back no longer hashes to its leaf.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from sqlalchemy import Connection, insert, select

from consentry.errors import NotFound
from consentry.ledger.records import (
    CONSENT_EVENT,
    DECISION_BATCH,
    LogRecord,
    consent_event_record,
    decision_batch_record_from,
    result_digest,
)
from consentry.store.records import event_from_row
from consentry.store.schema import consent_events, decision_batches, log_entries
from consentry.store.transparency_log import append
from consentry.timestamps import to_micros, utcnow

SOURCES = {CONSENT_EVENT: consent_events, DECISION_BATCH: decision_batches}


def _record(kind: str, row: object) -> LogRecord:
    if kind == CONSENT_EVENT:
        return consent_event_record(event_from_row(row))
    return decision_batch_record_from(
        row.id, row.consumer_id, row.purpose, row.at, row.tracks,  # type: ignore[attr-defined]
        row.allowed, row.result_sha256, row.requested_by)  # type: ignore[attr-defined]


def record_for(conn: Connection, kind: str, source_id: int) -> LogRecord:
    """The record a stored row makes now."""
    table = SOURCES[kind]
    row = conn.execute(select(table).where(table.c.id == source_id)).first()
    if row is None:
        raise NotFound(f"{kind} {source_id} is in the log but not in its table")
    return _record(kind, row)


def unlogged(conn: Connection) -> Iterator[LogRecord]:
    """Rows of the vouched-for tables that have no log entry, oldest first per table."""
    for kind, table in SOURCES.items():
        logged = select(log_entries.c.source_id).where(log_entries.c.kind == kind)
        rows = conn.execute(select(table).where(table.c.id.not_in(logged))
                            .order_by(table.c.id))
        for row in rows:
            yield _record(kind, row)


def append_missing(conn: Connection) -> int:
    """Log what was recorded before the log existed (``consentry init`` runs this)."""
    records = list(unlogged(conn))
    append(conn, records)
    return len(records)


def record_decision_batch(conn: Connection, consumer_id: int | None, purpose: str,
                          at_micros: int, track_ids: Sequence[int] | np.ndarray,
                          allowed: Sequence[bool] | np.ndarray,
                          requested_by: str) -> tuple[int, int]:
    """Store and log one batch of decisions someone asked for: ``(batch id, log index)``."""
    batch_id = conn.execute(insert(decision_batches).values(
        consumer_id=consumer_id, purpose=purpose, at=at_micros,
        requested_at=to_micros(utcnow()), tracks=len(track_ids),
        allowed=int(np.count_nonzero(allowed)),
        result_sha256=result_digest(track_ids, allowed), requested_by=requested_by[:200])
    ).inserted_primary_key[0]  # type: ignore[index]
    record = record_for(conn, DECISION_BATCH, batch_id)
    return batch_id, append(conn, [record])[0]
