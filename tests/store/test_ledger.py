"""The stored ledger: appends, refuses rewrites, keeps every event under concurrent writers."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from consentry.consent import Choice, ConsentChoice
from consentry.errors import InvalidInput, NotFound, UnknownPurpose
from consentry.ledger.merkle import root_hash
from consentry.services import consent_choices
from consentry.store import catalogue, ledger, parties, transparency_log
from consentry.store.database import make_engine


def test_recorded_event_reads_back_with_terms_version(engine: Engine) -> None:
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        event = consent_choices.record_choice(conn, ConsentChoice(
            artist.id, "train-generative", Choice.ALLOW, source="test", recorded_by="me"))
    with engine.connect() as conn:
        [stored] = ledger.events_of(conn, [artist.id])
    assert stored == event
    assert stored.terms_version == "1"
    assert stored.scope == "artist"


@pytest.mark.parametrize("statement", [
    "UPDATE consent_events SET choice = 'allow'",
    "DELETE FROM consent_events",
])
def test_database_refuses_to_rewrite_events(engine: Engine, statement: str) -> None:
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        consent_choices.record_choice(conn, ConsentChoice(artist.id, "train-ai", Choice.DENY))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    with engine.connect() as conn:
        assert [e.choice for e in ledger.events_of(conn, [artist.id])] == [Choice.DENY]


def test_track_choice_needs_an_owner(engine: Engine) -> None:
    with engine.begin() as conn:
        ada = parties.create_artist(conn, "Ada")
        bo = parties.create_artist(conn, "Bo")
        track = catalogue.create_track(conn, "Song", ada.id)
    with pytest.raises(InvalidInput, match="not an owner"), engine.begin() as conn:
        consent_choices.record_choice(conn, ConsentChoice(
            bo.id, "train-ai", Choice.ALLOW, track.id))
    with pytest.raises(NotFound), engine.begin() as conn:
        consent_choices.record_choice(conn, ConsentChoice(ada.id, "train-ai", Choice.ALLOW, 999))
    with pytest.raises(UnknownPurpose):
        ConsentChoice(ada.id, "train-everything", Choice.ALLOW)


def test_required_use_cannot_be_denied(engine: Engine) -> None:
    with engine.begin() as conn:
        ada = parties.create_artist(conn, "Ada")
    with pytest.raises(InvalidInput, match="required"), engine.begin() as conn:
        consent_choices.record_choice(conn, ConsentChoice(ada.id, "fraud-detection", Choice.DENY))
    with engine.connect() as conn:
        assert ledger.count_events(conn) == 0


def _write_events(url: str, artist_id: int, count: int) -> None:
    engine = make_engine(url)
    for i in range(count):
        with engine.begin() as conn:
            consent_choices.record_choice(conn, ConsentChoice(
                artist_id, "train-ai", Choice.ALLOW if i % 2 else Choice.DENY,
                source=f"writer-{artist_id}-{i}"))
    engine.dispose()


@pytest.mark.slow
def test_concurrent_writers_lose_no_event(engine: Engine, database_url: str) -> None:
    writers, per_writer = 4, 60
    with engine.begin() as conn:
        ids = [parties.create_artist(conn, f"writer {i}").id for i in range(writers)]
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_events, args=(database_url, a, per_writer))
                 for a in ids]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * writers
    with engine.connect() as conn:
        events = ledger.events_of(conn, ids)
    assert len(events) == writers * per_writer
    assert len({e.id for e in events}) == writers * per_writer
    for artist_id in ids:
        sources = [e.source for e in events if e.artist_id == artist_id]
        assert sources == [f"writer-{artist_id}-{i}" for i in range(per_writer)]
    # the log took every event exactly once, without gaps, in the order the writers committed
    with engine.connect() as conn:
        logged = transparency_log.entries(conn, 0, transparency_log.log_size(conn) + 1)
        assert [e.index for e in logged] == list(range(len(logged)))
        choices = [e.source_id for e in logged if e.kind == "consent-event"]
        assert sorted(choices) == sorted(e.id for e in events)
        assert transparency_log.root_at(conn) == root_hash([e.leaf_hash for e in logged])
