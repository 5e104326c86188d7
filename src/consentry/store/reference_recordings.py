"""A rights holder's reference recordings: what content identification looks for in uploads.

Known by their content's SHA-256 per rights holder, so registering the same file twice (an
ingest run again after an interruption) adds nothing. Removing one forgets it entirely (the
row and its fingerprint, so no index finds it again) and releases the claims that rest on it;
the claims themselves stay, as records, citing its key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select

from consentry.audio.fingerprint import Fingerprint
from consentry.errors import InvalidInput, NotFound
from consentry.store.claims import (
    REFERENCE_REMOVED,
    ClaimRecord,
    claims_citing,
    release_claims,
)
from consentry.store.fingerprints import delete_fingerprint, reference_key, save_fingerprint
from consentry.store.paging import Page, Window, read_page
from consentry.store.parties import get_rights_holder
from consentry.store.schema import reference_recordings
from consentry.timestamps import from_micros, to_micros, utcnow

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")


@dataclass(frozen=True)
class ReferenceRecording:
    id: int
    rights_holder_id: int
    title: str
    isrc: str | None
    audio_sha256: str
    duration_ms: int
    created_at: datetime


def add_reference(conn: Connection, rights_holder_id: int, title: str, audio_sha256: str,
                  fingerprint: Fingerprint, isrc: str | None = None) -> ReferenceRecording:
    """Register one recording and index its fingerprint, in the caller's transaction."""
    title = title.strip()[:300] or audio_sha256[:12]
    if isrc is not None and not _ISRC.match(isrc):
        raise InvalidInput(f"{isrc!r} is not an ISRC (e.g. GBAYE2400001)")
    get_rights_holder(conn, rights_holder_id)
    now = utcnow()
    duration_ms = round(fingerprint.seconds * 1000)
    new_id: int = conn.execute(insert(reference_recordings).values(
        rights_holder_id=rights_holder_id, title=title, isrc=isrc, audio_sha256=audio_sha256,
        duration_ms=duration_ms, created_at=to_micros(now))).inserted_primary_key[0]  # type: ignore[index]
    save_fingerprint(conn, reference_key(new_id), fingerprint, audio_sha256,
                     reference_id=new_id)
    return ReferenceRecording(new_id, rights_holder_id, title, isrc, audio_sha256, duration_ms,
                              from_micros(to_micros(now)))


@dataclass(frozen=True)
class RemovedReference:
    """A reference recording that was removed, and the claims its removal released."""

    reference: ReferenceRecording
    released: list[ClaimRecord]


def remove_reference(conn: Connection, reference_id: int, by: str,
                     rights_holder_id: int | None = None) -> RemovedReference:
    """Forget one reference recording, in the caller's transaction; with ``rights_holder_id``
    only that holder's (another's is as missing as an unknown id)."""
    reference = get_reference(conn, reference_id)
    if rights_holder_id is not None and reference.rights_holder_id != rights_holder_id:
        raise NotFound(f"reference recording {reference_id} does not exist")
    key = reference_key(reference_id)
    released = release_claims(conn, claims_citing(conn, key), by, REFERENCE_REMOVED)
    delete_fingerprint(conn, key)  # the indexes see the row count drop and let it go
    conn.execute(delete(reference_recordings).where(reference_recordings.c.id == reference_id))
    return RemovedReference(reference, released)


def known_hashes(conn: Connection, rights_holder_id: int) -> set[str]:
    """The contents already registered for this rights holder."""
    return set(conn.execute(select(reference_recordings.c.audio_sha256).where(
        reference_recordings.c.rights_holder_id == rights_holder_id)).scalars())


def get_references(conn: Connection, ids: list[int]) -> dict[int, ReferenceRecording]:
    rows = conn.execute(select(reference_recordings).where(reference_recordings.c.id.in_(ids)))
    return {r.id: _from_row(r) for r in rows}


def get_reference(conn: Connection, reference_id: int) -> ReferenceRecording:
    found = get_references(conn, [reference_id]).get(reference_id)
    if found is None:
        raise NotFound(f"reference recording {reference_id} does not exist")
    return found


def list_references(conn: Connection, rights_holder_id: int, limit: int = 1000,
                    offset: int = 0) -> list[ReferenceRecording]:
    return reference_page(conn, rights_holder_id, Window(limit, offset)).items


def reference_page(conn: Connection, rights_holder_id: int,
                   window: Window) -> Page[ReferenceRecording]:
    rows = read_page(conn, select(reference_recordings)
                     .where(reference_recordings.c.rights_holder_id == rights_holder_id)
                     .order_by(reference_recordings.c.id), window)
    return rows.map(_from_row)


def count_references(conn: Connection, rights_holder_id: int) -> int:
    return int(conn.execute(select(func.count()).select_from(reference_recordings).where(
        reference_recordings.c.rights_holder_id == rights_holder_id)).scalar_one())


def _from_row(row: Row[Any]) -> ReferenceRecording:
    return ReferenceRecording(row.id, row.rights_holder_id, row.title, row.isrc,
                              row.audio_sha256, row.duration_ms, from_micros(row.created_at))
