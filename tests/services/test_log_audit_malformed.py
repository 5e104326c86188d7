"""Every malformed stored value is named where it is, never a traceback: text, NULL, a hash of
the wrong length, a note that is no note. SQLite's loose types let an insider store all of
these; PostgreSQL's refuse the text ones, and NULL and lengths are tested on both."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from consentry.services.log_audit import LogMismatch, audit_log
from tests.services import test_log_audit as audited
from tests.services.test_log_audit import KEY, ORIGIN, _unguarded

filled = audited.filled  # the same 602-entry log with two checkpoints

_LOOSE = [
    (
        ["UPDATE log_entries SET data = CAST(data AS TEXT) WHERE idx = 7"],
        r"log entry 7: leaf is not bytes \(stored as text\)",
    ),
    (
        ["UPDATE log_entries SET leaf_hash = hex(leaf_hash) WHERE idx = 7"],
        "log entry 7: leaf hash is not bytes",
    ),
    (
        ["UPDATE log_entries SET data = 42 WHERE idx = 7"],
        r"log entry 7: leaf is not bytes \(stored as an integer\)",
    ),
    (
        ["UPDATE log_entries SET appended_at = 'yesterday' WHERE idx = 7"],
        "log entry 7: its time is not a count",
    ),
    (
        ["UPDATE log_entries SET source_id = 'seven' WHERE idx = 7"],
        "log entry 7: its source id is not a count",
    ),
    (["UPDATE log_entries SET kind = 'nonsense' WHERE idx = 7"], "log entry 7"),
    (
        ["UPDATE log_subtrees SET hash = hex(hash) WHERE height = 8 AND idx = 1"],
        "stored subtree hash at height 8, index 1 is not bytes",
    ),
    (
        ["UPDATE log_checkpoints SET root = hex(root) WHERE size = 601"],
        "checkpoint of size 601: root is not bytes",
    ),
    (
        ["UPDATE log_checkpoints SET note = CAST(note AS BLOB) WHERE size = 601"],
        "checkpoint of size 601: its signed note is not text",
    ),
    (
        ["UPDATE log_checkpoints SET signed_at = 'noon' WHERE size = 601"],
        "checkpoint of size 601: its time is not a count",
    ),
    (["UPDATE log_head SET size = 'many'"], "the log head"),
]
_STRICT = [
    (
        ["UPDATE log_entries SET leaf_hash = substr(leaf_hash, 1, 16) WHERE idx = 7"],
        "log entry 7: leaf hash is 16 bytes, not 32",
    ),
    (["UPDATE log_checkpoints SET note = 'not a note' WHERE size = 601"], "checkpoint of size 601"),
    (
        [
            "UPDATE log_checkpoints SET note = replace(note, '\u2014 ', '\u2014 !!') "
            "WHERE size = 601"
        ],
        "checkpoint of size 601",
    ),
    (
        ["UPDATE log_checkpoints SET note = '' WHERE size = 601"],
        "checkpoint of size 601: its signed note is not text",
    ),
    (
        ["UPDATE log_subtrees SET hash = substr(hash, 1, 31) WHERE height = 8 AND idx = 0"],
        "stored subtree hash at height 8, index 0 is 31 bytes, not 32",
    ),
]


def _audit_fails(engine: Engine, statements: list[str], message: str) -> None:
    with engine.begin() as conn:
        _unguarded(conn, statements)
    with engine.connect() as conn, pytest.raises(LogMismatch, match=message):
        audit_log(conn, ORIGIN, KEY.public_key())


@pytest.mark.slow
@pytest.mark.parametrize(("statements", "message"), _LOOSE)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_loosely_typed_value_is_named(filled: Engine, statements: list[str],
                                        message: str) -> None:
    """SQLite stores any type in any column; PostgreSQL's column types refuse these values."""
    _audit_fails(filled, statements, message)


@pytest.mark.slow
@pytest.mark.parametrize(("statements", "message"), _STRICT)
def test_a_malformed_value_is_named(filled: Engine, statements: list[str], message: str) -> None:
    if filled.dialect.name == "postgresql":
        statements = [s.replace("substr(", "substring(") for s in statements]
    _audit_fails(filled, statements, message)


@pytest.mark.slow
def test_a_null_leaf_is_named(filled: Engine) -> None:
    """NOT NULL is one ALTER (or one rebuilt SQLite table) away for an insider."""
    if filled.dialect.name == "postgresql":
        rebuild = ["ALTER TABLE log_entries ALTER COLUMN data DROP NOT NULL"]
    else:
        rebuild = [
            "CREATE TABLE loose AS SELECT * FROM log_entries",
            "DROP TABLE log_entries",
            "ALTER TABLE loose RENAME TO log_entries",
        ]
    _audit_fails(
        filled,
        [*rebuild, "UPDATE log_entries SET data = NULL WHERE idx = 7"],
        "log entry 7: leaf is NULL",
    )
