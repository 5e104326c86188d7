"""Content claims in the database: the finding (append-only) and its status changes
(append-only, with who and when); the current status is the last change."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, insert, or_, select

from consentry.consent import Claim, ClaimAction, ClaimChange, ClaimStatus, Identified, next_status
from consentry.errors import N_, InvalidInput, NotFound
from consentry.ledger.records import CLAIM_CHANGE, CONTENT_CLAIM
from consentry.store.log_sources import log_new_row
from consentry.store.paging import Page, Window, read_page
from consentry.store.schema import claim_changes, content_claims, tracks
from consentry.store.share_answers import accepted_track_ids
from consentry.timestamps import from_micros, to_micros, utcnow

MAX_REASON = 2000
# Why the platform itself released a claim: the recording it cites, or the audio it was
# found in, is gone. Written as the release's reason, so the log says it too.
REFERENCE_REMOVED = "reference removed"
AUDIO_REPLACED = "audio replaced"


@dataclass(frozen=True)
class ClaimRecord:
    """A claim with what was found: the recording, where in each, how much, how sure."""

    claim: Claim
    track_title: str
    artist_id: int
    recording_key: str
    audio_sha256: str
    query_start: float
    recording_start: float
    matched_seconds: float
    confidence: float
    speed: float
    created_at: datetime
    significance: float | None  # None: opened before it was kept

    @property
    def id(self) -> int:
        return self.claim.id

    @property
    def status(self) -> ClaimStatus:
        """As it stands now: a dispute past its deadline reads as released."""
        return self.claim.status_at(utcnow()) or self.claim.status


def open_claim(conn: Connection, track_id: int, found: Identified, audio_sha256: str,
               by: str) -> Claim:
    """Record that the upload ``track_id`` contains ``found``, another party's recording: the
    claim is its rights holder's, or the artist's whose own track it is."""
    holder, artist = found.claimant
    if holder is None and artist is None:
        raise InvalidInput("a recording with neither rights holder nor artist cannot be claimed")
    now = to_micros(utcnow())
    claim_id: int = conn.execute(insert(content_claims).values(
        track_id=track_id, rights_holder_id=holder, claimant_artist_id=artist,
        recording_key=found.recording_key, audio_sha256=audio_sha256,
        query_start_ms=round(found.query_start * 1000),
        recording_start_ms=round(found.recording_start * 1000),
        matched_ms=round(found.matched_seconds * 1000), confidence=found.confidence,
        significance=found.significance, speed=found.speed,
        created_at=now)).inserted_primary_key[0]  # type: ignore[index]
    change_id = conn.execute(insert(claim_changes).values(
        claim_id=claim_id, status=ClaimStatus.OPEN.value, at=now, by=by[:200],
        reason="")).inserted_primary_key[0]  # type: ignore[index]
    _log(conn, CONTENT_CLAIM, claim_id)
    _log(conn, CLAIM_CHANGE, change_id)
    return Claim(claim_id, track_id, holder,
                 (ClaimChange(ClaimStatus.OPEN, from_micros(now), by[:200]),), artist)


def change_claim(conn: Connection, claim_id: int, action: ClaimAction, by: str,
                 reason: str = "", respond_within: timedelta | None = None) -> ClaimRecord:
    """Confirm, release or dispute; a dispute needs a reason and a response window (the
    claimant answers within it, or the claim is released at its end). Callers check who may
    act; ``consentry.services.claim_disputes`` tells the parties."""
    reason = reason.strip()
    if action is ClaimAction.DISPUTE and not reason:
        raise InvalidInput(N_("say why you dispute the claim"))
    if action is ClaimAction.DISPUTE and (respond_within is None
                                          or respond_within <= timedelta(0)):
        raise InvalidInput("a dispute needs a response window")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason must be at most {MAX_REASON} characters")
    now = utcnow()
    current = get_claim(conn, claim_id).claim
    status = next_status(current.status_at(now) or ClaimStatus.OPEN, action,
                         current.disputed_before)
    respond_by = (to_micros(now + respond_within)
                  if action is ClaimAction.DISPUTE and respond_within else None)
    change_id = conn.execute(insert(claim_changes).values(
        claim_id=claim_id, status=status.value, at=to_micros(now), by=by[:200],
        reason=reason, respond_by=respond_by)).inserted_primary_key[0]  # type: ignore[index]
    _log(conn, CLAIM_CHANGE, change_id)
    return get_claim(conn, claim_id)


def lapsed_disputes(conn: Connection, now: datetime) -> list[ClaimRecord]:
    """Claims whose last change is a dispute left unanswered past its deadline: released
    already for every decision, and waiting for their release to be recorded and told."""
    latest = select(func.max(claim_changes.c.id)).group_by(claim_changes.c.claim_id)
    lapsed = select(claim_changes.c.claim_id).where(
        claim_changes.c.id.in_(latest), claim_changes.c.status == ClaimStatus.DISPUTED.value,
        claim_changes.c.respond_by <= to_micros(now))
    return _records(conn, content_claims.c.id.in_(lapsed))


def release_claims(conn: Connection, claims: Sequence[ClaimRecord], by: str,
                   reason: str) -> list[ClaimRecord]:
    """Release each claim not released yet, through the one change path (logged like any).

    Disputed claims are released too: the rights holder could otherwise confirm a claim whose
    ground is gone. A dispute that lapsed is released for decisions already; its release is
    recorded all the same, so the log says when it was.
    """
    return [change_claim(conn, c.id, ClaimAction.RELEASE, by, reason)
            for c in claims if c.claim.changes[-1].status is not ClaimStatus.RELEASED]


def claims_citing(conn: Connection, recording_key: str) -> list[ClaimRecord]:
    """Every claim that rests on this recording, oldest first."""
    return _records(conn, content_claims.c.recording_key == recording_key)


def claims_on_other_audio(conn: Connection, track_id: int,
                          audio_sha256: str) -> list[ClaimRecord]:
    """The track's claims found in audio other than ``audio_sha256``, oldest first."""
    return _records(conn, content_claims.c.track_id == track_id,
                    content_claims.c.audio_sha256 != audio_sha256)


def _log(conn: Connection, kind: str, source_id: int) -> None:
    """In the transaction that wrote the row, like every record the log vouches for."""
    log_new_row(conn, kind, source_id)


def claims_on(conn: Connection, track_ids: Sequence[int]) -> tuple[Claim, ...]:
    """Every claim on these tracks with its changes: what the decision rules read."""
    if not track_ids:
        return ()
    return tuple(r.claim for r in _records(conn, content_claims.c.track_id.in_(track_ids)))


def claim_records(conn: Connection, *, rights_holder_id: int | None = None,
                  artist_id: int | None = None,
                  track_ids: Sequence[int] | None = None) -> list[ClaimRecord]:
    """Claims newest first: a rights holder's, an artist's (those on the tracks whose share
    they accepted, and those they are the claimant of), or those on tracks."""
    conditions = _party_conditions(rights_holder_id, artist_id, track_ids)
    return sorted(_records(conn, *conditions), key=lambda r: -r.id)


def claim_page(conn: Connection, window: Window, *, rights_holder_id: int | None = None,
               artist_id: int | None = None) -> Page[ClaimRecord]:
    """A window of ``claim_records``, newest first, and how many there are in all."""
    query = _claims_query(*_party_conditions(rights_holder_id, artist_id, None)).order_by(
        content_claims.c.id.desc())
    rows = read_page(conn, query, window)
    return Page(_built(conn, rows.items), rows.total, window)


def _party_conditions(rights_holder_id: int | None, artist_id: int | None,
                      track_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if rights_holder_id is not None:
        conditions.append(content_claims.c.rights_holder_id == rights_holder_id)
    if artist_id is not None:
        conditions.append(or_(tracks.c.id.in_(accepted_track_ids(artist_id)),
                              content_claims.c.claimant_artist_id == artist_id))
    if track_ids is not None:
        conditions.append(content_claims.c.track_id.in_(track_ids))
    return conditions


def get_claim(conn: Connection, claim_id: int) -> ClaimRecord:
    found = _records(conn, content_claims.c.id == claim_id)
    if not found:
        raise NotFound(f"claim {claim_id} does not exist")
    return found[0]


def already_claimed(conn: Connection, track_id: int, recording_key: str,
                    audio_sha256: str) -> bool:
    """A claim on this very upload for this recording stands, whatever its status: the same
    file uploaded again does not reopen a claim that was released or disputed. Only a claim
    the platform released because other audio replaced the file does not count: the file is
    back, and is matched afresh."""
    found = _records(conn, content_claims.c.track_id == track_id,
                     content_claims.c.recording_key == recording_key,
                     content_claims.c.audio_sha256 == audio_sha256)
    return any(not _released_for_new_audio(c) for c in found)


def _released_for_new_audio(record: ClaimRecord) -> bool:
    last = record.claim.changes[-1]
    return last.status is ClaimStatus.RELEASED and last.reason == AUDIO_REPLACED


def _claims_query(*conditions: ColumnElement[bool]) -> Select[Any]:
    return (select(content_claims, tracks.c.title.label("track_title"),
                   tracks.c.artist_id.label("artist_id"))
            .join(tracks, tracks.c.id == content_claims.c.track_id).where(*conditions))


def _records(conn: Connection, *conditions: ColumnElement[bool]) -> list[ClaimRecord]:
    rows = list(conn.execute(_claims_query(*conditions).order_by(content_claims.c.id)))
    return _built(conn, rows)


def _built(conn: Connection, rows: list[Any]) -> list[ClaimRecord]:
    changes: dict[int, list[ClaimChange]] = defaultdict(list)
    if rows:
        for ch in conn.execute(select(claim_changes).where(
                claim_changes.c.claim_id.in_([r.id for r in rows]))
                .order_by(claim_changes.c.claim_id, claim_changes.c.at, claim_changes.c.id)):
            changes[ch.claim_id].append(ClaimChange(
                ClaimStatus(ch.status), from_micros(ch.at), ch.by, ch.reason,
                None if ch.respond_by is None else from_micros(ch.respond_by)))
    return [ClaimRecord(
        Claim(r.id, r.track_id, r.rights_holder_id, tuple(changes[r.id]),
              r.claimant_artist_id), r.track_title,
        r.artist_id, r.recording_key, r.audio_sha256, r.query_start_ms / 1000,
        r.recording_start_ms / 1000, r.matched_ms / 1000, r.confidence, r.speed,
        from_micros(r.created_at), r.significance) for r in rows]
