"""The audit finds every kind of tampering an insider with database access could try."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice
from consentry.ledger.checkpoint import Checkpoint
from consentry.ledger.cosignature import cosign, cosigner_vkey
from consentry.services import consent_choices
from consentry.services.log_audit import LogMismatch, audit_log
from consentry.store import parties
from consentry.store import transparency_log as log
from consentry.store.log_cosignatures import add_cosignature
from consentry.store.log_sources import record_decision_batch
from tests.forgery import drop_guards

ORIGIN = "music.example/log"
KEY = Ed25519PrivateKey.generate()
TABLES = ("consent_events", "log_entries", "log_subtrees", "log_checkpoints", "decision_batches",
          "terms_versions")


def _unguarded(conn: Connection, statements: list[str]) -> None:
    """Run ``statements`` with the append-only triggers out of the way, as an insider could."""
    if conn.dialect.name == "postgresql":
        for table in TABLES:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER ALL"))
    else:
        for table in TABLES:
            for action in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{action}"))
    for statement in statements:
        conn.execute(text(statement))


@pytest.fixture
def filled(engine: Engine) -> Engine:
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        for i in range(600):
            consent_choices.record_choice(conn, ConsentChoice(
                artist.id, "train-ai", Choice.ALLOW if i % 3 else Choice.DENY))
        log.sign_current(conn, ORIGIN, KEY)
        record_decision_batch(conn, None, "train-ai", 0, [1], [True], "test")
        log.sign_current(conn, ORIGIN, KEY)
    return engine


@pytest.mark.slow
def test_an_untouched_log_passes(filled: Engine) -> None:
    with filled.connect() as conn:
        report = audit_log(conn, ORIGIN, KEY.public_key())
    assert (report.entries, report.subtrees, report.checkpoints) == (602, 2, 2)


@pytest.mark.slow
@pytest.mark.parametrize(("statements", "message"), [
    (["UPDATE consent_events SET purpose = 'ai-input' WHERE id = 300"],
     "log entry 300: consent-event 300 in the database no longer matches"),
    (["UPDATE decision_batches SET allowed = 0"], "decision-batch 1 in the database"),
    (["UPDATE log_entries SET data = (SELECT data FROM log_entries WHERE idx = 11) "
      "WHERE idx = 10"], "log entry 10"),
    (["DELETE FROM log_entries WHERE idx = 599"], "log entry 599 is missing"),
    (["DELETE FROM log_entries WHERE idx = 601", "UPDATE log_head SET size = 601",
      "DELETE FROM log_checkpoints WHERE size = 602"],
     "decision-batch 1 is in the database but not in the log"),
    (["DELETE FROM log_entries WHERE idx >= 590", "DELETE FROM consent_events WHERE id >= 590",
      "DELETE FROM decision_batches", "UPDATE log_head SET size = 590"],
     "beyond the log's 590 entries"),
    (["UPDATE log_subtrees SET hash = (SELECT leaf_hash FROM log_entries WHERE idx = 0) "
      "WHERE height = 8 AND idx = 1"], "stored subtree hash at height 8, index 1"),
    (["UPDATE log_checkpoints SET note = replace(note, 'music', 'muzic')"],
     "checkpoint of size 601"),
])
def test_tampering_is_found_where_it_happened(filled: Engine, statements: list[str],
                                              message: str) -> None:
    with filled.begin() as conn:
        _unguarded(conn, statements)
    with filled.connect() as conn, pytest.raises(LogMismatch, match=message):
        audit_log(conn, ORIGIN, KEY.public_key())


@pytest.mark.slow
def test_a_checkpoint_signed_by_another_key_is_refused(filled: Engine) -> None:
    with filled.connect() as conn, pytest.raises(LogMismatch, match="not signed by key"):
        audit_log(conn, ORIGIN, Ed25519PrivateKey.generate().public_key())


@pytest.mark.slow
def test_a_terms_version_rewritten_after_publication_is_found(filled: Engine) -> None:
    with filled.begin() as conn:
        _unguarded(conn, ["UPDATE terms_versions SET prohibited_purposes = '[\"ai-use\"]'"])
    with filled.connect() as conn, pytest.raises(LogMismatch,
                                                 match=r"terms-publication \d+ in the database"):
        audit_log(conn, ORIGIN, KEY.public_key())


WITNESS = Ed25519PrivateKey.generate()
WITNESS_KEY = cosigner_vkey("witness.example/w1", WITNESS.public_key())


def _cosign_latest(conn: Connection, size: int | None = None) -> None:
    """What a witness's answer leaves in the store: its cosignature of a checkpoint."""
    signed = log.latest_checkpoint(conn)
    assert signed is not None
    size = signed.size if size is None else size
    body = Checkpoint(ORIGIN, size, signed.root).body()
    add_cosignature(conn, WITNESS_KEY, size, signed.root,
                    cosign(body, "witness.example/w1", WITNESS, 1_700_000_000), 1_700_000_000)


@pytest.mark.slow
def test_the_newest_witnessed_checkpoint_holds_the_log(filled: Engine) -> None:
    with filled.begin() as conn:
        _cosign_latest(conn)
    with filled.connect() as conn:
        assert audit_log(conn, ORIGIN, KEY.public_key()).witnessed == 1
    with filled.begin() as conn:
        _unguarded(conn, ["DELETE FROM log_checkpoints WHERE size = 602"])
    with filled.connect() as conn, pytest.raises(LogMismatch, match="missing from the store"):
        audit_log(conn, ORIGIN, KEY.public_key())


@pytest.mark.slow
def test_a_cosignature_that_does_not_verify_or_lies_beyond_the_log_is_named(
        filled: Engine) -> None:
    with filled.begin() as conn:
        _cosign_latest(conn, size=603)  # signed over a size the log does not have
    with filled.connect() as conn, pytest.raises(LogMismatch, match="beyond the log's 602"):
        audit_log(conn, ORIGIN, KEY.public_key())
    with filled.begin() as conn:
        drop_guards(conn, "log_cosignatures")
        conn.execute(text("UPDATE log_cosignatures SET size = 602"))
    with filled.connect() as conn, pytest.raises(LogMismatch, match="does not verify"):
        audit_log(conn, ORIGIN, KEY.public_key())
