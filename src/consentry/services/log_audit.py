"""``consentry log verify``: the log and the database checked against each other, entry by
entry, hash by hash, signature by signature; the first mismatch is reported where it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from consentry.errors import ConsentryError
from consentry.ledger.checkpoint import Checkpoint, verify_checkpoint
from consentry.ledger.cosignature import parse_cosigner_vkey, verify_cosignature
from consentry.ledger.merkle import HASH_SIZE, leaf_hash, node_hash, verify_consistency
from consentry.ledger.tiles import TILE_HEIGHT, StoredTree
from consentry.services.stored_log import (
    LogMismatch,
    stored_bytes,
    stored_checkpoints,
    stored_entries,
)
from consentry.store.log_cosignatures import newest_per_witness
from consentry.store.log_sources import record_for, unlogged
from consentry.store.schema import log_subtrees
from consentry.store.transparency_log import (
    DatabaseHashes,
    checkpoint_at_least,
    consistency_proof,
    log_size,
)

CHUNK = 10_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AuditReport:
    entries: int
    subtrees: int
    checkpoints: int
    witnessed: int = 0


class _SubtreeCheck:
    """Folds the verified leaf hashes upwards as they stream past and compares every complete
    subtree at a stored height with the stored hash."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pending: dict[int, list[bytes]] = {}
        self.completed: dict[int, int] = {}
        self.checked = 0

    def add(self, height: int, value: bytes) -> None:
        level = self.pending.setdefault(height, [])
        level.append(value)
        if len(level) < 1 << TILE_HEIGHT:
            return
        done = self._fold(level)
        level.clear()
        parent = height + TILE_HEIGHT
        index = self.completed.get(parent, 0)
        self.completed[parent] = index + 1
        stored = self.conn.execute(select(log_subtrees.c.hash).where(
            log_subtrees.c.height == parent, log_subtrees.c.idx == index)).scalar()
        where = f"stored subtree hash at height {parent}, index {index}"
        if stored is None:
            raise LogMismatch(f"{where} is missing")
        if stored_bytes(stored, where, HASH_SIZE) != done:
            raise LogMismatch(f"{where} does not match the leaves")
        self.checked += 1
        self.add(parent, done)

    @staticmethod
    def _fold(level: list[bytes]) -> bytes:
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        return level[0]


def audit_log(conn: Connection, origin: str, public_key: Ed25519PublicKey,
              progress: Progress | None = None) -> AuditReport:
    """Raise ``LogMismatch`` at the first disagreement; otherwise say what was checked.

    A stored value no check foresaw (a type, a shape) is still named with the place it was
    found: the audit reports tampering, it must never crash on it."""
    where = ["the log head"]
    try:
        return _audit(conn, origin, public_key, progress, where)
    except (ConsentryError, SQLAlchemyError):
        raise
    except Exception as error:
        raise LogMismatch(f"{where[0]}: a stored value cannot be read "
                          f"({type(error).__name__}: {error})") from error


def _audit(conn: Connection, origin: str, public_key: Ed25519PublicKey,
           progress: Progress | None, where: list[str]) -> AuditReport:
    size = log_size(conn)
    if not isinstance(size, int) or size < 0:
        raise LogMismatch(f"the log head's size is not a count: {size!r}")
    subtrees = _SubtreeCheck(conn)
    for start in range(0, size, CHUNK):
        chunk = stored_entries(conn, start, min(start + CHUNK, size))
        for expected, entry in enumerate(chunk, start):
            where[0] = f"log entry {expected}"
            if entry.index != expected:
                raise LogMismatch(f"log entry {expected} is missing")
            if entry.leaf_hash != leaf_hash(entry.data):
                raise LogMismatch(f"log entry {expected}: its leaf hash is not the hash of its "
                                  "record")
            try:
                source = record_for(conn, entry.kind, entry.source_id)
            except ConsentryError as error:
                raise LogMismatch(f"log entry {expected}: {error.message}") from error
            if source.data != entry.data:
                raise LogMismatch(f"log entry {expected}: {entry.kind} {entry.source_id} in the "
                                  "database no longer matches the record the log holds")
            subtrees.add(0, entry.leaf_hash)
        if len(chunk) != min(CHUNK, size - start):
            raise LogMismatch(f"the log head says {size} entries but some between {start} and "
                              f"{start + CHUNK} are missing")
        if progress:
            progress(start + len(chunk), size)
    where[0] = "the stored subtree hashes"
    stored_subtrees = conn.execute(select(func.count()).select_from(log_subtrees)).scalar_one()
    if stored_subtrees != subtrees.checked:
        raise LogMismatch(f"{stored_subtrees - subtrees.checked} stored subtree hashes lie "
                          "beyond the log's entries")
    missing = next(unlogged(conn), None)
    if missing is not None:
        raise LogMismatch(f"{missing.kind} {missing.source_id} is in the database but not in "
                          "the log")
    where[0] = "the stored checkpoints"
    checkpoints = stored_checkpoints(conn)
    for signed in checkpoints:
        where[0] = f"checkpoint of size {signed.size}"
        try:
            checkpoint = verify_checkpoint(signed.note, origin, public_key)
        except ConsentryError as error:
            raise LogMismatch(f"checkpoint of size {signed.size}: {error.message}") from error
        if (checkpoint.size, checkpoint.root) != (signed.size, signed.root):
            raise LogMismatch(f"checkpoint of size {signed.size}: the signed note says "
                              "otherwise than the stored columns")
        if checkpoint.size > size:
            raise LogMismatch(f"checkpoint of size {checkpoint.size} is beyond the log's "
                              f"{size} entries: entries were removed")
        if StoredTree(DatabaseHashes(conn), checkpoint.size).root() != checkpoint.root:
            raise LogMismatch(f"checkpoint of size {checkpoint.size}: the entries no longer "
                              "hash to its root")
    witnessed = audit_cosignatures(conn, origin, size)
    return AuditReport(size, subtrees.checked, len(checkpoints), witnessed)


def audit_cosignatures(conn: Connection, origin: str, size: int) -> int:
    """Hold the log to each witness's newest cosigned checkpoint: it must still be stored, the
    current tree must extend it (consistency proof) and the cosignature must verify. Deleted
    or re-signed checkpoints and a rewritten tree fail here, since the witness's root stays."""
    newest = newest_per_witness(conn)
    current_root = StoredTree(DatabaseHashes(conn), size).root()
    for cosigned in newest:
        where = f"the checkpoint of size {cosigned.size} cosigned by witness"
        try:
            name, public_key = parse_cosigner_vkey(cosigned.witness)
            verify_cosignature(Checkpoint(origin, cosigned.size, cosigned.root).body(),
                               cosigned.line, name, public_key)
        except ConsentryError as error:
            raise LogMismatch(f"{where} {cosigned.witness.split('+')[0]}: "
                              f"{error.message}") from error
        where = f"{where} {name}"
        if cosigned.size > size:
            raise LogMismatch(f"{where} is beyond the log's {size} entries: entries were "
                              "removed")
        stored = checkpoint_at_least(conn, cosigned.size)
        if stored is None or stored.size != cosigned.size:
            raise LogMismatch(f"{where} is missing from the store: checkpoints were deleted")
        if stored.root != cosigned.root:
            raise LogMismatch(f"{where} has another root than the stored one: the log was "
                              "forked or re-signed")
        if not verify_consistency(cosigned.size, size, cosigned.root, current_root,
                                  consistency_proof(conn, cosigned.size, size)):
            raise LogMismatch(f"{where} is not a prefix of the current tree of {size} "
                              "entries: the log was rewritten")
    return len(newest)
