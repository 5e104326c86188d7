"""Finding withdrawals: after a consent event, which snapshots hold tracks the event made
ineligible for the snapshot's purpose and consumer.

It runs inside the transaction that records the event (``consent_choices.record_choice``),
after the event's log entry: the log head's lock orders it after every snapshot already
committed, and the withdrawal, its log record and its webhook deliveries commit with the
event or not at all.
A snapshot committed after the event (its decisions read before the event was visible, or
taken at an earlier instant) catches up when it is stored: ``catch_up_snapshot``.

Reading is by set, not by track: the candidate pairs, the tracks, co-owners and events of the
touched tracks are a handful of queries, then the catalogue rules decide them as columns.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Result,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.sql import Select

from consentry.consent import CatalogueColumns, ConsentEvent, Consumer, decide_catalogue
from consentry.consent.catalogue_decisions import NO_TRACK
from consentry.datasets.withdrawal import WithdrawnFromSnapshot, withdrawn_pairs
from consentry.ledger.records import CONSENT_EVENT, withdrawal_record
from consentry.purposes import deny_chain
from consentry.store.catalogue import list_agreements
from consentry.store.parties import get_consumer
from consentry.store.records import event_from_row
from consentry.store.schema import (
    consent_events,
    dataset_snapshots,
    dataset_tracks,
    log_entries,
    track_shares,
    tracks,
    withdrawals,
    withdrawn_tracks,
)
from consentry.store.terms import terms_at
from consentry.store.transparency_log import append
from consentry.store.webhooks import queue_deliveries
from consentry.timestamps import from_micros, to_micros, utcnow

ROWS_PER_INSERT = 50_000


@dataclass(frozen=True)
class RecordedWithdrawal:
    id: int
    snapshot_id: int
    consent_event_id: int
    track_ids: tuple[int, ...]


def relevant_purposes(purpose: str, consumer: Consumer | None) -> frozenset[str]:
    """The purposes whose events can change a decision about ``purpose`` for ``consumer``."""
    extra = consumer.extra_consent_purpose(purpose) if consumer else None
    return frozenset(deny_chain(purpose)) | (frozenset(deny_chain(extra)) if extra else set())


def _touched_tracks(event: ConsentEvent) -> Select[tuple[int]]:
    """The tracks an event speaks about: one track, or every track its artist owns a share of."""
    if event.track_id is not None:
        return select(literal(event.track_id, Integer).label("id"))
    owned = union(
        select(tracks.c.id.label("id")).where(tracks.c.artist_id == event.artist_id),
        select(track_shares.c.track_id.label("id"))
        .where(track_shares.c.artist_id == event.artist_id)).subquery("touched")
    return select(owned.c.id)


def record_withdrawals(conn: Connection, event: ConsentEvent,
                       only_snapshot: int | None = None) -> list[RecordedWithdrawal]:
    """Withdraw, from every snapshot holding them, the tracks ``event`` made ineligible."""
    touched = _touched_tracks(event)
    snapshot_filter: ColumnElement[bool] = dataset_tracks.c.track_id.in_(touched)
    if only_snapshot is not None:
        snapshot_filter = and_(snapshot_filter, dataset_tracks.c.snapshot_id == only_snapshot)
    holding = conn.execute(select(dataset_snapshots.c.id, dataset_snapshots.c.purpose,
                                  dataset_snapshots.c.consumer_id).where(
        dataset_snapshots.c.id.in_(select(dataset_tracks.c.snapshot_id).where(snapshot_filter)
                                   .distinct()))).all()
    consumers: dict[int, Consumer] = {}
    groups: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for snapshot_id, purpose, consumer_id in holding:
        if consumer_id is not None and consumer_id not in consumers:
            # Whether consent still allows the use: that the snapshot holds the track is
            # given, so a datasets-only consumer's own rule has nothing to add.
            consumers[consumer_id] = replace(get_consumer(conn, consumer_id),
                                             datasets_only=False)
        consumer = consumers.get(consumer_id) if consumer_id is not None else None
        if event.purpose in relevant_purposes(purpose, consumer):
            groups[(purpose, consumer_id)].append(snapshot_id)
    if not groups:
        return []
    pairs = _ints(conn.execute(
        select(dataset_tracks.c.snapshot_id, dataset_tracks.c.track_id)
        .outerjoin(withdrawn_tracks, and_(
            withdrawn_tracks.c.snapshot_id == dataset_tracks.c.snapshot_id,
            withdrawn_tracks.c.track_id == dataset_tracks.c.track_id))
        .where(dataset_tracks.c.track_id.in_(touched),
               dataset_tracks.c.snapshot_id.in_([s for ids in groups.values() for s in ids]),
               withdrawn_tracks.c.track_id.is_(None))), 2)
    if not len(pairs):
        return []
    at = event.recorded_at
    all_purposes = sorted(set().union(*(
        relevant_purposes(p, consumers.get(c) if c is not None else None)
        for p, c in groups)))
    columns = _columns(conn, touched, all_purposes, to_micros(at))
    terms, agreements = terms_at(conn, at), tuple(list_agreements(conn))
    found = []
    for (purpose, consumer_id), snapshot_ids in sorted(groups.items(), key=str):
        in_group = np.isin(pairs[:, 0], snapshot_ids)
        decided = decide_catalogue(columns, purpose, at, terms, agreements,
                                   consumers.get(consumer_id) if consumer_id else None)
        found += withdrawn_pairs(pairs[in_group, 0], pairs[in_group, 1], decided.track_id,
                                 decided.allowed)
    return _store(conn, event, sorted(found, key=lambda w: w.snapshot_id))


def _store(conn: Connection, event: ConsentEvent,
           found: list[WithdrawnFromSnapshot]) -> list[RecordedWithdrawal]:
    now = to_micros(utcnow())
    recorded = []
    for group in found:
        withdrawal_id = conn.execute(insert(withdrawals).values(
            snapshot_id=group.snapshot_id, consent_event_id=event.id, recorded_at=now,
        )).inserted_primary_key[0]  # type: ignore[index]
        ids = group.track_ids.tolist()
        _insert_ints(conn, withdrawn_tracks.name, ("snapshot_id", "track_id", "withdrawal_id"),
                     [(group.snapshot_id, t, withdrawal_id) for t in ids])
        recorded.append(RecordedWithdrawal(withdrawal_id, group.snapshot_id, event.id,
                                           tuple(ids)))
    append(conn, [withdrawal_record(w.id, w.snapshot_id, w.consent_event_id, now,
                                    list(w.track_ids)) for w in recorded])
    queue_deliveries(conn, [w.id for w in recorded], from_micros(now))
    return recorded


def _insert_ints(conn: Connection, table: str, columns: tuple[str, ...],
                 rows: list[tuple[int, ...]]) -> None:
    """Integer rows through the driver's own executemany: for a hundred thousand rows the
    ORM-free Core insert still spends more time building parameter dicts than SQLite does
    writing them."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    for start in range(0, len(rows), ROWS_PER_INSERT):
        conn.exec_driver_sql(sql, rows[start:start + ROWS_PER_INSERT])


def _ints(result: Result[Any], width: int) -> np.ndarray:
    """Integer rows as one (n, width) array, without a Python object per value."""
    flat = np.fromiter(itertools.chain.from_iterable(result), dtype=np.int64)
    return flat.reshape(-1, width)


def _columns(conn: Connection, touched: Select[tuple[int]], purposes: list[str],
             at_micros: int) -> CatalogueColumns:
    """The catalogue columns of the touched tracks only: their owners and their events."""
    rows = _ints(conn.execute(
        select(tracks.c.id, tracks.c.artist_id, func.coalesce(tracks.c.rights_holder_id, NO_TRACK))
        .where(tracks.c.id.in_(touched)).order_by(tracks.c.id)), 3)
    track_id, artist_id = rows[:, 0].copy(), rows[:, 1].copy()
    shares = _ints(conn.execute(
        select(track_shares.c.track_id, track_shares.c.artist_id)
        .where(track_shares.c.track_id.in_(touched))), 2)
    managing = artist_id[np.searchsorted(track_id, shares[:, 0])]
    co_owners = shares[shares[:, 1] != managing]
    owners = union(select(tracks.c.artist_id).where(tracks.c.id.in_(touched)),
                   select(track_shares.c.artist_id).where(track_shares.c.track_id.in_(touched)))
    choice = case((consent_events.c.choice == "allow", 1),
                  (consent_events.c.choice == "deny", 0), else_=2)
    purpose = case(*((consent_events.c.purpose == p, i) for i, p in enumerate(purposes)),
                   else_=-1)
    # Purposes are filtered here, not in SQL: with them in the WHERE clause SQLite prefers
    # the covering purpose index and reads every event of those purposes (30 ms at 300,000
    # events) instead of the owners' few (0.5 ms).
    events = _ints(conn.execute(select(
        consent_events.c.id, consent_events.c.artist_id,
        func.coalesce(consent_events.c.track_id, NO_TRACK), purpose, choice,
        consent_events.c.recorded_at)
        .where(consent_events.c.artist_id.in_(owners),
               consent_events.c.recorded_at <= at_micros,
               or_(consent_events.c.track_id.is_(None),
                   consent_events.c.track_id.in_(touched)))), 6)
    events = events[events[:, 3] >= 0]
    return CatalogueColumns(
        track_id=track_id, artist_id=artist_id, rights_holder_id=rows[:, 2].copy(),
        co_owner_track_id=co_owners[:, 0].copy(), co_owner_artist_id=co_owners[:, 1].copy(),
        event_id=events[:, 0].copy(), event_artist_id=events[:, 1].copy(),
        event_track_id=events[:, 2].copy(), event_purpose=events[:, 3].copy(),
        event_allow=events[:, 4] == 1, event_deny=events[:, 4] == 0,
        event_recorded_at=events[:, 5].copy(), purpose_names=tuple(purposes))


def catch_up_snapshot(conn: Connection, snapshot_id: int, seen_log_size: int) -> int:
    """For a snapshot being stored: replay the consent events its decisions may not reflect,
    as if they were recorded now. Those are the events logged since ``seen_log_size`` (the
    log's size before its decisions were read: they may have committed in between) and, for
    a snapshot of a past instant, every relevant event since that instant. Returns how many
    withdrawals were recorded."""
    snapshot = conn.execute(select(dataset_snapshots)
                            .where(dataset_snapshots.c.id == snapshot_id)).one()
    consumer = get_consumer(conn, snapshot.consumer_id) if snapshot.consumer_id else None
    relevant = consent_events.c.purpose.in_(relevant_purposes(snapshot.purpose, consumer))
    # Two index searches (the log by position, the events by purpose and time), not one scan
    late = select(consent_events.c.id).where(relevant, consent_events.c.id.in_(
        select(log_entries.c.source_id).where(log_entries.c.kind == CONSENT_EVENT,
                                              log_entries.c.idx >= seen_log_size)))
    since = late if snapshot.revision_of is not None else union(
        late, select(consent_events.c.id).where(relevant,
                                                consent_events.c.recorded_at > snapshot.at))
    events = [event_from_row(r) for r in conn.execute(
        select(consent_events).where(consent_events.c.id.in_(since))
        .order_by(consent_events.c.recorded_at, consent_events.c.id))]
    return sum(len(record_withdrawals(conn, e, only_snapshot=snapshot_id)) for e in events)
