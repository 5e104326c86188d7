"""Decisions against the stored ledger: gather what the rules read, then ask the domain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine

from consentry.consent import (
    Agreement,
    CatalogueColumns,
    CatalogueDecisions,
    ConsentChoice,
    ConsentEvent,
    ConsentHistory,
    Consumer,
    Decision,
    DecisionContext,
    TermsPolicy,
    Track,
    decide,
    decide_catalogue,
)
from consentry.consent.ownership import ShareAnswers
from consentry.purposes import VOCABULARY, deny_chain, get_purpose
from consentry.store.catalogue import (
    get_track,
    get_tracks,
    list_agreements,
)
from consentry.store.claims import claims_on
from consentry.store.columns import ColumnarReader, int_column, load_columns
from consentry.store.ledger import events_of, history_of
from consentry.store.schema import dataset_snapshots, dataset_tracks
from consentry.store.share_answers import share_answers_of
from consentry.store.terms import terms_at
from consentry.timestamps import to_micros


def _relevant_purposes(purpose: str, consumer: Consumer | None) -> list[str]:
    extra = consumer.extra_consent_purpose(purpose) if consumer else None
    return sorted(set(deny_chain(purpose)) | (set(deny_chain(extra)) if extra else set()))


def decide_tracks(
    conn: Connection, tracks: Sequence[Track], purpose: str, at: datetime,
    consumer: Consumer | None = None,
) -> list[Decision]:
    """Decisions with full reasons for a few tracks (one request, up to a batch)."""
    get_purpose(purpose)
    owners = sorted({a for t in tracks for a in t.owner_ids})
    claims = claims_on(conn, [t.id for t in tracks])
    context = DecisionContext(
        terms=terms_at(conn, at),
        agreements=tuple(list_agreements(conn))
        if claims or any(t.rights_holder_id for t in tracks) else (),
        history=history_of(conn, owners, at, _relevant_purposes(purpose, consumer)),
        claims=claims,
        snapshot_tracks=_in_snapshots(conn, consumer, purpose, at, [t.id for t in tracks])
        if consumer and consumer.datasets_only else None,
        answers=ShareAnswers(share_answers_of(conn, [t.id for t in tracks])))
    return [decide(t, purpose, at, context, consumer) for t in tracks]


def _in_snapshots(conn: Connection, consumer: Consumer, purpose: str, at: datetime,
                  track_ids: Sequence[int]) -> frozenset[int]:
    """Which of these tracks the consumer's snapshots for ``purpose`` taken by ``at`` hold."""
    rows = conn.execute(
        select(dataset_tracks.c.track_id).distinct()
        .join(dataset_snapshots, dataset_snapshots.c.id == dataset_tracks.c.snapshot_id)
        .where(dataset_snapshots.c.consumer_id == consumer.id,
               dataset_snapshots.c.purpose == purpose,
               dataset_snapshots.c.created_at <= to_micros(at),
               dataset_tracks.c.track_id.in_(list(track_ids))))
    return frozenset(r.track_id for r in rows)


def decide_every_purpose(
    conn: Connection, track: Track, at: datetime, consumer: Consumer | None = None,
) -> dict[str, Decision]:
    """One track under every purpose of the vocabulary, reading the ledger once.

    Pages and audio responses need all of them on every request, range requests included.
    """
    claims = claims_on(conn, [track.id])
    context = DecisionContext(
        terms=terms_at(conn, at),
        agreements=tuple(list_agreements(conn)) if claims or track.rights_holder_id else (),
        history=history_of(conn, list(track.owner_ids), at), claims=claims,
        answers=ShareAnswers(share_answers_of(conn, [track.id])))
    return {p.id: decide(track, p.id, at, context, consumer) for p in VOCABULARY}


@dataclass(frozen=True)
class Preview:
    """Decisions per (track, purpose) now and with the proposed choices, and the events the
    proposed choices would be (ids and times as their reasons name them)."""

    before: dict[tuple[int, str], Decision]
    after: dict[tuple[int, str], Decision]
    proposed: tuple[ConsentEvent, ...]


def decide_before_and_after(
    conn: Connection, tracks: Sequence[Track], purposes: Sequence[str],
    proposed: Sequence[ConsentChoice], at: datetime,
) -> Preview:
    """These tracks under these purposes now, and as they would be with ``proposed`` recorded:
    what a review shows before anything is appended. The proposed events are stamped ``at``
    with ids after every stored one, so they win exactly as the recorded events will."""
    for purpose in purposes:
        get_purpose(purpose)
    owners = sorted({a for t in tracks for a in t.owner_ids})
    claims = claims_on(conn, [t.id for t in tracks])
    events = events_of(conn, owners, at)
    before = DecisionContext(
        terms=terms_at(conn, at),
        agreements=tuple(list_agreements(conn))
        if claims or any(t.rights_holder_id for t in tracks) else (),
        history=ConsentHistory(events), claims=claims,
        answers=ShareAnswers(share_answers_of(conn, [t.id for t in tracks])))
    first = max((e.id for e in events), default=0) + 1
    pending = [ConsentEvent(first + i, c.artist_id, c.purpose, c.choice, c.track_id, at,
                            c.source, before.terms.version) for i, c in enumerate(proposed)]
    after = replace(before, history=ConsentHistory([*events, *pending]))
    return Preview({(t.id, p): decide(t, p, at, before) for t in tracks for p in purposes},
                   {(t.id, p): decide(t, p, at, after) for t in tracks for p in purposes},
                   tuple(pending))


def decide_track(
    conn: Connection, track_id: int, purpose: str, at: datetime,
    consumer: Consumer | None = None,
) -> Decision:
    get_purpose(purpose)
    return decide_tracks(conn, [get_track(conn, track_id)], purpose, at, consumer)[0]


def decide_track_ids(
    conn: Connection, track_ids: Sequence[int], purpose: str, at: datetime,
    consumer: Consumer | None = None,
) -> tuple[list[Decision], list[int]]:
    """Decisions for the tracks that exist, and the ids that do not."""
    get_purpose(purpose)
    tracks = get_tracks(conn, list(dict.fromkeys(track_ids)))
    found = {t.id for t in tracks}
    return decide_tracks(conn, tracks, purpose, at, consumer), [
        i for i in dict.fromkeys(track_ids) if i not in found]


def catalogue_inputs(
    engine: Engine, purpose: str, at: datetime, consumer: Consumer | None = None,
) -> tuple[CatalogueColumns, TermsPolicy, tuple[Agreement, ...]]:
    """What the whole-catalogue rules read for one purpose: the columns, terms, agreements."""
    get_purpose(purpose)
    with engine.connect() as conn:
        terms = terms_at(conn, at)
        agreements = tuple(list_agreements(conn))
    holders = sorted({a.rights_holder_id for a in agreements})
    columns = load_columns(engine, _relevant_purposes(purpose, consumer), to_micros(at), holders)
    return columns, terms, agreements


def decide_all(
    engine: Engine, purpose: str, at: datetime, consumer: Consumer | None = None,
) -> CatalogueDecisions:
    """Every track of the catalogue for one purpose, vectorized."""
    columns, terms, agreements = catalogue_inputs(engine, purpose, at, consumer)
    held = (_all_in_snapshots(engine, consumer, purpose, at)
            if consumer and consumer.datasets_only else None)
    return decide_catalogue(columns, purpose, at, terms, agreements, consumer, held)


def _all_in_snapshots(engine: Engine, consumer: Consumer, purpose: str,
                      at: datetime) -> np.ndarray:
    """Every track the consumer's snapshots for ``purpose`` taken by ``at`` hold, as a column."""
    with ColumnarReader(engine) as reader:
        held = reader.query_ints(
            "SELECT DISTINCT t.track_id FROM dataset_tracks t JOIN dataset_snapshots s "
            f"ON s.id = t.snapshot_id WHERE s.consumer_id = {int(consumer.id)} "
            f"AND s.created_at <= {to_micros(at)} AND s.purpose = {reader.placeholder}1",
            [purpose])
    return int_column(held, "track_id") if held.num_rows else np.zeros(0, np.int64)
