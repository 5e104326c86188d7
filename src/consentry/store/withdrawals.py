"""Withdrawals as their readers see them: the tracks, the cause, and where each stands
(notified, delivered, acknowledged, revised), plus the consumer's acknowledgement.

Recording them is ``consentry.services.withdrawal_detection``; this module only reads, except
``acknowledge`` which appends one row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, func, or_, select, true

from consentry.errors import NotFound
from consentry.ledger.records import CONSENT_EVENT, WITHDRAWAL
from consentry.store.database import insert_with_conflicts
from consentry.store.paging import Page, Window, read_page
from consentry.store.schema import (
    consent_events,
    dataset_snapshots,
    log_entries,
    tracks,
    webhook_attempts,
    webhook_deliveries,
    withdrawal_acknowledgements,
    withdrawals,
    withdrawn_tracks,
)
from consentry.timestamps import from_micros, to_micros


@dataclass(frozen=True)
class Acknowledgement:
    withdrawal_id: int
    consumer_id: int
    at: datetime
    by: str


@dataclass(frozen=True)
class Withdrawal:
    """One cause's effect on one snapshot, and where telling its consumer stands. The cause
    is a consent event (then ``consent_event_id``, ``artist_id`` and ``choice`` say whose and
    which) or another record of the log: ``cause`` is its (kind, id) either way."""

    id: int
    snapshot_id: int
    consumer_id: int | None
    purpose: str
    track_ids: tuple[int, ...]
    cause: tuple[str, str]
    consent_event_id: int | None
    artist_id: int | None
    choice: str | None
    recorded_at: datetime
    log_index: int | None
    notified_at: datetime | None  # the first delivery attempt
    delivered_at: datetime | None  # the first delivery an endpoint took (2xx)
    acknowledgement: Acknowledgement | None
    revision_id: int | None  # the first revision of the snapshot made after it
    revised_at: datetime | None

    @property
    def stage(self) -> str:
        """How far it got: recorded, notified, delivered, acknowledged, revised."""
        if self.revision_id is not None:
            return "revised"
        if self.acknowledgement is not None:
            return "acknowledged"
        if self.delivered_at is not None:
            return "delivered"
        return "notified" if self.notified_at is not None else "recorded"


def _query(where: ColumnElement[bool]) -> Select[Any]:
    return (select(withdrawals, dataset_snapshots.c.consumer_id, dataset_snapshots.c.purpose,
                   consent_events.c.artist_id, consent_events.c.choice)
            .join(dataset_snapshots, dataset_snapshots.c.id == withdrawals.c.snapshot_id)
            .outerjoin(consent_events, consent_events.c.id == withdrawals.c.consent_event_id)
            .where(where).order_by(withdrawals.c.id))


def list_withdrawals(conn: Connection, consumer_id: int | None = None,
                     artist_id: int | None = None, snapshot_id: int | None = None,
                     withdrawal_ids: Sequence[int] | None = None,
                     consent_event_id: int | None = None) -> list[Withdrawal]:
    """Newest last; narrowed to a consumer's snapshots, an artist's (caused by their consent
    events, or by another cause on tracks they manage), a snapshot, given ids, or one
    event's."""
    where = _narrowed(consumer_id, artist_id, snapshot_id, withdrawal_ids, consent_event_id)
    rows = conn.execute(_query(where)).all()
    return _assemble(conn, rows)


def withdrawal_page(conn: Connection, window: Window, *, consumer_id: int | None = None,
                    artist_id: int | None = None, snapshot_id: int | None = None,
                    newest_first: bool = False) -> Page[Withdrawal]:
    """A window of ``list_withdrawals`` (oldest first, or newest), and how many in all."""
    query = _query(_narrowed(consumer_id, artist_id, snapshot_id, None, None))
    if newest_first:
        query = query.order_by(None).order_by(withdrawals.c.id.desc())
    rows = read_page(conn, query, window)
    return Page(_assemble(conn, rows.items), rows.total, window)


def _narrowed(consumer_id: int | None, artist_id: int | None, snapshot_id: int | None,
              withdrawal_ids: Sequence[int] | None,
              consent_event_id: int | None) -> ColumnElement[bool]:
    where: ColumnElement[bool] = true()
    if consumer_id is not None:
        where = and_(where, dataset_snapshots.c.consumer_id == consumer_id)
    if artist_id is not None:
        managed = (select(withdrawn_tracks.c.withdrawal_id)
                   .join(tracks, tracks.c.id == withdrawn_tracks.c.track_id)
                   .where(tracks.c.artist_id == artist_id))
        where = and_(where, or_(consent_events.c.artist_id == artist_id,
                                and_(withdrawals.c.cause_kind.is_not(None),
                                     withdrawals.c.id.in_(managed))))
    if snapshot_id is not None:
        where = and_(where, withdrawals.c.snapshot_id == snapshot_id)
    if withdrawal_ids is not None:
        where = and_(where, withdrawals.c.id.in_(withdrawal_ids))
    if consent_event_id is not None:
        where = and_(where, withdrawals.c.consent_event_id == consent_event_id)
    return where


def get_withdrawal(conn: Connection, withdrawal_id: int,
                   consumer_id: int | None = None) -> Withdrawal:
    """One withdrawal; with ``consumer_id``, only if it is that consumer's (else not found,
    so a consumer cannot learn of another's withdrawals)."""
    found = list_withdrawals(conn, consumer_id=consumer_id, withdrawal_ids=[withdrawal_id])
    if not found:
        raise NotFound(f"withdrawal {withdrawal_id} does not exist")
    return found[0]


def _assemble(conn: Connection, rows: Sequence[Row[Any]]) -> list[Withdrawal]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    held: dict[int, list[int]] = defaultdict(list)
    for withdrawal_id, track_id in conn.execute(
            select(withdrawn_tracks.c.withdrawal_id, withdrawn_tracks.c.track_id)
            .where(withdrawn_tracks.c.withdrawal_id.in_(ids))
            .order_by(withdrawn_tracks.c.track_id)):
        held[withdrawal_id].append(track_id)
    logged = dict(conn.execute(select(log_entries.c.source_id, log_entries.c.idx).where(
        log_entries.c.kind == WITHDRAWAL, log_entries.c.source_id.in_(ids))).all())
    notified = dict(conn.execute(
        select(webhook_deliveries.c.withdrawal_id, func.min(webhook_attempts.c.attempted_at))
        .join(webhook_attempts, webhook_attempts.c.delivery_id == webhook_deliveries.c.id)
        .where(webhook_deliveries.c.withdrawal_id.in_(ids))
        .group_by(webhook_deliveries.c.withdrawal_id)).all())
    delivered = dict(conn.execute(
        select(webhook_deliveries.c.withdrawal_id, func.min(webhook_deliveries.c.delivered_at))
        .where(webhook_deliveries.c.withdrawal_id.in_(ids),
               webhook_deliveries.c.delivered_at.is_not(None))
        .group_by(webhook_deliveries.c.withdrawal_id)).all())
    acks = {r.withdrawal_id: Acknowledgement(r.withdrawal_id, r.consumer_id,
                                             from_micros(r.acknowledged_at), r.acknowledged_by)
            for r in conn.execute(select(withdrawal_acknowledgements).where(
                withdrawal_acknowledgements.c.withdrawal_id.in_(ids)))}
    snapshot_ids = {r.snapshot_id for r in rows}
    revisions = conn.execute(
        select(dataset_snapshots.c.id, dataset_snapshots.c.revision_of,
               dataset_snapshots.c.created_at)
        .where(dataset_snapshots.c.revision_of.in_(snapshot_ids))
        .order_by(dataset_snapshots.c.created_at, dataset_snapshots.c.id)).all()

    def when(value: int | None) -> datetime | None:
        return None if value is None else from_micros(value)

    result = []
    for r in rows:
        w: Row[Any] = r
        revision = next((v for v in revisions if v.revision_of == w.snapshot_id
                         and v.created_at >= w.recorded_at), None)
        result.append(Withdrawal(
            w.id, w.snapshot_id, w.consumer_id, w.purpose,
            tuple(held[w.id]), _cause(w), w.consent_event_id, w.artist_id,
            w.choice,
            from_micros(w.recorded_at), logged.get(w.id),
            when(notified.get(w.id)), when(delivered.get(w.id)), acks.get(w.id),
            revision.id if revision else None,
            from_micros(revision.created_at) if revision else None))
    return result


def _cause(row: Any) -> tuple[str, str]:
    if row.cause_kind is None:
        return (CONSENT_EVENT, str(row.consent_event_id))
    return (row.cause_kind, row.cause_ref)


def acknowledge(conn: Connection, withdrawal_id: int, consumer_id: int, by: str,
                at: datetime) -> Withdrawal:
    """The consumer says it has the news; once, and only for its own snapshots. Asking again
    returns the first acknowledgement unchanged."""
    get_withdrawal(conn, withdrawal_id, consumer_id)
    conn.execute(insert_with_conflicts(conn, withdrawal_acknowledgements).values(
        withdrawal_id=withdrawal_id, consumer_id=consumer_id, acknowledged_at=to_micros(at),
        acknowledged_by=by[:200]).on_conflict_do_nothing(index_elements=["withdrawal_id"]))
    return get_withdrawal(conn, withdrawal_id)


def withdrawn_from(conn: Connection, snapshot_id: int) -> list[int]:
    """Every track withdrawn from a snapshot so far, ascending."""
    return list(conn.execute(select(withdrawn_tracks.c.track_id)
                             .where(withdrawn_tracks.c.snapshot_id == snapshot_id)
                             .order_by(withdrawn_tracks.c.track_id)).scalars())
