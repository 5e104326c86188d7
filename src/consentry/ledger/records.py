"""What goes into the log: one canonical byte string per record, so that anyone holding the
record can recompute its leaf hash and check it against a proof.

Canonical form: JSON with sorted keys, no whitespace, UTF-8, integers for instants
(microseconds since the epoch, UTC) and a ``kind`` and ``format`` on every record. Changing
what a kind holds means a new ``format``; old leaves keep verifying under the old one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from consentry.consent import ConsentEvent
from consentry.errors import InvalidInput
from consentry.ledger.merkle import leaf_hash
from consentry.timestamps import to_micros

FORMAT = 1
CONSENT_EVENT = "consent-event"
DECISION_BATCH = "decision-batch"
TERMS_PUBLICATION = "terms-publication"
TERMS_RESPONSE = "terms-response"
DATASET_SNAPSHOT = "dataset-snapshot"
WITHDRAWAL = "withdrawal"
CONTENT_CLAIM = "content-claim"
CLAIM_CHANGE = "claim-change"
AGREEMENT = "agreement"
TRACK_OWNERSHIP = "track-ownership"
SHARE_ANSWER = "share-answer"
TRACK_REMOVAL = "track-removal"
KINDS = (CONSENT_EVENT, DECISION_BATCH, TERMS_PUBLICATION, TERMS_RESPONSE, DATASET_SNAPSHOT,
         WITHDRAWAL, CONTENT_CLAIM, CLAIM_CHANGE, AGREEMENT, TRACK_OWNERSHIP, SHARE_ANSWER,
         TRACK_REMOVAL)


def canonical(record: Mapping[str, Any]) -> bytes:
    """The one byte string a record hashes as."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class LogRecord:
    """A record ready to append: what it is about (kind and id in its own table) and its bytes."""

    kind: str
    source_id: int
    data: bytes

    @property
    def leaf_hash(self) -> bytes:
        return leaf_hash(self.data)

    def as_dict(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.data)
        return loaded


def consent_event_record(event: ConsentEvent) -> LogRecord:
    """Every field of the event, as the ledger table holds it."""
    return LogRecord(CONSENT_EVENT, event.id, canonical({
        "format": FORMAT, "kind": CONSENT_EVENT, "id": event.id, "artist_id": event.artist_id,
        "track_id": event.track_id, "purpose": event.purpose, "choice": event.choice.value,
        "recorded_at": to_micros(event.recorded_at), "source": event.source,
        "recorded_by": event.recorded_by, "terms_version": event.terms_version}))


def result_digest(track_ids: Sequence[int] | np.ndarray, allowed: Sequence[bool] | np.ndarray
                  ) -> str:
    """What a batch answered, in 32 bytes: SHA-256 over the track ids (little-endian int64)
    then the answers (one byte each), in track order. Vectorized, since an eligibility export
    answers for a whole catalogue."""
    ids = np.asarray(track_ids, dtype="<i8")
    order = np.argsort(ids, kind="stable")
    answers = np.asarray(allowed, dtype=bool)[order].astype("u1")
    digest = hashlib.sha256(b"consentry-decisions/1\n")
    digest.update(ids[order].tobytes())
    digest.update(answers.tobytes())
    return digest.hexdigest()


def decision_batch_record_from(batch_id: int, consumer_id: int | None, purpose: str,
                               at_micros: int, tracks: int, allowed: int, result_sha256: str,
                               requested_by: str) -> LogRecord:
    """An AI use asked for: who asked, for which purpose, about how many tracks, and a digest
    of the answers (``result_digest``), so the record stays small whatever the batch size."""
    if tracks < 1 or not 0 <= allowed <= tracks:
        raise InvalidInput("a decision batch holds at least one decision")
    return LogRecord(DECISION_BATCH, batch_id, canonical({
        "format": FORMAT, "kind": DECISION_BATCH, "id": batch_id, "consumer_id": consumer_id,
        "purpose": purpose, "at": at_micros, "tracks": tracks, "allowed": allowed,
        "result_sha256": result_sha256, "requested_by": requested_by}))


def version_source_id(version: str) -> int:
    """A terms version's number in the log: versions are named by strings, log sources by
    integers, and publication times can be backdated, so the name's hash (56 bits) it is."""
    return int.from_bytes(hashlib.sha256(version.encode("utf-8")).digest()[:7], "big")


def terms_publication_record(version: str, text_hash: str | None,
                             material: bool | None, published_at: int, effective_at: int,
                             required: Sequence[str], prohibited: Sequence[str],
                             introduced: Sequence[str], published_by: str | None) -> LogRecord:
    """A terms version as published: its text by hash, when it takes effect and what it
    requires or prohibits."""
    return LogRecord(TERMS_PUBLICATION, version_source_id(version), canonical({
        "format": FORMAT, "kind": TERMS_PUBLICATION, "version": version,
        "text_sha256": text_hash, "material": material, "published_at": published_at,
        "effective_at": effective_at, "required": sorted(required),
        "prohibited": sorted(prohibited), "introduced": sorted(introduced),
        "published_by": published_by}))


def terms_response_record(response_id: int, user_id: int, version: str, text_hash: str,
                          accepted: bool, at_micros: int) -> LogRecord:
    """One account's acceptance or refusal of a terms version, bound to the text's hash."""
    return LogRecord(TERMS_RESPONSE, response_id, canonical({
        "format": FORMAT, "kind": TERMS_RESPONSE, "id": response_id, "user_id": user_id,
        "version": version, "text_sha256": text_hash, "accepted": accepted, "at": at_micros}))


def dataset_snapshot_record(snapshot_id: int, consumer_id: int | None, purpose: str,
                            at_micros: int, tracks: int, manifest_sha256: str,
                            requested_by: str, revision_of: int | None = None) -> LogRecord:
    """A dataset snapshot taken: for whom, for which use, at which instant, and its manifest
    by hash (the manifest names every track and the consent behind it). A revision (format 2)
    also names the snapshot it revises."""
    record = {
        "format": FORMAT, "kind": DATASET_SNAPSHOT, "id": snapshot_id,
        "consumer_id": consumer_id, "purpose": purpose, "at": at_micros, "tracks": tracks,
        "manifest_sha256": manifest_sha256, "requested_by": requested_by}
    if revision_of is not None:
        record |= {"format": 2, "revision_of": revision_of}
    return LogRecord(DATASET_SNAPSHOT, snapshot_id, canonical(record))


def track_set_digest(track_ids: Sequence[int] | np.ndarray) -> str:
    """A set of tracks (distinct ids) in 32 bytes: SHA-256 over the sorted ids (little-endian
    int64)."""
    ids = np.sort(np.asarray(track_ids, dtype="<i8"))
    return hashlib.sha256(b"consentry-tracks/1\n" + ids.tobytes()).hexdigest()


def withdrawal_record(withdrawal_id: int, snapshot_id: int, cause: tuple[str, str],
                      recorded_at: int, track_ids: Sequence[int] | np.ndarray) -> LogRecord:
    """A cause took these tracks out of a snapshot's purpose: which cause, which snapshot,
    when, and the tracks by count and digest (``track_set_digest``).

    ``cause`` is a log record's (kind, id). A consent event is named by ``consent_event_id``
    as withdrawals always were, so their records stay byte for byte what they were; any
    other cause by ``cause`` = {kind, id}.
    """
    kind, ref = cause
    named: dict[str, Any] = ({"consent_event_id": int(ref)} if kind == CONSENT_EVENT
                             else {"cause": {"kind": kind, "id": ref}})
    return LogRecord(WITHDRAWAL, withdrawal_id, canonical({
        "format": FORMAT, "kind": WITHDRAWAL, "id": withdrawal_id, "snapshot_id": snapshot_id,
        **named, "recorded_at": recorded_at,
        "tracks": len(track_ids), "tracks_sha256": track_set_digest(track_ids)}))


def content_claim_record(claim_id: int, track_id: int, rights_holder_id: int | None,
                         recording: str, audio_sha256: str, query_start_ms: int,
                         recording_start_ms: int, matched_ms: int, confidence: float,
                         speed: float, created_at_micros: int,
                         significance: float | None = None,
                         claimant_artist_id: int | None = None) -> LogRecord:
    """Another party's recording found in an upload: the finding a claim rests on, and whose
    claim it is (a rights holder's, or an artist's: then ``rights_holder_id`` is null).

    ``significance`` and ``claimant_artist_id`` are left out when there are none, so that a
    claim recorded before they were kept makes the very record it made then.
    """
    fields = {
        "format": FORMAT, "kind": CONTENT_CLAIM, "id": claim_id, "track_id": track_id,
        "rights_holder_id": rights_holder_id, "recording": recording,
        "audio_sha256": audio_sha256, "query_start_ms": query_start_ms,
        "recording_start_ms": recording_start_ms, "matched_ms": matched_ms,
        "confidence": confidence, "speed": speed, "at": created_at_micros}
    if significance is not None:
        fields["significance"] = significance
    if claimant_artist_id is not None:
        fields["claimant_artist_id"] = claimant_artist_id
    return LogRecord(CONTENT_CLAIM, claim_id, canonical(fields))


def claim_change_record(change_id: int, claim_id: int, status: str, at_micros: int, by: str,
                        reason: str, respond_by_micros: int | None = None) -> LogRecord:
    """A claim opened, confirmed, disputed or released: who, when and why; a dispute also
    when the claimant must answer by (left out otherwise, so older records stay as made)."""
    fields = {"format": FORMAT, "kind": CLAIM_CHANGE, "id": change_id, "claim_id": claim_id,
              "status": status, "at": at_micros, "by": by, "reason": reason}
    if respond_by_micros is not None:
        fields["respond_by"] = respond_by_micros
    return LogRecord(CLAIM_CHANGE, change_id, canonical(fields))


def agreement_record(agreement_id: int, rights_holder_id: int, title: str,
                     restricted: Collection[str], starts_at_micros: int, ends_at_micros: int | None,
                     recorded_at_micros: int) -> LogRecord:
    """A rights holder's agreement as decisions read it: what it restricts, the start and end
    it states, and when it was recorded (it counts for decisions only from then on)."""
    return LogRecord(AGREEMENT, agreement_id, canonical({
        "format": FORMAT, "kind": AGREEMENT, "id": agreement_id,
        "rights_holder_id": rights_holder_id, "title": title, "restricted": sorted(restricted),
        "starts_at": starts_at_micros, "ends_at": ends_at_micros,
        "recorded_at": recorded_at_micros}))


def track_ownership_record(track_id: int, artist_id: int, rights_holder_id: int | None,
                           shares: Sequence[tuple[int, int]], created_at_micros: int
                           ) -> LogRecord:
    """Who a track belongs to: the managing artist, the rights holder whose catalogue it is
    in, and every owner's share in basis points."""
    return LogRecord(TRACK_OWNERSHIP, track_id, canonical({
        "format": FORMAT, "kind": TRACK_OWNERSHIP, "id": track_id, "artist_id": artist_id,
        "rights_holder_id": rights_holder_id,
        "shares": [[artist, points] for artist, points in sorted(shares)],
        "at": created_at_micros}))


def share_answer_record(answer_id: int, track_id: int, artist_id: int, accepted: bool,
                        at_micros: int, by: str) -> LogRecord:
    """An artist accepting or declining their share of a track: from then on their choices
    count for it, or no longer do."""
    return LogRecord(SHARE_ANSWER, answer_id, canonical({
        "format": FORMAT, "kind": SHARE_ANSWER, "id": answer_id, "track_id": track_id,
        "artist_id": artist_id, "accepted": accepted, "at": at_micros, "by": by}))


def track_removal_record(removal_id: int, track_id: int, removed_by: str,
                         at_micros: int) -> LogRecord:
    """A track taken out of the catalogue: which, by whom, when. Its earlier records stay
    as they were; from then on no use of it is allowed."""
    return LogRecord(TRACK_REMOVAL, removal_id, canonical({
        "format": FORMAT, "kind": TRACK_REMOVAL, "id": removal_id, "track_id": track_id,
        "removed_by": removed_by, "at": at_micros}))
