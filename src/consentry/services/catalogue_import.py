"""Store a checked catalogue plan in one transaction: all of it, or none of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from consentry.catalogue_file import CataloguePlan, Ref, reject
from consentry.consent.parties import SHARE_UNITS
from consentry.store.records import purposes_json
from consentry.store.schema import agreements, artists, rights_holders, track_shares, tracks
from consentry.timestamps import to_micros, utcnow

Progress = Callable[[int], None]
_CHUNK = 5_000


@dataclass(frozen=True)
class ImportSummary:
    artists: int
    rights_holders: int
    agreements: int
    tracks: int


def check_existing(conn: Connection, plan: CataloguePlan, unit: str = "line") -> None:
    """Every ``@id`` must name a stored row; report all that don't, with their lines."""
    problems = []
    for kind, table in (("artist", artists), ("rights_holder", rights_holders)):
        wanted = plan.existing_refs()[kind]
        ids = {i for _, i in wanted}
        found = {r.id for r in conn.execute(select(table.c.id).where(table.c.id.in_(ids)))}
        problems += [f"{unit} {line}: no stored {kind} with id {i}"
                     for line, i in wanted if i not in found]
    if problems:
        raise reject(problems, "catalogue")


def _insert(conn: Connection, table, rows: list[dict], progress: Progress) -> list[int]:  # type: ignore[no-untyped-def, type-arg]
    ids: list[int] = []
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        result = conn.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk)
        ids += [r.id for r in result]
        progress(len(chunk))
    return ids


def store_catalogue(
    conn: Connection, plan: CataloguePlan, progress: Progress = lambda _n: None,
) -> ImportSummary:
    """Insert the plan; the caller's transaction makes it all-or-nothing."""
    now = to_micros(utcnow())
    artist_ids = dict(zip((a.ref for a in plan.artists), _insert(
        conn, artists, [{"name": a.name, "created_at": now} for a in plan.artists], progress),
        strict=True))
    holder_ids = dict(zip((r.ref for r in plan.rights_holders), _insert(
        conn, rights_holders, [{"name": r.name, "created_at": now}
                               for r in plan.rights_holders], progress), strict=True))

    def artist(ref: Ref) -> int:
        return ref.existing_id if ref.existing_id is not None else artist_ids[ref.key or ""]

    def holder(ref: Ref | None) -> int | None:
        if ref is None:
            return None
        return ref.existing_id if ref.existing_id is not None else holder_ids[ref.key or ""]

    _insert(conn, agreements, [{
        "rights_holder_id": holder(a.rights_holder), "title": a.title,
        "restricted_purposes": purposes_json(a.restricts),
        "starts_at": to_micros(a.starts_at) if a.starts_at else now,
        "ends_at": to_micros(a.ends_at) if a.ends_at else None,
        "created_at": now} for a in plan.agreements], progress)
    track_ids = _insert(conn, tracks, [{
        "title": t.title, "artist_id": artist(t.artist),
        "rights_holder_id": holder(t.rights_holder),
        "isrc": t.isrc, "created_at": now} for t in plan.tracks], progress)
    shares = [{"track_id": track_id, "artist_id": artist(ref), "basis_points": points}
              for track_id, t in zip(track_ids, plan.tracks, strict=True)
              for ref, points in (t.co_owners or ((t.artist, SHARE_UNITS),))]
    for start in range(0, len(shares), _CHUNK):
        conn.execute(insert(track_shares), shares[start:start + _CHUNK])
    return ImportSummary(len(plan.artists), len(plan.rights_holders), len(plan.agreements),
                         len(plan.tracks))
