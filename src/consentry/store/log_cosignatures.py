"""Witnesses' cosignatures of the log's checkpoints, kept append-only beside the checkpoints
they cosign; a witness is named by its verifier key string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from consentry.store.database import insert_with_conflicts
from consentry.store.schema import log_cosignatures
from consentry.store.transparency_log import SignedCheckpoint
from consentry.timestamps import from_micros, to_micros, utcnow


@dataclass(frozen=True)
class StoredCosignature:
    witness: str
    size: int
    root: bytes
    line: str
    cosigned_at: int  # the witness's timestamp, POSIX seconds
    received_at: datetime


def add_cosignature(
    conn: Connection, witness: str, size: int, root: bytes, line: str, cosigned_at: int
) -> None:
    """Keep one cosignature; a second for the same witness and size keeps the first."""
    conn.execute(
        insert_with_conflicts(conn, log_cosignatures)
        .values(
            witness=witness,
            size=size,
            root=root,
            line=line,
            cosigned_at=cosigned_at,
            received_at=to_micros(utcnow()),
        )
        .on_conflict_do_nothing(index_elements=["witness", "size"])
    )


def newest_cosignature(conn: Connection, witness: str) -> StoredCosignature | None:
    row = conn.execute(
        select(log_cosignatures)
        .where(log_cosignatures.c.witness == witness)
        .order_by(log_cosignatures.c.size.desc())
        .limit(1)
    ).first()
    return _stored(row) if row else None


def newest_per_witness(conn: Connection) -> list[StoredCosignature]:
    """Each witness's cosignature of the largest size it cosigned, by witness."""
    newest = (
        select(log_cosignatures.c.witness, func.max(log_cosignatures.c.size).label("size"))
        .group_by(log_cosignatures.c.witness)
        .subquery()
    )
    rows = conn.execute(
        select(log_cosignatures)
        .join(
            newest,
            (log_cosignatures.c.witness == newest.c.witness)
            & (log_cosignatures.c.size == newest.c.size),
        )
        .order_by(log_cosignatures.c.witness)
    )
    return [_stored(r) for r in rows]


def cosignatures_at(conn: Connection, size: int) -> list[StoredCosignature]:
    rows = conn.execute(
        select(log_cosignatures)
        .where(log_cosignatures.c.size == size)
        .order_by(log_cosignatures.c.witness)
    )
    return [_stored(r) for r in rows]


def cosigned_note(conn: Connection, checkpoint: SignedCheckpoint) -> str:
    """The checkpoint's note with every kept cosignature of it appended: one signed note that
    verifiers of the log and of each witness both read (C2SP signed-note)."""
    return checkpoint.note + "".join(
        c.line for c in cosignatures_at(conn, checkpoint.size) if c.root == checkpoint.root
    )


def _stored(row: Row[Any]) -> StoredCosignature:
    return StoredCosignature(
        row.witness,
        row.size,
        bytes(row.root),
        row.line,
        row.cosigned_at,
        from_micros(row.received_at),
    )
