"""Uses read from the snapshots: each party sees its own, periods are whole days with no
overlap, pages and streams agree, and the pool's input counts a unit per snapshot."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, insert
from sqlalchemy.engine import Engine

from consentry.consent import Share
from consentry.store import catalogue, parties
from consentry.store.schema import dataset_snapshots, dataset_tracks
from consentry.store.share_answers import answer_share
from consentry.store.usage import compensation, count_uses, iter_uses, list_uses, track_uses
from consentry.timestamps import to_micros
from consentry.usage import UsageScope, distribute, parse_period
from tests.forgery import drop_guards

MARCH = parse_period("2026-03-01", "2026-03-31")


def take(conn: Connection, consumer_id: int | None, taken_at: datetime,
         track_ids: list[int], purpose: str = "train-generative") -> int:
    """A snapshot row as create_snapshot leaves it, at a chosen instant (the query under test
    reads only these two tables; the manifest and the log are tested in test_datasets)."""
    snapshot_id = conn.execute(insert(dataset_snapshots).values(
        consumer_id=consumer_id, purpose=purpose, at=to_micros(taken_at),
        created_at=to_micros(taken_at), tracks=len(track_ids), manifest_sha256="0" * 64,
        statement="-", requested_by="test")).inserted_primary_key[0]  # type: ignore[index]
    conn.execute(insert(dataset_tracks), [{"snapshot_id": snapshot_id, "track_id": t}
                                          for t in track_ids])
    return int(snapshot_id)


@pytest.fixture
def world(engine: Engine) -> dict[str, int]:
    with engine.begin() as conn:
        ada, bo, cy = (parties.create_artist(conn, n).id for n in ("Ada", "Bo", "Cy"))
        label = parties.create_rights_holder(conn, "Label").id
        solo = catalogue.create_track(conn, "Solo", ada).id
        duet = catalogue.create_track(conn, "Duet", ada, [Share(ada, 7000), Share(bo, 3000)],
                                      accepted=(ada, bo)).id
        signed = catalogue.create_track(conn, "Signed", ada, rights_holder_id=label).id
        other = catalogue.create_track(conn, "Other", cy).id
        acme = parties.create_consumer(conn, "Acme", frozenset({"train-generative"})).id
        recs = parties.create_consumer(conn, "Recs", frozenset({"recommendations"})).id
        s0 = take(conn, acme, datetime(2026, 2, 28, 23, 59, 59, 999_999, UTC), [solo])
        s1 = take(conn, acme, datetime(2026, 3, 1, tzinfo=UTC), [solo, duet, signed])
        s2 = take(conn, recs, datetime(2026, 3, 31, 23, 59, 59, 999_999, UTC), [duet, other],
                  "recommendations")
        s3 = take(conn, acme, datetime(2026, 4, 1, tzinfo=UTC), [solo])
    return dict(ada=ada, bo=bo, cy=cy, label=label, solo=solo, duet=duet, signed=signed,
                other=other, acme=acme, recs=recs, s0=s0, s1=s1, s2=s2, s3=s3)


def _pairs(conn: Connection, scope: UsageScope) -> list[tuple[int, int]]:
    return [(u.snapshot_id, u.track_id) for u in list_uses(conn, scope, MARCH)]


def test_each_party_sees_the_uses_of_its_own_tracks(engine: Engine,
                                                    world: dict[str, int]) -> None:
    w = world
    with engine.connect() as conn:
        assert _pairs(conn, UsageScope(artist_id=w["ada"])) == [
            (w["s1"], w["solo"]), (w["s1"], w["duet"]), (w["s1"], w["signed"]),
            (w["s2"], w["duet"])]
        # the co-owned duet appears for its co-owner too, and nothing of Ada's alone
        assert _pairs(conn, UsageScope(artist_id=w["bo"])) == [
            (w["s1"], w["duet"]), (w["s2"], w["duet"])]
        assert _pairs(conn, UsageScope(artist_id=w["cy"])) == [(w["s2"], w["other"])]
        assert _pairs(conn, UsageScope(rights_holder_id=w["label"])) == [
            (w["s1"], w["signed"])]
        assert _pairs(conn, UsageScope(consumer_id=w["recs"])) == [
            (w["s2"], w["duet"]), (w["s2"], w["other"])]
        assert count_uses(conn, UsageScope(), MARCH) == 5
        use = list_uses(conn, UsageScope(artist_id=w["cy"]), MARCH)[0]
    assert use.consumer_name == "Recs" and use.purpose == "recommendations"
    assert use.track_title == "Other" and use.taken_at.day == 31


def test_an_invited_owner_sees_no_use_until_they_accept(engine: Engine,
                                                        world: dict[str, int]) -> None:
    """Issue 15: an owner named by someone else reads nothing of the track before saying
    yes, its uses included."""
    w = world
    with engine.begin() as conn:
        trio = catalogue.create_track(conn, "Trio", w["ada"],
                                      [Share(w["ada"], 5000), Share(w["cy"], 5000)], by="Ada").id
        snapshot = take(conn, w["acme"], datetime(2026, 3, 10, tzinfo=UTC), [trio])
    with engine.connect() as conn:
        assert (snapshot, trio) not in _pairs(conn, UsageScope(artist_id=w["cy"]))
        assert (snapshot, trio) in _pairs(conn, UsageScope(artist_id=w["ada"]))
    with engine.begin() as conn:
        answer_share(conn, trio, w["cy"], True, "Cy")
    with engine.connect() as conn:
        assert (snapshot, trio) in _pairs(conn, UsageScope(artist_id=w["cy"]))


def test_adjacent_periods_neither_overlap_nor_miss(engine: Engine,
                                                   world: dict[str, int]) -> None:
    with engine.connect() as conn:
        months = [count_uses(conn, UsageScope(), parse_period(a, b)) for a, b in (
            ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31"),
            ("2026-04-01", "2026-04-30"))]
        assert months == [1, 5, 1]
        assert count_uses(conn, UsageScope(), parse_period("2026-01-01", "2026-12-31")) == 7


def test_a_stream_gives_the_same_uses_as_the_pages(engine: Engine,
                                                   world: dict[str, int]) -> None:
    year = parse_period("2026-01-01", "2026-12-31")
    with engine.connect() as conn:
        streamed = list(iter_uses(conn, UsageScope(), year, rows=2))
        paged = list_uses(conn, UsageScope(), year, limit=3) + list_uses(
            conn, UsageScope(), year, limit=3, offset=3) + list_uses(
            conn, UsageScope(), year, limit=3, offset=6)
    assert streamed == paged and len(streamed) == 7


def test_the_pool_counts_a_unit_per_track_per_snapshot(engine: Engine,
                                                       world: dict[str, int]) -> None:
    w = world
    with engine.connect() as conn:
        uses = track_uses(conn, MARCH)
        acme_only = track_uses(conn, MARCH, w["acme"])
    assert [(u.track_id, u.units) for u in uses] == [
        (w["solo"], 1), (w["duet"], 2), (w["signed"], 1), (w["other"], 1)]
    duet = next(u for u in uses if u.track_id == w["duet"])
    assert sorted(duet.owners) == sorted([(w["ada"], 7000), (w["bo"], 3000)])
    assert next(u for u in uses if u.track_id == w["signed"]).rights_holder_id == w["label"]
    assert [(u.track_id, u.units) for u in acme_only] == [
        (w["solo"], 1), (w["duet"], 1), (w["signed"], 1)]
    result = distribute(100_000, uses)
    assert [t.amount for t in result.tracks] == [20_000, 40_000, 20_000, 20_000]
    assert result.artist_totals() == {w["ada"]: 68_000, w["bo"]: 12_000, w["cy"]: 20_000}


def test_the_columnar_pool_agrees_with_the_reference(engine: Engine,
                                                     world: dict[str, int]) -> None:
    """The columns read for the whole pool give the statement the object path gives."""
    year = parse_period("2026-01-01", "2026-12-31")
    with engine.begin() as conn:  # a track stored without share rows (an older bulk import)
        drop_guards(conn, "track_shares")
        conn.exec_driver_sql(f"DELETE FROM track_shares WHERE track_id = {world['other']}")
    with engine.connect() as conn:
        for period, consumer in ((MARCH, None), (year, None), (year, world["acme"]),
                                 (parse_period("2025-01-01", "2025-01-31"), None)):
            expected = distribute(100_003, track_uses(conn, period, consumer))
            assert compensation(engine, 100_003, period, consumer) == expected
    assert compensation(engine, 7, MARCH).owners[-1].artist_id == world["cy"]
