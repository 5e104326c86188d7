"""Kept cosignatures: append-only, the newest per witness, and appended to the note only when
they cosign the stored checkpoint's own root."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.store import parties
from consentry.store import transparency_log as log
from consentry.store.log_cosignatures import (
    add_cosignature,
    cosigned_note,
    newest_per_witness,
)

ORIGIN = "music.example/log"
KEY = Ed25519PrivateKey.generate()


def _signed_log(engine: Engine) -> log.SignedCheckpoint:
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        consent_choices.record_choice(conn, ConsentChoice(artist.id, "train-ai", Choice.DENY))
        return log.sign_current(conn, ORIGIN, KEY)


def test_newest_per_witness_and_the_cosigned_note(engine: Engine) -> None:
    signed = _signed_log(engine)
    with engine.begin() as conn:
        add_cosignature(conn, "w1+00000000+x", 1, signed.root, "\u2014 w1 old\n", 1)
        add_cosignature(conn, "w1+00000000+x", signed.size, signed.root, "\u2014 w1 new\n", 2)
        add_cosignature(conn, "w1+00000000+x", signed.size, signed.root, "\u2014 w1 dup\n", 3)
        add_cosignature(conn, "w2+00000000+x", signed.size, b"\x01" * 32, "\u2014 w2 fork\n", 4)
        newest = newest_per_witness(conn)
        note = cosigned_note(conn, signed)
    assert [(c.witness.split("+")[0], c.size, c.line) for c in newest] == [
        ("w1", signed.size, "\u2014 w1 new\n"),
        ("w2", signed.size, "\u2014 w2 fork\n"),
    ]
    assert note == signed.note + "\u2014 w1 new\n"  # another root's cosignature stays out


@pytest.mark.parametrize(
    "statement", ["UPDATE log_cosignatures SET size = 0", "DELETE FROM log_cosignatures"]
)
def test_cosignatures_refuse_rewrites(engine: Engine, statement: str) -> None:
    signed = _signed_log(engine)
    with engine.begin() as conn:
        add_cosignature(conn, "w1+00000000+x", signed.size, signed.root, "\u2014 w1 x\n", 1)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
