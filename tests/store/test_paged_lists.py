"""Snapshots, withdrawals and claims are read a window at a time and counted by the database: the
window holds what the whole list holds at those positions, the total the whole list's size."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from consentry.consent import Choice, Identified
from consentry.store import catalogue, parties
from consentry.store.claims import claim_page, claim_records, open_claim
from consentry.store.datasets import list_snapshots, snapshot_page
from consentry.store.paging import Window
from consentry.store.withdrawals import list_withdrawals, withdrawal_page
from tests.withdrawal_world import (
    choose,
    snapshot,
    world_fixture,  # noqa: F401  (the "world" fixture)
)


def test_snapshots_and_withdrawals_come_a_window_at_a_time(
    engine: Engine, tmp_path: Path, world: dict[str, int]
) -> None:
    taken = [snapshot(engine, tmp_path, world["acme"]) for _ in range(2)]
    taken.append(snapshot(engine, tmp_path, None))
    choose(engine, world["ada"], Choice.DENY)  # withdraws her tracks from all three
    with engine.connect() as conn:
        page = snapshot_page(conn, Window(2, 1))
        assert [s.id for s in page.items] == [s.id for s in list_snapshots(conn)][1:3]
        assert page.total == 3
        assert snapshot_page(conn, Window(5, 0), world["acme"]).total == 2
        every = [w.id for w in list_withdrawals(conn)]
        assert len(every) == 3
        oldest = withdrawal_page(conn, Window(2, 0))
        assert [w.id for w in oldest.items] == every[:2] and oldest.total == 3
        newest = withdrawal_page(conn, Window(2, 0), newest_first=True)
        assert [w.id for w in newest.items] == every[::-1][:2]
        mine = withdrawal_page(conn, Window(1, 1), consumer_id=world["acme"])
        assert mine.total == 2 and len(mine.items) == 1
        assert withdrawal_page(conn, Window(5, 0), artist_id=world["cy"]).total == 0


def test_claims_come_newest_first_a_window_at_a_time(engine: Engine) -> None:
    with engine.begin() as conn:
        holder = parties.create_rights_holder(conn, "Label")
        other = parties.create_rights_holder(conn, "Other label")
        artist = parties.create_artist(conn, "Ada")
        opened = []
        for n, by in enumerate((holder, holder, holder, other)):
            track = catalogue.create_track(conn, f"Upload {n}", artist.id)
            found = Identified(
                f"reference:{n}", "reference", n, "Hit", by.id, (), 2.0, 12.0, 20.0, 0.42, 11.5, 1.0
            )
            opened.append(open_claim(conn, track.id, found, f"{n:064d}", "test").id)
    with engine.connect() as conn:
        page = claim_page(conn, Window(2, 1), rights_holder_id=holder.id)
        assert [c.id for c in page.items] == opened[:3][::-1][1:3] and page.total == 3
        assert [c.id for c in claim_page(conn, Window(2, 0), artist_id=artist.id).items] == [
            opened[3],
            opened[2],
        ]
        assert claim_page(conn, Window(1, 0)).total == 4
        assert [c.id for c in claim_records(conn, rights_holder_id=holder.id)] == opened[:3][::-1]
