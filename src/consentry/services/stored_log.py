"""The log's rows read for an audit, each value checked for its type and shape first.

The store's readers trust the schema; an audit cannot: whoever rewrote a leaf behind the app's
back may also have stored text, NULL or a hash of the wrong length, and ``bytes(text)`` would
crash the very command meant to find them. Every such value is named here instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from consentry.errors import ConsentryError
from consentry.store.schema import log_checkpoints, log_entries
from consentry.store.transparency_log import LogEntry, SignedCheckpoint
from consentry.timestamps import from_micros

_KINDS = {str: "text", int: "an integer", float: "a real number"}


class LogMismatch(ConsentryError):
    """The log and the database disagree; the message says where first."""


def stored_bytes(value: Any, where: str, size: int | None = None) -> bytes:
    """``value`` as bytes, or ``LogMismatch`` naming ``where`` and what was found instead."""
    if value is None:
        raise LogMismatch(f"{where} is NULL")
    if not isinstance(value, bytes | bytearray | memoryview):
        raise LogMismatch(f"{where} is not bytes (stored as {_kind(value)})")
    found = bytes(value)
    if size is not None and len(found) != size:
        raise LogMismatch(f"{where} is {len(found)} bytes, not {size}")
    return found


def stored_entries(conn: Connection, start: int, stop: int) -> list[LogEntry]:
    rows = conn.execute(
        select(log_entries)
        .where(log_entries.c.idx >= start, log_entries.c.idx < stop)
        .order_by(log_entries.c.idx)
    )
    return [_entry(row) for row in rows]


def stored_checkpoints(conn: Connection) -> list[SignedCheckpoint]:
    rows = conn.execute(select(log_checkpoints).order_by(log_checkpoints.c.size))
    return [_checkpoint(row) for row in rows]


def _entry(row: Any) -> LogEntry:
    where = f"log entry {row.idx}"
    _integer(row.idx, "a log entry's index")
    data = stored_bytes(row.data, f"{where}: leaf")
    hashed = stored_bytes(row.leaf_hash, f"{where}: leaf hash", 32)
    if not isinstance(row.kind, str) or not row.kind:
        raise LogMismatch(f"{where}: its kind is not a name (stored as {_kind(row.kind)})")
    source_id = _integer(row.source_id, f"{where}: its source id")
    appended = _integer(row.appended_at, f"{where}: its time")
    return LogEntry(row.idx, row.kind, source_id, data, hashed, from_micros(appended))


def _checkpoint(row: Any) -> SignedCheckpoint:
    size = _integer(row.size, "a checkpoint's size")
    where = f"checkpoint of size {size}"
    root = stored_bytes(row.root, f"{where}: root", 32)
    if not isinstance(row.note, str) or not row.note:
        raise LogMismatch(f"{where}: its signed note is not text (stored as {_kind(row.note)})")
    signed_at = _integer(row.signed_at, f"{where}: its time")
    return SignedCheckpoint(size, root, row.note, from_micros(signed_at))


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LogMismatch(f"{where} is not a count: {value!r} ({_kind(value)})")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "NULL"
    return _KINDS.get(type(value), type(value).__name__)
