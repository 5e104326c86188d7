"""Finding withdrawals: after a cause (a consent event, an agreement, a content claim, a declined
share, a terms version), which snapshots hold tracks it made ineligible for the snapshot's
purpose and consumer.

It runs inside the transaction that records the cause (``consent_choices.record_choice``,
``withdrawal_causes``), after the cause's log entry: the log head's lock orders it after every
snapshot already committed, and the withdrawal, its log record and its webhook deliveries
commit with the cause or not at all.
A snapshot committed after the event (its decisions read before the event was visible, or
taken at an earlier instant) catches up when it is stored: ``catch_up_snapshot``.

Reading is by set, not by track: the candidate pairs, the tracks, co-owners and events of the
touched tracks are a handful of queries, then the catalogue rules decide them as columns.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
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

from consentry.consent import (
    CatalogueColumns,
    ClaimStatus,
    ConsentEvent,
    Consumer,
    decide_catalogue,
)
from consentry.consent.catalogue_decisions import NO_TRACK
from consentry.datasets.withdrawal import WithdrawnFromSnapshot, withdrawn_pairs
from consentry.ledger.records import CONSENT_EVENT, withdrawal_record
from consentry.purposes import deny_chain
from consentry.store.catalogue import list_agreements
from consentry.store.parties import get_consumer
from consentry.store.schema import (
    claim_changes,
    consent_events,
    content_claims,
    dataset_snapshots,
    dataset_tracks,
    share_answers,
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
    cause: tuple[str, str]  # the cause's log record kind and id
    track_ids: tuple[int, ...]


@dataclass(frozen=True)
class Cause:
    """What may take tracks out of snapshots: its log record (kind, id), the instant it takes
    effect, the tracks it speaks about, and the purposes it can change (None: any)."""

    kind: str
    ref: str
    at: datetime
    touched: Select[Any]  # one column of track ids
    purposes: frozenset[str] | None = None
    withdraws_all: bool = False  # every touched track leaves every snapshot, undecided

    def matters_to(self, purpose: str, consumer: Consumer | None) -> bool:
        return self.purposes is None or bool(self.purposes & relevant_purposes(purpose,
                                                                               consumer))


def relevant_purposes(purpose: str, consumer: Consumer | None) -> frozenset[str]:
    """The purposes whose events can change a decision about ``purpose`` for ``consumer``."""
    extra = consumer.extra_consent_purpose(purpose) if consumer else None
    return frozenset(deny_chain(purpose)) | (frozenset(deny_chain(extra)) if extra else set())


def one_track(track_id: int) -> Select[Any]:
    """The touched tracks of a cause that speaks about a single track."""
    return select(literal(track_id, Integer).label("id"))


def event_cause(event: ConsentEvent) -> Cause:
    """A consent event speaks about one track, or every track its artist owns a share of."""
    if event.track_id is not None:
        touched = one_track(event.track_id)
    else:
        owned = union(
            select(tracks.c.id.label("id")).where(tracks.c.artist_id == event.artist_id),
            select(track_shares.c.track_id.label("id"))
            .where(track_shares.c.artist_id == event.artist_id)).subquery("touched")
        touched = select(owned.c.id)
    return Cause(CONSENT_EVENT, str(event.id), event.recorded_at, touched,
                 frozenset({event.purpose}))


def record_withdrawals(conn: Connection, event: ConsentEvent,
                       only_snapshot: int | None = None) -> list[RecordedWithdrawal]:
    """Withdraw, from every snapshot holding them, the tracks ``event`` made ineligible."""
    return record_cause(conn, event_cause(event), only_snapshot)


def record_cause(conn: Connection, cause: Cause,
                 only_snapshot: int | None = None) -> list[RecordedWithdrawal]:
    """Withdraw, from every snapshot holding them, the tracks ``cause`` made ineligible."""
    touched = cause.touched
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
        if cause.matters_to(purpose, consumer):
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
    if cause.withdraws_all:
        tracks_held = np.unique(pairs[:, 1])
        return _store(conn, cause, withdrawn_pairs(
            pairs[:, 0], pairs[:, 1], tracks_held, np.zeros(len(tracks_held), bool)))
    at = cause.at
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
    return _store(conn, cause, sorted(found, key=lambda w: w.snapshot_id))


def _store(conn: Connection, cause: Cause,
           found: list[WithdrawnFromSnapshot]) -> list[RecordedWithdrawal]:
    now = to_micros(utcnow())
    named = ({"consent_event_id": int(cause.ref)} if cause.kind == CONSENT_EVENT
             else {"cause_kind": cause.kind, "cause_ref": cause.ref})
    recorded = []
    for group in found:
        withdrawal_id = conn.execute(insert(withdrawals).values(
            snapshot_id=group.snapshot_id, recorded_at=now, **named,
        )).inserted_primary_key[0]  # type: ignore[index]
        ids = group.track_ids.tolist()
        _insert_ints(conn, withdrawn_tracks.name, ("snapshot_id", "track_id", "withdrawal_id"),
                     [(group.snapshot_id, t, withdrawal_id) for t in ids])
        recorded.append(RecordedWithdrawal(withdrawal_id, group.snapshot_id,
                                           (cause.kind, cause.ref), tuple(ids)))
    append(conn, [withdrawal_record(w.id, w.snapshot_id, w.cause, now, list(w.track_ids))
                  for w in recorded])
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


def _columns(conn: Connection, touched: Select[Any], purposes: list[str],
             at_micros: int) -> CatalogueColumns:
    """The catalogue columns of the touched tracks only: their owners, their events, their
    claims and their owners' answers to shares."""
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
    claimed = _ints(conn.execute(
        select(claim_changes.c.claim_id, content_claims.c.track_id, claim_changes.c.id,
               case((claim_changes.c.status == ClaimStatus.RELEASED.value, 0), else_=1),
               claim_changes.c.at, func.coalesce(claim_changes.c.respond_by, 0))
        .join(content_claims, content_claims.c.id == claim_changes.c.claim_id)
        .where(content_claims.c.track_id.in_(touched), claim_changes.c.at <= at_micros)), 6)
    answers = _ints(conn.execute(
        select(share_answers.c.id, share_answers.c.track_id, share_answers.c.artist_id,
               case((share_answers.c.accepted, 1), else_=0), share_answers.c.at)
        .where(share_answers.c.track_id.in_(touched), share_answers.c.at <= at_micros)), 5)
    return CatalogueColumns(
        track_id=track_id, artist_id=artist_id, rights_holder_id=rows[:, 2].copy(),
        co_owner_track_id=co_owners[:, 0].copy(), co_owner_artist_id=co_owners[:, 1].copy(),
        event_id=events[:, 0].copy(), event_artist_id=events[:, 1].copy(),
        event_track_id=events[:, 2].copy(), event_purpose=events[:, 3].copy(),
        event_allow=events[:, 4] == 1, event_deny=events[:, 4] == 0,
        event_recorded_at=events[:, 5].copy(), purpose_names=tuple(purposes),
        claim_id=claimed[:, 0].copy(), claim_track_id=claimed[:, 1].copy(),
        claim_change_id=claimed[:, 2].copy(), claim_active=claimed[:, 3] == 1,
        claim_at=claimed[:, 4].copy(), claim_respond_by=claimed[:, 5].copy(),
        answer_id=answers[:, 0].copy(), answer_track_id=answers[:, 1].copy(),
        answer_artist_id=answers[:, 2].copy(), answer_accepted=answers[:, 3] == 1,
        answer_at=answers[:, 4].copy())
