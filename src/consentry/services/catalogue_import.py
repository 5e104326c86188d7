"""Store a checked catalogue plan in one transaction: all of it, or none of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, insert, select

from consentry.catalogue_file import CataloguePlan, Ref, reject
from consentry.consent.ownership import INVITED
from consentry.consent.parties import SHARE_UNITS
from consentry.ledger.records import (
    agreement_record,
    share_answer_record,
    track_ownership_record,
)
from consentry.store.records import purposes_json
from consentry.store.schema import (
    agreements,
    artists,
    rights_holders,
    share_answers,
    track_shares,
    tracks,
)
from consentry.store.terms import terms_at
from consentry.store.transparency_log import append
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
    terms = terms_at(conn, utcnow())
    problems += [f"{unit} {a.line}: the terms (version {terms.version}) require {p!r} for all "
                 "content, so an agreement cannot restrict it"
                 for a in plan.agreements for p in sorted(a.restricts) if terms.requires(p)]
    if problems:
        raise reject(problems, "catalogue")


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]], progress: Progress
            ) -> list[int]:
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

    agreement_rows: list[dict[str, Any]] = [{
        "rights_holder_id": holder(a.rights_holder), "title": a.title,
        "restricted_purposes": purposes_json(a.restricts),
        "starts_at": to_micros(a.starts_at) if a.starts_at else now,
        "ends_at": to_micros(a.ends_at) if a.ends_at else None,
        "created_at": now} for a in plan.agreements]
    agreement_ids = _insert(conn, agreements, agreement_rows, progress)
    track_rows: list[dict[str, Any]] = [{
        "title": t.title, "artist_id": artist(t.artist),
        "rights_holder_id": holder(t.rights_holder),
        "isrc": t.isrc, "created_at": now} for t in plan.tracks]
    track_ids = _insert(conn, tracks, track_rows, progress)
    owners = [[(artist(ref), points) for ref, points in (t.co_owners or ((t.artist, SHARE_UNITS),))]
              for t in plan.tracks]
    shares = [{"track_id": track_id, "artist_id": owner, "basis_points": points}
              for track_id, track_owners in zip(track_ids, owners, strict=True)
              for owner, points in track_owners]
    for start in range(0, len(shares), _CHUNK):
        conn.execute(insert(track_shares), shares[start:start + _CHUNK])
    # A co-owner named by the catalogue is invited, like one named in the app: their share
    # counts once they accept it (the managing artist's counts at once).
    invitations: list[dict[str, Any]] = [
        {"track_id": track_id, "artist_id": owner, "accepted": False, "at": now,
         "by": f"{INVITED} by catalogue import"}
        for track_id, r, track_owners in zip(track_ids, track_rows, owners, strict=True)
        for owner, _points in track_owners if owner != r["artist_id"]]
    invitation_ids = _insert(conn, share_answers, invitations, lambda _n: None)
    # Vouched for by the log in the same transaction, as each row written one at a time is.
    records = [agreement_record(i, r["rights_holder_id"], r["title"], sorted(a.restricts),
                                r["starts_at"], r["ends_at"], now)
               for i, r, a in zip(agreement_ids, agreement_rows, plan.agreements, strict=True)]
    records += [track_ownership_record(i, r["artist_id"], r["rights_holder_id"], o, now)
                for i, r, o in zip(track_ids, track_rows, owners, strict=True)]
    records += [share_answer_record(i, r["track_id"], r["artist_id"], False, now, r["by"])
                for i, r in zip(invitation_ids, invitations, strict=True)]
    for start in range(0, len(records), _CHUNK):
        append(conn, records[start:start + _CHUNK])
    return ImportSummary(len(plan.artists), len(plan.rights_holders), len(plan.agreements),
                         len(plan.tracks))
