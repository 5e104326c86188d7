"""Content claims: another party's earlier recording found in an upload (a rights holder's
reference or catalogue track, or an independent artist's own track), and what became of it.

A claim's status is the last of its changes (append-only, each with who and when), so a
decision at any instant sees the claim as it stood then. Until it is released the upload is
the claimant's content, not only the uploader's: see ``Rule.CONTENT_CLAIM``. A dispute
does not lift it: the claimant upholds or releases it, and one left unanswered is released
when its response window ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from consentry.errors import InvalidInput


@dataclass(frozen=True)
class Identified:
    """One stretch of an audio that is a stretch of a stored recording (times in seconds): what
    content identification found, and what a claim is opened from."""

    recording_key: str
    kind: str  # "track" or "reference"
    recording_id: int
    title: str
    rights_holder_id: int | None
    owner_ids: tuple[int, ...]  # the artists who own a track; none for a reference
    query_start: float
    recording_start: float
    matched_seconds: float
    confidence: float
    significance: float
    speed: float
    artist_id: int | None = None  # a track's managing artist; none for a reference

    @property
    def claimant(self) -> tuple[int | None, int | None]:
        """Who a claim on this finding is for, as (rights holder, artist): the recording's
        rights holder if it has one, else the artist whose own track it is."""
        if self.rights_holder_id is not None:
            return self.rights_holder_id, None
        return None, self.artist_id

    def as_dict(self) -> dict[str, object]:
        return {"recording": self.recording_key, "kind": self.kind, "id": self.recording_id,
                "title": self.title, "rights_holder_id": self.rights_holder_id,
                "artist_id": self.artist_id,
                "query_start": round(self.query_start, 2),
                "recording_start": round(self.recording_start, 2),
                "matched_seconds": round(self.matched_seconds, 2),
                "confidence": self.confidence, "significance": self.significance,
                "speed": self.speed}


class ClaimStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    RELEASED = "released"

    @property
    def active(self) -> bool:
        """Open, confirmed and disputed claims govern the upload: a dispute waits for the
        claimant's answer (or the end of the response window); only a release lifts it."""
        return self is not ClaimStatus.RELEASED


class ClaimAction(StrEnum):
    """What the parties may do: the rights holder confirms or releases, the artist disputes."""

    CONFIRM = "confirm"
    RELEASE = "release"
    DISPUTE = "dispute"


_RESULT = {ClaimAction.CONFIRM: ClaimStatus.CONFIRMED, ClaimAction.RELEASE: ClaimStatus.RELEASED,
           ClaimAction.DISPUTE: ClaimStatus.DISPUTED}
_FROM = {
    ClaimAction.CONFIRM: {ClaimStatus.OPEN, ClaimStatus.DISPUTED},
    ClaimAction.RELEASE: {ClaimStatus.OPEN, ClaimStatus.CONFIRMED, ClaimStatus.DISPUTED},
    ClaimAction.DISPUTE: {ClaimStatus.OPEN, ClaimStatus.CONFIRMED},
}


@dataclass(frozen=True)
class ClaimChange:
    """One step of a claim's life: its new status, when, by whom, and why (disputes)."""

    status: ClaimStatus
    at: datetime
    by: str
    reason: str = ""
    # A dispute's deadline: unanswered by then, the claim is released from that instant on.
    respond_by: datetime | None = None


@dataclass(frozen=True)
class Claim:
    """An upload (``track_id``) found to contain a recording of the claimant: a rights
    holder (``rights_holder_id``) or an independent artist (``claimant_artist_id``)."""

    id: int
    track_id: int
    rights_holder_id: int | None
    changes: tuple[ClaimChange, ...]  # oldest first; the first opens the claim
    claimant_artist_id: int | None = None

    @property
    def status(self) -> ClaimStatus:
        return self.changes[-1].status

    def status_at(self, at: datetime) -> ClaimStatus | None:
        """The status at an instant; None before the claim was made. A dispute left
        unanswered past its deadline is released from the deadline on."""
        current = None
        for change in self.changes:
            if change.at > at:
                break
            current = change
        if current is None:
            return None
        if current.respond_by is not None and current.respond_by <= at:
            return ClaimStatus.RELEASED
        return current.status

    @property
    def disputed_before(self) -> bool:
        """A claim is disputed once: the claimant's answer to it stands."""
        return any(c.status is ClaimStatus.DISPUTED for c in self.changes)

    @property
    def respond_by(self) -> datetime | None:
        """The deadline of a dispute waiting for its answer, if the last change is one."""
        return self.changes[-1].respond_by

    def active_at(self, at: datetime) -> bool:
        status = self.status_at(at)
        return status is not None and status.active


def next_status(current: ClaimStatus, action: ClaimAction,
                disputed_before: bool = False) -> ClaimStatus:
    """The status ``action`` leads to; a released claim is final, and a claim is disputed
    once (the claimant upholds or releases it, or the response window releases it)."""
    if current not in _FROM[action]:
        raise InvalidInput(f"a claim that is {current.value} cannot be {_RESULT[action].value}",
                           {"status": current.value, "action": action.value})
    if action is ClaimAction.DISPUTE and disputed_before:
        raise InvalidInput("this claim was disputed already and the claimant upheld it; it "
                           "cannot be disputed again", {"status": current.value})
    return _RESULT[action]
