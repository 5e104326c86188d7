"""Removing a track rewrites nothing: its events and log entries stay, the removal is a record
of its own, the track leaves every snapshot (a withdrawal naming the removal) and every new
decision, list and snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from consentry.errors import TrackRemoved
from consentry.services.decisions import decide_all, decide_track_ids
from consentry.services.track_removals import remove_track
from consentry.store import catalogue, ledger, parties
from consentry.store import transparency_log as log
from consentry.store.schema import consent_events, log_entries
from consentry.store.withdrawals import list_withdrawals
from consentry.timestamps import utcnow
from tests.services.test_withdrawal_detection import audit
from tests.withdrawal_world import GEN, snapshot, world_fixture  # noqa: F401


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(consent_events)).scalar_one(),
                conn.execute(select(func.count()).select_from(log_entries)).scalar_one())


def test_a_removed_track_leaves_every_snapshot_whatever_its_purpose(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    for_acme = snapshot(engine, tmp_path, world["acme"])
    internal = snapshot(engine, tmp_path, None, purpose="recommendations")
    assert for_acme.tracks == 3 and internal.tracks == 3
    events, entries = _counts(engine)
    with engine.begin() as conn:
        removal = remove_track(conn, world["duet"], "user:1")
    assert removal.withdrawals == 2
    with engine.connect() as conn:
        found = list_withdrawals(conn)
    assert sorted((w.snapshot_id, w.cause, w.track_ids) for w in found) == [
        (for_acme.id, ("track-removal", str(removal.id)), (world["duet"],)),
        (internal.id, ("track-removal", str(removal.id)), (world["duet"],))]
    # nothing was deleted: the events stay; the log grew by the removal and two withdrawals
    assert _counts(engine) == (events, entries + 3)
    with engine.connect() as conn:
        assert len(ledger.events_of(conn, [world["ada"], world["bo"]])) == 4
        entry = log.entry_of(conn, "track-removal", removal.id)
    assert entry is not None and entry.index == entries
    record = json.loads(entry.data)
    assert record["kind"] == "track-removal" and record["track_id"] == world["duet"]
    assert record["removed_by"] == "user:1"
    audit(engine)


def test_a_removed_track_is_gone_from_lookups_lists_decisions_and_new_snapshots(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    with engine.begin() as conn:
        remove_track(conn, world["solo"], "admin")
    with engine.connect() as conn:
        with pytest.raises(TrackRemoved, match=f"track {world['solo']} was removed on"):
            catalogue.get_track(conn, world["solo"])
        assert world["solo"] not in [t.id for t in catalogue.list_tracks(conn)]
        decided, missing = decide_track_ids(conn, [world["solo"], world["duet"]], GEN,
                                            utcnow(), parties.get_consumer(conn, world["acme"]))
        assert [d.track_id for d in decided] == [world["duet"]] and missing == [world["solo"]]
        with pytest.raises(TrackRemoved):
            remove_track(conn, world["solo"], "admin")
    assert world["solo"] not in decide_all(engine, GEN, utcnow()).track_id.tolist()
    assert snapshot(engine, tmp_path, world["acme"]).tracks == 2
