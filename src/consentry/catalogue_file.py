"""Catalogue files (CSV, JSON, JSON Lines): parsed and checked whole before anything is stored.

One record per row, its ``type`` one of artist, rights_holder, agreement, track. Records refer
to each other by a file-local ``ref``; ``@12`` refers to an existing database id instead.
Every problem is reported with its line (or record) number, and a file with any problem
imports nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consentry.consent.parties import SHARE_UNITS, Share, check_shares
from consentry.errors import ConsentryError, ImportRejected
from consentry.purposes import get_purpose
from consentry.timestamps import parse_instant

COLUMNS = ("type", "ref", "name", "artist", "co_owners", "rights_holder", "isrc", "restricts",
           "starts_at", "ends_at")
TYPES = ("artist", "rights_holder", "agreement", "track")
_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")
_REF = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_PROBLEM_LINE = re.compile(r"^(?:line|record) (\d+):")
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Ref:
    """A reference to a record of the file (``key``) or to an existing row (``existing_id``)."""

    key: str | None = None
    existing_id: int | None = None


@dataclass(frozen=True)
class PartyRow:
    line: int
    ref: str
    name: str


@dataclass(frozen=True)
class AgreementRow:
    line: int
    rights_holder: Ref
    title: str
    restricts: frozenset[str]
    starts_at: datetime | None
    ends_at: datetime | None


@dataclass(frozen=True)
class TrackRow:
    line: int
    title: str
    artist: Ref
    co_owners: tuple[tuple[Ref, int], ...]  # (owner, basis points); empty: artist owns all
    rights_holder: Ref | None
    isrc: str | None


@dataclass
class CataloguePlan:
    """A checked catalogue, ready to store in one transaction."""

    artists: list[PartyRow] = field(default_factory=list)
    rights_holders: list[PartyRow] = field(default_factory=list)
    agreements: list[AgreementRow] = field(default_factory=list)
    tracks: list[TrackRow] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.artists) + len(self.rights_holders) + len(self.agreements) + len(
            self.tracks)

    def existing_refs(self) -> dict[str, list[tuple[int, int]]]:
        """(line, id) of every ``@id`` reference, by the table it must exist in."""
        found: dict[str, list[tuple[int, int]]] = {"artist": [], "rights_holder": []}
        for a in self.agreements:
            if a.rights_holder.existing_id is not None:
                found["rights_holder"].append((a.line, a.rights_holder.existing_id))
        for t in self.tracks:
            owners = [t.artist, *(r for r, _ in t.co_owners)]
            found["artist"] += [(t.line, r.existing_id) for r in owners
                                if r.existing_id is not None]
            if t.rights_holder is not None and t.rights_holder.existing_id is not None:
                found["rights_holder"].append((t.line, t.rights_holder.existing_id))
        return found


def _line_of(problem: str) -> int:
    found = _PROBLEM_LINE.match(problem)
    return int(found.group(1)) if found else 0


def reject(problems: list[str], where: str) -> ImportRejected:
    """The error for a file with problems, listed in file order whichever check found them."""
    problems = sorted(problems, key=_line_of)  # stable: one line's problems keep their order
    shown = problems[:MAX_PROBLEMS]
    more = f" (and {len(problems) - MAX_PROBLEMS} more)" if len(problems) > MAX_PROBLEMS else ""
    return ImportRejected(
        f"{where}: {len(problems)} problem(s){more}; nothing was imported",
        {"problems": shown})


def read_records(text: str, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    """(line or record number, fields) for every record of a CSV, JSON or JSON Lines text."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in ("type",) if c not in (reader.fieldnames or [])]
        if missing:
            raise reject([f"line 1: the header has no {', '.join(missing)} column"], "header")
        unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
        if unknown:
            raise reject([f"line 1: unknown column(s) {', '.join(unknown)}; "
                          f"known: {', '.join(COLUMNS)}"], "header")
        return [(reader.line_num, {k: v for k, v in row.items() if v not in (None, "")})
                for row in reader]
    if fmt == "jsonl":
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                records.append((number, _json_object(line, f"line {number}")))
        return records
    data = _json_value(text, "file")
    if isinstance(data, dict):
        data = [dict(r, type=kind.rstrip("s")) for kind in ("artists", "rights_holders",
                                                            "agreements", "tracks")
                for r in data.get(kind, []) if isinstance(r, dict)]
    if not isinstance(data, list):
        raise reject(["the JSON must be a list of records or an object of lists"], "file")
    return [(i, r if isinstance(r, dict) else {"type": None}) for i, r in enumerate(data, 1)]


def _json_value(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise reject([f"{where}: not valid JSON (line {error.lineno}: {error.msg})"],
                     where) from error


def _json_object(text: str, where: str) -> dict[str, Any]:
    value = _json_value(text, where)
    if not isinstance(value, dict):
        raise reject([f"{where}: a record must be a JSON object"], where)
    return value


def plan_catalogue(records: list[tuple[int, dict[str, Any]]], unit: str = "line") -> CataloguePlan:
    """Check every record; raise ``ImportRejected`` listing every problem, or return the plan."""
    plan, problems = CataloguePlan(), []
    refs: dict[str, dict[str, int]] = {"artist": {}, "rights_holder": {}}
    for number, record in records:
        where = f"{unit} {number}"
        kind = record.get("type")
        try:
            if kind in ("artist", "rights_holder"):
                row = PartyRow(number, _ref_key(record.get("ref")), _text(record, "name", 200))
                if row.ref in refs[kind]:
                    raise ImportRejected(
                        f"{kind} ref {row.ref!r} already used on {unit} {refs[kind][row.ref]}")
                refs[kind][row.ref] = number
                (plan.artists if kind == "artist" else plan.rights_holders).append(row)
            elif kind == "agreement":
                plan.agreements.append(_agreement(number, record))
            elif kind == "track":
                plan.tracks.append(_track(number, record))
            else:
                raise ImportRejected(f"type must be one of {', '.join(TYPES)}, not {kind!r}")
        except ConsentryError as error:
            problems.append(f"{where}: {error.message}")
    problems += _dangling(plan, refs, unit)
    if problems:
        raise reject(problems, "catalogue")
    return plan


def _dangling(plan: CataloguePlan, refs: dict[str, dict[str, int]], unit: str) -> list[str]:
    problems = []
    uses: list[tuple[int, str, Ref | None]] = [
        (a.line, "rights_holder", a.rights_holder) for a in plan.agreements]
    for t in plan.tracks:
        uses += [(t.line, "artist", t.artist), (t.line, "rights_holder", t.rights_holder)]
        uses += [(t.line, "artist", owner) for owner, _ in t.co_owners]
    for line, kind, ref in uses:
        if ref is not None and ref.key is not None and ref.key not in refs[kind]:
            problems.append(f"{unit} {line}: no {kind} with ref {ref.key!r} in the file "
                            "(use @<id> for one already stored)")
    return problems


def _text(record: dict[str, Any], key: str, limit: int) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ImportRejected(f"{key} is required")
    if len(value) > limit:
        raise ImportRejected(f"{key} is longer than {limit} characters")
    return value.strip()


def _ref_key(value: Any) -> str:
    if not isinstance(value, str) or not _REF.match(value):
        raise ImportRejected("ref is required: 1-100 letters, digits, '_', '.', ':' or '-'")
    return value


def _ref(value: Any, what: str) -> Ref:
    if isinstance(value, str) and value.startswith("@"):
        if not value[1:].isdigit():
            raise ImportRejected(f"{what} {value!r}: @ must be followed by a database id")
        return Ref(existing_id=int(value[1:]))
    return Ref(key=_ref_key(value)) if value is not None else _missing(what)


def _missing(what: str) -> Ref:
    raise ImportRejected(f"{what} is required")


def _agreement(number: int, record: dict[str, Any]) -> AgreementRow:
    restricts = record.get("restricts")
    if isinstance(restricts, str):
        restricts = [p.strip() for p in restricts.split(";") if p.strip()]
    if not isinstance(restricts, list) or not restricts:
        raise ImportRejected("restricts must list at least one purpose (separated by ';')")
    for purpose in restricts:
        get_purpose(str(purpose))
    starts = _instant(record.get("starts_at"))
    ends = _instant(record.get("ends_at"))
    if starts and ends and ends <= starts:
        raise ImportRejected("ends_at must be after starts_at")
    return AgreementRow(number, _ref(record.get("rights_holder"), "rights_holder"),
                        _text(record, "name" if "name" in record else "title", 200),
                        frozenset(map(str, restricts)), starts, ends)


def _track(number: int, record: dict[str, Any]) -> TrackRow:
    artist = _ref(record.get("artist"), "artist")
    isrc = record.get("isrc")
    if isrc is not None and (not isinstance(isrc, str) or not _ISRC.match(isrc)):
        raise ImportRejected(f"isrc {isrc!r} is not an ISRC (e.g. GBAYE2400001)")
    holder = record.get("rights_holder")
    co_owners = _co_owners(record.get("co_owners"))
    if co_owners and artist not in [r for r, _ in co_owners]:
        raise ImportRejected("the track's artist must be one of its co_owners")
    if co_owners:
        index = {ref: n for n, ref in enumerate(dict.fromkeys(r for r, _ in co_owners))}
        check_shares(tuple(Share(index[ref], bp) for ref, bp in co_owners))
    return TrackRow(number, _text(record, "name" if "name" in record else "title", 300),
                    artist, co_owners,
                    None if holder is None else _ref(holder, "rights_holder"), isrc)


def _co_owners(value: Any) -> tuple[tuple[Ref, int], ...]:
    """``"a1:50;a2:50"`` or ``[{"artist": "a1", "percent": 50}, ...]``."""
    if value is None:
        return ()
    if isinstance(value, str):
        pairs = [part.rsplit(":", 1) for part in value.split(";") if part.strip()]
        if any(len(p) != 2 for p in pairs):
            raise ImportRejected("co_owners must look like 'ref:percent;ref:percent'")
        value = [{"artist": a.strip(), "percent": p} for a, p in pairs]
    if not isinstance(value, list):
        raise ImportRejected("co_owners must be a list")
    owners = []
    for entry in value:
        try:
            percent = float(entry["percent"])
        except (KeyError, TypeError, ValueError) as error:
            raise ImportRejected("every co-owner needs a numeric percent") from error
        owners.append((_ref(entry.get("artist"), "co-owner"),
                       round(percent * SHARE_UNITS / 100)))
    return tuple(owners)


def _instant(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ImportRejected(f"{value!r} is not an ISO 8601 instant")
    try:
        return parse_instant(value)
    except ConsentryError as error:
        raise ImportRejected(error.message) from error
