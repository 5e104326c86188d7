"""Content claims: a rights holder's recording found in an upload, and what became of it.

A claim's status is the last of its changes (append-only, each with who and when), so a
decision at any instant sees the claim as it stood then. While a claim is open or confirmed
the upload is the rights holder's content, not only the uploader's: see ``Rule.CONTENT_CLAIM``.
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

    def as_dict(self) -> dict[str, object]:
        return {"recording": self.recording_key, "kind": self.kind, "id": self.recording_id,
                "title": self.title, "rights_holder_id": self.rights_holder_id,
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
        """Open and confirmed claims govern the upload; disputed and released ones do not."""
        return self in (ClaimStatus.OPEN, ClaimStatus.CONFIRMED)


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


@dataclass(frozen=True)
class Claim:
    """An upload (``track_id``) found to contain a recording of ``rights_holder_id``."""

    id: int
    track_id: int
    rights_holder_id: int
    changes: tuple[ClaimChange, ...]  # oldest first; the first opens the claim

    @property
    def status(self) -> ClaimStatus:
        return self.changes[-1].status

    def status_at(self, at: datetime) -> ClaimStatus | None:
        """The status at an instant; None before the claim was made."""
        current = None
        for change in self.changes:
            if change.at > at:
                break
            current = change.status
        return current

    def active_at(self, at: datetime) -> bool:
        status = self.status_at(at)
        return status is not None and status.active


def next_status(current: ClaimStatus, action: ClaimAction) -> ClaimStatus:
    """The status ``action`` leads to; a released claim is final."""
    if current not in _FROM[action]:
        raise InvalidInput(f"a claim that is {current.value} cannot be {_RESULT[action].value}",
                           {"status": current.value, "action": action.value})
    return _RESULT[action]
