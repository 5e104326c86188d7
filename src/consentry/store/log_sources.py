"""The tables the transparency log vouches for, and how each row becomes a log record.

The same functions make the record when a row is written and remake it when the log is
audited, so a row changed behind the log's back no longer hashes to its leaf.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, insert, select

from consentry.errors import NotFound
from consentry.ledger.records import (
    AGREEMENT,
    CLAIM_CHANGE,
    CONSENT_EVENT,
    CONTENT_CLAIM,
    DATASET_SNAPSHOT,
    DECISION_BATCH,
    SHARE_ANSWER,
    TERMS_PUBLICATION,
    TERMS_RESPONSE,
    TRACK_OWNERSHIP,
    TRACK_REMOVAL,
    WITHDRAWAL,
    LogRecord,
    agreement_record,
    claim_change_record,
    consent_event_record,
    content_claim_record,
    dataset_snapshot_record,
    decision_batch_record_from,
    result_digest,
    share_answer_record,
    terms_publication_record,
    terms_response_record,
    track_ownership_record,
    track_removal_record,
    version_source_id,
    withdrawal_record,
)
from consentry.store.records import event_from_row, purposes_from_json
from consentry.store.schema import (
    agreements,
    claim_changes,
    consent_events,
    content_claims,
    dataset_snapshots,
    decision_batches,
    log_entries,
    share_answers,
    terms_responses,
    terms_versions,
    track_removals,
    track_shares,
    tracks,
    withdrawals,
    withdrawn_tracks,
)
from consentry.store.transparency_log import append
from consentry.timestamps import to_micros, utcnow

# Tables whose rows have integer ids; terms versions are named (see version_source_id).
SOURCES = {CONSENT_EVENT: consent_events, DECISION_BATCH: decision_batches,
           TERMS_RESPONSE: terms_responses, DATASET_SNAPSHOT: dataset_snapshots,
           WITHDRAWAL: withdrawals, CONTENT_CLAIM: content_claims,
           CLAIM_CHANGE: claim_changes, AGREEMENT: agreements, TRACK_OWNERSHIP: tracks,
           SHARE_ANSWER: share_answers, TRACK_REMOVAL: track_removals}


def _record(conn: Connection, kind: str, row: Any) -> LogRecord:
    if kind == CONSENT_EVENT:
        return consent_event_record(event_from_row(row))
    if kind == TERMS_RESPONSE:
        return terms_response_record(row.id, row.user_id, row.version, row.text_hash,
                                     bool(row.accepted), row.at)
    if kind == DATASET_SNAPSHOT:
        return dataset_snapshot_record(row.id, row.consumer_id, row.purpose, row.at, row.tracks,
                                       row.manifest_sha256, row.requested_by, row.revision_of)
    if kind == WITHDRAWAL:  # the tracks are read from their own table, so they are vouched for
        tracks = conn.execute(select(withdrawn_tracks.c.track_id)
                              .where(withdrawn_tracks.c.withdrawal_id == row.id)).scalars()
        cause = ((row.cause_kind, row.cause_ref) if row.cause_kind is not None
                 else (CONSENT_EVENT, str(row.consent_event_id)))
        return withdrawal_record(row.id, row.snapshot_id, cause, row.recorded_at, list(tracks))
    if kind == CONTENT_CLAIM:
        return content_claim_record(
            row.id, row.track_id, row.rights_holder_id, row.recording_key, row.audio_sha256,
            row.query_start_ms, row.recording_start_ms, row.matched_ms, float(row.confidence),
            float(row.speed), row.created_at,
            None if row.significance is None else float(row.significance),
            row.claimant_artist_id)
    if kind == CLAIM_CHANGE:
        return claim_change_record(row.id, row.claim_id, row.status, row.at, row.by,
                                   row.reason, row.respond_by)
    if kind == AGREEMENT:
        return agreement_record(row.id, row.rights_holder_id, row.title,
                                purposes_from_json(row.restricted_purposes), row.starts_at,
                                row.ends_at, row.created_at)
    if kind == TRACK_OWNERSHIP:  # the shares are read from their own table, so they are vouched for
        shares = conn.execute(select(track_shares.c.artist_id, track_shares.c.basis_points)
                              .where(track_shares.c.track_id == row.id))
        return track_ownership_record(row.id, row.artist_id, row.rights_holder_id,
                                      [(s.artist_id, s.basis_points) for s in shares],
                                      row.created_at)
    if kind == SHARE_ANSWER:
        return share_answer_record(row.id, row.track_id, row.artist_id, bool(row.accepted),
                                   row.at, row.by)
    if kind == TRACK_REMOVAL:
        return track_removal_record(row.id, row.track_id, row.removed_by, row.removed_at)
    if kind == TERMS_PUBLICATION:
        return terms_publication_record(
            row.version, row.text_hash,
            None if row.material is None else bool(row.material), row.published_at,
            row.effective_at, sorted(purposes_from_json(row.required_purposes)),
            sorted(purposes_from_json(row.prohibited_purposes)),
            json.loads(row.introduced_purposes or "[]"), row.published_by)
    return decision_batch_record_from(row.id, row.consumer_id, row.purpose, row.at, row.tracks,
                                      row.allowed, row.result_sha256, row.requested_by)


def record_for(conn: Connection, kind: str, source_id: int) -> LogRecord:
    """The record a stored row makes now."""
    if kind == TERMS_PUBLICATION:
        row = next((r for r in conn.execute(select(terms_versions))
                    if version_source_id(r.version) == source_id), None)
    else:
        table = SOURCES[kind]
        row = conn.execute(select(table).where(table.c.id == source_id)).first()
    if row is None:
        raise NotFound(f"{kind} {source_id} is in the log but not in its table")
    return _record(conn, kind, row)


def unlogged(conn: Connection) -> Iterator[LogRecord]:
    """Rows of the vouched-for tables that have no log entry, oldest first per table."""
    for kind, table in SOURCES.items():
        logged = select(log_entries.c.source_id).where(log_entries.c.kind == kind)
        rows = conn.execute(select(table).where(table.c.id.not_in(logged))
                            .order_by(table.c.id))
        for row in rows:
            yield _record(conn, kind, row)
    logged_versions = set(conn.execute(select(log_entries.c.source_id).where(
        log_entries.c.kind == TERMS_PUBLICATION)).scalars())
    versions = conn.execute(select(terms_versions).order_by(terms_versions.c.published_at,
                                                            terms_versions.c.version))
    for row in versions:
        if version_source_id(row.version) not in logged_versions:
            yield _record(conn, TERMS_PUBLICATION, row)


def log_new_row(conn: Connection, kind: str, source_id: int) -> int:
    """Append the record of a row just written; returns its log index."""
    return append(conn, [record_for(conn, kind, source_id)])[0]


def log_new_publication(conn: Connection, version: str) -> int:
    """Append the terms version just published."""
    return log_new_row(conn, TERMS_PUBLICATION, version_source_id(version))


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
