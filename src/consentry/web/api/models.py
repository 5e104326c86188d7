"""Request and response bodies of the JSON API, built from domain objects."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from consentry.audio import AudioInfo
from consentry.audio.matching import MIN_SIGNIFICANCE, SURE_SHARE, SURE_SHARE_SIGNIFICANCE
from consentry.consent import (
    Agreement,
    ConsentEvent,
    Consumer,
    Decision,
    Identified,
    Reason,
    Track,
)
from consentry.purposes import Purpose
from consentry.store.catalogue import Invitation, TrackAudio
from consentry.store.claims import ClaimRecord
from consentry.store.reference_recordings import ReferenceRecording, RemovedReference

Name = Field(min_length=1, max_length=200)


class PurposeOut(BaseModel):
    id: str
    label: str
    description: str
    parent: str | None
    training: bool
    default_allowed: bool
    explicit_opt_in: bool
    aipref: str | None
    required_by_terms: bool

    @classmethod
    def of(cls, p: Purpose, required: frozenset[str]) -> PurposeOut:
        return cls(id=p.id, label=p.label, description=p.description, parent=p.parent,
                   training=p.training, default_allowed=p.default_allowed,
                   explicit_opt_in=p.explicit_opt_in, aipref=p.aipref,
                   required_by_terms=p.id in required)


class NameIn(BaseModel):
    name: str = Name


class PartyOut(BaseModel):
    id: int
    name: str


class ShareIO(BaseModel):
    artist_id: int
    percent: float = Field(gt=0, le=100)


class TrackIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    artist_id: int | None = Field(default=None, description="Managing artist (artists: self)")
    co_owners: list[ShareIO] = Field(default_factory=list, max_length=50,
                                     description="All owners with shares adding up to 100")
    rights_holder_id: int | None = None
    isrc: str | None = Field(default=None, max_length=12)


class TrackAudioOut(BaseModel):
    sha256: str = Field(description="SHA-256 of the file as stored and served")
    format: Literal["wav", "flac", "ogg", "mp3"]
    mime: str
    size: int = Field(description="Bytes")
    duration_seconds: float
    uploaded_at: datetime
    url: str = Field(description="Where anyone can stream it (HTTP Range supported)")

    @classmethod
    def of(cls, a: TrackAudio) -> TrackAudioOut:
        return cls(sha256=a.sha256, format=a.format, mime=a.mime,  # type: ignore[arg-type]
                   size=a.size, duration_seconds=a.duration_ms / 1000,
                   uploaded_at=a.uploaded_at, url=f"/v1/tracks/{a.track_id}/audio")


class ClaimChangeOut(BaseModel):
    status: str
    at: datetime
    by: str
    reason: str
    respond_by: datetime | None = Field(
        default=None, description="A dispute's deadline: unanswered by then, it is released")


class ClaimOut(BaseModel):
    """Another party's recording found in a track's upload, and what became of the claim."""

    id: int
    track_id: int
    rights_holder_id: int | None = Field(description="The claimant, if a rights holder")
    claimant_artist_id: int | None = Field(
        description="The claimant, if an artist whose own track was found in the upload")
    status: Literal["open", "confirmed", "disputed", "released"]
    recording: str = Field(description="'reference:<id>' or 'track:<id>'")
    query_start: float = Field(description="Seconds into the upload where the match starts")
    recording_start: float = Field(description="Seconds into the recording, at that point")
    matched_seconds: float
    confidence: float
    significance: float | None = Field(
        description="Standard deviations above chance at which the match was believed; "
                    "null for claims opened before it was kept")
    speed: float
    respond_by: datetime | None = Field(description=(
        "While disputed: when the claimant must answer by; unanswered, the claim is "
        "released then. The claim keeps its restrictions until it is released."))
    changes: list[ClaimChangeOut]

    @classmethod
    def of(cls, c: ClaimRecord) -> ClaimOut:
        return cls(id=c.id, track_id=c.claim.track_id, rights_holder_id=c.claim.rights_holder_id,
                   claimant_artist_id=c.claim.claimant_artist_id,
                   status=c.status.value,
                   recording=c.recording_key, query_start=c.query_start,
                   recording_start=c.recording_start, matched_seconds=c.matched_seconds,
                   confidence=c.confidence, significance=c.significance, speed=c.speed,
                   respond_by=c.claim.respond_by if c.status.value == "disputed" else None,
                   changes=[ClaimChangeOut(status=ch.status.value, at=ch.at, by=ch.by,
                                           reason=ch.reason, respond_by=ch.respond_by)
                            for ch in c.claim.changes])


class AudioUploadOut(TrackAudioOut):
    """What the upload stored, with the layout probed from the file."""

    track_id: int
    sample_rate: int
    channels: int
    frames: int
    claims: list[ClaimOut] = Field(
        default_factory=list, description="Claims this upload opened (content identification)")
    released_claims: list[ClaimOut] = Field(
        default_factory=list, description="Claims found in the audio it replaced, now released "
                                          "(reason 'audio replaced')")

    @classmethod
    def of_upload(cls, a: TrackAudio, info: AudioInfo, claims: list[ClaimRecord] | None = None,
                  released: list[ClaimRecord] | None = None) -> AudioUploadOut:
        return cls(**TrackAudioOut.of(a).model_dump(), track_id=a.track_id,
                   sample_rate=info.sample_rate, channels=info.channels, frames=info.frames,
                   claims=[ClaimOut.of(c) for c in claims or []],
                   released_claims=[ClaimOut.of(c) for c in released or []])


class IdentifiedOut(BaseModel):
    """One stretch of the query that is a stretch of a catalogue track or reference recording."""

    recording: str = Field(description="'track:<id>' or 'reference:<id>'")
    kind: Literal["track", "reference"]
    id: int
    title: str
    rights_holder_id: int | None
    query_start: float = Field(description="Seconds into the query")
    recording_start: float = Field(description="Seconds into the recording, at that point")
    matched_seconds: float
    confidence: float = Field(description="Share of the query's peaks that land on the "
                                          "recording's (about 0.8 for a clean copy)")
    significance: float = Field(description="How far that share lies above the share "
                                            "landing by chance, in standard deviations; a "
                                            f"match reaches {MIN_SIGNIFICANCE}, or "
                                            f"{SURE_SHARE_SIGNIFICANCE} with a confidence of "
                                            f"{SURE_SHARE}")
    speed: float = Field(description="Playback speed of the query relative to the recording")

    @classmethod
    def of(cls, i: Identified) -> IdentifiedOut:
        return cls.model_validate(i.as_dict())


class IdentifyOut(BaseModel):
    seconds: float = Field(description="Length of the query audio")
    matches: list[IdentifiedOut]


class ReferenceOut(BaseModel):
    """A rights holder's reference recording: what identification looks for in uploads."""

    id: int
    recording: str = Field(description="'reference:<id>', as identify and claims name it")
    rights_holder_id: int
    title: str
    isrc: str | None
    audio_sha256: str
    duration_seconds: float
    created_at: datetime

    @classmethod
    def of(cls, r: ReferenceRecording) -> ReferenceOut:
        return cls(id=r.id, recording=f"reference:{r.id}", rights_holder_id=r.rights_holder_id,
                   title=r.title, isrc=r.isrc, audio_sha256=r.audio_sha256,
                   duration_seconds=r.duration_ms / 1000, created_at=r.created_at)


class RemovedReferenceOut(BaseModel):
    removed: ReferenceOut
    released_claims: list[ClaimOut] = Field(
        description="The claims that rested on it, now released (reason 'reference removed')")

    @classmethod
    def of(cls, r: RemovedReference) -> RemovedReferenceOut:
        return cls(removed=ReferenceOut.of(r.reference),
                   released_claims=[ClaimOut.of(c) for c in r.released])


class TrackOut(BaseModel):
    id: int
    title: str
    artist_id: int
    co_owners: list[ShareIO]
    rights_holder_id: int | None
    isrc: str | None
    pending_owners: list[int] = Field(description=(
        "Owners invited who have not accepted their share: until they do, nothing of theirs "
        "is read and every use that needs their consent stays off"))
    audio: TrackAudioOut | None = Field(description="The recording; null until one is uploaded")

    @classmethod
    def of(cls, t: Track, audio: TrackAudio | None = None) -> TrackOut:
        return cls(id=t.id, title=t.title, artist_id=t.artist_id,
                   co_owners=[ShareIO(artist_id=s.artist_id, percent=s.basis_points / 100)
                              for s in t.shares],
                   rights_holder_id=t.rights_holder_id, isrc=t.isrc,
                   pending_owners=sorted(t.pending_ids),
                   audio=None if audio is None else TrackAudioOut.of(audio))


class InvitationOut(BaseModel):
    track_id: int
    title: str
    managing_artist_id: int
    managing_artist: str
    percent: float = Field(description="The share offered")
    since: datetime = Field(description="When the track naming this artist was registered")
    declined: bool = Field(description="Declined earlier; accepting still makes it count")

    @classmethod
    def of(cls, i: Invitation) -> InvitationOut:
        return cls(track_id=i.track.id, title=i.track.title,
                   managing_artist_id=i.track.artist_id, managing_artist=i.managing_artist,
                   percent=i.basis_points / 100, since=i.since, declined=i.declined)


class ShareAnswerIn(BaseModel):
    accept: bool = Field(description="true to accept the share, false to decline it")


class ShareAnswerOut(BaseModel):
    track_id: int
    artist_id: int
    accepted: bool
    at: datetime


class AgreementIn(BaseModel):
    title: str = Name
    restricted_purposes: list[str] = Field(min_length=1, max_length=50)
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class AgreementOut(BaseModel):
    id: int
    rights_holder_id: int
    title: str
    restricted_purposes: list[str]
    starts_at: datetime = Field(description="The start the agreement states.")
    ends_at: datetime | None
    recorded_at: datetime | None = Field(
        description="When it was recorded; decisions read it only from then on.")
    effective_from: datetime = Field(
        description="When it starts to count for decisions: the later of its stated start and "
                    "its recording.")

    @classmethod
    def of(cls, a: Agreement) -> AgreementOut:
        return cls(id=a.id, rights_holder_id=a.rights_holder_id, title=a.title,
                   restricted_purposes=sorted(a.restricted_purposes), starts_at=a.starts_at,
                   ends_at=a.ends_at, recorded_at=a.recorded_at, effective_from=a.effective_from)


class ConsumerIn(BaseModel):
    name: str = Name
    kind: Literal["internal", "third-party"] = "internal"
    organisation: str | None = Field(default=None, max_length=63)
    purposes: list[str] = Field(min_length=1, max_length=50)
    datasets_only: bool = Field(
        default=False, description="Every use must come from one of its own dataset snapshots")


class ConsumerOut(BaseModel):
    id: int
    name: str
    kind: str
    organisation: str | None
    purposes: list[str]
    datasets_only: bool

    @classmethod
    def of(cls, c: Consumer) -> ConsumerOut:
        return cls(id=c.id, name=c.name, kind=c.kind.value, organisation=c.organisation,
                   purposes=sorted(c.purposes), datasets_only=c.datasets_only)


class ConsentIn(BaseModel):
    purpose: str = Field(max_length=100)
    choice: Literal["allow", "deny", "clear"] = Field(
        description="'clear' withdraws this scope's choice: the next level decides again")
    artist_id: int | None = Field(default=None, description="Whose choice (artists: self)")
    track_id: int | None = Field(default=None, description="One track; omit for all tracks")
    source: str = Field(default="api", max_length=200)


class ConsentEventOut(BaseModel):
    id: int
    artist_id: int
    scope: Literal["artist", "track"]
    track_id: int | None
    purpose: str
    choice: str
    recorded_at: datetime
    source: str
    terms_version: str
    recorded_by: str

    @classmethod
    def of(cls, e: ConsentEvent) -> ConsentEventOut:
        return cls(id=e.id, artist_id=e.artist_id, scope=e.scope,  # type: ignore[arg-type]
                   track_id=e.track_id, purpose=e.purpose, choice=e.choice.value,
                   recorded_at=e.recorded_at, source=e.source, terms_version=e.terms_version,
                   recorded_by=e.recorded_by)


class ReasonOut(BaseModel):
    rule: str
    purpose: str
    summary: str
    event_id: int | None
    agreement_id: int | None
    artist_id: int | None
    terms_version: str | None
    claim_id: int | None = Field(None, description="The content claim that decided, if any")

    @classmethod
    def of(cls, r: Reason) -> ReasonOut:
        return cls(rule=r.rule.value, purpose=r.purpose, summary=r.summary, event_id=r.event_id,
                   agreement_id=r.agreement_id, artist_id=r.artist_id,
                   terms_version=r.terms_version, claim_id=r.claim_id)


class DecisionOut(BaseModel):
    track_id: int
    purpose: str
    decision: Literal["allow", "deny"]
    rule: str
    reasons: list[ReasonOut]
    at: datetime
    terms_version: str
    consumer_id: int | None

    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        return cls(track_id=d.track_id, purpose=d.purpose,
                   decision="allow" if d.allowed else "deny", rule=d.rule.value,
                   reasons=[ReasonOut.of(r) for r in d.reasons], at=d.at,
                   terms_version=d.terms_version, consumer_id=d.consumer_id)


class DecisionBatchIn(BaseModel):
    purpose: str = Field(max_length=100)
    track_ids: list[int] = Field(min_length=1, max_length=10_000)
    at: datetime | None = None


class DecisionBatchOut(BaseModel):
    purpose: str
    at: datetime
    allowed: int
    denied: int
    unknown_track_ids: list[int]
    decisions: list[DecisionOut]
    batch_id: int | None = Field(None, description="The recorded batch; none when empty")
    log_index: int | None = Field(None, description="Its entry in the transparency log")


class TokenIn(BaseModel):
    name: str = Name
    role: Literal["admin", "artist", "rights_holder", "consumer"]
    subject_id: int | None = None
    ttl_days: int = Field(default=90, ge=1, le=3650)
    purposes: list[str] | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    subject_id: int | None
    expires_at: datetime
    token: str = Field(description="Shown once; only its keyed hash is stored")
