"""A use is counted once, and only where it is allowed: a snapshot of a past instant holds no
track withdrawn since, and a revision (its parent less what was withdrawn) is no new use."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy.engine import Engine

from consentry.consent import Choice
from consentry.services.dataset_snapshots import create_snapshot
from consentry.services.snapshot_revisions import create_revision
from consentry.store import parties
from consentry.store.usage import compensation, count_uses, track_uses
from consentry.timestamps import utcnow
from consentry.usage import Period, UsageScope, parse_period
from tests.withdrawal_world import (
    GEN,
    KEY,
    ORIGIN,
    choose,
    snapshot,
    world_fixture,  # noqa: F401  (the "world" fixture)
)


def _this_year() -> Period:
    year = utcnow().year
    return parse_period(f"{year}-01-01", f"{year}-12-31")


def test_a_revision_counts_no_use_twice(engine: Engine, tmp_path: Path,
                                        world: dict[str, int]) -> None:
    taken = snapshot(engine, tmp_path, world["acme"])
    assert taken.tracks == 3
    choose(engine, world["ada"], Choice.DENY, track=world["solo"])
    create_revision(engine, tmp_path, taken.id, ORIGIN, KEY, "test")
    period = _this_year()
    with engine.connect() as conn:
        assert count_uses(conn, UsageScope(), period) == 3
        units = {u.track_id: u.units for u in track_uses(conn, period)}
    assert units == {world["solo"]: 1, world["duet"]: 1, world["cys"]: 1}
    pool = compensation(engine, 300, period)
    assert sorted(pool.track_id.tolist()) == sorted(units)
    assert pool.total_units == 3


def test_a_snapshot_of_a_past_instant_counts_no_withdrawn_track(
        engine: Engine, tmp_path: Path, world: dict[str, int]) -> None:
    before = utcnow()
    time.sleep(0.002)
    choose(engine, world["cy"], Choice.DENY, track=world["cys"])
    with engine.connect() as conn:
        acme = parties.get_consumer(conn, world["acme"])
    past = create_snapshot(engine, tmp_path, GEN, before, acme, ORIGIN, KEY, "test")
    assert past.tracks == 2
    with engine.connect() as conn:
        assert world["cys"] not in {u.track_id for u in track_uses(conn, _this_year())}
