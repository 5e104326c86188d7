"""The transparency log in the database: appends in the writer's own transaction, proofs
from the stored hashes, and signed checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Row, func, select, update

from consentry.errors import InvalidInput, NotFound
from consentry.ledger.checkpoint import Checkpoint, sign_checkpoint
from consentry.ledger.merkle import consistency_path, inclusion_path
from consentry.ledger.records import LogRecord
from consentry.ledger.tiles import StoredTree, subtrees_completed
from consentry.store.database import insert_with_conflicts
from consentry.store.schema import log_checkpoints, log_entries, log_head, log_subtrees
from consentry.timestamps import from_micros, to_micros, utcnow


@dataclass(frozen=True)
class LogEntry:
    index: int
    kind: str
    source_id: int
    data: bytes
    leaf_hash: bytes
    appended_at: datetime


@dataclass(frozen=True)
class SignedCheckpoint:
    size: int
    root: bytes
    note: str
    signed_at: datetime


class DatabaseHashes:
    """The ``HashStore`` of ``consentry.ledger.tiles`` over this connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def leaf_hashes(self, lo: int, hi: int) -> Sequence[bytes]:
        rows = self.conn.execute(select(log_entries.c.leaf_hash)
                                 .where(log_entries.c.idx >= lo, log_entries.c.idx < hi)
                                 .order_by(log_entries.c.idx))
        return [bytes(r[0]) for r in rows]

    def subtree_hashes(self, height: int, lo: int, hi: int) -> Sequence[bytes]:
        rows = self.conn.execute(select(log_subtrees.c.hash)
                                 .where(log_subtrees.c.height == height,
                                        log_subtrees.c.idx >= lo, log_subtrees.c.idx < hi)
                                 .order_by(log_subtrees.c.idx))
        return [bytes(r[0]) for r in rows]


class _GrownHashes:
    """The store's hashes, with the leaves of the batch being appended served from memory:
    the subtrees a batch completes are folded mostly from its own leaves, which need not be
    read back from the table they were just written to."""

    def __init__(self, stored: DatabaseHashes, first_new: int, new_leaves: Sequence[bytes]
                 ) -> None:
        self.stored, self.first_new, self.new_leaves = stored, first_new, new_leaves

    def leaf_hashes(self, lo: int, hi: int) -> Sequence[bytes]:
        start = self.first_new
        older = self.stored.leaf_hashes(lo, min(hi, start)) if lo < start else []
        return [*older, *self.new_leaves[max(lo, start) - start:max(hi, start) - start]]

    def subtree_hashes(self, height: int, lo: int, hi: int) -> Sequence[bytes]:
        return self.stored.subtree_hashes(height, lo, hi)


def append(conn: Connection, records: Sequence[LogRecord]) -> list[int]:
    """Append in order and return the indices. The head row is updated first, so concurrent
    writers queue on its lock and indices never collide or leave gaps; the caller's commit
    makes the records and their log entries visible together.

    Rows go to the driver's executemany as plain tuples: building SQLAlchemy parameters per
    row was half the cost of an append (issue 21)."""
    if not records:
        return []
    new_size = conn.execute(update(log_head).where(log_head.c.id == 1)
                            .values(size=log_head.c.size + len(records))
                            .returning(log_head.c.size)).scalar_one()
    old_size = new_size - len(records)
    now = to_micros(utcnow())
    leaves = [r.leaf_hash for r in records]
    conn.exec_driver_sql(_insert_sql(conn, "log_entries", ENTRY_COLUMNS), [
        (old_size + i, r.kind, r.source_id, r.data, leaf, now)
        for i, (r, leaf) in enumerate(zip(records, leaves, strict=True))])
    completed = subtrees_completed(_GrownHashes(DatabaseHashes(conn), old_size, leaves),
                                   old_size, new_size)
    if completed:
        conn.exec_driver_sql(_insert_sql(conn, "log_subtrees", ("height", "idx", "hash")),
                             completed)
    return list(range(old_size, new_size))


ENTRY_COLUMNS = ("idx", "kind", "source_id", "data", "leaf_hash", "appended_at")


def _insert_sql(conn: Connection, table: str, columns: Sequence[str]) -> str:
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join([marker] * len(columns))})")


def log_size(conn: Connection) -> int:
    return int(conn.execute(select(log_head.c.size).where(log_head.c.id == 1)).scalar_one())


def get_entry(conn: Connection, index: int) -> LogEntry:
    row = conn.execute(select(log_entries).where(log_entries.c.idx == index)).first()
    if row is None:
        raise NotFound(f"the log has no entry {index}")
    return _entry(row)


def entry_of(conn: Connection, kind: str, source_id: int) -> LogEntry | None:
    row = conn.execute(select(log_entries).where(log_entries.c.kind == kind,
                                                 log_entries.c.source_id == source_id)).first()
    return _entry(row) if row else None


def entries(conn: Connection, start: int, stop: int) -> list[LogEntry]:
    rows = conn.execute(select(log_entries).where(log_entries.c.idx >= start,
                                                  log_entries.c.idx < stop)
                        .order_by(log_entries.c.idx))
    return [_entry(r) for r in rows]


def _entry(row: Row[Any]) -> LogEntry:
    return LogEntry(row.idx, row.kind, row.source_id, bytes(row.data),
                    bytes(row.leaf_hash), from_micros(row.appended_at))


def _checked_size(conn: Connection, size: int | None) -> int:
    current = log_size(conn)
    if size is None:
        return current
    if not 0 <= size <= current:
        raise InvalidInput(f"tree size {size} is outside 0..{current}")
    return size


def root_at(conn: Connection, size: int | None = None) -> bytes:
    size = _checked_size(conn, size)
    return StoredTree(DatabaseHashes(conn), size).root()


def inclusion_proof(conn: Connection, index: int, size: int | None = None) -> list[bytes]:
    size = _checked_size(conn, size)
    return inclusion_path(StoredTree(DatabaseHashes(conn), size), index, size)


def consistency_proof(conn: Connection, old_size: int, size: int | None = None) -> list[bytes]:
    size = _checked_size(conn, size)
    return consistency_path(StoredTree(DatabaseHashes(conn), size), old_size, size)


def latest_checkpoint(conn: Connection) -> SignedCheckpoint | None:
    row = conn.execute(select(log_checkpoints)
                       .order_by(log_checkpoints.c.size.desc()).limit(1)).first()
    return SignedCheckpoint(row.size, bytes(row.root), row.note,
                            from_micros(row.signed_at)) if row else None


def checkpoint_at_least(conn: Connection, size: int) -> SignedCheckpoint | None:
    """The oldest stored checkpoint that covers entry ``size - 1``."""
    row = conn.execute(select(log_checkpoints).where(log_checkpoints.c.size >= size)
                       .order_by(log_checkpoints.c.size).limit(1)).first()
    return SignedCheckpoint(row.size, bytes(row.root), row.note,
                            from_micros(row.signed_at)) if row else None


def all_checkpoints(conn: Connection) -> list[SignedCheckpoint]:
    rows = conn.execute(select(log_checkpoints).order_by(log_checkpoints.c.size))
    return [SignedCheckpoint(r.size, bytes(r.root), r.note, from_micros(r.signed_at))
            for r in rows]


def sign_current(conn: Connection, origin: str, key: Ed25519PrivateKey) -> SignedCheckpoint:
    """A checkpoint of the log as it stands, signed now unless one of this size exists."""
    size = log_size(conn)
    latest = latest_checkpoint(conn)
    if latest is not None and latest.size == size:
        return latest
    checkpoint = Checkpoint(origin, size, root_at(conn, size))
    return store_checkpoint(conn, checkpoint, sign_checkpoint(checkpoint, origin, key))


def store_checkpoint(conn: Connection, checkpoint: Checkpoint, note: str) -> SignedCheckpoint:
    """Keep a signed checkpoint; two requests may sign the same size at once, and the second
    keeps the first's row (Ed25519 is deterministic: the same tree gives the same note)."""
    conn.execute(insert_with_conflicts(conn, log_checkpoints).values(
        size=checkpoint.size, root=checkpoint.root, note=note, signed_at=to_micros(utcnow())
    ).on_conflict_do_nothing(index_elements=["size"]))
    stored = checkpoint_at_least(conn, checkpoint.size)
    assert stored is not None and stored.size == checkpoint.size
    return stored


def count_entries(conn: Connection, kind: str) -> int:
    return int(conn.execute(select(func.count()).select_from(log_entries)
                            .where(log_entries.c.kind == kind)).scalar_one())
