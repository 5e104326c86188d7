"""Every consent event lands in the log in the same transaction; proofs and checkpoints hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from consentry.access import Role
from consentry.consent import Choice, ConsentChoice
from consentry.ledger.checkpoint import verify_checkpoint
from consentry.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from consentry.ledger.records import CONSENT_EVENT, LogRecord, consent_event_record
from consentry.services import consent_choices
from consentry.store import accounts, ledger, parties
from consentry.store import transparency_log as log
from consentry.store.log_sources import append_missing, record_decision_batch
from consentry.store.terms import publish_text
from consentry.store.terms_acceptance import record_answer
from consentry.timestamps import utcnow

ORIGIN = "music.example/log"


def _choices(engine: Engine, n: int) -> list[int]:
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        return [consent_choices.record_choice(conn, ConsentChoice(
            artist.id, "train-ai", Choice.ALLOW if i % 2 else Choice.DENY)).id for i in range(n)]


def test_each_event_is_logged_with_its_exact_record(engine: Engine) -> None:
    with engine.connect() as conn:
        before = log.log_size(conn)  # the baseline terms' publication
    ids = _choices(engine, 300 - before)
    with engine.connect() as conn:
        assert log.log_size(conn) == 300
        for index, event_id in enumerate(ids, before):
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
        size = log.log_size(conn)
        first = log.sign_current(conn, ORIGIN, key)
        assert log.sign_current(conn, ORIGIN, key) == first
        checkpoint = verify_checkpoint(first.note, ORIGIN, key.public_key())
        assert (checkpoint.size, checkpoint.root) == (size, log.root_at(conn))
        record_decision_batch(conn, None, "train-ai", 0, [1, 2], [True, False], "test")
        second = log.sign_current(conn, ORIGIN, key)
    assert second.size == size + 1
    with engine.connect() as conn:
        assert [c.size for c in log.all_checkpoints(conn)] == [size, size + 1]


def test_nothing_written_is_left_out_of_the_log(engine: Engine) -> None:
    _choices(engine, 3)
    with engine.begin() as conn:
        assert append_missing(conn) == 0  # nothing missing: the writes logged themselves
        kinds = [e.kind for e in log.entries(conn, 0, log.log_size(conn))]
    assert kinds == ["terms-publication"] + ["consent-event"] * 3


@pytest.mark.parametrize("statement", [
    "UPDATE log_entries SET kind = 'x'", "DELETE FROM log_entries",
    "DELETE FROM log_checkpoints", "UPDATE log_subtrees SET height = 0"])
def test_the_log_tables_refuse_rewrites(engine: Engine, statement: str) -> None:
    _choices(engine, 256)  # enough for a stored subtree
    with engine.begin() as conn:
        log.sign_current(conn, ORIGIN, Ed25519PrivateKey.generate())
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))


def test_terms_publications_and_answers_are_logged(engine: Engine) -> None:
    with engine.begin() as conn:
        user = accounts.create_user(conn, "ada@example.org", "a long password 1", "Ada",
                                    Role.ARTIST)
        published = publish_text(conn, "2", "# Terms\n\n## Use\n\nWe may train AI models.",
                                 "admin", notice=timedelta(days=30))
        record_answer(conn, user.id, "2", published.text_hash, False, utcnow())
        records = [LogRecord(e.kind, e.source_id, e.data).as_dict()
                   for e in log.entries(conn, 0, log.log_size(conn))]
    publication = next(r for r in records if r["kind"] == "terms-publication"
                       and r["version"] == "2")
    assert publication["text_sha256"] == published.text_hash and publication["material"]
    answer = next(r for r in records if r["kind"] == "terms-response")
    assert (answer["user_id"], answer["accepted"], answer["text_sha256"]) == (
        user.id, False, published.text_hash)
