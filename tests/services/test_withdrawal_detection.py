"""Withdrawals: a consent change that makes a snapshot's track ineligible is recorded once,
with its cause, in the same transaction, logged, and verifiable; nothing else is."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import Connection, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from consentry.consent import Choice
from consentry.services.dataset_snapshots import create_snapshot
from consentry.services.log_audit import LogMismatch, audit_log
from consentry.services.withdrawal_causes import catch_up_snapshot
from consentry.store import catalogue, parties
from consentry.store import transparency_log as log
from consentry.store.log_sources import log_new_row
from consentry.store.schema import dataset_snapshots, dataset_tracks
from consentry.store.withdrawals import list_withdrawals
from consentry.timestamps import to_micros, utcnow
from tests.withdrawal_world import (
    GEN,
    KEY,
    ORIGIN,
    choose,
    snapshot,
    world_fixture,  # noqa: F401  (the "world" fixture)
)


def withdrawn(engine: Engine) -> list[tuple[int, tuple[int, ...], int]]:
    with engine.connect() as conn:
        return [(w.snapshot_id, w.track_ids, w.consent_event_id) for w in list_withdrawals(conn)]


def audit(engine: Engine) -> None:
    with engine.begin() as conn:
        log.sign_current(conn, ORIGIN, KEY)
    with engine.connect() as conn:
        audit_log(conn, ORIGIN, KEY.public_key())


def test_an_artist_wide_deny_withdraws_every_track_of_hers_from_every_snapshot(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    first = snapshot(engine, tmp_path, world["acme"])
    second = snapshot(engine, tmp_path, None)  # an internal snapshot, no consumer
    assert first.tracks == 3 and second.tracks == 3
    event = choose(engine, world["ada"], Choice.DENY)
    pair = (world["solo"], world["duet"])
    assert withdrawn(engine) == [(first.id, pair, event), (second.id, pair, event)]
    with engine.connect() as conn:
        listed = list_withdrawals(conn, consumer_id=world["acme"])
        assert [w.snapshot_id for w in listed] == [first.id]
        assert listed[0].log_index is not None and listed[0].stage == "recorded"
        entry = log.get_entry(conn, listed[0].log_index)
    assert entry.kind == "withdrawal" and entry.source_id == listed[0].id
    assert f'"consent_event_id":{event}' in entry.data.decode()
    # denying again, or more broadly, changes nothing that is not already withdrawn
    choose(engine, world["ada"], Choice.DENY, purpose="train-ai")
    assert len(withdrawn(engine)) == 2
    audit(engine)


def test_a_one_track_deny_withdraws_that_track_only(engine: Engine, tmp_path: Path,
                                                     world: dict[str, int]) -> None:
    taken = snapshot(engine, tmp_path, world["acme"])
    event = choose(engine, world["ada"], Choice.DENY, track=world["duet"])
    assert withdrawn(engine) == [(taken.id, (world["duet"],), event)]


def test_a_co_owner_withdraws_a_shared_track(engine: Engine, tmp_path: Path,
                                             world: dict[str, int]) -> None:
    taken = snapshot(engine, tmp_path, world["acme"])
    event = choose(engine, world["bo"], Choice.DENY, purpose="third-party-training:acme")
    assert withdrawn(engine) == [(taken.id, (world["duet"],), event)]


def test_clearing_back_to_a_default_that_denies_withdraws(engine: Engine, tmp_path: Path,
                                                         world: dict[str, int]) -> None:
    taken = snapshot(engine, tmp_path, world["acme"])
    event = choose(engine, world["cy"], Choice.CLEAR, track=world["cys"])
    assert withdrawn(engine) == [(taken.id, (world["cys"],), event)]


def test_choices_that_leave_the_tracks_eligible_withdraw_nothing(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    snapshot(engine, tmp_path, world["acme"])
    choose(engine, world["ada"], Choice.ALLOW)  # allowed again
    choose(engine, world["ada"], Choice.DENY, purpose="ai-input")  # another purpose
    choose(engine, world["ada"], Choice.CLEAR, track=world["solo"])  # no track choice to clear
    choose(engine, world["cy"], Choice.DENY)  # artist-wide, but the track's "yes" decides
    assert withdrawn(engine) == []
    # the snapshot's other purposes are untouched by a deny of this one
    snapshot(engine, tmp_path, None, purpose="ai-input", at_offset=1)
    choose(engine, world["bo"], Choice.DENY, purpose="train-ai")
    assert [w[0] for w in withdrawn(engine)] == [1]


def test_a_snapshot_of_a_past_instant_never_takes_back_a_withdrawn_track(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    """Ada's "no" came after that instant, but before the snapshot was taken: the track is
    not in it (it would count as a use she refused), so nothing needs withdrawing."""
    before = utcnow()
    time.sleep(0.002)
    choose(engine, world["ada"], Choice.DENY, track=world["solo"])
    with engine.connect() as conn:
        acme = parties.get_consumer(conn, world["acme"])
    past = create_snapshot(engine, tmp_path, GEN, before, acme, ORIGIN, KEY, "test")
    assert past.tracks == 2
    with engine.connect() as conn:
        held = conn.execute(select(dataset_tracks.c.track_id).where(
            dataset_tracks.c.snapshot_id == past.id).order_by(dataset_tracks.c.track_id))
        assert held.scalars().all() == sorted([world["duet"], world["cys"]])
    assert withdrawn(engine) == []
    audit(engine)


@pytest.mark.slow
def test_many_tracks_in_large_snapshots_are_withdrawn_in_one_pass(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    with engine.begin() as conn:
        many = [catalogue.create_track(conn, f"T{i}", world["ada"]).id for i in range(3000)]
    snapshots = [snapshot(engine, tmp_path, world["acme"]) for _ in range(2)]
    started = time.perf_counter()
    event = choose(engine, world["ada"], Choice.DENY)
    took = time.perf_counter() - started
    expected = tuple(sorted([world["solo"], world["duet"], *many]))
    assert withdrawn(engine) == [(s.id, expected, event) for s in snapshots]
    assert took < 10, took
    audit(engine)


def _unguarded(conn: Connection, tables: tuple[str, ...], statement: str) -> None:
    if conn.dialect.name == "postgresql":
        for table in tables:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER ALL"))
    else:
        for table in tables:
            for action in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{action}"))
    conn.execute(text(statement))


@pytest.mark.parametrize(("tables", "statement"), [
    (("withdrawals",), "UPDATE withdrawals SET consent_event_id = 1"),
    (("withdrawn_tracks",), "DELETE FROM withdrawn_tracks WHERE track_id = {solo}"),
])
def test_a_rewritten_withdrawal_is_found_by_the_audit(
        engine: Engine, tmp_path: Path, world: dict[str, int], tables: tuple[str, ...],
        statement: str) -> None:
    snapshot(engine, tmp_path, world["acme"])
    choose(engine, world["ada"], Choice.DENY)
    audit(engine)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement.format(**world)))
    with engine.begin() as conn:
        _unguarded(conn, tables, statement.format(**world))
    with engine.connect() as conn, pytest.raises(
            LogMismatch, match="withdrawal 1 in the database no longer matches"):
        audit_log(conn, ORIGIN, KEY.public_key())


def test_a_snapshot_that_decided_before_an_event_was_visible_catches_up(
        engine: Engine, world: dict[str, int]) -> None:
    """The race the same-transaction check alone would miss: a snapshot of *now* whose
    decisions were read just before a "no" committed. It is stored after the event, so the
    event's own check did not see it; the snapshot replays what was logged since it read."""
    with engine.connect() as conn:
        seen = log.log_size(conn)
    event = choose(engine, world["ada"], Choice.DENY, track=world["solo"])
    assert withdrawn(engine) == []  # no snapshot held the track yet

    def store_stale_snapshot(seen_log_size: int) -> int:
        with engine.begin() as conn:
            snapshot_id = conn.execute(insert(dataset_snapshots).values(
                consumer_id=world["acme"], purpose=GEN, at=to_micros(utcnow()),
                created_at=to_micros(utcnow()), tracks=3, manifest_sha256="0" * 64,
                statement="-", requested_by="test")).inserted_primary_key[0]
            conn.execute(insert(dataset_tracks), [
                {"snapshot_id": snapshot_id, "track_id": t}
                for t in (world["solo"], world["duet"], world["cys"])])
            log_new_row(conn, "dataset-snapshot", snapshot_id)
            catch_up_snapshot(conn, snapshot_id, seen_log_size)
            return int(snapshot_id)

    with engine.connect() as conn:
        after = log.log_size(conn)
    store_stale_snapshot(after)  # had it read the log after the event, nothing to replay
    assert withdrawn(engine) == []
    stale = store_stale_snapshot(seen)
    assert withdrawn(engine) == [(stale, (world["solo"],), event)]
