"""Consent events: the only way a choice is ever recorded.

Events are immutable and only ever appended; the current state is a projection of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from consentry.errors import InvalidInput
from consentry.purposes import get_purpose


class Choice(StrEnum):
    """An artist's answer for one purpose."""

    ALLOW = "allow"
    DENY = "deny"
    CLEAR = "clear"  # withdraws the scope's explicit choice: the next level decides again


@dataclass(frozen=True)
class ConsentChoice:
    """A choice an artist wants recorded, before the ledger gives it an id and a time."""

    artist_id: int
    purpose: str
    choice: Choice
    track_id: int | None = None  # None: all of the artist's tracks (their default)
    source: str = "api"
    recorded_by: str = ""

    def __post_init__(self) -> None:
        get_purpose(self.purpose)
        if not isinstance(self.choice, Choice):
            raise InvalidInput(
                f"choice must be 'allow', 'deny' or 'clear', not {self.choice!r}")
        if len(self.source) > 200:
            raise InvalidInput("source is longer than 200 characters")

    @property
    def scope(self) -> str:
        return "artist" if self.track_id is None else "track"


@dataclass(frozen=True)
class ConsentEvent:
    """A recorded choice: who, which track or all tracks, which purpose, when, from where."""

    id: int
    artist_id: int
    purpose: str
    choice: Choice
    track_id: int | None
    recorded_at: datetime
    source: str
    terms_version: str
    recorded_by: str = ""

    @property
    def scope(self) -> str:
        return "artist" if self.track_id is None else "track"

    @property
    def allowed(self) -> bool:
        return self.choice is Choice.ALLOW

    @property
    def denied(self) -> bool:
        return self.choice is Choice.DENY
