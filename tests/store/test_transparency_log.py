"""Every consent event lands in the log in the same transaction; proofs and checkpoints hold."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from consentry.consent import Choice, ConsentChoice
from consentry.ledger.checkpoint import verify_checkpoint
from consentry.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from consentry.ledger.records import CONSENT_EVENT, consent_event_record
from consentry.store import ledger, parties
from consentry.store import transparency_log as log
from consentry.store.log_sources import append_missing, record_decision_batch

ORIGIN = "music.example/log"


def _choices(engine: Engine, n: int) -> list[int]:
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        return [ledger.record_choice(conn, ConsentChoice(
            artist.id, "train-ai", Choice.ALLOW if i % 2 else Choice.DENY)).id for i in range(n)]


def test_each_event_is_logged_with_its_exact_record(engine: Engine) -> None:
    ids = _choices(engine, 300)
    with engine.connect() as conn:
        assert log.log_size(conn) == 300
        for index, event_id in enumerate(ids):
            entry = log.entry_of(conn, CONSENT_EVENT, event_id)
            assert entry is not None and entry.index == index
            expected = consent_event_record(ledger.get_event(conn, event_id))
            assert entry.data == expected.data and entry.leaf_hash == leaf_hash(entry.data)
        root = log.root_at(conn)
        for index in (0, 137, 255, 256, 299):
            proof = log.inclusion_proof(conn, index)
            assert verify_inclusion(log.get_entry(conn, index).leaf_hash, index, 300, proof, root)
        old_root = log.root_at(conn, 256)
        assert verify_consistency(256, 300, old_root, root, log.consistency_proof(conn, 256))


def test_checkpoints_are_signed_once_per_size(engine: Engine) -> None:
    key = Ed25519PrivateKey.generate()
    _choices(engine, 5)
    with engine.begin() as conn:
        first = log.sign_current(conn, ORIGIN, key)
        assert log.sign_current(conn, ORIGIN, key) == first
        checkpoint = verify_checkpoint(first.note, ORIGIN, key.public_key())
        assert (checkpoint.size, checkpoint.root) == (5, log.root_at(conn))
        record_decision_batch(conn, None, "train-ai", 0, [1, 2], [True, False], "test")
        second = log.sign_current(conn, ORIGIN, key)
    assert second.size == 6
    with engine.connect() as conn:
        assert [c.size for c in log.all_checkpoints(conn)] == [5, 6]


def test_events_recorded_before_the_log_are_appended_once(engine: Engine) -> None:
    _choices(engine, 3)
    with engine.begin() as conn:
        assert append_missing(conn) == 0  # nothing missing: the writes logged themselves
        assert log.log_size(conn) == 3


@pytest.mark.parametrize("statement", [
    "UPDATE log_entries SET kind = 'x'", "DELETE FROM log_entries",
    "DELETE FROM log_checkpoints", "UPDATE log_subtrees SET height = 0"])
def test_the_log_tables_refuse_rewrites(engine: Engine, statement: str) -> None:
    _choices(engine, 256)  # enough for a stored subtree
    with engine.begin() as conn:
        log.sign_current(conn, ORIGIN, Ed25519PrivateKey.generate())
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
